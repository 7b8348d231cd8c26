// Non-owning tensor views of a problem's input and output tensors.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "poolbench/problem.hpp"

namespace poolbench {

// A tensor of logical shape N x C x D x H x W stored channels first (ncdhw, nchw, ncw) or
// channels last (ndhwc, nhwc, nwc), without owning its memory. Element (n, c, z, y, x) is
// data[n*sn + c*sc + z*sd + y*sh + x*sw]. A 2-D tensor is one with D = 1, so the 4-index
// accessor (n, c, y, x) reads it as before; a 1-D one also has H = 1.
template <class T>
struct TensorView {
  T* data = nullptr;
  int64_t n = 0, c = 0, d = 1, h = 0, w = 0;
  int64_t sn = 0, sc = 0, sd = 0, sh = 0, sw = 0;

  TensorView() = default;
  TensorView(T* data_, int64_t n_, int64_t c_, int64_t h_, int64_t w_, Layout layout)
      : TensorView(data_, n_, c_, 1, h_, w_, layout) {}
  TensorView(T* data_, int64_t n_, int64_t c_, int64_t d_, int64_t h_, int64_t w_, Layout layout)
      : data(data_), n(n_), c(c_), d(d_), h(h_), w(w_) {
    if (!ChannelsLast(layout)) {
      sw = 1, sh = w, sd = h * w, sc = d * h * w, sn = c * d * h * w;
    } else {
      sc = 1, sw = c, sh = w * c, sd = h * w * c, sn = d * h * w * c;
    }
  }
  T& operator()(int64_t in, int64_t ic, int64_t iy, int64_t ix) const {
    return data[in * sn + ic * sc + iy * sh + ix * sw];
  }
  T& operator()(int64_t in, int64_t ic, int64_t iz, int64_t iy, int64_t ix) const {
    return data[in * sn + ic * sc + iz * sd + iy * sh + ix * sw];
  }
  // The (n, c) plane (volume) as a pointer to its first element; channels first, it is contiguous.
  T* plane(int64_t in, int64_t ic) const { return data + in * sn + ic * sc; }
};

// Views of the problem's input (src / diff_src) and output (dst / diff_dst) tensors.
template <class T>
TensorView<T> InputView(const Problem& p, T* data) {
  return TensorView<T>(data, p.n, p.c, p.d, p.h, p.w, p.layout);
}
template <class T>
TensorView<T> OutputView(const Problem& p, T* data) {
  return TensorView<T>(data, p.n, p.c, OutputD(p), OutputH(p), OutputW(p), p.layout);
}

}  // namespace poolbench
