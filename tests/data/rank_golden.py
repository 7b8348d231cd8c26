#!/usr/bin/python3
"""Writes tests/data/rank_golden.json: pooling results computed with NumPy, independently of
poolbench's reference, for tests/strategies/naive_loops_golden_test.cpp.

PyTorch is not installed here (python3-torch is not in Debian 12), so this script is the
independent truth for 1-D and 3-D problems. It follows PyTorch's documented rules rather than
poolbench's code: the input is padded (with -inf for max, 0 for sums) and every window is a
strided slice of the padded array, taken whole; the avg divisors are window sums of masks (the
input, or the padded input for count_include_pad). 2-D cases are included too: the reference's
2-D results are pinned by hand-computed tests and by the peers, so their agreement checks this
script as much as the reference.

Usage: /usr/bin/python3 tests/data/rank_golden.py > tests/data/rank_golden.json
"""
import itertools
import json
import sys

import numpy as np

def out_size(i, k, s, p, d, ceil):
    span = i + 2 * p - d * (k - 1) - 1
    if ceil:
        o = -(-span // s) + 1
        if (o - 1) * s >= i + p:  # no window may start in the right padding
            o -= 1
    else:
        o = span // s + 1
    return o


class Case:
    def __init__(self, op, direction, rank, channels_last, shape, k, s=None, p=0, d=1,
                 ceil=False, excl=False, div=None, idx=False):
        per_axis = lambda v: list(v) if isinstance(v, (list, tuple)) else [v] * rank
        self.op, self.direction, self.rank = op, direction, rank
        self.channels_last = channels_last
        self.shape = list(shape)  # N, C, spatial...
        self.k, self.p, self.d = per_axis(k), per_axis(p), per_axis(d)
        self.s = per_axis(s) if s is not None else self.k
        self.ceil, self.excl, self.div, self.idx = ceil, excl, div, idx
        spatial = self.shape[2:]
        self.out = [out_size(spatial[a], self.k[a], self.s[a], self.p[a], self.d[a], ceil)
                    for a in range(rank)]

    def layout(self):
        first = {1: "ncw", 2: "nchw", 3: "ncdhw"}[self.rank]
        return {"ncw": "nwc", "nchw": "nhwc", "ncdhw": "ndhwc"}[first] if self.channels_last \
            else first

    def descriptor(self):
        def field(tag, v):
            return ":" + tag + "x".join(str(x) for x in v)
        text = ":".join([self.op, "fwd" if self.direction == "fwd" else "bwd", "f64",
                         self.layout(), "x".join(str(x) for x in self.shape)])
        text += field("k", self.k)
        if self.s != self.k:
            text += field("s", self.s)
        if any(self.p):
            text += field("p", self.p)
        if any(x != 1 for x in self.d):
            text += field("d", self.d)
        if self.ceil:
            text += ":ceil"
        if self.excl:
            text += ":excl"
        if self.div is not None:
            text += ":div%d" % self.div
        if self.idx:
            text += ":idx"
        return text

    def windows(self):
        """Yields (output position, per-axis input coordinates of the window's taps)."""
        for o in itertools.product(*[range(n) for n in self.out]):
            yield o, [o[a] * self.s[a] - self.p[a] + np.arange(self.k[a]) * self.d[a]
                      for a in range(self.rank)]

    def pad(self, x, fill):
        """x padded by p before and enough after for every window (ceil mode overhangs)."""
        spatial = x.shape[2:]
        after = [max(self.p[a], (self.out[a] - 1) * self.s[a] + (self.k[a] - 1) * self.d[a]
                     + 1 - spatial[a] - self.p[a]) for a in range(self.rank)]
        widths = [(0, 0), (0, 0)] + [(self.p[a], after[a]) for a in range(self.rank)]
        return np.pad(x, widths, constant_values=fill)

    def take(self, padded, coords):
        """The window's taps of a padded array: N x C x taps, in row-major tap order."""
        shifted = [c + self.p[a] for a, c in enumerate(coords)]
        return padded[(slice(None), slice(None)) + np.ix_(*shifted)].reshape(
            padded.shape[0], padded.shape[1], -1)

    def divisors(self, x):
        spatial = x.shape[2:]
        # The input as a mask, and the padded input [-p, size + p) as one (in padded
        # coordinates [0, size + 2p)): what lies beyond it, where ceil mode overhangs, is neither.
        inside = self.pad(np.ones((1, 1) + spatial), 0.0)
        full = np.zeros_like(inside)
        full[(slice(None), slice(None)) + tuple(slice(0, 2 * self.p[a] + spatial[a])
                                                for a in range(self.rank))] = 1
        out = {}
        for o, coords in self.windows():
            if self.div is not None:
                out[o] = self.div
            elif self.excl:
                out[o] = self.take(inside, coords).sum()
            else:
                out[o] = self.take(full, coords).sum()
        return out

    def run(self, x, dy):
        n, c = x.shape[:2]
        spatial = x.shape[2:]
        values = np.zeros((n, c) + tuple(self.out))
        indices = np.zeros((n, c) + tuple(self.out), dtype=np.int64)
        dx = np.zeros_like(x)
        if self.op == "max":
            padded = self.pad(x, -np.inf)
        else:
            padded = self.pad(x, 0.0)
            divisors = self.divisors(x)
        for o, coords in self.windows():
            taps = self.take(padded, coords)
            at = (slice(None), slice(None)) + o
            if self.op == "max":
                best = taps.argmax(axis=2)  # the first of equal maxima, in row-major tap order
                values[at] = taps.max(axis=2)
                k = np.unravel_index(best, self.k)  # per-axis tap of each (n, c)
                where = [coords[a][k[a]] for a in range(self.rank)]
                indices[at] = np.ravel_multi_index(where, spatial)
                for i in range(n):
                    for j in range(c):
                        dx[(i, j) + tuple(w[i, j] for w in where)] += dy[(i, j) + o]
            else:
                values[at] = taps.sum(axis=2) / divisors[o]
                mask = self.take(self.pad(np.ones((1, 1) + spatial), 0.0), coords)[0, 0] > 0
                points = [np.unravel_index(t, self.k) for t in np.flatnonzero(mask)]
                for t in points:
                    where = tuple(coords[a][t[a]] for a in range(self.rank))
                    dx[(slice(None), slice(None)) + where] += dy[at] / divisors[o]
        return values, indices, dx

    def stored(self, a):
        """a (channels first) in the case's layout, flattened."""
        return (np.moveaxis(a, 1, -1) if self.channels_last else a).ravel().tolist()


def cases():
    out = []
    for rank, shape, geometry in [
        (1, (2, 3, 17), dict(k=3, s=2)),
        (1, (1, 2, 13), dict(k=4, s=3, p=2, ceil=True)),
        (1, (2, 2, 16), dict(k=3, s=2, p=1, d=2)),
        (1, (1, 3, 9), dict(k=2, s=1, p=1)),
        (2, (1, 2, 7, 9), dict(k=[3, 2], s=[2, 1], p=[1, 1], ceil=True)),
        (2, (2, 1, 8, 6), dict(k=[2, 3], s=[1, 2], p=[0, 1], d=[2, 1])),
        (3, (1, 2, 8, 8, 8), dict(k=2)),
        (3, (1, 2, 5, 6, 7), dict(k=[3, 2, 3], s=[2, 1, 2], p=[1, 0, 1], ceil=True)),
        (3, (2, 1, 6, 5, 7), dict(k=[2, 2, 3], s=[1, 2, 2], p=[1, 1, 0], d=[2, 1, 2])),
        (3, (1, 1, 4, 4, 4), dict(k=3, s=2, p=1)),
    ]:
        for op, direction, channels_last, extra in [
            ("max", "fwd", False, dict(idx=True)),
            ("max", "fwd", True, dict(idx=True)),
            ("max", "bwd", False, {}),
            ("avg", "fwd", True, {}),
            ("avg", "fwd", False, dict(excl=True)),
            ("avg", "fwd", False, dict(div=5)),
            ("avg", "bwd", True, {}),
            ("avg", "bwd", False, dict(excl=True)),
        ]:
            case = Case(op, direction, rank, channels_last, shape, **geometry, **extra)
            if case.excl and not any(case.p):
                continue  # without padding excl changes nothing
            out.append(case)
    return out


def main():
    rng = np.random.default_rng(16)
    result = []
    for case in cases():
        shape = tuple(case.shape)
        if case.op == "max":
            # Small integers make ties, which the first tap of a window wins.
            x = rng.integers(-6, 7, size=shape).astype(np.float64)
        else:
            x = rng.uniform(-4, 4, size=shape)
        dy = rng.uniform(-2, 2, size=shape[:2] + tuple(case.out))
        values, indices, dx = case.run(x, dy)
        entry = {"descriptor": case.descriptor(), "src": case.stored(x)}
        if case.direction == "fwd":
            entry["values"] = case.stored(values)
            if case.idx:
                entry["indices"] = case.stored(indices)
        else:
            entry["diff_dst"] = case.stored(dy)
            entry["gradient"] = case.stored(dx)
        result.append(entry)
    json.dump({"generator": "tests/data/rank_golden.py", "numpy": np.__version__,
               "cases": result}, sys.stdout, indent=None, separators=(",", ":"))
    print()


if __name__ == "__main__":
    main()
