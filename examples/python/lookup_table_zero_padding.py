"""A known bug kept on purpose: the lookup table of the original seed code padded the plane with
zeros, so a window over the padding of all-negative inputs returns 0 instead of its largest
value. `poolbench check` rejects it:

    poolbench --plugin examples/python/lookup_table_zero_padding.py check --suite edge

names the first differing element ("got 0, want -...") and prints a repro line that loads this
file. The correct version is lookup_table.py.
"""
import numpy as np

import poolbench

_tables = {}


def padded_offsets(p):
    """Window offsets into the zero-padded plane (H + 2 ph) x (W + 2 pw)."""
    key = (p.h, p.w, p.kernel, p.stride, p.padding, p.dilation, p.ceil_mode)
    if key not in _tables:
        (kh, kw), (sh, sw), (ph, pw), (dh, dw) = p.kernel, p.stride, p.padding, p.dilation
        wp = p.w + 2 * pw
        ih = (np.arange(p.out_h) * sh)[:, None, None, None] + (np.arange(kh) * dh)[None, None, :, None]
        iw = (np.arange(p.out_w) * sw)[None, :, None, None] + (np.arange(kw) * dw)[None, None, None, :]
        ih, iw = np.broadcast_arrays(ih, iw)
        _tables[key] = (ih * wp + iw).reshape(p.out_h * p.out_w, kh * kw)
    return _tables[key]


def supports(p):
    if p.op != "max" or p.direction != "fwd" or p.indices:
        return "max forward values only"
    if p.layout != "nchw":
        return "NCHW planes only"
    if p.ceil_mode:
        return "no ceil mode"
    return None


@poolbench.strategy("numpy_lookup_zero_pad", "the seeds' lookup table over a zero-padded plane "
                    "(wrong for negative inputs next to the padding)",
                    supports=supports, prepare=padded_offsets)
def numpy_lookup_zero_pad(x, p):
    (ph, pw) = p.padding
    padded = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))  # zeros: the bug
    vals = padded.reshape(p.n, p.c, -1)[:, :, p.prepared]
    return vals.max(-1).reshape(p.n, p.c, p.out_h, p.out_w)
