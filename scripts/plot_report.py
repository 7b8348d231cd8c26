#!/usr/bin/env python3
"""Draw the HTML page of a poolbench report from the summary `poolbench report --html` hands it
(render::SummaryJson in harness/render): build and machine facts, the measured bandwidth,
charts, and the ranking tables of `poolbench report` (Markdown), as HTML.

    /usr/bin/python3 scripts/plot_report.py SUMMARY.json OUT.html [--png-dir DIR]

The C++ side decides everything about the results (grouping, selection, ranking, best peers)
and formats the table cells; this script only lays the page out and draws the charts. The page
needs no network: the charts are PNG images embedded as base64 data URIs and the style sheet is
inline.

Charts:
  1. GB/s of every ranked result on every problem, with the measured bandwidth of the level the
     problem's data lives in drawn as a line (the roofline of a memory-bound operation).
  2. Time against bytes moved, log-log, with the cache capacities as vertical lines and the
     bandwidth floor (bytes / bandwidth of the level) as a step line.
  3. Thread scaling of the strategies run at several thread counts.
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
    keys = ("facts", "merged_from", "bandwidth", "problems", "skipped")
    if not isinstance(summary, dict) or not all(isinstance(summary.get(k), list) for k in keys):
        fail(f"{path}: not a summary written by poolbench report --html")
    return summary


# ----------------------------------------------------------------------------------------------
# Chart labels (the tables' text comes formatted from the summary)


def scaled(v, step, units, whole):
    unit = 0
    while unit + 1 < len(units) and abs(v) >= step - 0.5:
        v /= step
        unit += 1
    a = abs(v)
    if (whole and a == math.floor(a)) or a >= 99.95:
        return f"{v:.0f} {units[unit]}"
    return f"{v:.1f} {units[unit]}" if a >= 9.995 else f"{v:.2f} {units[unit]}"


def fmt_bytes(b):
    return scaled(b, 1024, ["B", "KiB", "MiB", "GiB", "TiB"], True)


def num(v):
    a = abs(v)
    return f"{v:.0f}" if a >= 99.95 else f"{v:.1f}" if a >= 9.995 else f"{v:.2f}"


# ----------------------------------------------------------------------------------------------
# Charts


def strategy_colors(problems):
    names = sorted({r["strategy"] for p in problems for r in p["ranked"]})
    palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
               "#7f7f7f", "#bcbd22", "#17becf"]
    return {n: palette[i % len(palette)] for i, n in enumerate(names)}


def run_label(r):
    return f"{r['strategy']} ({plural_threads(r['threads'])})"


def plural_threads(t):
    return f"{t} thread{'' if t == 1 else 's'}"


# A roofline more than this many times the fastest bar would squash the bars to slivers; it is
# then named in the legend as off scale instead of drawn.
OFF_SCALE = 4.0


def chart_gbps(plt, problems, levels, colors):
    """One panel per problem: a bar per ranked result, the level's bandwidth as a line."""
    shown = [(p, [r for r in p["ranked"] if r["gbps"] is not None]) for p in problems]
    shown = [(p, rs) for p, rs in shown if rs]
    if not shown:
        return None
    heights = [0.9 + 0.32 * max(len(rs), 2) for _, rs in shown]
    fig, axes = plt.subplots(len(shown), 1, figsize=(11, sum(heights) + 0.4),
                             gridspec_kw={"height_ratios": heights}, squeeze=False)
    for ax, (problem, rs) in zip(axes[:, 0], shown):
        rs = list(reversed(rs))  # fastest at the top
        y = range(len(rs))
        ax.barh(y, [r["gbps"] for r in rs], color=[colors[r["strategy"]] for r in rs], height=0.7)
        ax.set_yticks(list(y), [run_label(r) for r in rs], fontsize=8)
        for i, r in enumerate(rs):
            ax.annotate(f" {num(r['gbps'])}", (r["gbps"], i), va="center", fontsize=7)
        top = max(r["gbps"] for r in rs)
        right = top
        styles = iter(["--", ":", "-.", (0, (5, 1))])
        for at in problem["levels"]:
            threads, name = at["threads"], at["level"]
            lv = next((lv for lv in levels if lv["level"] == name and lv["threads"] == threads),
                      None)
            if lv is None:
                continue
            style = next(styles, "--")
            label = f"{name} bandwidth, {plural_threads(threads)}: {num(lv['gbps'])} GB/s"
            if lv["gbps"] <= OFF_SCALE * top:
                ax.axvline(lv["gbps"], color="black", linestyle=style, linewidth=1, label=label)
                right = max(right, lv["gbps"])
            else:
                ax.plot([], [], color="black", linestyle=style, linewidth=1,
                        label=label + " (off scale)")
        title = problem["descriptor"] + (f"   ({problem['where']})" if problem["where"] else "")
        ax.set_title(title, fontsize=9, family="monospace", loc="left")
        ax.set_xlim(0, right * 1.15)
        ax.tick_params(axis="x", labelsize=8)
        ax.grid(axis="x", alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            # Beside the panel, so that it never hides a bar.
            ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0)
    axes[-1, 0].set_xlabel("GB/s (bytes read + bytes written per second; higher is better)")
    fig.tight_layout()
    return fig


def chart_time_vs_bytes(plt, problems, levels, colors):
    """Time against bytes moved on log-log axes, with the cache capacities and the floor."""
    rs = [r for p in problems for r in p["ranked"] if r["bytes_moved"]]
    if not rs:
        return None
    fig, ax = plt.subplots(figsize=(10, 5.5))
    markers = ["o", "s", "^", "D", "v", "P", "X"]
    all_threads = sorted({r["threads"] for r in rs})
    series = {}
    for r in rs:
        series.setdefault((r["strategy"], r["threads"]), []).append(r)
    for (strategy, threads), points in sorted(series.items()):
        points.sort(key=lambda r: r["bytes_moved"])
        ax.plot([r["bytes_moved"] for r in points], [r["time_ns"] / 1e3 for r in points],
                marker=markers[all_threads.index(threads) % len(markers)], linestyle="none",
                color=colors[strategy], markersize=6, alpha=0.85, label=run_label(points[0]))
    xs = [r["bytes_moved"] for r in rs]
    lo, hi = min(xs) / 2, max(xs) * 2
    caches = {}
    for lv in levels:
        if lv["capacity_bytes"] > 0:
            caches[lv["level"]] = lv["capacity_bytes"]
    for name, capacity in sorted(caches.items(), key=lambda kv: kv[1]):
        ax.axvline(capacity, color="gray", linestyle=":", linewidth=1)
        ax.annotate(f"{name} {fmt_bytes(capacity)}", (capacity, 1),
                    xycoords=("data", "axes fraction"),
                    rotation=90, va="top", ha="right", fontsize=8, color="dimgray")
        lo, hi = min(lo, capacity / 2), max(hi, capacity * 2)
    # The floor: the time to move the bytes at the bandwidth of the level they fit in, one
    # thread (the best any single-threaded strategy can do).
    one = sorted((lv for lv in levels if lv["threads"] == 1),
                 key=lambda lv: lv["capacity_bytes"] if lv["capacity_bytes"] > 0 else math.inf)
    if one:
        grid = [lo * (hi / lo) ** (i / 200) for i in range(201)]
        floor = []
        for x in grid:
            lv = next((lv for lv in one if lv["capacity_bytes"] <= 0 or x <= lv["capacity_bytes"]),
                      one[-1])
            floor.append(x / lv["gbps"] / 1e3)  # bytes / (GB/s) = ns; plotted in µs
        ax.plot(grid, floor, color="black", linewidth=1, label="bandwidth floor (1 thread)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(lo, hi)
    # Powers of four in bytes read better than powers of ten: "64 KiB", "1 MiB", "4 MiB".
    ticks = [4.0 ** k for k in range(0, 32) if lo <= 4.0 ** k <= hi]
    ax.set_xticks(ticks, [fmt_bytes(t) for t in ticks], fontsize=8)
    ax.xaxis.set_minor_locator(matplotlib_ticker().NullLocator())
    ax.yaxis.set_major_formatter(matplotlib_ticker().FuncFormatter(
        lambda y, _: scaled(y * 1e3, 1000, ["ns", "µs", "ms", "s"], True)))
    ax.set_xlabel("bytes moved per call (read + written)")
    ax.set_ylabel("time per call (lower is better)")
    ax.grid(which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0)
    ax.set_title("Time against input size", fontsize=10)
    fig.tight_layout()
    return fig


def chart_threads(plt, problems):
    """Speed-up over the lowest thread count, for strategies run at several thread counts."""
    by_strategy = {}
    for p in problems:
        for r in p["ranked"]:
            by_strategy.setdefault(r["strategy"], {}).setdefault(p["descriptor"], {})[
                r["threads"]] = r
    scaling = {s: {d: t for d, t in runs.items() if len(t) > 1} for s, runs in by_strategy.items()}
    scaling = {s: runs for s, runs in scaling.items() if runs}
    if not scaling:
        return None
    fig, axes = plt.subplots(1, len(scaling), figsize=(max(5.0 * len(scaling), 7), 4.6),
                             squeeze=False)
    for ax, (strategy, runs) in zip(axes[0], sorted(scaling.items())):
        counts = sorted({t for per in runs.values() for t in per})
        few = len(runs) <= 8
        ratios = {t: [] for t in counts}
        for descriptor, per in runs.items():
            base_threads = min(per)
            ts = sorted(per)
            ys = [per[base_threads]["time_ns"] / per[t]["time_ns"] for t in ts]
            for t, y in zip(ts, ys):
                ratios[t].append(y)
            ax.plot(ts, ys, marker="o", linewidth=1, alpha=0.8 if few else 0.25,
                    color=None if few else "gray", label=descriptor if few else None)
        # The summary line is black so that it never shares a colour with a problem's line.
        geo = [(t, math.exp(sum(map(math.log, v)) / len(v))) for t, v in ratios.items() if v]
        ax.plot([t for t, _ in geo], [y for _, y in geo], color="black", linewidth=3,
                marker="s", label="geometric mean")
        ax.plot(counts, [t / counts[0] for t in counts], color="gray", linestyle="--",
                linewidth=1, label="linear")
        ax.set_xticks(counts)
        ax.set_xlabel("OpenMP threads")
        ax.set_ylabel(f"speed-up over {plural_threads(counts[0])}")
        ax.set_title(strategy, fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=1,
                  prop={"family": "monospace", "size": 7})
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
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; }
th { background: #f3f3f3; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
code { font-size: 0.92em; }
.wrong { color: #b00020; font-weight: bold; }
img { max-width: 100%; }
"""


def esc(text):
    return html.escape(str(text), quote=True)


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
    out.append("<h2>Measured memory bandwidth</h2><p>(bytes read + bytes written) per second of "
               "a streaming kernel whose working set sits in the level.</p><table><tr><th>level"
               "</th><th>capacity</th><th>working set</th><th>threads</th><th>GB/s</th></tr>")
    for lv in levels:
        out.append(f"<tr><td>{esc(lv['level'])}</td><td class=n>{esc(lv['capacity'])}</td>"
                   f"<td class=n>{esc(lv['working_set'])}</td><td class=n>{lv['threads']}</td>"
                   f"<td class=n>{esc(lv['gbps_text'])}</td></tr>")
    out.append("</table>")


def problem_html(problem, with_peers, out):
    out.append(f"<h3><code>{esc(problem['descriptor'])}</code></h3>")
    if problem["data"]:
        out.append(f"<p>{esc(problem['data'])}</p>")
    columns = ["time", "gbps", "bandwidth", "speedup"] + (
        ["best_peer", "vs_best_peer"] if with_peers else [])
    if not problem["ranked"]:
        out.append("<p><em>No strategy passed the cross-check on this problem: nothing is "
                   "ranked.</em></p>")
    else:
        out.append("<table><tr><th>#</th><th>strategy</th><th>threads</th><th>time</th>"
                   "<th>GB/s</th><th>% of bandwidth</th><th>speed-up vs naive_loops</th>"
                   + ("<th>best peer</th><th>vs best peer</th>" if with_peers else "") + "</tr>")
        for rank, r in enumerate(problem["ranked"], 1):
            cells = "".join(
                f"<td>{esc(r['cells'][c])}</td>" if c == "best_peer"
                else f"<td class=n>{esc(r['cells'][c])}</td>" for c in columns)
            out.append(f"<tr><td class=n>{rank}</td><td>{esc(r['strategy'])}</td>"
                       f"<td class=n>{r['threads']}</td>{cells}</tr>")
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
    levels = summary["bandwidth"]
    colors = strategy_colors(problems)

    out = ["<!DOCTYPE html><html lang=en><head><meta charset=utf-8>",
           f"<title>poolbench report: {esc(summary.get('title', ''))}</title>",
           f"<style>{STYLE}</style></head><body><h1>poolbench report</h1>"]
    header_html(summary, out)
    bandwidth_html(levels, out)

    out.append("<h2>Charts</h2>")
    charts = [
        ("gbps", "Throughput per problem",
         "Bars: GB/s of each strategy that passed the cross-check. Lines: the measured "
         "bandwidth of the level the problem's data lives in, the most a memory-bound "
         "operation can reach.", chart_gbps(plt, problems, levels, colors)),
        ("time_vs_bytes", "Time against input size",
         "Log-log. Dotted lines: cache capacities; black line: the time to move the bytes at "
         "the measured single-thread bandwidth of the level they fit in.",
         chart_time_vs_bytes(plt, problems, levels, colors)),
        ("thread_scaling", "Thread scaling",
         "Speed-up of each problem over the strategy's lowest thread count; thick line: the "
         "geometric mean over the problems; dashed: linear scaling.", chart_threads(plt, problems)),
    ]
    for name, title, caption, fig in charts:
        out.append(f"<h3>{esc(title)}</h3>")
        if fig is None:
            reason = {"thread_scaling": "No strategy was run at several thread counts."}.get(
                name, "No passing result to draw.")
            out.append(f"<p><em>{esc(reason)}</em></p>")
            continue
        png = png_bytes(plt, fig)
        if args.png_dir:
            with open(os.path.join(args.png_dir, name + ".png"), "wb") as f:
                f.write(png)
        out.append(f"<p>{esc(caption)}</p><img alt=\"{esc(title)}\" "
                   f"src=\"data:image/png;base64,{base64.b64encode(png).decode('ascii')}\">")

    out.append(f"<h2>Results</h2><p>{esc(summary['results_note'])}</p>")
    if not problems:
        out.append("<p><em>The report has no results.</em></p>")
    for problem in problems:
        problem_html(problem, bool(summary["peers"]), out)
    skipped_html(summary, out)
    out.append("</body></html>\n")
    write_atomically(args.html, "\n".join(out).encode("utf-8"))


if __name__ == "__main__":
    main()
