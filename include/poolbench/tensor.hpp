// Non-owning tensor views of a problem's input and output tensors.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "poolbench/problem.hpp"

namespace poolbench {

// A 4-D tensor of logical shape N x C x H x W stored in NCHW or NHWC order, without owning
// its memory. Element (n, c, y, x) is data[n*sn + c*sc + y*sh + x*sw].
template <class T>
struct TensorView {
  T* data = nullptr;
  int64_t n = 0, c = 0, h = 0, w = 0;
  int64_t sn = 0, sc = 0, sh = 0, sw = 0;

  TensorView() = default;
  TensorView(T* d, int64_t n_, int64_t c_, int64_t h_, int64_t w_, Layout layout)
      : data(d), n(n_), c(c_), h(h_), w(w_) {
    if (layout == Layout::kNCHW) {
      sw = 1, sh = w, sc = h * w, sn = c * h * w;
    } else {
      sc = 1, sw = c, sh = w * c, sn = h * w * c;
    }
  }
  T& operator()(int64_t in, int64_t ic, int64_t iy, int64_t ix) const {
    return data[in * sn + ic * sc + iy * sh + ix * sw];
  }
  // The (n, c) plane as a pointer to its (0, 0) element; with NCHW the plane is contiguous.
  T* plane(int64_t in, int64_t ic) const { return data + in * sn + ic * sc; }
};

// Views of the problem's input (src / diff_src) and output (dst / diff_dst) tensors.
template <class T>
TensorView<T> InputView(const Problem& p, T* data) {
  return TensorView<T>(data, p.n, p.c, p.h, p.w, p.layout);
}
template <class T>
TensorView<T> OutputView(const Problem& p, T* data) {
  return TensorView<T>(data, p.n, p.c, OutputH(p), OutputW(p), p.layout);
}

}  // namespace poolbench
