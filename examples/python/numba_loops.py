"""Numba loops: the pooling loops written out in Python and compiled by @numba.njit. Compiling
happens in the prepare hook (outside the timed region), by one call on zeros of the problem's
dtype and layout.

Covers every geometry (padding, dilation, ceil mode) and both layouts, max (with indices) and
avg, forward and backward, with poolbench's semantics: padded taps never win, ties go to the
first tap, a NaN wins as the last NaN of its window, integer averages round half away from zero.

Without Numba (python3-numba) the strategies stay listed and say why they support nothing.

Run it with:  poolbench --plugin examples/python/numba_loops.py check --suite seeds,edge
"""
import numpy as np

import poolbench

try:
    import numba
except ImportError as error:  # the strategies below then explain themselves
    numba = None
    _missing = f"Numba is not installed ({error}); install python3-numba"


def _jit(function):
    return numba.njit(cache=False)(function) if numba is not None else function


@_jit
def _max_forward(x, out, idx, kh, kw, sh, sw, ph, pw, dh, dw):
    n, c, h, w = x.shape
    oh, ow = out.shape[2], out.shape[3]
    for b in range(n):
        for ch in range(c):
            for oy in range(oh):
                for ox in range(ow):
                    found = False
                    best = x[b, ch, 0, 0]
                    at = 0
                    for ky in range(kh):
                        iy = oy * sh - ph + ky * dh
                        if iy < 0 or iy >= h:
                            continue
                        for kx in range(kw):
                            ix = ox * sw - pw + kx * dw
                            if ix < 0 or ix >= w:
                                continue
                            v = x[b, ch, iy, ix]
                            if not found or v != v or (best == best and v > best):
                                best = v
                                at = iy * w + ix
                                found = True
                    out[b, ch, oy, ox] = best
                    idx[b, ch, oy, ox] = at


@_jit
def _max_backward(x, dy, dx, kh, kw, sh, sw, ph, pw, dh, dw):
    n, c, h, w = x.shape
    oh, ow = dy.shape[2], dy.shape[3]
    for b in range(n):
        for ch in range(c):
            for oy in range(oh):
                for ox in range(ow):
                    found = False
                    best = x[b, ch, 0, 0]
                    by, bx = 0, 0
                    for ky in range(kh):
                        iy = oy * sh - ph + ky * dh
                        if iy < 0 or iy >= h:
                            continue
                        for kx in range(kw):
                            ix = ox * sw - pw + kx * dw
                            if ix < 0 or ix >= w:
                                continue
                            v = x[b, ch, iy, ix]
                            if not found or v != v or (best == best and v > best):
                                best = v
                                by, bx = iy, ix
                                found = True
                    dx[b, ch, by, bx] += dy[b, ch, oy, ox]


@_jit
def _divisor(oy, ox, h, w, kh, kw, sh, sw, ph, pw, dh, dw, include_pad, override):
    """The avg divisor of one window: the override, or its taps inside the padded input
    (include_pad), or its valid taps."""
    if override > 0:
        return override
    count = 0
    for ky in range(kh):
        iy = oy * sh - ph + ky * dh
        for kx in range(kw):
            ix = ox * sw - pw + kx * dw
            if include_pad:
                if iy < h + ph and ix < w + pw:
                    count += 1
            elif iy >= 0 and iy < h and ix >= 0 and ix < w:
                count += 1
    return count


@_jit
def _round_div(s, d):
    if s >= 0:
        return (2 * s + d) // (2 * d)
    return -((-2 * s + d) // (2 * d))


@_jit
def _avg_forward(x, out, integer, kh, kw, sh, sw, ph, pw, dh, dw, include_pad, override):
    n, c, h, w = x.shape
    oh, ow = out.shape[2], out.shape[3]
    for b in range(n):
        for ch in range(c):
            for oy in range(oh):
                for ox in range(ow):
                    d = _divisor(oy, ox, h, w, kh, kw, sh, sw, ph, pw, dh, dw, include_pad, override)
                    si = 0
                    sf = 0.0
                    for ky in range(kh):
                        iy = oy * sh - ph + ky * dh
                        if iy < 0 or iy >= h:
                            continue
                        for kx in range(kw):
                            ix = ox * sw - pw + kx * dw
                            if ix < 0 or ix >= w:
                                continue
                            if integer:
                                si += np.int64(x[b, ch, iy, ix])
                            else:
                                sf += np.float64(x[b, ch, iy, ix])
                    if integer:
                        out[b, ch, oy, ox] = _round_div(si, d)
                    else:
                        out[b, ch, oy, ox] = sf / d


@_jit
def _avg_backward(dy, dx, integer, kh, kw, sh, sw, ph, pw, dh, dw, include_pad, override):
    n, c, h, w = dx.shape
    oh, ow = dy.shape[2], dy.shape[3]
    for b in range(n):
        for ch in range(c):
            for oy in range(oh):
                for ox in range(ow):
                    d = _divisor(oy, ox, h, w, kh, kw, sh, sw, ph, pw, dh, dw, include_pad, override)
                    if integer:
                        g = _round_div(np.int64(dy[b, ch, oy, ox]), d)
                    else:
                        g = np.float64(dy[b, ch, oy, ox]) / d
                    for ky in range(kh):
                        iy = oy * sh - ph + ky * dh
                        if iy < 0 or iy >= h:
                            continue
                        for kx in range(kw):
                            ix = ox * sw - pw + kx * dw
                            if ix < 0 or ix >= w:
                                continue
                            dx[b, ch, iy, ix] += g


def _geometry(p):
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = p.kernel, p.stride, p.padding, p.dilation
    return kh, kw, sh, sw, ph, pw, dh, dw


def _nchw(a, p):
    """An NCHW view of an array in p's layout (a transpose for NHWC: no copy)."""
    return a if p.layout == "nchw" else a.transpose(0, 3, 1, 2)


def supports(p):
    return _missing if numba is None else None


def prepare(p):
    """Compiles the loops for this dtype and layout by running them once on zeros. The inputs
    are read-only, like poolbench's views: Numba compiles read-only arrays separately."""
    x = np.zeros(p.input_shape, p.dtype)
    dy = np.zeros(p.output_shape, p.dtype)
    x.setflags(write=False)
    dy.setflags(write=False)
    if p.direction == "fwd":
        numba_loops(x, p)
    else:
        numba_loops_backward(x, dy, p)


def numba_loops_backward(x, dy, p):
    dx = np.zeros(p.input_shape, p.dtype)
    if p.op == "max":
        _max_backward(_nchw(x, p), _nchw(dy, p), _nchw(dx, p), *_geometry(p))
    else:
        _avg_backward(_nchw(dy, p), _nchw(dx, p), p.dtype.kind == "i", *_geometry(p),
                      p.count_include_pad, p.divisor_override or 0)
    return dx


@poolbench.strategy("numba_loops", "Numba @njit loops over outputs and taps (compiled in prepare)",
                    supports=supports, backward=numba_loops_backward, prepare=prepare)
def numba_loops(x, p):
    out = np.empty(p.output_shape, p.dtype)
    if p.op == "max":
        idx = np.empty(p.output_shape, np.int64)
        _max_forward(_nchw(x, p), _nchw(out, p), _nchw(idx, p), *_geometry(p))
        return (out, idx) if p.indices else out
    _avg_forward(_nchw(x, p), _nchw(out, p), p.dtype.kind == "i", *_geometry(p),
                 p.count_include_pad, p.divisor_override or 0)
    return out
