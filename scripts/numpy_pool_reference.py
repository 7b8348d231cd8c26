#!/usr/bin/python3
"""NumPy's side of `poolbench pool`: the seeds' reshape idiom, to hold poolbench against.

    numpy_pool_reference.py random IN.npy --shape 64 96 [--dtype float32] [--seed 1] [--nan 0.01]
    numpy_pool_reference.py pool IN.npy REF.npy --block 2[x2] [--layout nchw|nhwc]
    numpy_pool_reference.py compare REF.npy OUT.npy

`pool` is non-overlapping max pooling written as NumPy users write it,
`a[:m//kh*kh, :n//kw*kw].reshape(m//kh, kh, n//kw, kw).max((1, 3))`, over the two spatial
axes of a 2-D (H, W) or 4-D (N, C, H, W) / (N, H, W, C) array. It matches
`poolbench pool IN.npy --kernel KHxKW --out OUT.npy` exactly: the trimmed rows and columns
are those that floor mode leaves out, and NumPy's max, like poolbench's, returns NaN for a
window holding one. `compare` exits 0 when both files hold the same shape, dtype and values
(NaN equal to NaN), and 1, printing the first difference, otherwise.

Run it with a Python that has NumPy (on Debian, /usr/bin/python3 with python3-numpy).
"""
import argparse
import sys

import numpy as np


def parse_block(text):
    parts = [int(p) for p in text.split("x")]
    if len(parts) == 1:
        parts *= 2
    if len(parts) != 2 or min(parts) < 1:
        raise argparse.ArgumentTypeError(f"expected K or KHxKW, got '{text}'")
    return parts


def block_max(a, kh, kw, layout):
    """Max over non-overlapping kh x kw blocks of the spatial axes, by reshaping."""
    if a.ndim == 2:
        m, n = a.shape
        a = a[: m // kh * kh, : n // kw * kw]
        return a.reshape(m // kh, kh, n // kw, kw).max((1, 3))
    if a.ndim != 4:
        raise SystemExit(f"expected a 2-D or 4-D array, got shape {a.shape}")
    if layout == "nchw":
        b, c, m, n = a.shape
        a = a[:, :, : m // kh * kh, : n // kw * kw]
        return a.reshape(b, c, m // kh, kh, n // kw, kw).max((3, 5))
    b, m, n, c = a.shape
    a = a[:, : m // kh * kh, : n // kw * kw, :]
    return a.reshape(b, m // kh, kh, n // kw, kw, c).max((2, 4))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("random", help="write a seeded random array")
    r.add_argument("out")
    r.add_argument("--shape", type=int, nargs="+", required=True)
    r.add_argument("--dtype", default="float32", choices=["float32", "float64", "int32"])
    r.add_argument("--seed", type=int, default=1)
    r.add_argument("--nan", type=float, default=0.0, help="fraction of NaN elements (floats)")
    p = sub.add_parser("pool", help="max-pool non-overlapping blocks by reshaping")
    p.add_argument("input")
    p.add_argument("out")
    p.add_argument("--block", type=parse_block, required=True)
    p.add_argument("--layout", default="nchw", choices=["nchw", "nhwc"])
    c = sub.add_parser("compare", help="exit 0 if two arrays are identical, NaN equal to NaN")
    c.add_argument("expected")
    c.add_argument("actual")
    args = parser.parse_args()

    if args.command == "random":
        rng = np.random.default_rng(args.seed)
        if args.dtype == "int32":
            a = rng.integers(-1000, 1000, size=args.shape, dtype=np.int32)
        else:
            # Rounded to one decimal so that windows often hold ties.
            a = np.round(rng.standard_normal(args.shape), 1).astype(args.dtype)
            a[rng.random(args.shape) < args.nan] = np.nan
        np.save(args.out, a)
    elif args.command == "pool":
        np.save(args.out, block_max(np.load(args.input), *args.block, args.layout))
    else:
        expected, actual = np.load(args.expected), np.load(args.actual)
        if expected.shape != actual.shape or expected.dtype != actual.dtype:
            print(f"differ: {expected.dtype}{expected.shape} vs {actual.dtype}{actual.shape}")
            return 1
        same = expected == actual
        if expected.dtype.kind == "f":
            same |= np.isnan(expected) & np.isnan(actual)
        if not same.all():
            where = tuple(int(i) for i in np.argwhere(~same)[0])
            print(f"differ at {where}: {expected[where]} vs {actual[where]} "
                  f"({int((~same).sum())} of {same.size} elements)")
            return 1
        print(f"equal: {expected.dtype}{expected.shape}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
