#!/usr/bin/env python3
"""Draw the HTML page of a poolbench report from the summary `poolbench report --html` hands it
(render::SummaryJson in harness/render): build and machine facts, the measured bandwidth,
charts, and the ranking tables of `poolbench report` (Markdown), as HTML.

    /usr/bin/python3 scripts/plot_report.py SUMMARY.json OUT.html [--png-dir DIR]

The C++ side decides everything about the results (grouping, selection, ranking, best peers)
and formats the table cells; this script only lays the page out and draws the charts. The page
needs no network: the charts are PNG images embedded as base64 data URIs and the style sheet is
inline.

The page opens with the answer at a glance, sized for one screen:
  1. The matrix of problems × strategies (render::Matrices): each cell's time, speed-up and
     percentage of the roofline, the winner of each row marked, wrong, crashed and skipped cells
     shown as such, shaded by how close each is to the row's winner.
  2. The roofline chart: achieved GB/s of every strategy on every problem (one point each; a red
     cross for a wrong or failed one), against the measured bandwidth of the level the
     problem's data lives in (a short bar per problem) and of every level (horizontal lines),
     one panel per thread count, log scale.
  3. Thread scaling: the speed-up of each threaded strategy from its lowest thread count to a
     higher one, one point per problem and their geometric mean.
The details follow, collapsed: the matrix at each thread count, the per-problem rankings, the
build and machine facts and the skipped pairs. Every strategy has the colour
render::StrategyColour gives it, the same in every report.
"""

import argparse
import base64
import html
import io
import json
import math
import os
import sys
import tempfile

def fail(message, code=2):
    print(f"plot_report.py: error: {message}", file=sys.stderr)
    sys.exit(code)


def import_pyplot():
    try:
        import matplotlib

        matplotlib.use("Agg")  # no display: render to files only
        import matplotlib.pyplot as plt
    except ImportError as e:
        fail(
            f"matplotlib is not available to {sys.executable} ({e}); install it "
            "(Debian: apt-get install python3-matplotlib) or set POOLBENCH_PYTHON to a Python "
            "that has it",
            3,
        )
    return plt


# ----------------------------------------------------------------------------------------------
# Reading the summary


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            summary = json.load(f)
    except OSError as e:
        fail(f"{path}: cannot open the summary: {e.strerror}")
    except json.JSONDecodeError as e:
        fail(f"{path}: not valid JSON: {e}")
    keys = ("facts", "merged_from", "bandwidth", "problems", "skipped", "matrices", "scaling")
    if not isinstance(summary, dict) or not all(isinstance(summary.get(k), list) for k in keys):
        fail(f"{path}: not a summary written by poolbench report --html")
    return summary


# ----------------------------------------------------------------------------------------------
# Chart labels (the tables' text comes formatted from the summary)


def num(v):
    a = abs(v)
    return f"{v:.0f}" if a >= 99.95 else f"{v:.1f}" if a >= 9.995 else f"{v:.2f}"


# ----------------------------------------------------------------------------------------------
# Charts. Every strategy is drawn in the colour the summary gives it (render::StrategyColour), so
# a strategy looks the same in every chart of every report; peers are diamonds, poolbench's own
# strategies circles.


def plural_threads(t):
    return f"{t} thread{'' if t == 1 else 's'}"


def marker_of(peer):
    return "D" if peer else "o"


# How far below the highest bandwidth the roofline chart reaches, in decades.
FLOOR_DECADES = 4

# The range of the thread scaling chart: a speed-up beyond it is drawn as a triangle at its edge.
SCALING_RANGE = (1 / 8, 8)


def chart_roofline(plt, summary):
    """One panel per thread count: GB/s of every ranked result (one point per strategy and
    problem, x = the problem's row in the matrix) on a log scale, the roof of each problem (the
    bandwidth of the level its data lives in) as a short black bar, and every level's bandwidth
    as a labelled horizontal line."""
    problems = summary["problems"]
    levels = summary["bandwidth"]
    colours = summary["colours"]
    peers = set(summary["peers"])
    points = [(i, r) for i, p in enumerate(problems) for r in p["ranked"] if r["gbps"]]
    if not points:
        return None
    counts = sorted({r["threads"] for _, r in points})
    order = [s["name"] for s in summary["matrices"][0]["strategies"]] if summary["matrices"] else []
    order += sorted({r["strategy"] for _, r in points} - set(order))
    n = len(problems)
    width = min(13.0, 3.0 + 6.0 * len(counts)) if n <= 20 else 13.0
    fig, axes = plt.subplots(1, len(counts), figsize=(width, 4.4), squeeze=False, sharey=True)
    values = [r["gbps"] for _, r in points] + [lv["gbps"] for lv in levels]
    # At most FLOOR_DECADES below the top: a result slower than that (a thread pool waking on
    # a tiny problem) is drawn as a triangle on the floor, so that it does not squash the rest.
    lo, hi = max(min(values) / 1.6, max(values) / 10 ** FLOOR_DECADES), max(values) * 1.6
    failed = [(i, r) for i, p in enumerate(problems) for r in p["unranked"]]
    for ax, threads in zip(axes[0], counts):
        here = [(i, r) for i, r in points if r["threads"] == threads]
        failed_here = [(i, r) for i, r in failed if r["threads"] == threads]
        shown = [s for s in order
                 if any(r["strategy"] == s for _, r in here + failed_here)]
        # A wrong or failed result has no time: a red cross on the floor of its problem's
        # column says it is there, and the matrix says what happened. A disturbed one ran
        # correctly but could not be timed cleanly: a hollow grey circle, not a failure.
        for i, r in failed_here:
            k = shown.index(r["strategy"])
            dx = (k - (len(shown) - 1) / 2) * min(0.7 / max(len(shown), 1), 0.12)
            if r.get("disturbed"):
                ax.scatter(i + dx, lo * 1.25, s=30, facecolors="none", edgecolors="#888888",
                           linewidths=1.2, zorder=4)
            else:
                ax.scatter(i + dx, lo * 1.25, s=36, color="#d62728", marker="x",
                           linewidths=1.6, zorder=4)
        for i, r in here:
            k = shown.index(r["strategy"])
            dx = (k - (len(shown) - 1) / 2) * min(0.7 / max(len(shown), 1), 0.12)
            below = r["gbps"] < lo
            ax.scatter(i + dx, lo * 1.25 if below else r["gbps"], s=22,
                       color=colours.get(r["strategy"], "#444444"),
                       marker="v" if below else marker_of(r["strategy"] in peers),
                       edgecolors="white", linewidths=0.4, zorder=3)
        # The roof of each problem at this thread count.
        for i, p in enumerate(problems):
            level = next((at["level"] for at in p["levels"] if at["threads"] == threads), None)
            roof = next((lv["gbps"] for lv in levels
                         if lv["level"] == level and lv["threads"] == threads), None)
            if roof:
                ax.plot([i - 0.42, i + 0.42], [roof, roof], color="black", linewidth=2,
                        solid_capstyle="butt", zorder=2)
        here_levels = sorted((lv for lv in levels if lv["threads"] == threads),
                             key=lambda lv: lv["gbps"])
        # Labels at least a line apart (in decades of the log axis, ~300 px tall), so that two
        # levels of nearly the same bandwidth stay readable.
        gap = (math.log10(hi) - math.log10(lo)) * 11 / 300
        at = -math.inf
        for lv in here_levels:
            ax.axhline(lv["gbps"], color="#999999", linestyle=":", linewidth=0.8, zorder=1)
            at = max(math.log10(lv["gbps"]), at + gap)
            ax.annotate(f"{lv['level']} {num(lv['gbps'])} GB/s", (1.0, 10 ** at),
                        xycoords=("axes fraction", "data"), xytext=(3, 0),
                        textcoords="offset points", va="center", fontsize=7, color="#555555",
                        annotation_clip=False)
        ax.set_yscale("log")
        ax.set_ylim(lo, hi)
        ax.set_xlim(-0.6, n - 0.4)
        step = 1 if n <= 24 else 2 if n <= 48 else 5
        ax.set_xticks(range(0, n, step), [str(i + 1) for i in range(0, n, step)], fontsize=7)
        ax.tick_params(axis="y", labelsize=8)
        ax.set_xlabel("problem (row of the matrix)", fontsize=8)
        ax.set_title(plural_threads(threads), fontsize=9, loc="left")
        ax.grid(axis="y", which="major", alpha=0.25)
        for i in range(n):
            if i % 2:
                ax.axvspan(i - 0.5, i + 0.5, color="#f4f4f4", zorder=0, linewidth=0)
    axes[0, 0].set_ylabel("GB/s (read + written per second)", fontsize=8)
    ticker = matplotlib_ticker()
    # Over a narrow range, 2 and 5 within each decade are labelled too.
    subs = (1.0, 2.0, 5.0) if math.log10(hi / lo) <= 3 else (1.0,)
    axes[0, 0].yaxis.set_major_locator(ticker.LogLocator(base=10, subs=subs))
    axes[0, 0].yaxis.set_major_formatter(ticker.FuncFormatter(lambda y, _: f"{y:g}"))
    handles = [plt.Line2D([], [], linestyle="none", marker=marker_of(s in peers), markersize=6,
                          color=colours.get(s, "#444444"), label=s) for s in order]
    handles.append(plt.Line2D([], [], color="black", linewidth=2,
                              label="roof: bandwidth of the level the data lives in"))
    if any(not r.get("disturbed") for _, r in failed):
        handles.append(plt.Line2D([], [], linestyle="none", marker="x", color="#d62728",
                                  markeredgewidth=1.6, label="WRONG or failed (no time)"))
    if any(r.get("disturbed") for _, r in failed):
        handles.append(plt.Line2D([], [], linestyle="none", marker="o", markerfacecolor="none",
                                  color="#888888", label="disturbed (not timed cleanly)"))
    fig.legend(handles=handles, loc="upper center", ncol=min(len(handles), 6), fontsize=8,
               frameon=False, bbox_to_anchor=(0.5, 1.0))
    rows = (len(handles) + 5) // 6
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.065 * rows))
    return fig


def chart_scaling(plt, summary):
    """One row per threaded strategy and higher thread count: the speed-up on each problem (dots)
    and their geometric mean (a large marker, labelled), against no gain and linear scaling."""
    scaling = summary["scaling"]
    if not scaling:
        return None
    rows = list(reversed(scaling))  # the first strategy at the top
    fig, ax = plt.subplots(figsize=(6.2, 1.1 + 0.42 * len(rows)))
    low, high = SCALING_RANGE
    high = max(high, 2 * max(s["threads"] / s["base_threads"] for s in rows))
    for y, s in enumerate(rows):
        for k, p in enumerate(s["points"]):
            # A fixed scatter around the row, so that equal speed-ups stay apart.
            dy = ((k * 7919) % 11 - 5) / 40
            x = min(max(p["speedup"], low * 1.1), high / 1.1)
            marker = "<" if p["speedup"] < low else ">" if p["speedup"] > high else "o"
            ax.scatter([x], [y + dy], s=12, color=s["colour"], alpha=0.5, marker=marker,
                       linewidths=0, zorder=2)
        ax.scatter([min(max(s["geomean"], low * 1.1), high / 1.1)], [y], s=90,
                   color=s["colour"], edgecolors="black", linewidths=0.8, zorder=3)
        ax.annotate(s["geomean_text"], (s["geomean"], y), xytext=(0, 8),
                    textcoords="offset points", ha="center", fontsize=7)
    ax.axvline(1, color="#999999", linewidth=1, linestyle="--")
    linear = sorted({s["threads"] / s["base_threads"] for s in rows})
    for x in linear:
        ax.axvline(x, color="#999999", linewidth=1, linestyle=":")
    ax.set_yticks(range(len(rows)),
                  [f"{s['strategy']}  {s['base_threads']}→{s['threads']}" for s in rows],
                  fontsize=8)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    # Ratios on a log scale: half as fast and twice as fast lie equally far from 1.
    ax.set_xscale("log", base=2)
    ax.set_xlim(low, high)
    ticker = matplotlib_ticker()
    ax.xaxis.set_major_locator(ticker.LogLocator(base=2))
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda x, _: f"{x:g}×"))
    ax.xaxis.set_minor_locator(ticker.NullLocator())
    ax.tick_params(axis="x", labelsize=8)
    ax.set_xlabel("speed-up (time at fewer threads / time at more); dashed: no gain, "
                  "dotted: linear", fontsize=8)
    ax.grid(axis="x", alpha=0.25)
    fig.tight_layout()
    return fig


def matplotlib_ticker():
    import matplotlib.ticker

    return matplotlib.ticker


def png_bytes(plt, fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


# ----------------------------------------------------------------------------------------------
# HTML

STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.2em auto; max-width: 1320px; color: #222;
       padding: 0 1em; }
h1 { margin: 0 0 0.1em; font-size: 1.5em; }
h2 { font-size: 1.2em; margin: 1.2em 0 0.4em; }
.sub { color: #555; margin: 0 0 0.8em; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; }
th { background: #f3f3f3; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
code { font-size: 0.92em; }
.wrong { color: #b00020; font-weight: bold; }
img { max-width: 100%; height: auto; }
details { margin: 0.4em 0; }
summary { cursor: pointer; font-weight: 600; padding: 0.2em 0; }
.scroll { overflow-x: auto; }
table.matrix { font-size: 12px; margin: 0.3em 0 0.4em; }
table.matrix th, table.matrix td { padding: 3px 5px; }
table.matrix thead th { vertical-align: bottom; font-weight: 600; }
table.matrix thead th.s { border-top: 4px solid var(--c, #ccc); min-width: 56px; }
table.matrix th.prob { text-align: left; font-weight: normal; background: #fafafa;
                       white-space: nowrap; }
table.matrix th.prob .d { color: #666; font-size: 11px; }
table.matrix td { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap;
                  line-height: 1.25; }
table.matrix td small { color: #444; font-size: 10.5px; }
table.matrix td.win { outline: 2px solid #1a7f37; outline-offset: -2px; font-weight: 700; }
table.matrix td.tie { outline: 2px dashed #1a7f37; outline-offset: -2px; }
table.matrix td.dist { background: #eeeeee; color: #555; font-weight: 700; text-align: center; }
table.matrix td.bad { background: #fde2e2; color: #b00020; font-weight: 700; text-align: center; }
table.matrix td.err { background: #fff1d6; color: #8a4b00; font-weight: 700; text-align: center; }
table.matrix td.skip { color: #888; font-style: italic; text-align: center; }
table.matrix td.none { color: #bbb; text-align: center; }
table.matrix td.num { color: #888; text-align: right; }
table.matrix tfoot td.wins { text-align: center; font-weight: 700; background: #fafafa; }
.key { font-size: 12px; color: #555; max-width: 1100px; }
.banner { background: #fff4ce; border-left: 4px solid #c78a00; padding: 0.4em 0.8em;
          margin: 0.5em 0; }
.banner ul { margin: 0.2em 0; padding-left: 1.2em; }
.charts { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 0.5em 1.5em;
          align-items: start; }
.charts .wide { grid-column: 1 / -1; }
.charts figure { margin: 0; }
.charts figcaption { font-size: 12px; color: #555; }
"""


def esc(text):
    return html.escape(str(text), quote=True)


def breakable(name):
    """A strategy name that may wrap after its underscores in a narrow column header."""
    return esc(name).replace("_", "_<wbr>")


def heat(cell):
    """A cell's background: green, the stronger the closer its time is to the row's winner."""
    v = cell.get("vs_winner")
    if cell["state"] != "ranked" or v is None:
        return ""
    alpha = 0.4 * max(0.0, min(1.0, v)) ** 2
    return f" style=\"background: rgba(46, 160, 67, {alpha:.2f})\""


def matrix_html(matrix, out):
    strategies = matrix["strategies"]
    out.append("<div class=scroll><table class=matrix><thead><tr><th>#</th>"
               "<th style=\"text-align: left\">problem</th>")
    for s in strategies:
        title = " (peer library)" if s["peer"] else ""
        out.append(f"<th class=s style=\"--c: {esc(s['colour'])}\" title=\"{esc(s['name'] + title)}\">"
                   f"{breakable(s['name'])}</th>")
    out.append("</tr></thead><tbody>")
    for i, row in enumerate(matrix["rows"], 1):
        data = f"<br><span class=d>{esc(row['data'])}</span>" if row["data"] else ""
        out.append(f"<tr><td class=num>{i}</td><th class=prob><code>{esc(row['descriptor'])}"
                   f"</code>{data}</th>")
        for s, c in zip(strategies, row["cells"]):
            tip = s["name"] + (f": {c['note']}" if c["note"] else "")
            threads = f" <small>({esc(c['threads'])})</small>" if c["threads"] else ""
            if c["state"] == "ranked":
                star = " ★" if c["winner"] else " ☆" if c.get("tied") else ""
                detail = " · ".join(x for x in (c["speedup"], c["roofline"]) if x)
                detail = f"<br><small>{esc(detail)}</small>" if detail else ""
                cls = " class=win" if c["winner"] else " class=tie" if c.get("tied") else ""
                out.append(f"<td{cls}{heat(c)} title=\"{esc(tip)}\">{esc(c['main'])}{star}"
                           f"{threads}{detail}</td>")
            elif c["state"] == "unranked":
                cls = {"WRONG": "bad", "DISTURBED": "dist"}.get(c["main"], "err")
                out.append(f"<td class={cls} title=\"{esc(tip)}\">{esc(c['main'])}{threads}</td>")
            elif c["state"] == "skipped":
                out.append(f"<td class=skip title=\"{esc(tip)}\">skipped</td>")
            else:
                out.append(f"<td class=none title=\"{esc(s['name'])}: not run\">–</td>")
        out.append("</tr>")
    out.append("</tbody><tfoot><tr><td></td><th class=prob>problems won ★ / tied ☆</th>")
    for wins, ties in zip(matrix["wins"], matrix.get("ties", [0] * len(matrix["wins"]))):
        out.append(f"<td class=wins>{wins} / {ties}</td>")
    out.append("</tr></tfoot></table></div>")


def subtitle_html(summary, out):
    facts = {f["label"]: f["value"] for f in summary["facts"]}
    parts = [facts.get(k) for k in ("machine", "date", "git revision", "build type")]
    text = " · ".join(esc(p) for p in parts if p)
    if text:
        out.append(f"<p class=sub>{text}</p>")


def banners_html(summary, out):
    """What a reader must know before any number: a partial report, doubtful conditions."""
    if summary.get("incomplete"):
        out.append(f"<p class=banner><strong>Incomplete report.</strong> "
                   f"{esc(summary['incomplete'])}</p>")
    if summary.get("warnings"):
        items = "".join(f"<li>{esc(w)}</li>" for w in summary["warnings"])
        out.append(f"<div class=banner><strong>Warnings about this run:</strong><ul>{items}</ul>"
                   "</div>")


def header_html(summary, out):
    facts = [(f["label"], f"<code>{esc(f['value'])}</code>" if f["code"] else esc(f["value"]))
             for f in summary["facts"]]
    if summary["merged_from"]:
        facts.append(("merged from", ", ".join(
            f"<code>{esc(m['file'])}</code>" + (f" ({esc(m['detail'])})" if m["detail"] else "")
            for m in summary["merged_from"])))
    out.append("<table>" + "".join(f"<tr><th>{esc(k)}</th><td>{v}</td></tr>" for k, v in facts)
               + "</table>")


def bandwidth_html(levels, out):
    if not levels:
        out.append("<p><em>No memory bandwidth was measured in this run.</em></p>")
        return
    out.append("<p class=key>(bytes read + bytes written) per second of a streaming kernel whose "
               "working set sits in the level.</p><table><tr><th>level</th><th>capacity</th>"
               "<th>working set</th><th>threads</th><th>GB/s</th></tr>")
    for lv in levels:
        out.append(f"<tr><td>{esc(lv['level'])}</td><td class=n>{esc(lv['capacity'])}</td>"
                   f"<td class=n>{esc(lv['working_set'])}</td><td class=n>{lv['threads']}</td>"
                   f"<td class=n>{esc(lv['gbps_text'])}</td></tr>")
    out.append("</table>")


def problem_html(problem, with_peers, colours, out):
    out.append(f"<h3><code>{esc(problem['descriptor'])}</code></h3>")
    if problem["data"]:
        out.append(f"<p>{esc(problem['data'])}</p>")
    columns = ["time", "interval", "processes", "vs_fastest", "gbps", "bandwidth", "speedup"] + (
        ["best_peer", "vs_best_peer"] if with_peers else [])
    if not problem["ranked"]:
        out.append("<p><em>No strategy passed the cross-check on this problem: nothing is "
                   "ranked.</em></p>")
    else:
        out.append(f"<p><strong>{esc(problem['verdict'])}</strong></p>")
        out.append("<table><tr><th>#</th><th>strategy</th><th>threads</th><th>time</th>"
                   "<th>95% interval</th><th>processes</th><th>vs fastest</th>"
                   "<th>GB/s</th><th>% of bandwidth</th><th>speed-up vs naive_loops</th>"
                   + ("<th>best peer</th><th>vs best peer</th>" if with_peers else "") + "</tr>")
        for rank, r in enumerate(problem["ranked"], 1):
            cells = "".join(
                f"<td>{esc(r['cells'][c])}</td>" if c in ("best_peer", "processes")
                else f"<td class=n>{esc(r['cells'][c])}</td>" for c in columns)
            colour = esc(colours.get(r["strategy"], "#ccc"))
            out.append(f"<tr><td class=n>{rank}</td><td style=\"border-left: 4px solid {colour}\">"
                       f"{esc(r['strategy'])}</td><td class=n>{r['threads']}</td>{cells}</tr>")
        out.append("</table>")
    if problem["unranked"]:
        out.append("<p>Not ranked:</p><ul>")
        for r in problem["unranked"]:
            message = f": {esc(r['message'])}" if r["message"] else ""
            out.append(f"<li><span class=wrong>{esc(r['label'])}</span> "
                       f"<code>{esc(r['strategy'])}</code> ({esc(r['threads_text'])}){message}</li>")
        out.append("</ul>")


def skipped_html(summary, out):
    if not summary["skipped"]:
        return
    count = summary["skipped_count"]
    pairs = "pair" if count == 1 else "pairs"
    out.append(f"<details><summary>{count} strategy/problem {pairs} skipped (the "
               "strategy does not support the problem)</summary><table><tr><th>strategy</th>"
               "<th>reason</th><th>problems</th></tr>")
    for g in summary["skipped"]:
        listed = ", ".join(f"<code>{esc(d)}</code>" for d in g["descriptors"])
        out.append(f"<tr><td>{esc(g['strategy'])}</td><td>{esc(g['reason'])}</td>"
                   f"<td>{listed}</td></tr>")
    out.append("</table></details>")


def figure_html(name, fig, caption, plt, png_dir, wide):
    png = png_bytes(plt, fig)
    if png_dir:
        with open(os.path.join(png_dir, name + ".png"), "wb") as f:
            f.write(png)
    data = base64.b64encode(png).decode("ascii")
    cls = " class=wide" if wide else ""
    return (f"<figure{cls}><img alt=\"{esc(caption.split(':')[0])}\" "
            f"src=\"data:image/png;base64,{data}\"><figcaption>{esc(caption)}</figcaption>"
            "</figure>")


def write_atomically(path, data):
    """Writes beside `path` and renames, so a failed run never leaves a partial page."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        fail(f"{path}: directory {directory} does not exist")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=os.path.basename(path) + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("summary", help="summary JSON written by poolbench report --html")
    parser.add_argument("html", help="HTML page to write")
    parser.add_argument("--png-dir", help="also save each chart as a PNG file in this folder")
    args = parser.parse_args()
    if args.png_dir and not os.path.isdir(args.png_dir):
        fail(f"--png-dir {args.png_dir}: not a directory")

    summary = load(args.summary)
    plt = import_pyplot()
    problems = summary["problems"]
    matrices = summary["matrices"]

    out = ["<!DOCTYPE html><html lang=en><head><meta charset=utf-8>",
           "<meta name=viewport content=\"width=device-width, initial-scale=1\">",
           f"<title>poolbench report: {esc(summary.get('title', ''))}</title>",
           f"<style>{STYLE}</style></head><body><h1>poolbench report</h1>"]
    subtitle_html(summary, out)
    banners_html(summary, out)

    if not problems:
        out.append("<p><em>The report has no results.</em></p>")
    else:
        out.append(f"<h2>At a glance: {esc(matrices[0]['title'])}</h2>")
        matrix_html(matrices[0], out)
        out.append(f"<p class=key>{esc(summary['matrix_note'])} Shading: the closer to the "
                   "row's winner, the greener. Hover a cell for its strategy and any message."
                   "</p>")

    roofline = chart_roofline(plt, summary)
    scaling = chart_scaling(plt, summary)
    if roofline or scaling:
        out.append("<div class=charts>")
        if roofline:
            out.append(figure_html(
                "roofline", roofline,
                "Roofline: achieved GB/s of each strategy on each problem (x: the matrix's row), "
                "against the bandwidth of the level the problem's data lives in (black bars) and "
                "of every level (dotted lines). Log scale; circles: poolbench's strategies, "
                "diamonds: peer libraries, red crosses: wrong or failed results (no time), "
                "hollow grey circles: results other work disturbed (not ranked), "
                "triangles: slower than the chart's floor.", plt, args.png_dir, True))
        if scaling:
            out.append(figure_html(
                "thread_scaling", scaling,
                "Thread scaling: speed-up of each strategy run at several thread counts, one dot "
                "per problem, the large marker their geometric mean.", plt, args.png_dir, False))
        else:
            out.append("<p><em>No strategy was run at several thread counts.</em></p>")
        out.append("<div><h3 style=\"margin-top:0\">Measured memory bandwidth</h3>")
        bandwidth_html(summary["bandwidth"], out)
        out.append("</div></div>")
    else:
        out.append("<h2>Measured memory bandwidth</h2>")
        bandwidth_html(summary["bandwidth"], out)

    out.append("<h2>Details</h2>")
    for m in matrices[1:]:
        out.append(f"<details><summary>Matrix at {esc(m['title'])}</summary>")
        matrix_html(m, out)
        out.append("</details>")
    if problems:
        out.append(f"<details><summary>Rankings per problem ({len(problems)})</summary>"
                   f"<p class=key>{esc(summary['results_note'])}</p>")
        for problem in problems:
            problem_html(problem, bool(summary["peers"]), summary["colours"], out)
        out.append("</details>")
    out.append("<details><summary>Build and machine</summary>")
    header_html(summary, out)
    out.append("</details>")
    skipped_html(summary, out)
    out.append("</body></html>\n")
    write_atomically(args.html, "\n".join(out).encode("utf-8"))


if __name__ == "__main__":
    main()
