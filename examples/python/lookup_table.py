"""The cached lookup table: every window's input offsets, built once per shape in the prepare
hook (outside the timed region), then gathered and reduced with NumPy.

Padded taps never take part: the table repeats a valid tap of the same window in their place,
which leaves the window's maximum unchanged. (Filling them with zeros instead is the seeds'
bug: see lookup_table_zero_padding.py.)

Run it with:  poolbench --plugin examples/python/lookup_table.py check --suite seeds,edge
"""
import numpy as np

import poolbench

_tables = {}  # (h, w, kernel, stride, padding, dilation, ceil_mode) -> (offsets, oh, ow)


def window_offsets(p):
    """An (oh * ow, kh * kw) table of flat offsets ih * W + iw into a plane, in row-major tap
    order, and a mask of the taps inside the plane. Cached per geometry."""
    key = (p.h, p.w, p.kernel, p.stride, p.padding, p.dilation, p.ceil_mode)
    if key not in _tables:
        (kh, kw), (sh, sw), (ph, pw), (dh, dw) = p.kernel, p.stride, p.padding, p.dilation
        ih = (np.arange(p.out_h) * sh - ph)[:, None, None, None] + (np.arange(kh) * dh)[None, None, :, None]
        iw = (np.arange(p.out_w) * sw - pw)[None, :, None, None] + (np.arange(kw) * dw)[None, None, None, :]
        ih, iw = np.broadcast_arrays(ih, iw)
        valid = (ih >= 0) & (ih < p.h) & (iw >= 0) & (iw < p.w)
        offsets = (ih * p.w + iw).reshape(p.out_h * p.out_w, kh * kw)
        valid = valid.reshape(offsets.shape)
        # A padded tap becomes a copy of the window's first valid tap: the maximum, the first
        # tap reaching it and the last NaN stay the same (offsets grow in row-major tap order).
        first_valid = offsets[np.arange(len(offsets)), valid.argmax(1)]
        _tables[key] = np.where(valid, offsets, first_valid[:, None])
    return _tables[key]


def supports(p):
    if p.op != "max" or p.direction != "fwd":
        return "max forward only"
    if p.layout != "nchw":
        return "NCHW planes only (the table indexes one plane)"
    return None


def prepare(p):
    return window_offsets(p)


@poolbench.strategy("numpy_lookup_table", "NumPy gather through a cached table of window offsets "
                    "(built in prepare), max and first-tap/last-NaN argmax",
                    supports=supports, prepare=prepare)
def numpy_lookup_table(x, p):
    table = p.prepared
    vals = x.reshape(p.n, p.c, p.h * p.w)[:, :, table]  # (n, c, oh * ow, kh * kw)
    out = vals.max(-1)
    # The first tap reaching the maximum has the smallest offset; with NaN, the last NaN wins.
    idx = np.where(vals == out[..., None], table, np.iinfo(np.int64).max).min(-1)
    if p.dtype.kind == "f":
        nan = np.isnan(vals)
        idx = np.where(nan.any(-1), np.where(nan, table, -1).max(-1), idx)
    shape = (p.n, p.c, p.out_h, p.out_w)
    if p.indices:
        return out.reshape(shape), idx.reshape(shape)
    return out.reshape(shape)
