#!/usr/bin/env python3
"""The HTML report in a real browser: Debian's headless chromium loads the page `poolbench
report --html` writes for a report, and the test asserts what a reader would see break.

    html_browser_test.py POOLBENCH_EXE REPORT.json [--screenshot FILE]

Asserts that the page logs nothing to the console (it has no script of its own, so any console
line is an error: a resource that failed to load, a parse error), loads nothing from the
network, opens with the matrix of problems × strategies (its WRONG cells included) ahead of the
charts, and that a screenshot at 1400×1000 is taken. Exits 77 (CTest's skip) with the reason
when chromium is not installed.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
BROWSER_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--enable-logging=stderr", "--v=0"]


def chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def run_browser(browser, profile, extra, url):
    cmd = [browser, *BROWSER_FLAGS, f"--user-data-dir={profile}", *extra, url]
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        sys.exit(f"FAIL: chromium did not finish within 120 s: {' '.join(cmd)}")


def console_lines(stderr):
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("poolbench")
    parser.add_argument("report")
    parser.add_argument("--screenshot", help="keep the screenshot here")
    args = parser.parse_args()

    browser = chromium()
    if browser is None:
        print("SKIP: chromium is not installed (scripts/setup.sh installs it when it can); the "
              "HTML report is not tested in a browser")
        return SKIP

    failures = []
    with tempfile.TemporaryDirectory(prefix="poolbench_browser_") as tmp:
        # First, that this chromium reports console errors the way the test reads them: a page
        # made to have one must show it, or a clean result below would prove nothing.
        broken = os.path.join(tmp, "broken.html")
        with open(broken, "w", encoding="utf-8") as f:
            f.write("<!DOCTYPE html><title>x</title><img src=\"missing.png\">"
                    "<script>undefinedFunction();</script>")
        probe = run_browser(browser, os.path.join(tmp, "profile-probe"), ["--dump-dom"],
                            "file://" + broken)
        if not console_lines(probe.stderr):
            sys.exit("FAIL: chromium logged no console error for a page with a script error; "
                     f"the console check cannot work here:\n{probe.stderr}")

        page = os.path.join(tmp, "report.html")
        r = subprocess.run([args.poolbench, "report", args.report, "--html", page],
                           capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"FAIL: poolbench report --html exited {r.returncode}:\n{r.stdout}{r.stderr}")
        url = "file://" + page

        dom = run_browser(browser, os.path.join(tmp, "profile-dom"), ["--dump-dom"], url)
        if dom.returncode != 0:
            failures.append(f"chromium --dump-dom exited {dom.returncode}:\n{dom.stderr}")
        for line in console_lines(dom.stderr):
            failures.append(f"console: {line}")
        html = dom.stdout
        matrix = html.find('class="matrix"')
        charts = html.find('class="charts"')
        if matrix < 0:
            failures.append("the rendered page has no matrix (table.matrix)")
        elif charts >= 0 and charts < matrix:
            failures.append("the charts come before the matrix")
        if '<td class="bad"' not in html or ">WRONG<" not in html:
            failures.append("the report's wrong strategy has no WRONG cell in the matrix")
        if "★" not in html:
            failures.append("no winner is marked in the matrix")
        for attr in re.findall(r'(?:src|href)="([^"]*)"', html):
            if not attr.startswith(("data:", "#")):
                failures.append(f"the page loads {attr[:80]!r}: it must be self-contained")

        shot = os.path.join(tmp, "report.png")
        s = run_browser(browser, os.path.join(tmp, "profile-shot"),
                        [f"--screenshot={shot}", "--window-size=1400,1000",
                         "--hide-scrollbars"], url)
        for line in console_lines(s.stderr):
            failures.append(f"console (screenshot run): {line}")
        if not os.path.isfile(shot) or os.path.getsize(shot) < 10_000:
            failures.append("chromium took no screenshot (or a blank one)")
        elif args.screenshot:
            shutil.copyfile(shot, args.screenshot)

    if failures:
        print("FAIL:\n  " + "\n  ".join(failures))
        return 1
    print("PASS: the report renders in chromium without console messages and opens with the "
          "matrix")
    return 0


if __name__ == "__main__":
    sys.exit(main())
