// Element types: one table, read by everything that names, sizes, parses or dispatches on a dtype.
//
// A row is (enumerator, C++ type, name in descriptors and reports, NumPy descr, accumulator for
// sums). Adding f16, bf16 or u8 later is one row here and nothing else in the SDK.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <utility>

#define POOLBENCH_DTYPES(X)             \
  X(kF32, float, "f32", "<f4", double)  \
  X(kF64, double, "f64", "<f8", double) \
  X(kI32, int32_t, "i32", "<i4", int64_t)

namespace poolbench {

enum class DType {
#define POOLBENCH_DTYPE_ENUM(e, type, name, descr, acc) e,
  POOLBENCH_DTYPES(POOLBENCH_DTYPE_ENUM)
#undef POOLBENCH_DTYPE_ENUM
};

// Every dtype, in table order.
inline constexpr DType kAllDTypes[] = {
#define POOLBENCH_DTYPE_LIST(e, type, name, descr, acc) DType::e,
    POOLBENCH_DTYPES(POOLBENCH_DTYPE_LIST)
#undef POOLBENCH_DTYPE_LIST
};

// The table's row of a C++ type: DTypeOf<float>::value == DType::kF32, and the accumulator
// that sums of that type use (double for floats, int64 for integers, so that a window's sum
// cannot overflow).
template <class T>
struct DTypeOf;
#define POOLBENCH_DTYPE_TRAITS(e, type, name, descr, acc) \
  template <>                                             \
  struct DTypeOf<type> {                                  \
    static constexpr DType value = DType::e;              \
    using Accumulator = acc;                              \
  };
POOLBENCH_DTYPES(POOLBENCH_DTYPE_TRAITS)
#undef POOLBENCH_DTYPE_TRAITS

template <class T>
using Acc = typename DTypeOf<T>::Accumulator;

// Calls fn.template operator()<T>() with the C++ type of `t`, e.g.
//   DispatchDType(p.dtype, [&]<class T>() { Run<T>(...); });
template <class Fn>
constexpr decltype(auto) DispatchDType(DType t, Fn&& fn) {
  switch (t) {
#define POOLBENCH_DTYPE_CASE(e, type, name, descr, acc) \
  case DType::e:                                        \
    return std::forward<Fn>(fn).template operator()<type>();
    POOLBENCH_DTYPES(POOLBENCH_DTYPE_CASE)
#undef POOLBENCH_DTYPE_CASE
  }
  throw std::invalid_argument("poolbench: unknown dtype");
}

// The table's facts about one dtype, for code that names, sizes or parses it.
struct DTypeInfo {
  DType dtype;
  std::string_view name;   // in descriptors and reports: "f32"
  std::string_view numpy;  // NumPy's little-endian type string: "<f4"
  int64_t size;            // bytes per element
};
inline constexpr DTypeInfo kDTypeTable[] = {
#define POOLBENCH_DTYPE_INFO(e, type, name, descr, acc) {DType::e, name, descr, sizeof(type)},
    POOLBENCH_DTYPES(POOLBENCH_DTYPE_INFO)
#undef POOLBENCH_DTYPE_INFO
};

constexpr const DTypeInfo& Info(DType t) {
  for (const DTypeInfo& i : kDTypeTable) {
    if (i.dtype == t) return i;
  }
  throw std::invalid_argument("poolbench: unknown dtype");
}
constexpr std::string_view ToString(DType t) { return Info(t).name; }
constexpr std::string_view NumpyDescr(DType t) { return Info(t).numpy; }
constexpr int64_t SizeOf(DType t) { return Info(t).size; }

// The dtype of a name ("f32") or of a NumPy descr ("<f4"); nullopt when none matches.
constexpr std::optional<DType> ParseDType(std::string_view s) {
  for (const DTypeInfo& i : kDTypeTable) {
    if (i.name == s) return i.dtype;
  }
  return std::nullopt;
}
constexpr std::optional<DType> DTypeFromNumpy(std::string_view descr) {
  for (const DTypeInfo& i : kDTypeTable) {
    if (i.numpy == descr) return i.dtype;
  }
  return std::nullopt;
}

}  // namespace poolbench
