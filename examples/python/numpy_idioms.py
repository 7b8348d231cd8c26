"""The NumPy pooling idioms poolbench grew from, as poolbench strategies.

numpy_reshape   2x2 max by x.reshape(..., oh, kh, ow, kw).max((3, 5)): non-overlapping blocks
numpy_strided   np.lib.stride_tricks.as_strided windows, argmax back to original indices, and
                the gradient as a np.bincount of the winners

Run it with:  poolbench --plugin examples/python/numpy_idioms.py check --suite seeds,edge
"""
import numpy as np
from numpy.lib.stride_tricks import as_strided

import poolbench


def _fits(p):
    """Whether every window lies inside the plane (no padding, no ceil-mode overhang)."""
    (kh, kw), (sh, sw), (dh, dw) = p.kernel, p.stride, p.dilation
    return (p.padding == (0, 0)
            and (p.out_h - 1) * sh + (kh - 1) * dh < p.h
            and (p.out_w - 1) * sw + (kw - 1) * dw < p.w)


def _round_div(s, d):
    """Integer division rounding to nearest, ties away from zero (poolbench's integer avg)."""
    return np.where(s >= 0, (2 * s + d) // (2 * d), -((-2 * s + d) // (2 * d)))


def _reshape_supports(p):
    if p.direction != "fwd":
        return "forward only"
    if p.kernel != p.stride or p.dilation != (1, 1) or not _fits(p):
        return "non-overlapping blocks only (stride == kernel, no padding, dilation or overhang)"
    if p.indices:
        return "values only (a reshape loses the positions)"
    return None


@poolbench.strategy("numpy_reshape", "NumPy x.reshape(n, c, oh, kh, ow, kw).max((3, 5)) over blocks",
                    supports=_reshape_supports)
def numpy_reshape(x, p):
    (kh, kw), oh, ow = p.kernel, p.out_h, p.out_w
    if p.layout == "nchw":
        blocks, axes = x[:, :, :oh * kh, :ow * kw].reshape(p.n, p.c, oh, kh, ow, kw), (3, 5)
    else:
        blocks, axes = x[:, :oh * kh, :ow * kw, :].reshape(p.n, oh, kh, ow, kw, p.c), (2, 4)
    if p.op == "max":
        return blocks.max(axes)
    divisor = p.divisor_override or kh * kw
    if p.dtype.kind == "i":
        return _round_div(blocks.sum(axes, dtype=np.int64), divisor).astype(p.dtype)
    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf is NaN, as it should be
        return (blocks.sum(axes, dtype=np.float64) / divisor).astype(p.dtype)


def _windows(x, p):
    """An (n, c, oh, ow, kh, kw) view of the NCHW planes' windows, without copying."""
    (kh, kw), (sh, sw), (dh, dw) = p.kernel, p.stride, p.dilation
    sn, sc, sy, sx = x.strides
    return as_strided(x, shape=(x.shape[0], x.shape[1], p.out_h, p.out_w, kh, kw),
                      strides=(sn, sc, sh * sy, sw * sx, dh * sy, dw * sx), writeable=False)


def _argmax(x, p):
    """The winner of every window as a flat index ih * W + iw into its plane, with poolbench's
    rules: ties go to the first tap, and a NaN wins as the last NaN of the window."""
    (kh, kw), (sh, sw), (dh, dw) = p.kernel, p.stride, p.dilation
    flat = _windows(x, p).reshape(x.shape[0], x.shape[1], p.out_h, p.out_w, kh * kw)
    tap = flat.argmax(-1)
    if p.dtype.kind == "f":
        nan = np.isnan(flat)
        last_nan = kh * kw - 1 - nan[..., ::-1].argmax(-1)
        tap = np.where(nan.any(-1), last_nan, tap)
    ky, kx = np.divmod(tap, kw)
    ih = np.arange(p.out_h)[:, None] * sh + ky * dh
    iw = np.arange(p.out_w)[None, :] * sw + kx * dw
    return flat, tap, ih * p.w + iw


def _strided_supports(p):
    if p.op != "max":
        return "max only"
    if not _fits(p):
        return "windows inside the plane only (no padding or ceil-mode overhang)"
    return None


def _nchw(a, p):
    return a if p.layout == "nchw" else a.transpose(0, 3, 1, 2)


def _layout(a, p):
    return a if p.layout == "nchw" else a.transpose(0, 2, 3, 1)


def numpy_strided_backward(x, dy, p):
    """The max gradient as np.bincount of the winners, weighted by dy."""
    _, _, idx = _argmax(_nchw(x, p), p)
    planes = p.n * p.c
    plane = np.arange(planes).reshape(p.n, p.c, 1, 1) * (p.h * p.w)
    dx = np.bincount((idx + plane).ravel(), weights=_nchw(dy, p).ravel(), minlength=planes * p.h * p.w)
    if p.dtype.kind == "i":
        # The sums are exact in float64; integer gradients wrap modulo 2**32, as int32 does.
        dx = dx.astype(np.int64)
    return _layout(dx.astype(p.dtype).reshape(p.n, p.c, p.h, p.w), p)


@poolbench.strategy("numpy_strided", "NumPy as_strided windows, argmax to original indices; "
                    "backward by np.bincount of the winners",
                    supports=_strided_supports, backward=numpy_strided_backward)
def numpy_strided(x, p):
    flat, tap, idx = _argmax(_nchw(x, p), p)
    out = np.take_along_axis(flat, tap[..., None], -1)[..., 0]
    if p.indices:
        return _layout(out, p), _layout(idx, p)
    return _layout(out, p)
