#!/usr/bin/env python3
"""poolbench's hostile-user probe: tries, area by area, the ways a user (or a plugin) can make
poolbench lose data, pin a verdict on the wrong strategy, pass with nothing checked, hang, crash,
misread an input, let bad input through, or say something misleading; and counts, per area, the
cases tried, passed and failed.

Each case runs the real executable in a fresh directory under /tmp/probe-*, with a time bound,
and states its expectation: the exit status, a message naming the problem, nothing lost or
corrupted (files hashed before and after), no temporary file left, no hang beyond the bound.

    scripts/probe/probe.py                       # every case, build/poolbench
    scripts/probe/probe.py --area inputs -v      # one area, with each failure's output
    scripts/probe/probe.py --list                # the cases, without running them
    scripts/probe/probe.py --exe other/poolbench --plugins other/tests/plugins --python-host ...

It exits 1 when a case failed. It needs only Python 3's standard library; the Python plugin cases
are skipped (and counted as skipped) when the build has no Python host. Run it under
`ulimit -u 3000`: some cases fork on purpose.
"""
import argparse
import hashlib
import json
import os
import re
import resource
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

AREAS = [
    ("lost", "data lost or overwritten"),
    ("misattributed", "verdicts pinned on the wrong strategy"),
    ("unchecked", "passing with nothing checked"),
    ("inputs", "inputs that hang, crash or are misread"),
    ("validation", "validation gaps"),
    ("messages", "misleading messages"),
    ("plugins", "hostile plugins"),
    ("signals", "signals, --resume and concurrent runs"),
]

# A problem every in-tree strategy takes and that the faulty test plugins take too.
P4 = "max:fwd:f32:nchw:1x1x4x4:k2x2"
P8 = "max:fwd:f32:nchw:1x2x8x8:k2x2"
# bench options for a run of a second or two.
FAST = ["--repetitions", "1", "--processes", "1", "--retries", "0", "--min-time", "0.001",
        "--bandwidth-seconds", "0"]


@dataclass
class Result:
    status: object  # int, or None when killed at the time bound
    out: str
    err: str
    seconds: float

    @property
    def text(self):
        return self.out + self.err


@dataclass
class Case:
    area: str
    name: str
    item: str  # the issue 21 item it retries ("21.6"), or "new"
    fn: object
    needs_python: bool = False


@dataclass
class Outcome:
    case: Case
    passed: bool
    skipped: bool = False
    failures: list = field(default_factory=list)
    command: str = ""
    output: str = ""


class Failed(Exception):
    pass


class Skip(Exception):
    pass


class Env:
    """What every case needs: the executable, the test plugins, a fresh directory."""

    def __init__(self, args):
        self.exe = os.path.abspath(args.exe)
        self.plugins = os.path.abspath(args.plugins)
        self.python_host = args.python_host
        self.keep = args.keep
        self.dir = None
        self.commands = []
        self.outputs = []
        self.started = []

    def plugin(self, kind, name):
        path = os.path.join(self.plugins, kind, name + ".so")
        if not os.path.exists(path):
            raise Skip("test plugin missing: " + path)
        return path

    def pyfile(self, name, text):
        if not self.python_host:
            raise Skip("no Python host in this build")
        return self.write(name, text)

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def write(self, name, data, mode=0o644):
        path = self.path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb" if isinstance(data, bytes) else "w") as f:
            f.write(data)
        os.chmod(path, mode)
        return path

    def environ(self, env):
        e = dict(os.environ)
        e.pop("POOLBENCH_PLUGIN_PATH", None)
        e.pop("POOLBENCH_MEMORY_LIMIT", None)
        # The embedded Python finds its prefix from the python3 on PATH: a pyenv that runs this
        # script puts its own interpreter first, one without the Debian NumPy the host needs.
        e["PATH"] = ":".join(d for d in e.get("PATH", "").split(":")
                             if "/.pyenv/versions/" not in d)
        if self.python_host:
            e["POOLBENCH_PYTHON_HOST"] = self.python_host
        e.update(env or {})
        return e

    def popen(self, args, env=None, cwd=None, stdin=subprocess.DEVNULL, exe=None):
        argv = [exe or self.exe] + args
        self.commands.append(" ".join(_quote(a) for a in argv))

        def limits():
            resource.setrlimit(resource.RLIMIT_NPROC, (3000, 3000))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

        p = subprocess.Popen(argv, cwd=cwd or self.dir, env=self.environ(env), stdin=stdin,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             start_new_session=True, preexec_fn=limits)
        self.started.append(p)
        return p

    def wait(self, p, timeout, t0=None):
        t0 = t0 or time.monotonic()
        try:
            out, err = p.communicate(timeout=timeout)
            # Killed by a signal: the status a shell reports (128 + the signal), which is what
            # a program that re-raises SIGINT to die of it means by exiting 130.
            status = p.returncode if p.returncode >= 0 else 128 - p.returncode
        except subprocess.TimeoutExpired:
            _kill_group(p)
            out, err = p.communicate()
            status = None
        r = Result(status, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"),
                   time.monotonic() - t0)
        self.outputs.append(f"[status {status}, {r.seconds:.1f} s]\n{r.out}{r.err}")
        return r

    def run(self, args, timeout=60, env=None, cwd=None, exe=None):
        t0 = time.monotonic()
        return self.wait(self.popen(args, env=env, cwd=cwd, exe=exe), timeout, t0)

    def cleanup(self):
        for p in self.started:
            if p.poll() is None:
                _kill_group(p)
                p.wait()
        self.started = []


def _kill_group(p):
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _quote(a):
    return a if re.fullmatch(r"[\w@%+=:,./-]+", a) else "'" + a.replace("'", "'\\''") + "'"


# ---- expectations -------------------------------------------------------------------------


def expect(cond, why):
    if not cond:
        raise Failed(why)


def refused(r, *patterns, status=2, bound=None):
    """A clear refusal: the status, every pattern in the output (case-insensitive), in time."""
    expect(r.status is not None, f"did not end within its bound ({r.seconds:.0f} s)")
    expect(r.status == status, f"exit status {r.status}, expected {status}")
    for p in patterns:
        expect(re.search(p, r.text, re.I | re.S), f"the output does not say /{p}/")
    if bound:
        expect(r.seconds <= bound, f"took {r.seconds:.1f} s, more than {bound} s")
    expect("terminate called" not in r.text, "an uncaught exception")


def ended(r, statuses, bound=None):
    expect(r.status is not None, f"did not end within its bound ({r.seconds:.0f} s)")
    expect(r.status in statuses, f"exit status {r.status}, expected one of {sorted(statuses)}")
    if bound:
        expect(r.seconds <= bound, f"took {r.seconds:.1f} s, more than {bound} s")


def digest(path):
    if os.path.islink(path):
        return "link:" + os.readlink(path)
    if not os.path.exists(path):
        return None
    if os.path.isdir(path):
        return "dir"
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class Unchanged:
    """Asserts on exit that each path is as it was (content, link, or absence)."""

    def __init__(self, *paths):
        self.before = {p: digest(p) for p in paths}

    def check(self):
        for p, d in self.before.items():
            expect(digest(p) == d, f"{os.path.basename(p)} was changed, replaced or removed")


def no_temp_files(env, where=None):
    where = where or env.dir
    left = [n for n in os.listdir(where) if re.search(r"\.tmp|\.poolbench-|~$|\.staged", n)]
    expect(not left, f"temporary files left: {left}")


def report_json(path):
    with open(path) as f:
        return json.load(f)


# ---- fixtures -----------------------------------------------------------------------------

SAMPLE = os.path.join(ROOT, "tests", "data", "sample_report.json")


def sample(env, name="r.json"):
    shutil.copy(SAMPLE, env.path(name))
    return env.path(name)


def suite(env, name="s.txt", lines=(P4,)):
    return env.write(name, "\n".join(lines) + "\n")


def npy(shape, dtype="<f4", data=None, header_extra="", magic=b"\x93NUMPY", version=(1, 0),
        fortran=False):
    n = 1
    for s in shape:
        n *= s
    shape_text = "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
    header = (f"{{'descr': '{dtype}', 'fortran_order': {fortran}, 'shape': {shape_text}, "
              f"{header_extra}}}")
    size_field = "<H" if version[0] == 1 else "<I"
    pre = len(magic) + 2 + struct.calcsize(size_field)
    pad = 64 - (pre + len(header) + 1) % 64
    header = header + " " * pad + "\n"
    if data is None:
        item = {"<f4": 4, "<f8": 8, "<i4": 4}.get(dtype, 4)
        data = bytes(range(256)) * (n * item // 256) + bytes(n * item % 256)
        if dtype == "<f4":
            data = struct.pack(f"<{n}f", *[float(i % 7) for i in range(n)])
    return magic + bytes(version) + struct.pack(size_field, len(header)) + header.encode() + data


def bench_report(env, name="b.json", problem=P4, strategy="naive_loops|lookup", extra=()):
    r = env.run(["bench", "--problem", problem, "--strategy", strategy, *FAST, "--out",
                 env.path(name), *extra], timeout=120)
    expect(r.status == 0, f"fixture bench failed ({r.status}): {r.err[-400:]}")
    return env.path(name)


def history_db(env, name="h.sqlite"):
    if os.path.exists(env.path(name)):
        return env.path(name)
    r = env.run(["history", "add", SAMPLE, "--db", env.path(name), "--commit", "c1"])
    expect(r.status == 0, f"fixture history add failed: {r.err[-300:]}")
    return env.path(name)


def slow_suite(env, n=12):
    """A suite of distinct problems that takes a few seconds to bench: to be interrupted."""
    lines = [f"max:fwd:f32:nchw:1x2x{8 + 2 * i}x{8 + 2 * i}:k2x2" for i in range(n)]
    return suite(env, "slow.txt", lines)


def bench_until_result(env, out, extra=(), env_vars=None, strategy="naive_loops|lookup"):
    """Starts a bench on the slow suite and returns it once its journal holds a result."""
    p = env.popen(["bench", "--suite", slow_suite(env), "--strategy", strategy, "--repetitions",
                   "2", "--processes", "1", "--retries", "0", "--min-time", "0.05",
                   "--bandwidth-seconds", "0", "--out", out, *extra], env=env_vars)
    journal = out + ".journal"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and p.poll() is None:
        if os.path.exists(journal):
            with open(journal, "rb") as f:
                if f.read().count(b"\n") >= 3:
                    return p
        time.sleep(0.1)
    return p


def children_of(pid):
    kids = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                kids += [int(k) for k in f.read().split()]
    except OSError:
        pass
    return kids


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[1][0] != "Z"
    except OSError:
        return False


CASES = []


def case(area, item="new", python=False):
    def register(fn):
        CASES.append(Case(area, fn.__name__, item, fn, python))
        return fn

    return register


def param(area, name, item, fn, python=False):
    CASES.append(Case(area, name, item, fn, python))


# ---- data lost or overwritten (21.1 - 21.5) -----------------------------------------------


@case("lost", "21.1")
def history_html_over_its_database(env):
    db = history_db(env)
    keep = Unchanged(db)
    refused(env.run(["history", "html", "--db", db, "--out", db]), "input|same|database")
    keep.check()


@case("lost", "21.1")
def history_html_over_its_database_through_a_link(env):
    db = history_db(env)
    os.symlink(db, env.path("page.html"))
    keep = Unchanged(db, env.path("page.html"))
    refused(env.run(["history", "html", "--db", db, "--out", env.path("page.html")]),
            "input|same|database")
    keep.check()


@case("lost", "21.1")
def history_html_over_its_database_through_a_linked_directory(env):
    db = history_db(env)
    os.symlink(env.dir, env.path("alias"))
    keep = Unchanged(db)
    refused(env.run(["history", "html", "--db", db, "--out", env.path("alias", "h.sqlite")]),
            "input|same|database")
    keep.check()


@case("lost", "21.1")
def history_add_over_its_report(env):
    r = sample(env)
    keep = Unchanged(r)
    refused(env.run(["history", "add", r, "--db", r, "--commit", "c"]), "input|same|report")
    keep.check()


@case("lost", "21.1")
def report_markdown_over_its_input(env):
    r = sample(env)
    keep = Unchanged(r)
    refused(env.run(["report", r, "--markdown", r]), "input|same")
    keep.check()


@case("lost", "21.1")
def report_html_over_its_input_through_a_hard_link(env):
    r = sample(env)
    os.link(r, env.path("hard.html"))
    keep = Unchanged(r)
    refused(env.run(["report", r, "--html", env.path("hard.html")]), "input|same")
    keep.check()


@case("lost", "21.1")
def report_merge_over_a_shard(env):
    a, b = sample(env, "a.json"), sample(env, "b.json")
    keep = Unchanged(a, b)
    refused(env.run(["report", "merge", a, b, "--out", a]), "input|same")
    keep.check()


@case("lost", "21.1")
def compare_json_over_its_base(env):
    a, b = sample(env, "a.json"), sample(env, "b.json")
    keep = Unchanged(a, b)
    refused(env.run(["compare", a, b, "--json", a]), "input|same")
    keep.check()


@case("lost", "21.1")
def compare_markdown_over_its_new_report(env):
    a, b = sample(env, "a.json"), sample(env, "b.json")
    keep = Unchanged(a, b)
    refused(env.run(["compare", a, b, "--markdown", b]), "input|same")
    keep.check()


@case("lost", "21.1")
def check_json_over_its_suite(env):
    s = suite(env)
    keep = Unchanged(s)
    refused(env.run(["check", "--suite", s, "--strategy", "lookup", "--json", s]), "input|same")
    keep.check()


@case("lost", "21.1")
def check_junit_over_its_suite(env):
    s = suite(env)
    keep = Unchanged(s)
    refused(env.run(["check", "--suite", s, "--strategy", "lookup", "--junit", s]), "input|same")
    keep.check()


@case("lost", "21.1")
def bench_out_over_its_suite(env):
    s = suite(env)
    keep = Unchanged(s)
    refused(env.run(["bench", "--suite", s, "--strategy", "lookup", *FAST, "--out", s]),
            "input|same")
    keep.check()


@case("lost", "21.1")
def pool_out_over_its_input(env):
    a = env.write("a.npy", npy((4, 4)))
    keep = Unchanged(a)
    refused(env.run(["pool", a, "--kernel", "2", "--out", a]), "input|same")
    keep.check()


@case("lost", "21.1")
def pool_indices_over_its_input(env):
    a = env.write("a.npy", npy((4, 4)))
    keep = Unchanged(a)
    refused(env.run(["pool", a, "--kernel", "2", "--out", env.path("v.npy"), "--indices", a]),
            "input|same")
    keep.check()
    expect(not os.path.exists(env.path("v.npy")), "wrote v.npy although the command failed")


@case("lost", "21.1")
def check_json_over_a_loaded_plugin(env):
    plugin = env.path("good.so")
    shutil.copy(env.plugin("good", "good_plugin"), plugin)
    keep = Unchanged(plugin)
    refused(env.run(["--plugin", plugin, "check", "--problem", P4, "--strategy", "lookup",
                     "--json", plugin]), "input|same|plugin")
    keep.check()


@case("lost", "21.1")
def check_json_over_poolbench_itself(env):
    exe = env.path("poolbench")
    shutil.copy(env.exe, exe)
    keep = Unchanged(exe)
    r = env.run(["check", "--problem", P4, "--strategy", "lookup", "--json", exe], exe=exe,
                env={"POOLBENCH_SUITE_DIR": os.path.join(ROOT, "harness", "suites")})
    refused(r, "input|same|poolbench")
    keep.check()


@case("lost", "21.1")
def pool_win_counts_over_the_values_output(env):
    a = env.write("a.npy", npy((4, 4)))
    v = env.write("v.npy", b"previous")
    keep = Unchanged(v)
    refused(env.run(["pool", a, "--kernel", "2", "--out", v, "--win-counts", v]), "same")
    keep.check()


@case("lost", "21.2")
def bench_journal_is_a_link_to_a_victim(env):
    victim = env.write("victim.txt", "precious\n")
    os.symlink(victim, env.path("out.json.journal"))
    keep = Unchanged(victim, env.path("out.json.journal"))
    refused(env.run(["bench", "--problem", P4, "--strategy", "lookup", *FAST, "--out",
                     env.path("out.json")]), "journal", "link")
    keep.check()
    expect(not os.path.exists(env.path("out.json")), "wrote a report although refused")


@case("lost", "21.2")
def bench_journal_is_a_dangling_link(env):
    os.symlink(env.path("nowhere"), env.path("out.json.journal"))
    refused(env.run(["bench", "--problem", P4, "--strategy", "lookup", *FAST, "--out",
                     env.path("out.json")]), "journal", "link")
    expect(not os.path.exists(env.path("nowhere")), "created the link's target")


@case("lost", "21.2")
def bench_journal_has_another_hard_link(env):
    victim = env.write("victim.txt", "precious\n")
    os.link(victim, env.path("out.json.journal"))
    keep = Unchanged(victim)
    refused(env.run(["bench", "--problem", P4, "--strategy", "lookup", *FAST, "--out",
                     env.path("out.json")]), "journal", "link")
    keep.check()


@case("lost", "21.2")
def bench_journal_is_a_fifo(env):
    os.mkfifo(env.path("out.json.journal"))
    r = env.run(["bench", "--problem", P4, "--strategy", "lookup", *FAST, "--out",
                 env.path("out.json")], timeout=30)
    refused(r, "journal", "regular|fifo", bound=20)


@case("lost", "21.2")
def bench_journal_is_a_directory(env):
    os.mkdir(env.path("out.json.journal"))
    refused(env.run(["bench", "--problem", P4, "--strategy", "lookup", *FAST, "--out",
                     env.path("out.json")]), "journal")
    expect(os.path.isdir(env.path("out.json.journal")), "the directory is gone")


@case("lost", "21.2")
def bench_resume_through_a_journal_link(env):
    victim = env.write("victim.txt", '{"not": "a journal"}\n')
    os.symlink(victim, env.path("out.json.journal"))
    keep = Unchanged(victim, env.path("out.json.journal"))
    refused(env.run(["bench", "--problem", P4, "--strategy", "lookup", *FAST, "--out",
                     env.path("out.json"), "--resume"]), "journal", "link")
    keep.check()


@case("lost", "21.3")
def two_benches_on_one_output(env):
    out = env.path("out.json")
    first = bench_until_result(env, out)
    expect(first.poll() is None, "the first bench ended before the second could start")
    second = env.run(["bench", "--problem", P4, "--strategy", "lookup", *FAST, "--out", out])
    refused(second, str(first.pid) + r"|another|in use|locked|held")
    r = env.wait(first, 120)
    ended(r, {0})
    expect("incomplete" not in report_json(out)["context"], "the first run's report is partial")
    expect(not os.path.exists(out + ".journal"), "the first run's journal was left")


@case("lost", "21.4")
def partial_report_is_marked_everywhere(env):
    out = env.path("out.json")
    p = bench_until_result(env, out)
    expect(p.poll() is None, "bench ended before it could be interrupted")
    p.send_signal(signal.SIGINT)
    r = env.wait(p, 120)
    ended(r, {130})
    expect("incomplete" in report_json(out)["context"], "the partial report is not marked")
    md = env.run(["report", out])
    ended(md, {0})
    expect(re.search("incomplete|interrupted|partial", md.out, re.I), "report shows no mark")
    h = env.run(["history", "add", out, "--db", env.path("h.sqlite"), "--commit", "c1"])
    refused(h, "partial|incomplete|interrupted")
    expect(not os.path.exists(env.path("h.sqlite")) or
           _history_points(env.path("h.sqlite")) == 0, "history stored the partial report")
    full = bench_report(env, "full.json", problem="max:fwd:f32:nchw:1x2x8x8:k2x2")
    m = env.run(["report", "merge", out, full, "--out", env.path("m.json")])
    if m.status == 0:
        expect("incomplete" in report_json(env.path("m.json"))["context"],
               "report merge dropped the mark")
    c = env.run(["compare", full, out])
    refused(c, "incomplete|partial|interrupted")


def _history_points(db):
    try:
        con = sqlite3.connect(db)
        n = 0
        for (t,) in con.execute("select name from sqlite_master where type='table'"):
            if "point" in t or "result" in t:
                n += con.execute(f"select count(*) from {t}").fetchone()[0]
        con.close()
        return n
    except sqlite3.Error:
        return 0


@case("lost", "21.5")
def concurrent_history_add_into_a_new_database(env):
    bad = []
    for trial in range(6):
        db = env.path(f"h{trial}.sqlite")
        procs = [env.popen(["history", "add", SAMPLE, "--db", db, "--commit", f"c{i}"])
                 for i in range(3)]
        results = [env.wait(p, 60) for p in procs]
        bad += [r for r in results if r.status != 0]
    expect(not bad, f"{len(bad)} of 18 concurrent adds failed: {bad[0].err[-200:] if bad else ''}")


@case("lost", "21.5")
def history_add_into_a_locked_database(env):
    db = history_db(env)
    con = sqlite3.connect(db, isolation_level=None, timeout=0)
    con.execute("BEGIN EXCLUSIVE")
    try:
        r = env.run(["history", "add", SAMPLE, "--db", db, "--commit", "c2"], timeout=60)
    finally:
        con.execute("ROLLBACK")
        con.close()
    refused(r, "locked", bound=30)
    expect(not re.search("not a poolbench history", r.text), "called a locked database damaged")


@case("lost", "21.5")
def history_show_of_a_locked_database(env):
    db = history_db(env)
    con = sqlite3.connect(db, isolation_level=None, timeout=0)
    con.execute("BEGIN EXCLUSIVE")
    try:
        r = env.run(["history", "show", "--db", db], timeout=60)
    finally:
        con.execute("ROLLBACK")
        con.close()
    refused(r, "locked", bound=30)


@case("lost")
def output_into_a_read_only_directory(env):
    # Root ignores permissions, so a read-only mount stands for a read-only directory.
    ro = env.path("ro")
    os.mkdir(ro)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,ro", "tmpfs", ro],
                      capture_output=True).returncode != 0:
        if os.geteuid() == 0:
            raise Skip("cannot mount a read-only tmpfs")
        os.chmod(ro, 0o555)
    try:
        r = env.run(["report", SAMPLE, "--markdown", os.path.join(ro, "r.md")])
        refused(r, "read-only|permission|cannot", status=2)
        r = env.run(["bench", "--problem", P4, "--strategy", "lookup", *FAST, "--out",
                     os.path.join(ro, "b.json")])
        refused(r, "read-only|permission|cannot", bound=15)
    finally:
        subprocess.run(["umount", ro], capture_output=True)


@case("lost")
def output_onto_a_full_disk(env):
    full = env.path("full")
    os.mkdir(full)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", full],
                      capture_output=True).returncode != 0:
        raise Skip("cannot mount a small tmpfs")
    try:
        previous = os.path.join(full, "r.html")
        with open(previous, "w") as f:
            f.write("previous\n")
        keep = Unchanged(previous)
        r = env.run(["report", SAMPLE, "--html", previous], timeout=120)
        refused(r, "space|write", status=2)
        keep.check()
        no_temp_files(env, full)
    finally:
        subprocess.run(["umount", full], capture_output=True)


@case("lost")
def bench_journal_onto_a_full_disk(env):
    full = env.path("full")
    os.mkdir(full)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8k", "tmpfs", full],
                      capture_output=True).returncode != 0:
        raise Skip("cannot mount a small tmpfs")
    try:
        out = os.path.join(full, "out.json")
        with open(out, "w") as f:
            f.write("previous\n")
        keep = Unchanged(out)
        r = env.run(["bench", "--suite", slow_suite(env, 6), "--strategy", "naive|lookup",
                     *FAST, "--out", out], timeout=120)
        refused(r, "space|write|journal")
        keep.check()
        no_temp_files(env, full)
    finally:
        subprocess.run(["umount", full], capture_output=True)


def _out_to_directory(args_of):
    def fn(env):
        d = env.path("d")
        os.mkdir(d)
        env.write("d/keep", "x")
        r = env.run(args_of(env, d))
        refused(r, "director", bound=15)
        expect(os.path.exists(os.path.join(d, "keep")), "the directory's content is gone")
    return fn


for _name, _args in [
    ("bench", lambda env, d: ["bench", "--problem", P4, "--strategy", "lookup", *FAST, "--out",
                              d]),
    ("report_markdown", lambda env, d: ["report", SAMPLE, "--markdown", d]),
    ("report_csv", lambda env, d: ["report", SAMPLE, "--csv", d]),
    ("report_merge", lambda env, d: ["report", "merge", SAMPLE, SAMPLE, "--out", d]),
    ("check_json", lambda env, d: ["check", "--problem", P4, "--strategy", "lookup", "--json",
                                   d]),
    ("check_junit", lambda env, d: ["check", "--problem", P4, "--strategy", "lookup", "--junit",
                                    d]),
    ("pool", lambda env, d: ["pool", env.write("a.npy", npy((4, 4))), "--kernel", "2", "--out",
                             d]),
    ("history_html", lambda env, d: ["history", "html", "--db", history_db(env), "--out", d]),
    ("history_db", lambda env, d: ["history", "add", SAMPLE, "--db", d, "--commit", "c"]),
    ("compare_json", lambda env, d: ["compare", SAMPLE, SAMPLE, "--json", d]),
]:
    param("lost", f"{_name}_output_is_a_directory", "new", _out_to_directory(_args))


def _out_to_fifo(args_of):
    def fn(env):
        f = env.path("fifo")
        os.mkfifo(f)
        r = env.run(args_of(env, f), timeout=30)
        refused(r, "fifo|regular|special|not a file", bound=20)
    return fn


for _name, _args in [
    ("report_markdown", lambda env, f: ["report", SAMPLE, "--markdown", f]),
    ("bench", lambda env, f: ["bench", "--problem", P4, "--strategy", "lookup", *FAST, "--out",
                              f]),
    ("check_json", lambda env, f: ["check", "--problem", P4, "--strategy", "lookup", "--json",
                                   f]),
    ("history_html", lambda env, f: ["history", "html", "--db", history_db(env), "--out", f]),
    ("pool", lambda env, f: ["pool", env.write("a.npy", npy((4, 4))), "--kernel", "2", "--out",
                             f]),
]:
    param("lost", f"{_name}_output_is_a_fifo", "new", _out_to_fifo(_args))


def _out_to_dev_stdout(args_of):
    # /dev/stdout, here the pipe the caller reads: either written there or refused saying it is
    # a pipe (not "cannot create a temporary file"); never an exit 0 that wrote nothing.
    def fn(env):
        r = env.run(args_of(env), timeout=60)
        ended(r, {0, 2}, bound=50)
        if r.status == 0:
            expect(len(r.out) > 20, "exit 0 but nothing reached /dev/stdout")
        else:
            refused(r, "is a pipe")
    return fn


for _name, _args in [
    ("report_markdown", lambda env: ["report", SAMPLE, "--markdown", "/dev/stdout"]),
    ("check_json", lambda env: ["check", "--problem", P4, "--strategy", "lookup", "--json",
                                "/dev/stdout"]),
    ("history_html", lambda env: ["history", "html", "--db", history_db(env), "--out",
                                  "/dev/stdout"]),
    ("compare_json", lambda env: ["compare", SAMPLE, SAMPLE, "--json", "/dev/stdout"]),
]:
    param("lost", f"{_name}_output_is_dev_stdout", "new", _out_to_dev_stdout(_args))


def _stdout_lost(args_of, how):
    # What a command prints to a full disk (/dev/full) or a closed standard output is lost: the
    # command must say so and fail, not exit 0 as if `report r.json > summary.md` had worked.
    def fn(env):
        args = " ".join(_quote(a) for a in [env.exe] + args_of(env))
        r = env.run(["-c", f"{args} {how}"], exe="/bin/sh")
        expect(r.status not in (0, None), f"exit status {r.status} though the output was lost")
        expect(re.search("standard output|stdout", r.err, re.I), "does not say the output was lost")
    return fn


for _name, _args in [
    ("report", lambda env: ["report", SAMPLE]),
    ("list", lambda env: ["list"]),
    ("compare", lambda env: ["compare", SAMPLE, SAMPLE]),
    ("history_show", lambda env: ["history", "show", "--db", history_db(env)]),
    ("check", lambda env: ["check", "--problem", P4, "--strategy", "lookup"]),
]:
    param("lost", f"{_name}_to_a_full_stdout", "new", _stdout_lost(_args, "> /dev/full"))
    param("lost", f"{_name}_to_a_closed_stdout", "new", _stdout_lost(_args, ">&-"))


@case("lost")
def bench_out_dev_null(env):
    # Writing the report to /dev/null is a user's choice, but it must never replace the device.
    r = env.run(["bench", "--problem", P4, "--strategy", "lookup", *FAST, "--out", "/dev/null"])
    ended(r, {0, 2})
    expect(os.path.exists("/dev/null") and not os.path.isfile("/dev/null"),
           "/dev/null was replaced by a file")
    expect(not os.path.exists("/dev/null.journal"), "left /dev/null.journal")


@case("lost")
def interrupted_bench_leaves_no_temporary_file(env):
    out = env.write("out.json", open(SAMPLE).read())
    p = bench_until_result(env, out)
    p.send_signal(signal.SIGTERM)
    r = env.wait(p, 120)
    ended(r, {143})
    no_temp_files(env)


# ---- signals, --resume, concurrent runs ---------------------------------------------------


@case("signals", "21.4")
def sigkill_leaves_previous_report_and_resume_finishes(env):
    out = env.write("out.json", open(SAMPLE).read())
    keep = Unchanged(out)
    p = bench_until_result(env, out)
    expect(p.poll() is None, "bench ended before it could be killed")
    os.killpg(p.pid, signal.SIGKILL)
    env.wait(p, 30)
    keep.check()
    no_temp_files(env)
    expect(os.path.exists(out + ".journal"), "the journal is gone")
    r = env.run(["bench", "--suite", env.path("slow.txt"), "--strategy", "naive_loops|lookup",
                 "--repetitions", "2", "--processes", "1", "--retries", "0", "--min-time",
                 "0.05", "--bandwidth-seconds", "0", "--out", out, "--resume"], timeout=180)
    ended(r, {0})
    rep = report_json(out)
    expect("incomplete" not in rep["context"], "the resumed report is marked incomplete")
    names = {b["name"] for b in rep["benchmarks"] if b.get("run_type") == "iteration"}
    expect(len({n.split("/")[0] + n.split("/")[1] for n in names}) >= 1, "no results")
    expect(not os.path.exists(out + ".journal"), "the journal was left after --resume")


@case("signals", "21.4")
def sigterm_writes_a_marked_partial_report(env):
    out = env.path("out.json")
    p = bench_until_result(env, out)
    p.send_signal(signal.SIGTERM)
    r = env.wait(p, 120)
    ended(r, {143})
    inc = report_json(out)["context"].get("incomplete")
    expect(inc and inc.get("signal") in ("SIGTERM", "TERM", 15), f"mark: {inc}")


@case("signals")
def second_sigint_stops_at_once(env):
    out = env.path("out.json")
    p = bench_until_result(env, out, strategy="naive_loops|lookup|strided")
    p.send_signal(signal.SIGINT)
    time.sleep(0.05)
    p.send_signal(signal.SIGINT)
    r = env.wait(p, 30)
    ended(r, {130}, bound=20)


@case("signals")
def sigint_before_any_result_leaves_the_previous_report(env):
    out = env.write("out.json", open(SAMPLE).read())
    keep = Unchanged(out)
    p = env.popen(["bench", "--suite", slow_suite(env), "--strategy", "naive|lookup",
                   "--bandwidth-seconds", "2", "--out", out])
    time.sleep(0.7)
    p.send_signal(signal.SIGINT)
    r = env.wait(p, 60)
    ended(r, {130})
    keep.check()


@case("signals")
def resume_with_other_settings_is_refused(env):
    out = env.path("out.json")
    p = bench_until_result(env, out)
    p.send_signal(signal.SIGINT)
    env.wait(p, 120)
    r = env.run(["bench", "--suite", env.path("slow.txt"), "--strategy", "naive_loops|lookup",
                 "--repetitions", "3", "--processes", "1", "--retries", "0", "--min-time",
                 "0.05", "--bandwidth-seconds", "0", "--out", out, "--resume"])
    refused(r, "other settings", "repetitions")
    expect(os.path.exists(out + ".journal"), "the refused resume removed the journal")


@case("signals")
def resume_from_a_corrupt_journal(env):
    out = env.path("out.json")
    env.write("out.json.journal", "{\"settings\": 1}\n\x00\x01garbage\n")
    keep = Unchanged(out + ".journal")
    r = env.run(["bench", "--problem", P4, "--strategy", "lookup", *FAST, "--out", out,
                 "--resume"])
    refused(r, "journal")
    keep.check()


@case("signals")
def resume_from_an_empty_journal(env):
    out = env.path("out.json")
    env.write("out.json.journal", "")
    r = env.run(["bench", "--problem", P4, "--strategy", "lookup", *FAST, "--out", out,
                 "--resume"])
    refused(r, "journal")


@case("signals")
def resume_from_a_journal_cut_mid_line(env):
    out = env.path("out.json")
    p = bench_until_result(env, out)
    os.killpg(p.pid, signal.SIGKILL)
    env.wait(p, 30)
    with open(out + ".journal", "rb") as f:
        data = f.read()
    with open(out + ".journal", "wb") as f:
        f.write(data[:-30])
    r = env.run(["bench", "--suite", env.path("slow.txt"), "--strategy", "naive_loops|lookup",
                 "--repetitions", "2", "--processes", "1", "--retries", "0", "--min-time",
                 "0.05", "--bandwidth-seconds", "0", "--out", out, "--resume"], timeout=180)
    ended(r, {0})
    expect("incomplete" not in report_json(out)["context"], "the resumed report is partial")


@case("signals")
def resume_with_no_journal(env):
    r = env.run(["bench", "--problem", P4, "--strategy", "lookup", *FAST, "--out",
                 env.path("out.json"), "--resume"])
    refused(r, "no journal|journal")


@case("signals", "21.3")
def bench_while_a_resume_holds_the_journal(env):
    out = env.path("out.json")
    p = bench_until_result(env, out)
    os.killpg(p.pid, signal.SIGKILL)
    env.wait(p, 30)
    args = ["bench", "--suite", env.path("slow.txt"), "--strategy", "naive_loops|lookup",
            "--repetitions", "2", "--processes", "1", "--retries", "0", "--min-time", "0.05",
            "--bandwidth-seconds", "0", "--out", out]
    resumed = env.popen(args + ["--resume"])
    time.sleep(1.0)
    other = env.run(args)
    refused(other, str(resumed.pid) + "|another|locked|held|in use")
    ended(env.wait(resumed, 180), {0})


@case("signals", "21.12")
def bench_with_a_plugin_that_ignores_sigint_is_still_interruptible(env):
    out = env.path("out.json")
    p = env.popen(["--plugin", env.plugin("load", "load_signals_plugin"), "bench", "--suite",
                   slow_suite(env), "--strategy", "naive_loops|lookup", "--repetitions", "2",
                   "--processes", "1", "--retries", "0", "--min-time", "0.05",
                   "--bandwidth-seconds", "0", "--out", out])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not os.path.exists(out + ".journal"):
        time.sleep(0.1)
    time.sleep(1.5)
    p.send_signal(signal.SIGINT)
    r = env.wait(p, 60)
    ended(r, {130})
    expect(re.search("load_signals", r.err), "no warning names the plugin")


# ---- verdicts pinned on the wrong strategy (21.6 - 21.8) ------------------------------------


def _check_json(env, plugin, strategies, extra=(), timeout=120, python=False):
    args = ["--plugin", plugin, "check", "--problem", P4, "--as-written", "--strategy",
            strategies, "--json", env.path("c.json"), *extra]
    r = env.run(args, timeout=timeout)
    verdicts = {}
    if os.path.exists(env.path("c.json")):
        j = report_json(env.path("c.json"))
        for row in j.get("checks", j if isinstance(j, list) else []):
            verdicts.setdefault(row.get("strategy"), set()).add(
                str(row.get("verdict")).lower())
    return r, verdicts


def _only_culprit_fails(r, verdicts, culprit, innocents, reason):
    ended(r, {1})
    expect(culprit in verdicts, f"{culprit} has no verdict: {verdicts}")
    expect(verdicts[culprit] & {"crashed", "fail", "failed"},
           f"{culprit}: {verdicts.get(culprit)}")
    for s in innocents:
        expect(verdicts.get(s) == {"pass"}, f"innocent {s}: {verdicts.get(s)}")
    expect(re.search(reason, r.text, re.I), f"the output does not say /{reason}/")


@case("misattributed", "21.6")
def forking_strategy_in_check(env):
    r, v = _check_json(env, env.plugin("faulty", "faulty_fork_plugin"),
                       "faulty_fork|simd|lookup_table|strided_view")
    _only_culprit_fails(r, v, "faulty_fork", ["simd", "lookup_table", "strided_view"],
                        "forked a child")


@case("misattributed", "21.6", python=True)
def forking_python_strategy_in_check(env):
    plugin = os.path.join(ROOT, "tests", "python", "files", "forks.py")
    if not env.python_host:
        raise Skip("no Python host")
    r, v = _check_json(env, plugin, "py_forks|simd|lookup_table")
    _only_culprit_fails(r, v, "py_forks", ["simd", "lookup_table"], "forked a child")


@case("misattributed", "21.6")
def forking_strategy_in_bench(env):
    out = env.path("b.json")
    r = env.run(["--plugin", env.plugin("faulty", "faulty_fork_plugin"), "bench", "--problem",
                 P4, "--strategy", "faulty_fork|simd|lookup", *FAST, "--out", out])
    ended(r, {1})
    rows = [b for b in report_json(out)["benchmarks"] if b.get("run_type") == "iteration"]
    bad = {b["strategy"] for b in rows if b.get("error_occurred")}
    expect(bad == {"faulty_fork"}, f"failed entries: {bad}")


@case("misattributed", "21.7")
def spinning_thread_fails_only_its_strategy(env):
    r, v = _check_json(env, env.plugin("faulty", "faulty_thread_plugin"),
                       "faulty_spinner|openmp|simd")
    _only_culprit_fails(r, v, "faulty_spinner", ["openmp_parallel", "simd"], "thread")


@case("misattributed", "21.7")
def late_writing_thread_fails_only_its_strategy(env):
    r, v = _check_json(env, env.plugin("faulty", "faulty_thread_plugin"),
                       "faulty_late_writer|simd|lookup")
    _only_culprit_fails(r, v, "faulty_late_writer", ["simd", "lookup_table"], "thread")


@case("misattributed", "21.7")
def leftover_thread_in_bench(env):
    out = env.path("b.json")
    r = env.run(["--plugin", env.plugin("faulty", "faulty_thread_plugin"), "bench", "--problem",
                 P4, "--strategy", "faulty_late_writer|simd|lookup", *FAST, "--out", out])
    ended(r, {1})
    rows = [b for b in report_json(out)["benchmarks"] if b.get("run_type") == "iteration"]
    bad = {b["strategy"] for b in rows if b.get("error_occurred")}
    expect(bad == {"faulty_late_writer"}, f"failed entries: {bad}")


@case("misattributed", "21.8")
def setsid_grandchild_is_killed_at_once(env):
    pids = env.path("pids")
    r = env.run(["--plugin", env.plugin("faulty", "faulty_setsid_plugin"), "check", "--problem",
                 P4, "--strategy", "faulty_setsid|faulty_spawn$|lookup", "--timeout", "30"],
                env={"POOLBENCH_TEST_PID_FILE": pids}, timeout=90)
    ended(r, {1}, bound=25)
    expect(not re.search("All checks passed", r.text), "said all checks passed")
    time.sleep(0.5)
    left = [int(x) for x in open(pids).read().split()] if os.path.exists(pids) else []
    expect(left, "the plugin recorded no grandchild")
    living = [p for p in left if alive(p)]
    for p in living:
        os.kill(p, signal.SIGKILL)
    expect(not living, f"grandchildren still alive: {living}")


@case("misattributed", "21.8")
def setsid_grandchild_of_a_hanging_strategy_at_timeout(env):
    pids = env.path("pids")
    r = env.run(["--plugin", env.plugin("faulty", "faulty_setsid_plugin"), "check", "--problem",
                 P4, "--strategy", "faulty_spawn_hang|lookup", "--timeout", "2"],
                env={"POOLBENCH_TEST_PID_FILE": pids}, timeout=60)
    ended(r, {1}, bound=20)
    expect(re.search("timed.out", r.text, re.I), "no timed_out verdict")
    time.sleep(0.5)
    left = [int(x) for x in open(pids).read().split()] if os.path.exists(pids) else []
    living = [p for p in left if alive(p)]
    for p in living:
        os.kill(p, signal.SIGKILL)
    expect(not living, f"grandchildren still alive: {living}")


@case("misattributed", "21.17")
def worker_killed_from_outside_is_not_out_of_memory(env):
    p = env.popen(["--no-default-plugins", "--plugin", env.plugin("faulty", "faulty_loop_plugin"),
                   "check", "--problem", P4, "--strategy", "faulty_loop", "--timeout", "40",
                   "--json", env.path("c.json")])
    # The plugin's load probe is over in well under 3 s; then the only child is the worker.
    time.sleep(3)
    kids = children_of(p.pid)
    expect(len(kids) == 1, f"expected one worker, found {kids}")
    os.kill(kids[0], signal.SIGKILL)
    r = env.wait(p, 60)
    ended(r, {1}, bound=20)
    verdicts = {c["verdict"] for c in report_json(env.path("c.json"))["checks"]}
    expect(verdicts == {"crashed"}, f"verdicts {verdicts}")
    expect(re.search("SIGKILL from outside", r.text), "does not say who killed it")


@case("misattributed")
def python_strategy_kills_its_process_group(env):
    plugin = env.pyfile("killpg.py", PY_HEAD + """
@poolbench.strategy("py_killpg", "kills its process group", supports=blocks)
def py_killpg(x, p):
    os.killpg(0, signal.SIGKILL)
""")
    r, v = _check_json(env, plugin, "py_killpg|lookup_table")
    _only_culprit_fails(r, v, "py_killpg", ["lookup_table"], "SIGKILL|crash")


@case("misattributed")
def python_strategy_writes_garbage_to_every_descriptor(env):
    plugin = env.pyfile("scribble.py", PY_HEAD + """
@poolbench.strategy("py_scribble", "writes garbage to every open descriptor", supports=blocks)
def py_scribble(x, p):
    for fd in range(3, 256):
        try:
            os.write(fd, b"\\x00garbage that is not a frame" * 64)
        except OSError:
            pass
    return x.reshape(p.n, p.c, p.h // 2, 2, p.w // 2, 2).max((3, 5))
""")
    r, v = _check_json(env, plugin, "py_scribble|lookup_table|strided")
    _only_culprit_fails(r, v, "py_scribble", ["lookup_table", "strided_view"], "pipe|frame|wrote")


@case("misattributed")
def python_strategy_closes_every_descriptor(env):
    plugin = env.pyfile("closer.py", PY_HEAD + """
@poolbench.strategy("py_closer", "closes every open descriptor", supports=blocks)
def py_closer(x, p):
    os.closerange(3, 4096)
    return x.reshape(p.n, p.c, p.h // 2, 2, p.w // 2, 2).max((3, 5))
""")
    r, v = _check_json(env, plugin, "py_closer|lookup_table|strided")
    ended(r, {1}, bound=60)
    expect(v.get("lookup_table") == {"pass"} and v.get("strided_view") == {"pass"},
           f"innocents: {v}")
    expect(v.get("py_closer", set()) - {"pass"}, f"py_closer: {v.get('py_closer')}")


@case("misattributed")
def python_strategy_leaves_a_thread(env):
    plugin = env.pyfile("pythread.py", PY_HEAD + """
import threading, time
@poolbench.strategy("py_thread", "leaves a thread running", supports=blocks)
def py_thread(x, p):
    threading.Thread(target=lambda: time.sleep(30), daemon=True).start()
    return x.reshape(p.n, p.c, p.h // 2, 2, p.w // 2, 2).max((3, 5))
""")
    r, v = _check_json(env, plugin, "py_thread|lookup_table")
    _only_culprit_fails(r, v, "py_thread", ["lookup_table"], "thread")


# ---- passing with nothing checked (21.9 - 21.12) ---------------------------------------------


def _load_fault(kind, name, command, bound=30, env_vars=None, python=None):
    def fn(env):
        plugin = (os.path.join(ROOT, "tests", "python", "files", "load_faults", python)
                  if python else env.plugin(kind, name))
        if python and not env.python_host:
            raise Skip("no Python host")
        args = {"list": ["list"],
                "check": ["check", "--problem", P4, "--strategy", "lookup"],
                "bench": ["bench", "--problem", P4, "--strategy", "lookup", *FAST, "--out",
                          env.path("b.json")],
                "pool": ["pool", env.write("a.npy", npy((4, 4))), "--kernel", "2", "--out",
                         env.path("v.npy")]}[command]
        r = env.run(["--plugin", plugin, *args], timeout=bound + 30, env=env_vars)
        refused(r, re.escape(os.path.basename(plugin)), bound=bound)
        expect(not os.path.exists(env.path("b.json")), "wrote a report")
        expect(not os.path.exists(env.path("v.npy")), "wrote an output")
    return fn


for _command in ["list", "check", "bench", "pool"]:
    param("unchecked", f"plugin_exits_in_static_constructor_{_command}", "21.9",
          _load_fault("load", "load_exit_plugin", _command))
    param("unchecked", f"plugin_crashes_while_loading_{_command}", "21.10",
          _load_fault("load", "load_crash_plugin", _command))
    param("unchecked", f"plugin_hangs_while_loading_{_command}", "21.10",
          _load_fault("load", "load_hang_plugin", _command, bound=20,
                      env_vars={"POOLBENCH_LOAD_TIMEOUT": "3"}))
    param("unchecked", f"python_exits_at_import_{_command}", "21.9",
          _load_fault(None, None, _command, python="exits_at_import.py"), python=True)
    param("unchecked", f"python_loops_at_import_{_command}", "21.10",
          _load_fault(None, None, _command, bound=20, env_vars={"POOLBENCH_LOAD_TIMEOUT": "3"},
                      python="loops_at_import.py"), python=True)


@case("unchecked", "21.9", python=True)
def python_sys_exit_at_import(env):
    plugin = env.pyfile("sysexit.py", "import sys\nsys.exit(0)\n")
    r = env.run(["--plugin", plugin, "check", "--problem", P4, "--strategy", "lookup"])
    refused(r, "sysexit.py")


@case("unchecked", "21.9", python=True)
def python_raises_at_import(env):
    plugin = env.pyfile("raises.py", "raise RuntimeError('no GPU here')\n")
    r = env.run(["--plugin", plugin, "list"])
    refused(r, "raises.py", "no GPU here")


@case("unchecked", "21.9", python=True)
def python_kills_itself_at_import(env):
    plugin = env.pyfile("sigkill.py", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n")
    r = env.run(["--plugin", plugin, "check", "--problem", P4, "--strategy", "lookup"])
    refused(r, "sigkill.py")


@case("unchecked", "21.10")
def supports_crash_under_list(env):
    r = env.run(["--plugin", env.plugin("faulty", "faulty_supports_plugin"), "list"])
    ended(r, {1})
    expect(re.search("faulty_supports_plugin", r.text), "the plugin is not named")
    expect(re.search("faulty_supports_crash", r.text), "the strategy is not named")
    expect(re.search("lookup_table", r.out), "the other strategies were not listed")


@case("unchecked", "21.17")
def supports_throw_under_list_names_plugin(env):
    r = env.run(["--plugin", env.plugin("faulty", "faulty_supports_plugin"), "list", "--json"])
    ended(r, {1})
    expect(re.search("support table not initialised", r.text), "the exception is not shown")
    expect(re.search("faulty_supports_plugin", r.text), "the plugin is not named")


@case("unchecked")
def supports_crash_under_check(env):
    r, v = _check_json(env, env.plugin("faulty", "faulty_supports_plugin"),
                       "faulty_supports_crash|lookup_table")
    ended(r, {1})
    expect(v.get("lookup_table") == {"pass"}, f"lookup_table: {v.get('lookup_table')}")
    expect(v.get("faulty_supports_crash", set()) - {"pass", "skip", "skipped"},
           f"faulty_supports_crash: {v.get('faulty_supports_crash')}")


@case("unchecked")
def supports_throw_under_bench(env):
    out = env.path("b.json")
    r = env.run(["--plugin", env.plugin("faulty", "faulty_supports_plugin"), "bench",
                 "--problem", P4, "--strategy", "faulty_supports_throw|lookup", *FAST, "--out",
                 out])
    ended(r, {1})
    expect(re.search("support table not initialised", r.text), "the exception is not shown")


@case("unchecked")
def supports_crash_under_pool(env):
    a = env.write("a.npy", npy((4, 4)))
    r = env.run(["--plugin", env.plugin("faulty", "faulty_supports_plugin"), "pool", a,
                 "--kernel", "2", "--strategy", "faulty_supports_crash", "--out",
                 env.path("v.npy")])
    ended(r, {1, 2})
    expect(re.search("faulty_supports_crash", r.text), "the strategy is not named")
    expect(re.search("crash|SIGSEGV", r.text, re.I), "the crash is not named")
    expect(not os.path.exists(env.path("v.npy")), "wrote an output")


def _pool_fault(name, strategy, verdict, extra=()):
    def fn(env):
        a = env.write("a.npy", npy((4, 4)))
        v = env.path("v.npy")
        r = env.run(["--plugin", env.plugin("faulty", name), "pool", a, "--kernel", "2",
                     "--strategy", strategy, "--out", v, *extra], timeout=60)
        ended(r, {1}, bound=40)
        expect(re.search(verdict, r.text, re.I), f"the verdict /{verdict}/ is not named")
        expect(not os.path.exists(v), "wrote an output")
    return fn


for _n, _s, _v, _x in [("faulty_segfault_plugin", "faulty_segfault", "crash", ()),
                       ("faulty_loop_plugin", "faulty_loop", "timed.out", ("--timeout", "2")),
                       ("faulty_exit_plugin", "faulty_exit", "exit", ()),
                       ("faulty_throws_plugin", "faulty_throws", "threw", ()),
                       ("faulty_abort_plugin", "faulty_abort", "crash|SIGABRT", ()),
                       ("faulty_oom_plugin", "faulty_oom", "memory", ("--memory-limit", "256M")),
                       ("faulty_fork_plugin", "faulty_fork", "fork", ()),
                       ("faulty_thread_plugin", "faulty_spinner", "thread", ())]:
    param("unchecked", f"pool_with_{_s}", "21.10", _pool_fault(_n, _s, _v, _x))


@case("unchecked", "21.11")
def ab_base_returns_an_unrelated_report(env):
    base = env.write("base.sh", f"""#!/bin/sh
out=""
while [ $# -gt 0 ]; do case "$1" in -o|--out) out="$2";; esac; shift; done
cp {SAMPLE} "$out"
""", 0o755)
    r = env.run(["ab", base, env.exe, "--problem", P4, "--strategy", "lookup", "--rounds", "2",
                 *FAST[:2], "--min-time", "0.001", "--bandwidth-seconds", "0", "--out",
                 env.path("ab.json")], timeout=120)
    refused(r, "common|nothing|no benchmark")


@case("unchecked", "21.11")
def ab_base_hangs(env):
    base = env.write("base.sh", "#!/bin/sh\nexec sleep 600\n", 0o755)
    r = env.run(["ab", base, env.exe, "--problem", P4, "--strategy", "lookup", "--rounds", "2",
                 "--repetitions", "1", "--min-time", "0.001", "--bandwidth-seconds", "0",
                 "--process-timeout", "4", "--out", env.path("ab.json")], timeout=90)
    refused(r, "time|killed|took", bound=60)


@case("unchecked", "21.11")
def ab_base_crashes(env):
    base = env.write("base.sh", "#!/bin/sh\nkill -SEGV $$\n", 0o755)
    r = env.run(["ab", base, env.exe, "--problem", P4, "--strategy", "lookup", "--rounds", "2",
                 "--repetitions", "1", "--min-time", "0.001", "--bandwidth-seconds", "0",
                 "--out", env.path("ab.json")], timeout=90)
    refused(r, "base|SIGSEGV|signal|crash")


@case("unchecked", "21.11")
def ab_base_exits_0_without_a_report(env):
    base = env.write("base.sh", "#!/bin/sh\nexit 0\n", 0o755)
    r = env.run(["ab", base, env.exe, "--problem", P4, "--strategy", "lookup", "--rounds", "2",
                 "--repetitions", "1", "--min-time", "0.001", "--bandwidth-seconds", "0",
                 "--out", env.path("ab.json")], timeout=90)
    refused(r, "report")


@case("unchecked", "21.11")
def ab_base_writes_a_partial_report(env):
    partial = json.load(open(SAMPLE))
    partial["context"]["incomplete"] = {"signal": "SIGINT", "results": 1, "problems_done": 1,
                                        "problems": 4, "journal": "x.journal"}
    src = env.write("partial.json", json.dumps(partial))
    base = env.write("base.sh", f"""#!/bin/sh
out=""
while [ $# -gt 0 ]; do case "$1" in -o|--out) out="$2";; esac; shift; done
cp {src} "$out"
""", 0o755)
    r = env.run(["ab", base, base, "--problem", P4, "--strategy", "lookup", "--rounds", "2",
                 "--repetitions", "1", "--min-time", "0.001", "--bandwidth-seconds", "0",
                 "--out", env.path("ab.json")], timeout=90)
    ended(r, {1, 2})


@case("unchecked")
def check_strategy_matches_only_the_reference(env):
    r = env.run(["check", "--problem", P4, "--strategy", "^naive_loops$"])
    # Checking the reference against itself checks nothing: refused, or said loudly.
    ended(r, {0, 2})
    if r.status == 0:
        expect(re.search("reference|nothing", r.text, re.I), "passed saying nothing")


@case("unchecked")
def check_strategy_matches_nothing(env):
    refused(env.run(["check", "--problem", P4, "--strategy", "no_such_thing"]), "matches no")


@case("unchecked")
def check_every_strategy_skips(env):
    r = env.run(["check", "--problem", "max:fwd:f32:nhwc:1x1x8x8:k2x2", "--strategy",
                 "reshape_blocks", "--as-written"])
    refused(r, "nothing|skipped")


@case("unchecked")
def bench_every_strategy_skips(env):
    out = env.write("out.json", open(SAMPLE).read())
    keep = Unchanged(out)
    r = env.run(["bench", "--problem", "max:fwd:f32:nhwc:1x1x8x8:k2x2", "--strategy",
                 "reshape_blocks", *FAST, "--out", out])
    refused(r, "nothing")
    keep.check()
    expect(not os.path.exists(out + ".journal"), "left a journal")


@case("unchecked")
def bench_shard_beyond_the_problems(env):
    out = env.path("out.json")
    r = env.run(["bench", "--problem", P4, "--strategy", "lookup", "--shard", "3/3", *FAST,
                 "--out", out])
    refused(r, "nothing|no problem|shard")
    expect(not os.path.exists(out), "wrote a report")


@case("unchecked")
def plugin_with_no_strategy(env):
    plugin = os.path.join(ROOT, "tests", "python", "files", "declares_nothing.py")
    if not env.python_host:
        raise Skip("no Python host")
    r = env.run(["--plugin", plugin, "check", "--problem", P4, "--strategy", "lookup"])
    ended(r, {0, 2})
    expect(re.search("declares_nothing|no strateg", r.text, re.I), "nothing said of the plugin")


@case("unchecked")
def plugin_path_with_a_missing_entry(env):
    r = env.run(["list"], env={"POOLBENCH_PLUGIN_PATH": env.path("missing.so")})
    refused(r, "missing.so")


@case("unchecked")
def plugin_path_empty_entries(env):
    r = env.run(["list"], env={"POOLBENCH_PLUGIN_PATH": "::"})
    ended(r, {0, 2})


@case("unchecked")
def plugin_directory_with_a_broken_plugin(env):
    d = env.path("plugins")
    os.mkdir(d)
    shutil.copy(env.plugin("good", "good_plugin"), d)
    env.write("plugins/broken.so", b"\x7fELF not really")
    r = env.run(["list"], env={"POOLBENCH_PLUGIN_PATH": d})
    refused(r, "broken.so")


@case("unchecked")
def plugin_that_is_a_text_file(env):
    p = env.write("fake.so", "hello\n")
    refused(env.run(["--plugin", p, "list"]), "fake.so")


@case("unchecked")
def plugin_that_is_a_fifo(env):
    os.mkfifo(env.path("fifo.so"))
    r = env.run(["--plugin", env.path("fifo.so"), "list"], timeout=60)
    refused(r, "fifo.so", bound=40)


@case("unchecked")
def plugin_that_is_a_directory(env):
    os.mkdir(env.path("dir.so"))
    r = env.run(["--plugin", env.path("dir.so"), "check", "--problem", P4, "--strategy",
                 "lookup"])
    ended(r, {0, 2})
    if r.status == 0:
        expect(re.search("dir.so|no plugin", r.text, re.I), "an empty plugin dir passed silently")


@case("unchecked")
def plugin_given_twice(env):
    g = env.plugin("good", "good_plugin")
    refused(env.run(["--plugin", g, "--plugin", g, "list"]), "already|twice|registered")


@case("unchecked", "21.12", python=True)
def python_ignores_sigint_warning(env):
    plugin = os.path.join(ROOT, "tests", "python", "files", "load_faults", "ignores_interrupts.py")
    if not env.python_host:
        raise Skip("no Python host")
    r = env.run(["--plugin", plugin, "check", "--problem", "max:fwd:f32:nchw:1x1x4x4:k1x1",
                 "--strategy", "py_quiet"])
    ended(r, {0})
    expect(re.search("ignores_interrupts.py.*SIGINT|SIGINT.*ignores_interrupts", r.err, re.S),
           "no warning names the plugin and the signal")


# ---- inputs that hang, crash or are misread (21.13 - 21.15, and new) -------------------------


def _reader(args_of, patterns, bound=20):
    def fn(env):
        r = env.run(args_of(env), timeout=bound + 30)
        refused(r, *patterns, bound=bound)
    return fn


_special = {
    "dev_zero": lambda env: "/dev/zero",
    "fifo": lambda env: (os.mkfifo(env.path("f.json")), env.path("f.json"))[1],
    "directory": lambda env: (os.mkdir(env.path("d.json")), env.path("d.json"))[1],
    "missing": lambda env: env.path("missing.json"),
    "sparse_300M": lambda env: (open(env.path("big.json"), "w").truncate(300 << 20),
                                env.path("big.json"))[1],
    "dev_urandom": lambda env: "/dev/urandom",
}
for _k, _make in _special.items():
    param("inputs", f"report_of_{_k}", "21.13",
          _reader(lambda env, m=_make: ["report", m(env)], ["report|file|regular|exist|large"]))
    param("inputs", f"compare_of_{_k}", "21.13",
          _reader(lambda env, m=_make: ["compare", m(env), SAMPLE],
                  ["file|regular|exist|large|MiB"]))
    param("inputs", f"history_add_of_{_k}", "21.13",
          _reader(lambda env, m=_make: ["history", "add", m(env), "--db", env.path("h.sqlite"),
                                        "--commit", "c"], ["file|regular|exist|large|MiB"]))
    param("inputs", f"merge_of_{_k}", "21.13",
          _reader(lambda env, m=_make: ["report", "merge", m(env), SAMPLE, "--out",
                                        env.path("m.json")], ["file|regular|exist|large|MiB"]))
    param("inputs", f"suite_of_{_k}", "new",
          _reader(lambda env, m=_make: ["check", "--suite", m(env), "--strategy", "lookup"],
                  ["suite|file|regular|exist|large|MiB"]))
    param("inputs", f"npy_of_{_k}", "new",
          _reader(lambda env, m=_make: ["pool", m(env), "--kernel", "2", "--out",
                                        env.path("v.npy")], ["npy|file|regular|exist|large|MiB"]))
    param("inputs", f"history_db_of_{_k}", "new",
          _reader(lambda env, m=_make: ["history", "show", "--db", m(env)],
                  ["database|file|regular|exist|history"]))


def _long_pattern(option_args):
    def fn(env):
        nested = "(" * 30000 + "a" + ")" * 30000
        for pattern in ["a" * 80000, nested, "(" * 30000, "(((a+)+)+)+$", "\\", "[z-a]",
                        "a{99999}{99999}"]:
            r = env.run(option_args(env, pattern), timeout=40)
            expect(r.status is not None, f"hung on a pattern of {len(pattern)} characters")
            # A valid pattern that matches runs (RE2 takes deep nesting without recursing).
            valid = pattern == nested
            expect(r.status in ({0, 2} if valid else {2}),
                   f"status {r.status} for pattern {pattern[:20]!r}")
            expect("terminate" not in r.text, "an uncaught exception")
            expect(len(r.err) < 4000, f"the message echoes {len(r.err)} bytes of the pattern")
    return fn


param("inputs", "strategy_patterns_huge_nested_invalid", "21.14",
      _long_pattern(lambda env, p: ["check", "--problem", P4, "--strategy", p]))
param("inputs", "history_filter_patterns_huge_nested_invalid", "21.14",
      _long_pattern(lambda env, p: ["history", "show", "--db", history_db(env), "--filter", p]))
param("inputs", "bench_strategy_patterns", "21.14",
      _long_pattern(lambda env, p: ["bench", "--problem", P4, "--strategy", p, *FAST, "--out",
                                    env.path("b.json")]))


BAD_DESCRIPTORS = [
    "", " ", "max", "max:fwd", "garbage:fwd:f32:nchw:1x1x4x4:k2", "max:up:f32:nchw:1x1x4x4:k2",
    "max:fwd:f16x:nchw:1x1x4x4:k2", "max:fwd:f32:nwhc:1x1x4x4:k2", "max:fwd:f32:nchw:1x1x4x4",
    "max:fwd:f32:nchw:1x1x4:k2", "max:fwd:f32:nchw:0x1x4x4:k2", "max:fwd:f32:nchw:1x0x4x4:k2",
    "max:fwd:f32:nchw:1x1x4x4:k0", "max:fwd:f32:nchw:1x1x4x4:k2:s0", "max:fwd:f32:nchw:1x1x4x4:k2:d0",
    "max:fwd:f32:nchw:-1x1x4x4:k2", "max:fwd:f32:nchw:1x1x4x4:k-2", "max:fwd:f32:nchw:1x1x4x4:k5",
    "max:fwd:f32:nchw:1x1x4x4:k2:p2", "max:fwd:f32:nchw:1x1x4x4:k2:p-1",
    "max:fwd:f32:nchw:1x1x99999999999999999999x4:k2",
    "max:fwd:f32:nchw:4294967296x4294967296x4294967296x4294967296:k2",
    "max:fwd:f32:nchw:1x1x3037000500x3037000500:k1", "max:fwd:f32:nchw:1x1x4x4:k2:k3",
    "max:fwd:f32:nchw:1x1x4x4:k2:div3", "avg:fwd:f32:nchw:1x1x4x4:k2:idx",
    "avg:fwd:f32:nchw:1x1x4x4:k2:div0", "avg:fwd:f32:nchw:1x1x4x4:k2:div-1",
    "avg:fwd:f32:nchw:1x1x4x4:k2:div99999999999999999999", "max:fwd:f32:nchw:1x1x4x4:k2:ceil:ceil",
    "max:fwd:f32:nchw:1x1x4x4:k2:bogus", "max:fwd:f32:nchw:1x1x4x4:k2x2x2",
    "max:fwd:f32:nchw:1x1x4x4:kx", "max:fwd:f32:nchw:1x1x4x4:k 2", "max:fwd:f32:nchw:1x1x4x4:k+2",
    "max:fwd:f32:nchw:1x1x4x4:k0x2", "max:fwd:f32:nchw:1x1x4x4:k2:d99999", "max:bwd:u8:nchw:1x1x4x4:k2",
    "max:fwd:f32:nchw:1x1x4x4:k2" + ":ceil" * 5000, "max:fwd:f32:nchw:1x1x4x4:k2\t",
    "max:fwd:f32:nchw:1x1x4x4:k2\u00e9", "max:fwd:f32:nchw:1\uff11x1x4x4:k2",
    "max:fwd:f32:nchw:1x1x4x4:k2:s9223372036854775807",
    "max:fwd:f32:nchw:1x1x4x4:k9223372036854775807",
]


def _descriptor(d):
    def fn(env):
        r = env.run(["check", "--problem", d, "--strategy", "lookup"], timeout=40)
        refused(r, "descriptor|problem|invalid|must|refused|unknown|kernel|size|stride|padding|"
                   "dilation|divisor|overflow|memory|index|indices|backward", bound=30)
    return fn


for _i, _d in enumerate(BAD_DESCRIPTORS):
    param("inputs", f"descriptor_{_i:02d}_{re.sub(r'[^a-z0-9]+', '_', _d[:40].lower())}",
          "new", _descriptor(_d))


@case("inputs")
def descriptor_with_nul_in_a_suite(env):
    s = env.write("nul.txt", b"max:fwd:f32:nchw:1x1x4x4:k2\x00evil\n")
    r = env.run(["check", "--suite", s, "--strategy", "lookup"])
    refused(r, r"\\x00")


@case("inputs")
def suite_of_1mb_line(env):
    s = env.write("long.txt", "max:fwd:f32:nchw:1x1x4x4:k2" + "x" * (1 << 20) + "\n")
    r = env.run(["check", "--suite", s, "--strategy", "lookup"])
    refused(r, "long.txt|descriptor|line")
    expect(len(r.text) < 20000, f"the message echoes {len(r.text)} bytes")


@case("inputs")
def suite_of_binary_garbage(env):
    s = env.write("bin.txt", bytes(range(256)) * 64)
    refused(env.run(["check", "--suite", s, "--strategy", "lookup"]), "bin.txt")


@case("inputs")
def suite_of_comments_only(env):
    s = env.write("c.txt", "# nothing\n\n   \n")
    refused(env.run(["check", "--suite", s, "--strategy", "lookup"]), "no problem|empty|c.txt")


@case("inputs")
def suite_empty_name(env):
    refused(env.run(["check", "--suite", "", "--strategy", "lookup"]), "suite")
    refused(env.run(["check", "--suite", "seeds,", "--strategy", "lookup"]), "suite|empty")


@case("inputs", "21.15")
def huge_problem_refused_before_allocation(env):
    # Refused per entry (each strategy's entry says so), before anything is allocated.
    r = env.run(["check", "--problem", "max:fwd:f64:nchw:64x64x8192x8192:k2", "--strategy",
                 "lookup"], timeout=60)
    ended(r, {1, 2}, bound=20)
    expect(re.search("refused before allocating", r.text), "not refused before allocating")


NPY_CASES = {
    "bad_magic": lambda: npy((4, 4), magic=b"\x93NUMPX"),
    "truncated_header": lambda: npy((4, 4))[:20],
    "header_len_huge": lambda: b"\x93NUMPY\x01\x00\xff\xff" + b" " * 100,
    "v2_header_len_4G": lambda: b"\x93NUMPY\x02\x00\xff\xff\xff\xff" + b"{" * 100,
    "float16": lambda: npy((4, 4), dtype="<f2", data=bytes(32)),
    "big_endian_f4": lambda: npy((4, 4), dtype=">f4", data=bytes(64)),
    "bool": lambda: npy((4, 4), dtype="|b1", data=bytes(16)),
    "object": lambda: npy((4, 4), dtype="|O", data=bytes(128)),
    "complex": lambda: npy((4, 4), dtype="<c8", data=bytes(128)),
    "negative_shape": lambda: npy((-4, 4), data=bytes(64)),
    "zero_shape": lambda: npy((0, 4), data=b""),
    "data_too_short": lambda: npy((4, 4), data=bytes(60)),
    "three_d": lambda: npy((2, 4, 4), data=bytes(128)),
    "five_d": lambda: npy((1, 1, 1, 4, 4), data=bytes(64)),
    "zero_d": lambda: npy((), data=bytes(4)),
    "one_d": lambda: npy((16,), data=bytes(64)),
    "shape_overflow": lambda: npy((2 ** 40, 2 ** 40), data=bytes(64)),
    "shape_2_63": lambda: npy((2 ** 63, 1), data=bytes(64)),
    "shape_huge_declared": lambda: npy((1 << 20, 1 << 20), data=bytes(64)),
    "header_not_a_dict": lambda: b"\x93NUMPY\x01\x00\x76\x00" + b"[1, 2, 3]".ljust(117) + b"\n",
    "python_injection": lambda: npy((4, 4), header_extra="'x': __import__('os').system('touch "
                                    "/tmp/probe-pwned'), "),
    "nul_in_header": lambda: npy((4, 4), header_extra="'x\x00': 1, "),
    "missing_descr": lambda: b"\x93NUMPY\x01\x00\x76\x00" +
    b"{'fortran_order': False, 'shape': (4, 4), }".ljust(117) + b"\n" + bytes(64),
    "duplicate_keys": lambda: npy((4, 4), header_extra="'shape': (400, 400), "),
    "v9": lambda: npy((4, 4), version=(9, 0)),
    "structured_dtype": lambda: npy((4, 4), dtype="[('a', '<f4')]", data=bytes(64)),
    "nan_shape": lambda: npy((4, 4), header_extra="").replace(b"(4, 4)", b"(nan, 4)"),
    "unicode_shape": lambda: npy((4, 4)).replace(b"(4, 4)", "(\u0664, 4)".encode()),
    "empty_file": lambda: b"",
    "int64": lambda: npy((4, 4), dtype="<i8", data=bytes(128)),
    "uint8_shape_1x1x1x1": lambda: npy((1, 1, 1, 1), dtype="|u1", data=bytes(1)),
}


def _npy_case(make):
    def fn(env):
        a = env.write("a.npy", make())
        v = env.path("v.npy")
        r = env.run(["pool", a, "--kernel", "2", "--out", v], timeout=60)
        refused(r, "npy|a\\.npy|shape|dtype|header|kernel|size|memory|input", bound=30)
        expect(not os.path.exists(v), "wrote an output")
        expect(not os.path.exists("/tmp/probe-pwned"), "ran the header as Python")
    return fn


for _k, _m in NPY_CASES.items():
    param("inputs", f"npy_{_k}", "new", _npy_case(_m))


@case("inputs")
def npy_fortran_order_is_read_as_numpy_reads_it(env):
    # The same 4x6 array in C order and in Fortran order (its transpose's bytes): one result.
    rows, cols = 4, 6
    values = [float((i * 7) % 11) for i in range(rows * cols)]
    transposed = [values[r * cols + c] for c in range(cols) for r in range(rows)]
    a = env.write("c.npy", npy((rows, cols), data=struct.pack(f"<{rows * cols}f", *values)))
    f = env.write("f.npy", npy((rows, cols), fortran=True,
                               data=struct.pack(f"<{rows * cols}f", *transposed)))
    ended(env.run(["pool", a, "--kernel", "2", "--out", env.path("c_out.npy")]), {0})
    ended(env.run(["pool", f, "--kernel", "2", "--out", env.path("f_out.npy")]), {0})
    expect(digest(env.path("c_out.npy")) == digest(env.path("f_out.npy")),
           "a Fortran-order array pooled differently from the same array in C order")


@case("inputs")
def npy_versions_2_and_3_and_trailing_bytes_are_read_as_numpy_reads_them(env):
    # numpy.load reads headers of versions 2.0 and 3.0, and ignores bytes after the data.
    for name, data in [("v2", npy((4, 4), version=(2, 0))), ("v3", npy((4, 4), version=(3, 0))),
                       ("long", npy((4, 4)) + b"trailing")]:
        a = env.write(name + ".npy", data)
        ended(env.run(["pool", a, "--kernel", "2", "--out", env.path(name + "_out.npy")]), {0})
        expect(digest(env.path(name + "_out.npy")) == digest(env.path("v2_out.npy")),
               f"{name} pooled differently")


@case("inputs")
def npy_kernel_larger_than_the_array(env):
    a = env.write("a.npy", npy((4, 4)))
    refused(env.run(["pool", a, "--kernel", "9", "--out", env.path("v.npy")]), "kernel|size|output")


def _hostile_report(make, patterns=("report|json|r\\.json",)):
    def fn(env):
        path = env.write("r.json", make())
        for args in (["report", path], ["compare", path, SAMPLE],
                     ["history", "add", path, "--db", env.path("h.sqlite"), "--commit", "c"],
                     ["report", "merge", path, SAMPLE, "--out", env.path("m.json")]):
            r = env.run(args, timeout=60)
            refused(r, *patterns, bound=40)
        expect(not os.path.exists(env.path("m.json")), "merge wrote an output")
    return fn


def _sample_with(mutate):
    def make():
        j = json.load(open(SAMPLE))
        mutate(j)
        return json.dumps(j)
    return make


def _set(path, value):
    def mutate(j):
        node = j
        for k in path[:-1]:
            node = node[k]
        node[path[-1]] = value
    return mutate


REPORTS = {
    "nested_100000": (lambda: "[" * 100000 + "]" * 100000, ()),
    "nested_objects_100000": (lambda: '{"a":' * 100000 + "1" + "}" * 100000, ()),
    "nan_literal": (lambda: open(SAMPLE).read().replace('"num_cpus": 2', '"num_cpus": NaN'), ()),
    "bad_utf8": (lambda: open(SAMPLE, "rb").read().replace(b'"ci-1"', b'"ci-\xff\xfe"'), ()),
    "version_999": (_sample_with(_set(["context", "poolbench_report_version"], 999)),
                    ("version",)),
    "version_string": (_sample_with(_set(["context", "poolbench_report_version"], "3")),
                       ("version",)),
    "descriptor_mismatch": (_sample_with(lambda j: j["benchmarks"][0].update(
        descriptor="avg:bwd:f64:nhwc:9x9x9x9:k3")), ("descriptor",)),
    "descriptor_garbage": (_sample_with(lambda j: j["benchmarks"][0].update(descriptor="zz")),
                           ("descriptor",)),
    "number_overflow": (lambda: open(SAMPLE).read().replace('"num_cpus": 2', '"num_cpus": 1e999'),
                        ("r\\.json",)),
    "huge_integer": (lambda: open(SAMPLE).read().replace(
        '"num_cpus": 2', '"num_cpus": 99999999999999999999999999'), ("r\\.json",)),
    "empty_file": (lambda: "", ()),
    "empty_object": (lambda: "{}", ()),
    "array": (lambda: "[]", ()),
    "null": (lambda: "null", ()),
    "truncated": (lambda: open(SAMPLE).read()[:-200], ()),
    "trailing_garbage": (lambda: open(SAMPLE).read() + "}{", ()),
    "negative_time": (_sample_with(lambda j: j["benchmarks"][0].update(real_time=-5)), ()),
    "time_string": (_sample_with(lambda j: j["benchmarks"][0].update(real_time="fast")), ()),
    "benchmarks_not_array": (_sample_with(_set(["benchmarks"], {"a": 1})), ()),
    "threads_zero": (_sample_with(lambda j: j["benchmarks"][0].update(threads=0)), ()),
    "threads_huge": (_sample_with(lambda j: j["benchmarks"][0].update(threads=2 ** 40)), ()),
    "duplicate_entry": (_sample_with(lambda j: j["benchmarks"].append(j["benchmarks"][0])), ()),
    "shard_bad": (_sample_with(_set(["context", "shard"], "3/2")), ("shard",)),
}
for _k, (_m, _p) in REPORTS.items():
    param("inputs", f"report_json_{_k}", "21.13" if "nested" in _k else "21.16",
          _hostile_report(_m, _p or ("report|json|r\\.json",)))


@case("inputs")
def report_json_nul_in_string_does_not_cut_messages(env):
    j = json.load(open(SAMPLE))
    j["benchmarks"][0]["descriptor"] = "max:fwd\u0000:evil"
    path = env.write("r.json", json.dumps(j))
    r = env.run(["report", path])
    refused(r, r"\\x00|\\u0000", "evil")


# history databases: corrupt, foreign, future schema, hostile values


def _history_case(prepare, patterns, command="show"):
    def fn(env):
        db = prepare(env)
        keep = Unchanged(db)
        if command == "show":
            r = env.run(["history", "show", "--db", db])
        elif command == "html":
            r = env.run(["history", "html", "--db", db, "--out", env.path("h.html")])
        else:
            r = env.run(["history", "add", SAMPLE, "--db", db, "--commit", "c9"])
        refused(r, *patterns, bound=30)
        keep.check()
        expect(not os.path.exists(env.path("h.html")), "wrote a page")
    return fn


def _db_sql(sql):
    def prepare(env):
        db = history_db(env)
        con = sqlite3.connect(db)
        con.executescript(sql)
        con.commit()
        con.close()
        return db
    return prepare


def _db_bytes(mangle):
    def prepare(env):
        db = history_db(env)
        data = bytearray(open(db, "rb").read())
        mangle(data)
        with open(db, "wb") as f:
            f.write(data)
        return db
    return prepare


def _db_tables(env):
    con = sqlite3.connect(history_db(env, "probe.sqlite"))
    tables = {t: [c[1] for c in con.execute(f"pragma table_info({t})")]
              for (t,) in con.execute("select name from sqlite_master where type='table'")}
    con.close()
    return tables


def _foreign(env):
    db = env.path("foreign.sqlite")
    con = sqlite3.connect(db)
    con.execute("create table users(id integer, name text)")
    con.execute("insert into users values (1, 'alice')")
    con.commit()
    con.close()
    return db


def _column_value(column_hint, value):
    def prepare(env):
        db = history_db(env)
        con = sqlite3.connect(db)
        for (t,) in con.execute("select name from sqlite_master where type='table'").fetchall():
            cols = [c[1] for c in con.execute(f"pragma table_info({t})")]
            for c in cols:
                if c == column_hint:
                    con.execute(f"update {t} set {c} = ?", (value,))
        con.commit()
        con.close()
        return db
    return prepare


HISTORY_DBS = {
    "foreign": (_foreign, ("not a poolbench history|poolbench",), "show"),
    "foreign_add": (_foreign, ("not a poolbench history|poolbench",), "add"),
    "future_schema": (_db_sql("update schema_version set version = 999;"), ("version|schema",),
                      "show"),
    "future_schema_add": (_db_sql("update schema_version set version = 999;"),
                          ("version|schema",), "add"),
    "header_corrupt": (_db_bytes(lambda d: d.__setitem__(slice(0, 16), b"x" * 16)),
                       ("database|corrupt|not a|sqlite",), "show"),
    "pages_corrupt": (_db_bytes(lambda d: d.__setitem__(slice(4096, 8192), b"\xff" * 4096)),
                      ("database|corrupt|malformed",), "show"),
    "truncated": (_db_bytes(lambda d: d.__delitem__(slice(len(d) // 2, None))),
                  ("database|corrupt|malformed|history",), "show"),
    "empty_file_show": (lambda env: env.write("e.sqlite", b""), ("no commits|history|database",),
                        "show"),
    "time_text": (_column_value("time_ns", "fast"), ("time_ns",), "show"),
    "time_negative": (_column_value("time_ns", -1.0), ("time_ns",), "html"),
    "threads_zero": (_column_value("threads", 0), ("threads",), "show"),
    "date_bad": (_column_value("date", "yesterday"), ("date",), "show"),
    "gbps_text": (_column_value("gbps", "lots"), ("gbps",), "show"),
    "wrong_text": (_column_value("wrong", "maybe"), ("wrong",), "html"),
}
for _k, (_p, _pat, _c) in HISTORY_DBS.items():
    param("inputs", f"history_db_{_k}", "new", _history_case(_p, _pat, _c))


@case("inputs")
def history_db_read_only_file_for_add(env):
    ro = env.path("ro")
    os.mkdir(ro)
    db = history_db(env)
    shutil.copy(db, ro)
    if subprocess.run(["mount", "--bind", "-o", "ro", ro, ro], capture_output=True).returncode:
        raise Skip("cannot bind-mount read-only")
    subprocess.run(["mount", "-o", "remount,bind,ro", ro], capture_output=True)
    try:
        r = env.run(["history", "add", SAMPLE, "--db", os.path.join(ro, "h.sqlite"), "--commit",
                     "c2"])
        refused(r, "read-only|readonly|write|permission")
    finally:
        subprocess.run(["umount", ro], capture_output=True)


@case("inputs")
def history_show_of_a_missing_database(env):
    r = env.run(["history", "show", "--db", env.path("none.sqlite")])
    refused(r, "none.sqlite")
    expect(not os.path.exists(env.path("none.sqlite")), "show created the database")


# ---- validation gaps (21.15, 21.16) ----------------------------------------------------------

BAD_NUMBERS = ["-1", "nan", "inf", "-inf", "1e999", "99999999999999999999999", "abc", "",
               "0x10", "1,5", " 1"]


def _number_case(args_of, value, patterns):
    def fn(env):
        out = env.write("out.json", open(SAMPLE).read())
        keep = Unchanged(out)
        r = env.run(args_of(env, value), timeout=60)
        refused(r, *patterns, bound=20)
        keep.check()
        expect(not os.path.exists(out + ".journal"), "left a journal")
    return fn


NUMERIC_OPTIONS = {
    "check --fuzz": (lambda env, v: ["check", "--problem", P4, "--strategy", "lookup", "--fuzz",
                                     v], BAD_NUMBERS),
    "check --seed": (lambda env, v: ["check", "--problem", P4, "--strategy", "lookup", "--seed",
                                     v], BAD_NUMBERS),
    "check --threads": (lambda env, v: ["check", "--problem", P4, "--strategy", "lookup",
                                        "--threads", v], BAD_NUMBERS + ["0", "1,,2", "1,1"]),
    "check --timeout": (lambda env, v: ["check", "--problem", P4, "--strategy", "lookup",
                                        "--timeout", v], BAD_NUMBERS),
    "check --memory-limit": (lambda env, v: ["check", "--problem", P4, "--strategy", "lookup",
                                             "--memory-limit", v],
                             BAD_NUMBERS + ["1.5G", "banana", "4Q", "9223372036854775808"]),
    "bench --threads": (lambda env, v: ["bench", "--problem", P4, "--strategy", "lookup", *FAST,
                                        "--out", env.path("out.json"), "--threads", v],
                        BAD_NUMBERS + ["0", "1,,2", "1025"]),
    "bench --repetitions": (lambda env, v: ["bench", "--problem", P4, "--strategy", "lookup",
                                            "--out", env.path("out.json"), "--repetitions", v],
                            BAD_NUMBERS + ["0", "1001"]),
    "bench --processes": (lambda env, v: ["bench", "--problem", P4, "--strategy", "lookup",
                                          "--out", env.path("out.json"), "--processes", v],
                          BAD_NUMBERS + ["0"]),
    "bench --retries": (lambda env, v: ["bench", "--problem", P4, "--strategy", "lookup",
                                        "--out", env.path("out.json"), "--retries", v],
                        BAD_NUMBERS + ["21"]),
    "bench --min-time": (lambda env, v: ["bench", "--problem", P4, "--strategy", "lookup",
                                         "--out", env.path("out.json"), "--min-time", v],
                         BAD_NUMBERS + ["0", "1e-9"]),
    "bench --seed": (lambda env, v: ["bench", "--problem", P4, "--strategy", "lookup", "--out",
                                     env.path("out.json"), "--seed", v], BAD_NUMBERS),
    "bench --bandwidth-seconds": (lambda env, v: ["bench", "--problem", P4, "--strategy",
                                                  "lookup", "--out", env.path("out.json"),
                                                  "--bandwidth-seconds", v], BAD_NUMBERS),
    "bench --timeout": (lambda env, v: ["bench", "--problem", P4, "--strategy", "lookup",
                                        "--out", env.path("out.json"), "--timeout", v],
                        BAD_NUMBERS),
    "bench --memory-limit": (lambda env, v: ["bench", "--problem", P4, "--strategy", "lookup",
                                             "--out", env.path("out.json"), "--memory-limit", v],
                             BAD_NUMBERS + ["1.5G", "banana"]),
    "bench --shard": (lambda env, v: ["bench", "--problem", P4, "--strategy", "lookup", "--out",
                                      env.path("out.json"), "--shard", v],
                      ["0/2", "3/2", "1/0", "-1/2", "1/", "/2", "1/2/3", "a/b",
                       "1/99999999999999999999"]),
    "ab --rounds": (lambda env, v: ["ab", env.exe, env.exe, "--problem", P4, "--out",
                                    env.path("ab.json"), "--rounds", v], BAD_NUMBERS + ["1"]),
    "ab --seed": (lambda env, v: ["ab", env.exe, env.exe, "--problem", P4, "--out",
                                  env.path("ab.json"), "--seed", v], BAD_NUMBERS),
    "ab --threshold": (lambda env, v: ["ab", env.exe, env.exe, "--problem", P4, "--out",
                                       env.path("ab.json"), "--threshold", v], BAD_NUMBERS),
    "ab --alpha": (lambda env, v: ["ab", env.exe, env.exe, "--problem", P4, "--out",
                                   env.path("ab.json"), "--alpha", v], BAD_NUMBERS + ["2"]),
    "ab --noise-k": (lambda env, v: ["ab", env.exe, env.exe, "--problem", P4, "--out",
                                     env.path("ab.json"), "--noise-k", v], BAD_NUMBERS),
    "ab --process-timeout": (lambda env, v: ["ab", env.exe, env.exe, "--problem", P4, "--out",
                                             env.path("ab.json"), "--process-timeout", v],
                             BAD_NUMBERS),
    "ab --problems-per-process": (lambda env, v: ["ab", env.exe, env.exe, "--problem", P4,
                                                  "--out", env.path("ab.json"),
                                                  "--problems-per-process", v], BAD_NUMBERS),
    "ab --threads": (lambda env, v: ["ab", env.exe, env.exe, "--problem", P4, "--out",
                                     env.path("ab.json"), "--threads", v],
                     BAD_NUMBERS + ["1,,2"]),
    "compare --threshold": (lambda env, v: ["compare", SAMPLE, SAMPLE, "--threshold", v],
                            BAD_NUMBERS),
    "compare --alpha": (lambda env, v: ["compare", SAMPLE, SAMPLE, "--alpha", v],
                        BAD_NUMBERS + ["1.5"]),
    "history --alpha": (lambda env, v: ["history", "show", "--db", history_db(env), "--alpha",
                                        v], BAD_NUMBERS + ["0", "2"]),
    "history --min-effect": (lambda env, v: ["history", "show", "--db", history_db(env),
                                             "--min-effect", v], BAD_NUMBERS),
    "history --min-commits": (lambda env, v: ["history", "show", "--db", history_db(env),
                                              "--min-commits", v], BAD_NUMBERS + ["0"]),
    "roofline --threads": (lambda env, v: ["roofline", "--threads", v, "--seconds", "0.01"],
                           BAD_NUMBERS + ["100000"]),
    "roofline --seconds": (lambda env, v: ["roofline", "--seconds", v], BAD_NUMBERS),
    "pool --kernel": (lambda env, v: ["pool", env.write("a.npy", npy((4, 4))), "--out",
                                      env.path("v.npy"), "--kernel", v],
                      BAD_NUMBERS + ["0", "2x", "x2", "2x2x2", "-2x2"]),
    "pool --stride": (lambda env, v: ["pool", env.write("a.npy", npy((4, 4))), "--kernel", "2",
                                      "--out", env.path("v.npy"), "--stride", v],
                      BAD_NUMBERS + ["0"]),
    "pool --padding": (lambda env, v: ["pool", env.write("a.npy", npy((4, 4))), "--kernel", "2",
                                       "--out", env.path("v.npy"), "--padding", v],
                       BAD_NUMBERS + ["5"]),
    "pool --dilation": (lambda env, v: ["pool", env.write("a.npy", npy((4, 4))), "--kernel",
                                        "2", "--out", env.path("v.npy"), "--dilation", v],
                        BAD_NUMBERS + ["0"]),
    "pool --divisor": (lambda env, v: ["pool", env.write("a.npy", npy((4, 4))), "--kernel", "2",
                                       "--op", "avg", "--out", env.path("v.npy"), "--divisor",
                                       v], BAD_NUMBERS + ["0"]),
    "pool --timeout": (lambda env, v: ["pool", env.write("a.npy", npy((4, 4))), "--kernel", "2",
                                       "--out", env.path("v.npy"), "--timeout", v], BAD_NUMBERS),
}
# Values some options accept on purpose: an empty --threads is not one of them.
_ACCEPTED = {("check --seed", "0x10"), ("bench --seed", "0x10")}
for _opt, (_f, _vals) in NUMERIC_OPTIONS.items():
    for _v in _vals:
        if (_opt, _v) in _ACCEPTED or (_opt.endswith("--threads") and _v == "1,5"):
            continue
        _flag = _opt.split()[1]
        param("validation", f"{_opt.replace(' ', '_').replace('--', '')}={_v!r}", "21.16",
              _number_case(_f, _v, (re.escape(_flag) + "|" + re.escape(_v.strip() or "''")
                                    if _v.strip() else re.escape(_flag),)))


@case("validation", "21.15")
def memory_limit_environment_banana(env):
    r = env.run(["check", "--problem", P4, "--strategy", "lookup"],
                env={"POOLBENCH_MEMORY_LIMIT": "banana"})
    refused(r, "POOLBENCH_MEMORY_LIMIT", "banana")
    expect(not re.search("THREW", r.text), "blamed a strategy")


@case("validation", "21.15")
def memory_limit_environment_negative_in_bench(env):
    out = env.write("out.json", open(SAMPLE).read())
    keep = Unchanged(out)
    r = env.run(["bench", "--problem", P4, "--strategy", "lookup", *FAST, "--out", out],
                env={"POOLBENCH_MEMORY_LIMIT": "-1"})
    refused(r, "POOLBENCH_MEMORY_LIMIT")
    keep.check()


@case("validation", "21.15")
def memory_limit_environment_in_pool(env):
    a = env.write("a.npy", npy((4, 4)))
    r = env.run(["pool", a, "--kernel", "2", "--out", env.path("v.npy")],
                env={"POOLBENCH_MEMORY_LIMIT": "99999999999999999999999"})
    refused(r, "POOLBENCH_MEMORY_LIMIT")


@case("validation", "21.16")
def merge_shards_of_different_counts(env):
    a = bench_report(env, "a.json", extra=["--shard", "1/2"])
    s = suite(env, "two.txt", [P4, P8])
    b = env.run(["bench", "--suite", s, "--strategy", "naive_loops|lookup", *FAST, "--shard",
                 "2/3", "--out", env.path("b.json")])
    if b.status != 0:
        raise Failed("fixture bench failed: " + b.err[-300:])
    r = env.run(["report", "merge", a, env.path("b.json"), "--out", env.path("m.json")])
    refused(r, "shard")
    expect(not os.path.exists(env.path("m.json")), "wrote a merged report")


@case("validation", "21.16")
def merge_the_same_shard_twice(env):
    a = bench_report(env, "a.json", extra=["--shard", "1/2"])
    shutil.copy(a, env.path("a2.json"))
    r = env.run(["report", "merge", a, env.path("a2.json"), "--out", env.path("m.json")])
    refused(r, "shard|twice|again|duplicate")


@case("validation", "21.16")
def merge_shards_from_different_machines(env):
    a = bench_report(env, "a.json", extra=["--shard", "1/2"])
    s = suite(env, "two.txt", [P4, P8])
    b = env.run(["bench", "--suite", s, "--strategy", "naive_loops|lookup", *FAST, "--shard",
                 "2/2", "--out", env.path("b.json")])
    if b.status != 0:
        raise Failed("fixture bench failed: " + b.err[-300:])
    j = report_json(env.path("b.json"))
    # Another host with the same CPU model and another core count: merge warns (shards run on
    # alike hosts are fine), or refuses; it never joins them without a word.
    j["context"]["host_name"] = "another-machine"
    j["context"]["num_cpus"] = 96
    json.dump(j, open(env.path("b.json"), "w"))
    r = env.run(["report", "merge", a, env.path("b.json"), "--out", env.path("m.json")])
    ended(r, {0, 2})
    expect(re.search("num_cpus", r.err), "no word of the machines' difference")


@case("validation", "21.16")
def report_markdown_and_csv_to_one_file(env):
    refused(env.run(["report", SAMPLE, "--markdown", env.path("x"), "--csv", env.path("x")]),
            "same file")


@case("validation", "21.16")
def report_markdown_and_html_to_one_file_through_a_link(env):
    os.symlink(env.path("x"), env.path("y"))
    refused(env.run(["report", SAMPLE, "--markdown", env.path("x"), "--html", env.path("y")]),
            "same file")


@case("validation", "21.16")
def ab_out_and_markdown_to_one_file(env):
    r = env.run(["ab", env.exe, env.exe, "--problem", P4, "--strategy", "lookup", "--out",
                 env.path("x"), "--markdown", env.path("x")])
    refused(r, "same file", bound=10)


@case("validation", "21.16")
def check_json_and_junit_to_one_file(env):
    r = env.run(["check", "--problem", P4, "--strategy", "lookup", "--json", env.path("x"),
                 "--junit", env.path("x")])
    refused(r, "same file", bound=10)


@case("validation", "21.16")
def pool_out_and_indices_to_one_file(env):
    a = env.write("a.npy", npy((4, 4)))
    r = env.run(["pool", a, "--kernel", "2", "--out", env.path("x.npy"), "--indices",
                 env.path("x.npy")])
    refused(r, "same file")


@case("validation", "21.16")
def compare_json_and_markdown_to_one_file(env):
    refused(env.run(["compare", SAMPLE, SAMPLE, "--json", env.path("x"), "--markdown",
                     env.path("x")]), "same file")


def _empty_out(args_of):
    def fn(env):
        r = env.run(args_of(env), timeout=30)
        refused(r, "empty|''|path", bound=10)
        left = os.listdir(env.dir)
        expect(not [n for n in left if n.startswith(".")], f"left {left}")
    return fn


for _name, _args in [
    ("bench", lambda env: ["bench", "--problem", P4, "--strategy", "lookup", *FAST, "--out", ""]),
    ("check_json", lambda env: ["check", "--problem", P4, "--strategy", "lookup", "--json", ""]),
    ("check_junit", lambda env: ["check", "--problem", P4, "--strategy", "lookup", "--junit",
                                 ""]),
    ("report_merge", lambda env: ["report", "merge", SAMPLE, SAMPLE, "--out", ""]),
    ("report_html", lambda env: ["report", SAMPLE, "--html", ""]),
    ("history_html", lambda env: ["history", "html", "--db", history_db(env), "--out", ""]),
    ("history_db", lambda env: ["history", "add", SAMPLE, "--db", "", "--commit", "c"]),
    ("pool", lambda env: ["pool", env.write("a.npy", npy((4, 4))), "--kernel", "2", "--out",
                          ""]),
    ("ab", lambda env: ["ab", env.exe, env.exe, "--problem", P4, "--out", ""]),
    ("compare_json", lambda env: ["compare", SAMPLE, SAMPLE, "--json", ""]),
]:
    param("validation", f"{_name}_empty_output_path", "21.16", _empty_out(_args))


@case("validation", "21.16")
def bench_out_in_a_missing_directory_fails_before_work(env):
    r = env.run(["bench", "--suite", slow_suite(env), "--strategy", "naive|lookup", *FAST,
                 "--out", env.path("no", "such", "dir", "r.json")])
    refused(r, "does not exist|directory", bound=5)


@case("validation")
def history_add_bad_date(env):
    for date in ["yesterday", "2026-13-45T99:99:99Z", "", "2026-01-01T00:00:00+99:00"]:
        r = env.run(["history", "add", SAMPLE, "--db", env.path("h.sqlite"), "--commit", "c",
                     "--date", date])
        refused(r, "date")


@case("validation")
def history_add_empty_commit(env):
    r = env.run(["history", "add", SAMPLE, "--db", env.path("h.sqlite"), "--commit", ""])
    refused(r, "commit")


@case("validation")
def history_add_same_commit_twice(env):
    db = history_db(env)
    keep = Unchanged(db)
    r = env.run(["history", "add", SAMPLE, "--db", db, "--commit", "c1"])
    refused(r, "already|replace")
    keep.check()


@case("validation")
def pool_unknown_strategy(env):
    a = env.write("a.npy", npy((4, 4)))
    refused(env.run(["pool", a, "--kernel", "2", "--strategy", "nope", "--out",
                     env.path("v.npy")]), "nope")


@case("validation")
def pool_strategy_regex_matching_several(env):
    a = env.write("a.npy", npy((4, 4)))
    r = env.run(["pool", a, "--kernel", "2", "--strategy", ".", "--out", env.path("v.npy")])
    ended(r, {0, 2})


@case("validation")
def pool_indices_for_avg(env):
    a = env.write("a.npy", npy((4, 4)))
    refused(env.run(["pool", a, "--kernel", "2", "--op", "avg", "--out", env.path("v.npy"),
                     "--indices", env.path("i.npy")]), "indices|avg")


@case("validation")
def unknown_subcommand_and_option(env):
    refused(env.run(["frobnicate"]), "frobnicate")
    refused(env.run(["check", "--frobnicate"]), "frobnicate")


# ---- misleading messages (21.17) -------------------------------------------------------------


@case("messages", "21.17")
def memory_refusal_names_the_memory_limit_option(env):
    r = env.run(["check", "--problem", "max:fwd:f32:nchw:1x64x512x512:k2", "--strategy",
                 "lookup", "--memory-limit", "1M"])
    ended(r, {1, 2})
    expect(re.search("--memory-limit", r.text), "does not name --memory-limit")
    expect(not re.search("MemAvailable|RLIMIT_AS", r.text), "names another limit")


@case("messages", "21.17")
def memory_refusal_names_the_environment_limit(env):
    r = env.run(["check", "--problem", "max:fwd:f32:nchw:1x64x512x512:k2", "--strategy",
                 "lookup"], env={"POOLBENCH_MEMORY_LIMIT": "1M"})
    ended(r, {1, 2})
    expect(re.search("POOLBENCH_MEMORY_LIMIT", r.text), "does not name POOLBENCH_MEMORY_LIMIT")


@case("messages", "21.17")
def range_message_is_readable(env):
    for args in (["compare", SAMPLE, SAMPLE, "--threshold", "-1"],
                 ["bench", "--problem", P4, "--out", env.path("o.json"), "--min-time", "0"]):
        r = env.run(args)
        refused(r)
        expect(not re.search(r"1\.79e\+?308|\d\.\d{6} to", r.text), f"unreadable range: {r.err}")


@case("messages", "21.17")
def bom_is_read_or_named(env):
    # A byte order mark before the JSON (an editor's) is read past, as RFC 8259 allows, or
    # refused naming it; never "unknown field" about something invisible.
    path = env.write("r.json", b"\xef\xbb\xbf" + open(SAMPLE, "rb").read())
    for args in (["report", path], ["compare", path, SAMPLE],
                 ["history", "add", path, "--db", env.path("h.sqlite"), "--commit", "c"]):
        r = env.run(args)
        ended(r, {0, 2})
        if r.status == 2:
            expect(re.search("BOM|byte.order.mark", r.text), "refused without naming the BOM")
        expect(not re.search("unknown field", r.text), "calls the BOM an unknown field")


@case("messages", "21.17")
def number_overflow_names_the_file(env):
    path = env.write("over.json", open(SAMPLE).read().replace('"num_cpus": 2',
                                                              '"num_cpus": 1e999'))
    refused(env.run(["compare", path, SAMPLE]), "over.json")


@case("messages", "21.17")
def descriptor_nul_shown_escaped(env):
    j = json.load(open(SAMPLE))
    j["benchmarks"][0]["descriptor"] = "max\u0000evil"
    path = env.write("r.json", json.dumps(j))
    refused(env.run(["report", path]), r"\\x00|\\u0000")


@case("messages")
def missing_plugin_named(env):
    refused(env.run(["--plugin", env.path("nope.so"), "list"]), "nope.so")


@case("messages")
def wrong_abi_plugin_named(env):
    refused(env.run(["--plugin", env.plugin("bad", "wrong_abi_plugin"), "list"]),
            "wrong_abi_plugin", "ABI|version")


@case("messages")
def wrong_layout_plugin_named(env):
    refused(env.run(["--plugin", env.plugin("bad", "wrong_layout_plugin"), "list"]),
            "wrong_layout_plugin", "layout")


@case("messages")
def plugin_throwing_at_registration_named(env):
    refused(env.run(["--plugin", env.plugin("bad", "throwing_plugin"), "list"]),
            "throwing_plugin")


@case("messages")
def plugin_without_entry_point_named(env):
    refused(env.run(["--plugin", env.plugin("bad", "no_entry_plugin"), "list"]),
            "no_entry_plugin", "entry|poolbench_plugin")


@case("messages")
def python_syntax_error_named(env):
    plugin = os.path.join(ROOT, "tests", "python", "files", "syntax_error.py")
    if not env.python_host:
        raise Skip("no Python host")
    refused(env.run(["--plugin", plugin, "list"]), "syntax_error.py", "SyntaxError")


@case("messages")
def compare_of_two_unrelated_reports(env):
    b = bench_report(env, "b.json")
    refused(env.run(["compare", SAMPLE, b, "--force"]), "common|no benchmark")


@case("messages")
def compare_across_machines_refused_without_force(env):
    j = json.load(open(SAMPLE))
    j["context"]["num_cpus"] = 96
    path = env.write("other.json", json.dumps(j))
    refused(env.run(["compare", SAMPLE, path]), "force", status=2)


# ---- hostile plugins in check and bench -----------------------------------------------------


def _faulty_check(plugin, strategy, verdict, extra=(), bound=60):
    def fn(env):
        r, v = _check_json(env, env.plugin("faulty", plugin), strategy + "|lookup_table",
                           extra=extra, timeout=bound + 60)
        ended(r, {1}, bound=bound)
        expect(v.get("lookup_table") == {"pass"}, f"lookup_table: {v.get('lookup_table')}")
        expect(v.get(strategy, set()) - {"pass"}, f"{strategy}: {v.get(strategy)}")
        expect(re.search(verdict, r.text, re.I), f"the verdict /{verdict}/ is not named")
        expect(re.search("repro", r.text, re.I), "no repro line")
    return fn


for _p, _s, _v, _x in [("faulty_segfault_plugin", "faulty_segfault", "crash", ()),
                       ("faulty_abort_plugin", "faulty_abort", "SIGABRT|abort", ()),
                       ("faulty_far_past_plugin", "faulty_far_past", "past the output", ()),
                       ("faulty_before_plugin", "faulty_before", "before the output", ()),
                       ("faulty_input_plugin", "faulty_input", "into the input", ()),
                       ("faulty_throws_plugin", "faulty_throws", "threw", ()),
                       ("faulty_exit_plugin", "faulty_exit", "exit", ()),
                       ("faulty_loop_plugin", "faulty_loop", "timed.out", ("--timeout", "2")),
                       ("faulty_oom_plugin", "faulty_oom", "out.of.memory",
                        ("--memory-limit", "256M")),
                       ("faulty_wrong_plugin", "faulty_wrong", "wrong|differ|FAIL", ())]:
    param("plugins", f"check_{_s}", "new", _faulty_check(_p, _s, _v, _x))


def _faulty_bench(plugin, strategy, verdict, extra=()):
    def fn(env):
        out = env.write("out.json", "previous\n")
        r = env.run(["--plugin", env.plugin("faulty", plugin), "bench", "--problem", P4,
                     "--strategy", strategy + "|lookup_table", *FAST, "--out", out, *extra],
                    timeout=120)
        ended(r, {1}, bound=90)
        rows = [b for b in report_json(out)["benchmarks"] if b.get("run_type") == "iteration"]
        bad = {b["strategy"] for b in rows if b.get("error_occurred")}
        expect(bad == {strategy}, f"failed entries: {bad}")
        expect(re.search(verdict, r.text, re.I), f"the verdict /{verdict}/ is not named")
        expect(not os.path.exists(out + ".journal"), "left the journal")
    return fn


for _p, _s, _v, _x in [("faulty_segfault_plugin", "faulty_segfault", "crash", ()),
                       ("faulty_exit_plugin", "faulty_exit", "exit", ()),
                       ("faulty_loop_plugin", "faulty_loop", "timed.out", ("--timeout", "2")),
                       ("faulty_oom_plugin", "faulty_oom", "memory", ("--memory-limit", "256M")),
                       ("faulty_setsid_plugin", "faulty_setsid", "process|left|child", ()),
                       ("faulty_throws_plugin", "faulty_throws", "threw", ())]:
    param("plugins", f"bench_{_s}", "new", _faulty_bench(_p, _s, _v, _x))


PY_HEAD = """import os, signal, sys
import numpy as np
import poolbench


def blocks(p):
    if p.op != "max" or p.direction != "fwd" or p.indices or p.layout != "nchw":
        return "max forward NCHW values only"
    if p.kernel != (2, 2) or p.stride != (2, 2) or p.padding != (0, 0) or p.dilation != (1, 1):
        return "2x2 blocks only"
    if p.h % 2 or p.w % 2:
        return "even planes only"
    return None

"""


def _py_fault(body, verdict, extra=(), name="py_fault"):
    def fn(env):
        plugin = env.pyfile(name + ".py", PY_HEAD + f"""
@poolbench.strategy("{name}", "misbehaves", supports=blocks)
def {name}(x, p):
{body}
""")
        r, v = _check_json(env, plugin, name + "|lookup_table", extra=extra)
        ended(r, {1}, bound=90)
        expect(v.get("lookup_table") == {"pass"}, f"lookup_table: {v.get('lookup_table')}")
        expect(v.get(name, set()) - {"pass"}, f"{name}: {v.get(name)}")
        expect(re.search(verdict, r.text, re.I), f"the verdict /{verdict}/ is not named")
    return fn


for _n, _b, _v, _x in [
    ("os_exit", "    os._exit(0)", "exit", ()),
    ("sys_exit", "    sys.exit(3)", "exit|SystemExit|threw", ()),
    ("raise", "    raise ValueError('bad shape')", "bad shape", ()),
    ("sigsegv", "    os.kill(os.getpid(), signal.SIGSEGV)", "crash|SIGSEGV", ()),
    ("ignore_sigint_then_loop", "    signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
     "    while True: pass", "timed.out", ("--timeout", "2")),
    ("wrong_dtype", "    return np.zeros((p.n, p.c, p.h // 2, p.w // 2), np.float64)",
     "dtype|type", ()),
    ("wrong_shape", "    return np.zeros((1, 1, 1, 1), np.float32)", "shape", ()),
    ("returns_none", "    return None", "None|return", ()),
    ("returns_string", "    return 'hello'", "str|array|return", ()),
    ("huge_allocation", "    return np.ones((1 << 40,), np.uint8)", "memory", ()),
    ("writes_into_input", "    x.flat[0] = 1\n    return x", "read-only|writ", ()),
    ("recursion", "    def f(n): return f(n + 1)\n    f(0)", "recursion|threw|crash", ()),
]:
    param("plugins", f"python_{_n}", "new", _py_fault(_b, _v, _x, name="py_" + _n), python=True)


# ---- running -------------------------------------------------------------------------------


def run_case(env, c):
    env.dir = tempfile.mkdtemp(prefix="probe-", dir="/tmp")
    env.commands, env.outputs = [], []
    o = Outcome(c, passed=False)
    try:
        c.fn(env)
        o.passed = True
    except Skip as s:
        o.skipped, o.failures = True, [str(s)]
    except Failed as f:
        o.failures = [str(f)]
    except Exception as e:  # a fixture or the probe itself
        o.failures = [f"probe error: {type(e).__name__}: {e}"]
    finally:
        env.cleanup()
        o.command = env.commands[-1] if env.commands else ""
        o.output = env.outputs[-1][-1500:] if env.outputs else ""
        if not env.keep:
            subprocess.run(["umount", "-R", env.dir], capture_output=True)
            shutil.rmtree(env.dir, ignore_errors=True)
    return o


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--exe", default=os.path.join(ROOT, "build", "poolbench"))
    ap.add_argument("--plugins", default=os.path.join(ROOT, "build", "tests", "plugins"))
    ap.add_argument("--python-host", default=None,
                    help="the Python host (default: build/python/poolbench_python.so if built)")
    ap.add_argument("--area", action="append", help="only these areas (repeatable)")
    ap.add_argument("--match", help="only cases whose name matches this regex")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    ap.add_argument("--json", help="write every case's outcome to this file")
    ap.add_argument("-v", "--verbose", action="store_true", help="print each failure's output")
    ap.add_argument("--keep", action="store_true", help="keep each case's directory")
    args = ap.parse_args()
    if args.python_host is None:
        host = os.path.join(os.path.dirname(os.path.abspath(args.exe)), "python",
                            "poolbench_python.so")
        args.python_host = host if os.path.exists(host) else ""

    chosen = [c for c in CASES if (not args.area or c.area in args.area) and
              (not args.match or re.search(args.match, c.name))]
    if args.list:
        for c in chosen:
            print(f"{c.area:14} {c.item:6} {c.name}")
        print(f"{len(chosen)} cases")
        return 0
    if not os.access(args.exe, os.X_OK):
        print(f"probe: {args.exe} is not an executable (build it first)", file=sys.stderr)
        return 2
    soft, hard = resource.getrlimit(resource.RLIMIT_NPROC)
    if soft == resource.RLIM_INFINITY or soft > 3000:
        resource.setrlimit(resource.RLIMIT_NPROC, (3000, hard if hard != resource.RLIM_INFINITY
                                                   and hard < 3000 else 3000))

    env = Env(args)
    outcomes = []
    for c in chosen:
        t0 = time.monotonic()
        o = run_case(env, c)
        outcomes.append(o)
        mark = "skip" if o.skipped else ("pass" if o.passed else "FAIL")
        print(f"[{mark}] {c.area:13} {c.item:6} {c.name} ({time.monotonic() - t0:.1f} s)"
              + ("" if o.passed else f": {'; '.join(o.failures)}"), flush=True)
        if not o.passed and not o.skipped and args.verbose:
            print("    $ " + o.command[:600])
            print("    " + o.output.replace("\n", "\n    "))

    print("\narea            tried  passed  failed  skipped   (issue 21's areas, then new ones)")
    total = [0, 0, 0, 0]
    for area, title in AREAS:
        mine = [o for o in outcomes if o.case.area == area]
        if not mine:
            continue
        skipped = sum(o.skipped for o in mine)
        tried = len(mine) - skipped
        passed = sum(o.passed for o in mine)
        row = [tried, passed, tried - passed, skipped]
        total = [a + b for a, b in zip(total, row)]
        print(f"{area:14} {row[0]:6} {row[1]:7} {row[2]:7} {row[3]:8}   {title}")
    print(f"{'total':14} {total[0]:6} {total[1]:7} {total[2]:7} {total[3]:8}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump([{"area": o.case.area, "item": o.case.item, "name": o.case.name,
                        "passed": o.passed, "skipped": o.skipped, "failures": o.failures,
                        "command": o.command, "output": o.output} for o in outcomes], f,
                      indent=1)
    return 1 if total[2] else 0


if __name__ == "__main__":
    sys.exit(main())
