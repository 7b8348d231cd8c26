#!/usr/bin/env python3
"""Render a poolbench report (the JSON written by `poolbench bench`) as one self-contained HTML
page: build and machine facts, the measured bandwidth, charts, and the ranking tables of
`poolbench report` (Markdown), as HTML.

    /usr/bin/python3 scripts/plot_report.py REPORT.json OUT.html [--png-dir DIR]

The page needs no network: the charts are PNG images embedded as base64 data URIs and the
style sheet is inline. `poolbench report --html` runs this script.

Charts:
  1. GB/s of every strategy on every problem, with the measured bandwidth of the level the
     problem's data lives in drawn as a line (the roofline of a memory-bound operation).
  2. Time against bytes moved, log-log, with the cache capacities as vertical lines and the
     bandwidth floor (bytes / bandwidth of the level) as a step line.
  3. Thread scaling of the strategies run at several OpenMP thread counts.

Results of strategies that failed the cross-check (verdict FAIL) or reported an error are never
drawn and never ranked: a wrong strategy's time means nothing.

The selection and ranking follow harness/render/summary.cpp (Summarise): one result per (descriptor,
strategy, threads), timed by its "mean" aggregate when it has one, else by the mean of its
iteration entries, ranked fastest first; a test holds the two to the same order.
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

UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
REFERENCE = "naive_loops"


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
# Reading and summarising (the same rules as harness/render/summary.cpp)


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            report = json.load(f)
    except OSError as e:
        fail(f"{path}: cannot open report: {e.strerror}")
    except json.JSONDecodeError as e:
        fail(f"{path}: not valid JSON: {e}")
    if not isinstance(report, dict) or not isinstance(report.get("context"), dict):
        fail(f"{path}: missing the \"context\" object")
    if not isinstance(report.get("benchmarks"), list):
        fail(f"{path}: missing the \"benchmarks\" array")
    for i, e in enumerate(report["benchmarks"]):
        if not isinstance(e, dict):
            fail(f"{path}: benchmarks[{i}] is not an object")
        for key in ("strategy", "descriptor"):
            if not isinstance(e.get(key), str):
                fail(
                    f"{path}: benchmarks[{i}] ({e.get('name')}) lacks the poolbench field "
                    f"\"{key}\": not a report written by poolbench bench"
                )
        if e.get("time_unit") not in UNIT_NS or not isinstance(e.get("real_time"), (int, float)):
            fail(f"{path}: benchmarks[{i}] lacks a numeric real_time with a known time_unit")
    return report


def real_time_ns(e):
    return float(e["real_time"]) * UNIT_NS[e["time_unit"]]


def number(e, key):
    v = e.get(key)
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def summarise(report):
    """Returns [(descriptor, ranked, unranked)], problems in order of first appearance."""
    groups = {}  # insertion-ordered: (descriptor, strategy, threads) -> group
    for e in report["benchmarks"]:
        key = (e["descriptor"], e["strategy"], int(e.get("threads", 1)))
        g = groups.setdefault(key, {"mean": None, "cv": None, "iterations": [], "error": None,
                                    "verdict": ""})
        verdict = e.get("verdict")
        # A single FAIL anywhere in the group makes the whole result wrong.
        if g["verdict"] != "FAIL" and isinstance(verdict, str) and verdict:
            g["verdict"] = verdict
        if e.get("error_occurred") is True:
            g["error"] = g["error"] or e
            continue
        if e.get("run_type") == "aggregate":
            name = e.get("aggregate_name")
            if name == "mean":
                g["mean"] = e
            elif name == "cv":
                g["cv"] = e
        else:
            g["iterations"].append(e)

    problems = {}
    for (descriptor, strategy, threads), g in groups.items():
        r = finish(descriptor, strategy, threads, g)
        ranked, unranked = problems.setdefault(descriptor, ([], []))
        (ranked if r["ranked"] else unranked).append(r)
    out = []
    for descriptor, (ranked, unranked) in problems.items():
        ranked.sort(key=lambda r: (r["time_ns"], r["strategy"], r["threads"]))
        out.append((descriptor, ranked, unranked))
    return out


def finish(descriptor, strategy, threads, g):
    r = {"descriptor": descriptor, "strategy": strategy, "threads": threads,
         "verdict": g["verdict"], "error_message": "", "time_ns": 0.0, "cv": None}
    if g["error"] is not None:
        r["error_message"] = str(g["error"].get("error_message", "(no message)"))
    r["ranked"] = g["error"] is None and g["verdict"] == "pass"
    # A group with only other statistics (a median, a stddev) has no time to rank by.
    if r["ranked"] and g["mean"] is None and not g["iterations"]:
        r["ranked"] = False
        r["error_message"] = "no time: neither a mean aggregate nor an iteration entry"
    rep = g["mean"] or (g["iterations"][0] if g["iterations"] else None) or g["error"]
    for key in ("op", "direction", "dtype", "layout", "bandwidth_level"):
        r[key] = rep.get(key, "") if rep else ""
    for key in ("bytes_moved", "gbps", "bandwidth_fraction", "speedup_vs_reference"):
        r[key] = number(rep, key) if rep else None
    if not r["ranked"]:
        return r
    if g["mean"] is not None:
        r["time_ns"] = real_time_ns(g["mean"])
        if g["cv"] is not None:
            r["cv"] = number(g["cv"], "real_time")  # a fraction, as Google Benchmark writes it
        return r
    times = [real_time_ns(e) for e in g["iterations"]]
    r["time_ns"] = sum(times) / len(times)
    # Throughput fields are inversely proportional to the time.
    if times[0] > 0 and r["time_ns"] > 0:
        scale = times[0] / r["time_ns"]
        for key in ("gbps", "bandwidth_fraction", "speedup_vs_reference"):
            if r[key] is not None:
                r[key] *= scale
    return r


def unranked_label(r):
    if r["verdict"] == "FAIL":
        return "WRONG"
    return "ERROR" if r["error_message"] else "UNVERIFIED"


def bandwidth_levels(context):
    """context.bandwidth as written by harness/report/roofline.cpp (ToJson)."""
    levels = []
    for b in context.get("bandwidth") or []:
        if not isinstance(b, dict):
            continue
        gbps = number(b, "read_write_gbps")
        if gbps is None or not isinstance(b.get("level"), str):
            continue
        levels.append({"level": b["level"], "capacity": number(b, "capacity_bytes") or 0.0,
                       "bytes": number(b, "bytes") or 0.0, "threads": int(b.get("threads", 1)),
                       "gbps": gbps})
    return levels


# ----------------------------------------------------------------------------------------------
# Formatting (the same as the Markdown)


def scaled(v, step, units, whole):
    unit = 0
    while unit + 1 < len(units) and abs(v) >= step - 0.5:
        v /= step
        unit += 1
    a = abs(v)
    if (whole and a == math.floor(a)) or a >= 99.95:
        return f"{v:.0f} {units[unit]}"
    return f"{v:.1f} {units[unit]}" if a >= 9.995 else f"{v:.2f} {units[unit]}"


def fmt_time(ns):
    return scaled(ns, 1000, ["ns", "µs", "ms", "s"], False)


def fmt_bytes(b):
    return scaled(b, 1024, ["B", "KiB", "MiB", "GiB", "TiB"], True)


def num(v):
    a = abs(v)
    return f"{v:.0f}" if a >= 99.95 else f"{v:.1f}" if a >= 9.995 else f"{v:.2f}"


# ----------------------------------------------------------------------------------------------
# Charts


def strategy_colors(problems):
    names = sorted({r["strategy"] for _, ranked, _ in problems for r in ranked})
    palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
               "#7f7f7f", "#bcbd22", "#17becf"]
    return {n: palette[i % len(palette)] for i, n in enumerate(names)}


def run_label(r):
    return f"{r['strategy']} ({plural_threads(r['threads'])})"


def plural_threads(t):
    return f"{t} thread{'' if t == 1 else 's'}"


def levels_by_threads(rs):
    """{threads: level} of a problem's results; the level can differ with the thread count,
    because the caches of several cores hold more."""
    out = {}
    for r in rs:
        if r["bandwidth_level"]:
            out.setdefault(r["threads"], r["bandwidth_level"])
    return dict(sorted(out.items()))


def where_text(by_threads):
    names = set(by_threads.values())
    if len(names) == 1:
        return f"data in {names.pop()}"
    return "data in " + ", ".join(f"{lv} at {plural_threads(t)}" for t, lv in by_threads.items())


# A roofline more than this many times the fastest bar would squash the bars to slivers; it is
# then named in the legend as off scale instead of drawn.
OFF_SCALE = 4.0


def chart_gbps(plt, problems, levels, colors):
    """One panel per problem: a bar per ranked result, the level's bandwidth as a line."""
    shown = [(d, [r for r in ranked if r["gbps"] is not None]) for d, ranked, _ in problems]
    shown = [(d, rs) for d, rs in shown if rs]
    if not shown:
        return None
    heights = [0.9 + 0.32 * max(len(rs), 2) for _, rs in shown]
    fig, axes = plt.subplots(len(shown), 1, figsize=(11, sum(heights) + 0.4),
                             gridspec_kw={"height_ratios": heights}, squeeze=False)
    for ax, (descriptor, rs) in zip(axes[:, 0], shown):
        rs = list(reversed(rs))  # fastest at the top
        y = range(len(rs))
        ax.barh(y, [r["gbps"] for r in rs], color=[colors[r["strategy"]] for r in rs], height=0.7)
        ax.set_yticks(list(y), [run_label(r) for r in rs], fontsize=8)
        for i, r in enumerate(rs):
            ax.annotate(f" {num(r['gbps'])}", (r["gbps"], i), va="center", fontsize=7)
        top = max(r["gbps"] for r in rs)
        right = top
        by_threads = levels_by_threads(rs)
        styles = iter(["--", ":", "-.", (0, (5, 1))])
        for threads, name in by_threads.items():
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
        title = descriptor + (f"   ({where_text(by_threads)})" if by_threads else "")
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
    rs = [r for _, ranked, _ in problems for r in ranked if r["bytes_moved"]]
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
        if lv["capacity"] > 0:
            caches[lv["level"]] = lv["capacity"]
    for name, capacity in sorted(caches.items(), key=lambda kv: kv[1]):
        ax.axvline(capacity, color="gray", linestyle=":", linewidth=1)
        ax.annotate(f"{name} {fmt_bytes(capacity)}", (capacity, 1),
                    xycoords=("data", "axes fraction"),
                    rotation=90, va="top", ha="right", fontsize=8, color="dimgray")
        lo, hi = min(lo, capacity / 2), max(hi, capacity * 2)
    # The floor: the time to move the bytes at the bandwidth of the level they fit in, one
    # thread (the best any single-threaded strategy can do).
    one = sorted((lv for lv in levels if lv["threads"] == 1),
                 key=lambda lv: lv["capacity"] if lv["capacity"] > 0 else math.inf)
    if one:
        grid = [lo * (hi / lo) ** (i / 200) for i in range(201)]
        floor = []
        for x in grid:
            lv = next((lv for lv in one if lv["capacity"] <= 0 or x <= lv["capacity"]), one[-1])
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
    for descriptor, ranked, _ in problems:
        for r in ranked:
            by_strategy.setdefault(r["strategy"], {}).setdefault(descriptor, {})[r["threads"]] = r
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


def header_html(context, out):
    facts = []
    machine = str(context.get("machine", ""))
    if context.get("num_cpus") is not None:
        machine += f" ({context['num_cpus']} CPUs"
        machine += f", {context['mhz_per_cpu']} MHz)" if context.get("mhz_per_cpu") else ")"
    for label, value, code in [
        ("machine", machine, False), ("host", context.get("host_name"), False),
        ("date", context.get("date"), False), ("compiler", context.get("compiler"), False),
        ("flags", context.get("compiler_flags"), True),
        ("build type", context.get("build_type"), False),
        ("git revision", context.get("git_revision"), True),
        ("OpenMP threads", context.get("omp_max_threads"), False),
        ("shard", context.get("shard"), False),
    ]:
        if value not in (None, ""):
            facts.append((label, f"<code>{esc(value)}</code>" if code else esc(value)))
    merged = context.get("merged_from")
    if isinstance(merged, list) and merged:
        parts = []
        for m in merged:
            if not isinstance(m, dict):
                continue
            extra = ", ".join(x for x in [m.get("host_name") or "",
                                          f"shard {m['shard']}" if m.get("shard") else ""] if x)
            parts.append(f"<code>{esc(m.get('file', '?'))}</code>"
                         + (f" ({esc(extra)})" if extra else ""))
        facts.append(("merged from", ", ".join(parts)))
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
        cap = fmt_bytes(lv["capacity"]) if lv["capacity"] > 0 else "–"
        out.append(f"<tr><td>{esc(lv['level'])}</td><td class=n>{cap}</td>"
                   f"<td class=n>{fmt_bytes(lv['bytes'])}</td><td class=n>{lv['threads']}</td>"
                   f"<td class=n>{num(lv['gbps'])}</td></tr>")
    out.append("</table>")


def problem_html(descriptor, ranked, unranked, out):
    out.append(f"<h3><code>{esc(descriptor)}</code></h3>")
    every = ranked + unranked
    nbytes = next((r["bytes_moved"] for r in every if r["bytes_moved"]), None)
    by_threads = levels_by_threads(every)
    if nbytes:
        out.append(f"<p>{fmt_bytes(nbytes)} moved per call"
                   + (f", {esc(where_text(by_threads))}" if by_threads else "") + ".</p>")
    if not ranked:
        out.append("<p><em>No strategy passed the cross-check on this problem: nothing is "
                   "ranked.</em></p>")
    else:
        out.append("<table><tr><th>#</th><th>strategy</th><th>threads</th><th>time</th>"
                   "<th>GB/s</th><th>% of bandwidth</th><th>speed-up vs naive_loops</th></tr>")
        for rank, r in enumerate(ranked, 1):
            time = fmt_time(r["time_ns"])
            if r["cv"] is not None:
                time += f" ±{r['cv'] * 100:.1f}%"
            frac = "–"
            if r["bandwidth_fraction"] is not None:
                frac = num(r["bandwidth_fraction"] * 100) + "%"
                frac += f" of {esc(r['bandwidth_level'])}" if r["bandwidth_level"] else ""
            speed = (num(r["speedup_vs_reference"]) + "×" if r["speedup_vs_reference"] is not None
                     else "–")
            gbps = num(r["gbps"]) if r["gbps"] is not None else "–"
            out.append(f"<tr><td class=n>{rank}</td><td>{esc(r['strategy'])}</td>"
                       f"<td class=n>{r['threads']}</td><td class=n>{time}</td>"
                       f"<td class=n>{gbps}</td><td class=n>{frac}</td>"
                       f"<td class=n>{speed}</td></tr>")
        out.append("</table>")
    if unranked:
        out.append("<p>Not ranked:</p><ul>")
        for r in unranked:
            threads = plural_threads(r["threads"])
            message = f": {esc(r['error_message'])}" if r["error_message"] else ""
            out.append(f"<li><span class=wrong>{unranked_label(r)}</span> "
                       f"<code>{esc(r['strategy'])}</code> ({threads}){message}</li>")
        out.append("</ul>")


def skipped_html(context, out):
    skipped = [s for s in context.get("skipped") or [] if isinstance(s, dict)]
    if not skipped:
        return
    groups = {}
    for s in skipped:
        groups.setdefault((s.get("strategy", "?"), s.get("reason", "?")), []).append(
            s.get("descriptor", "?"))
    pairs = "pair" if len(skipped) == 1 else "pairs"
    out.append(f"<details><summary>{len(skipped)} strategy/problem {pairs} skipped (the "
               "strategy does not support the problem)</summary><table><tr><th>strategy</th>"
               "<th>reason</th><th>problems</th></tr>")
    for (strategy, reason), descriptors in groups.items():
        listed = ", ".join(f"<code>{esc(d)}</code>" for d in descriptors)
        out.append(f"<tr><td>{esc(strategy)}</td><td>{esc(reason)}</td><td>{listed}</td></tr>")
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
    parser.add_argument("report", help="report JSON written by poolbench bench")
    parser.add_argument("html", help="HTML page to write")
    parser.add_argument("--png-dir", help="also save each chart as a PNG file in this folder")
    args = parser.parse_args()
    if args.png_dir and not os.path.isdir(args.png_dir):
        fail(f"--png-dir {args.png_dir}: not a directory")

    report = load(args.report)
    plt = import_pyplot()
    context = report["context"]
    problems = summarise(report)
    levels = bandwidth_levels(context)
    colors = strategy_colors(problems)

    out = ["<!DOCTYPE html><html lang=en><head><meta charset=utf-8>",
           f"<title>poolbench report: {esc(context.get('machine', ''))}</title>",
           f"<style>{STYLE}</style></head><body><h1>poolbench report</h1>"]
    header_html(context, out)
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

    out.append("<h2>Results</h2><p>Fastest first. Time is the mean over the repetitions (± its "
               "coefficient of variation); GB/s counts bytes read + bytes written; speed-up is "
               "naive_loops' time divided by this time. Strategies that failed the cross-check "
               "are listed as WRONG and never ranked.</p>")
    if not problems:
        out.append("<p><em>The report has no results.</em></p>")
    for descriptor, ranked, unranked in problems:
        problem_html(descriptor, ranked, unranked, out)
    skipped_html(context, out)
    out.append("</body></html>\n")
    write_atomically(args.html, "\n".join(out).encode("utf-8"))


if __name__ == "__main__":
    main()
