// Non-owning tensor views and the mapping between C++ element types and DType.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "poolbench/problem.hpp"

namespace poolbench {

template <class T>
struct DTypeOf;
template <>
struct DTypeOf<float> {
  static constexpr DType value = DType::kF32;
};
template <>
struct DTypeOf<double> {
  static constexpr DType value = DType::kF64;
};
template <>
struct DTypeOf<int32_t> {
  static constexpr DType value = DType::kI32;
};

// Calls fn.template operator()<T>() with the element type of `t`, e.g.
//   DispatchDType(p.dtype, [&]<class T>() { Run<T>(...); });
template <class Fn>
decltype(auto) DispatchDType(DType t, Fn&& fn) {
  switch (t) {
    case DType::kF32:
      return std::forward<Fn>(fn).template operator()<float>();
    case DType::kF64:
      return std::forward<Fn>(fn).template operator()<double>();
    case DType::kI32:
      return std::forward<Fn>(fn).template operator()<int32_t>();
  }
  throw std::invalid_argument("poolbench: unknown dtype");
}

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
