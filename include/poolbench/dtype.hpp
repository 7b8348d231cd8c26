// Element types: one table, read by everything that names, sizes, parses, dispatches on or
// computes with a dtype.
//
// A row is a dtype with its semantics. Code that needs to know how a dtype behaves (is there a
// NaN, what are its values compared and summed in, how does an average round) asks the table,
// never a C++ type test, so that adding a dtype is a row here plus its conversions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace poolbench {

// How the average of a window is rounded to its dtype (docs/semantics.md).
enum class Rounding {
  // Floats: the sum divided in the accumulator type, converted once to the storage type
  // (round to nearest, ties to even).
  kNearestEven,
  // Integers: to the nearest integer, ties away from zero, then converted to the storage type
  // as C++ converts (modulo 2^bits), which keeps i32 as it always was.
  kHalfAwayWrap,
  // Integers: to the nearest integer, ties away from zero, then clamped to the type's range.
  kHalfAwaySaturate,
};

}  // namespace poolbench

// The table. Columns:
//   enumerator, storage type, name (descriptors, reports, --dtype), NumPy descr ("" when NumPy
//   has none), compute type (what a window's values are compared in and gradients are summed
//   in), accumulator (what an average's sum is taken in), NaN and infinities exist, the
//   rounding of an average, backward is defined.
// New rows go at the end: the enumerators' values cross the plugin boundary inside Problem.
#define POOLBENCH_DTYPES(X)                                                    \
  X(kF32, float, "f32", "<f4", float, double, true, kNearestEven, true)        \
  X(kF64, double, "f64", "<f8", double, double, true, kNearestEven, true)      \
  X(kI32, int32_t, "i32", "<i4", int32_t, int64_t, false, kHalfAwayWrap, true) \
  X(kU8, uint8_t, "u8", "|u1", int32_t, int64_t, false, kHalfAwaySaturate, false)

namespace poolbench {

enum class DType {
#define POOLBENCH_DTYPE_ENUM(e, type, name, descr, compute, acc, special, rounding, bwd) e,
  POOLBENCH_DTYPES(POOLBENCH_DTYPE_ENUM)
#undef POOLBENCH_DTYPE_ENUM
};

// Every dtype, in table order.
inline constexpr DType kAllDTypes[] = {
#define POOLBENCH_DTYPE_LIST(e, type, name, descr, compute, acc, special, rounding, bwd) DType::e,
    POOLBENCH_DTYPES(POOLBENCH_DTYPE_LIST)
#undef POOLBENCH_DTYPE_LIST
};
inline constexpr int kDTypeCount = static_cast<int>(std::size(kAllDTypes));

// The table's row of a storage type: DTypeOf<float>::value == DType::kF32, with the row's
// compute and accumulator types and its semantics. Only the table's types have a row.
template <class T>
struct DTypeOf;
#define POOLBENCH_DTYPE_TRAITS(e, type, name, descr, compute, acc, special, rounding, bwd) \
  template <>                                                                              \
  struct DTypeOf<type> {                                                                   \
    static constexpr DType value = DType::e;                                               \
    using Compute = compute;                                                               \
    using Accumulator = acc;                                                               \
    static constexpr bool kFloat = special;                                                \
    static constexpr Rounding kRounding = Rounding::rounding;                              \
    static constexpr bool kBackward = bwd;                                                 \
    static_assert(kFloat == std::is_floating_point_v<compute>,                             \
                  "a dtype with NaN computes in a C++ float type, and only such a dtype"); \
  };
POOLBENCH_DTYPES(POOLBENCH_DTYPE_TRAITS)
#undef POOLBENCH_DTYPE_TRAITS

// The storage type of a row: StorageOf<DType::kF32> is float.
template <DType D>
struct DTypeRow;
#define POOLBENCH_DTYPE_ROW(e, storage, name, descr, compute, acc, special, rounding, bwd) \
  template <>                                                                              \
  struct DTypeRow<DType::e> {                                                              \
    using type = storage;                                                                  \
  };
POOLBENCH_DTYPES(POOLBENCH_DTYPE_ROW)
#undef POOLBENCH_DTYPE_ROW
template <DType D>
using StorageOf = typename DTypeRow<D>::type;

// What a window's values of T are compared in (and gradients summed in): int32 for u8, T itself
// for f32, f64 and i32.
template <class T>
using Compute = typename DTypeOf<T>::Compute;
// What an average's sum of T is taken in: double for f32 and f64, int64 for the integers (u8
// too: a window may hold more than the 2^23 taps whose sum int32 could hold).
template <class T>
using Acc = typename DTypeOf<T>::Accumulator;
// Whether T has NaN and infinities (and so the max's NaN rule, and averages rounded to nearest
// even). The question "is it a float" is asked here and nowhere else.
template <class T>
inline constexpr bool IsFloat = DTypeOf<T>::kFloat;
// int64 is no dtype, but indices and integer sums are held in it: an integer.
template <>
inline constexpr bool IsFloat<int64_t> = false;

// A value of T in its compute type, and back. Exact for every row in the first direction; the
// second is C++'s conversion (callers round and saturate first, see DivideAs).
template <class T>
constexpr Compute<T> ToCompute(T v) {
  return static_cast<Compute<T>>(v);
}
template <class T>
constexpr T FromCompute(Compute<T> v) {
  return static_cast<T>(v);
}

// A set of dtypes: what a strategy implements (Strategy::Implements).
class DTypeSet {
 public:
  constexpr DTypeSet() = default;
  constexpr DTypeSet(std::initializer_list<DType> dtypes) {
    for (DType t : dtypes) bits_ |= Bit(t);
  }
  constexpr bool Has(DType t) const { return (bits_ & Bit(t)) != 0; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr DTypeSet operator|(DTypeSet o) const { return FromBits(bits_ | o.bits_); }
  friend constexpr bool operator==(DTypeSet, DTypeSet) = default;

 private:
  static_assert(kDTypeCount <= 32, "DTypeSet holds 32 dtypes");
  static constexpr uint32_t Bit(DType t) { return uint32_t{1} << static_cast<int>(t); }
  static constexpr DTypeSet FromBits(uint32_t bits) {
    DTypeSet s;
    s.bits_ = bits;
    return s;
  }
  uint32_t bits_ = 0;
};

// A list of dtypes known at compile time: what DispatchDType instantiates a kernel for.
template <DType... Ds>
struct DTypeList {
  static constexpr DTypeSet set{Ds...};
};
namespace detail {
template <size_t... I>
DTypeList<kAllDTypes[I]...> ListOfAll(std::index_sequence<I...>);
}  // namespace detail
// Every row of the table.
using AllDTypes = decltype(detail::ListOfAll(std::make_index_sequence<kDTypeCount>{}));
// What a strategy implements unless it says otherwise: the dtypes of plugin ABI version 2.
using DefaultDTypes = DTypeList<DType::kF32, DType::kF64, DType::kI32>;

// The table's facts about one dtype, for code that names, sizes, parses or describes it.
struct DTypeInfo {
  DType dtype;
  std::string_view name;   // in descriptors and reports: "f32"
  std::string_view numpy;  // NumPy's type string: "<f4"; empty when NumPy has none
  int64_t size;            // bytes per element
  bool is_float;           // NaN and infinities exist
  Rounding rounding;       // of an average
  bool backward;           // backward is defined
};
inline constexpr DTypeInfo kDTypeTable[] = {
#define POOLBENCH_DTYPE_INFO(e, type, name, descr, compute, acc, special, rounding, bwd) \
  {DType::e, name, descr, sizeof(type), special, Rounding::rounding, bwd},
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
    if (!i.numpy.empty() && i.numpy == descr) return i.dtype;
  }
  return std::nullopt;
}

namespace detail {
template <DType First, DType... Rest, class Fn>
constexpr decltype(auto) DispatchIn(DType t, Fn&& fn) {
  if (t == First) return std::forward<Fn>(fn).template operator()<StorageOf<First>>();
  if constexpr (sizeof...(Rest) > 0) {
    return DispatchIn<Rest...>(t, std::forward<Fn>(fn));
  } else {
    throw std::invalid_argument("poolbench: dtype " + std::string(ToString(t)) +
                                " is not in the list this code was compiled for");
  }
}
template <class List>
struct Dispatcher;
template <DType... Ds>
struct Dispatcher<DTypeList<Ds...>> {
  template <class Fn>
  static constexpr decltype(auto) Run(DType t, Fn&& fn) {
    return DispatchIn<Ds...>(t, std::forward<Fn>(fn));
  }
};
}  // namespace detail

// Calls fn.template operator()<T>() with the storage type T of `t`, instantiating fn only for
// the dtypes of List (a DTypeList), e.g.
//   DispatchDType<DefaultDTypes>(p.dtype, [&]<class T>() { Run<T>(...); });
// Throws std::invalid_argument when `t` is not in List: a strategy lists what it implements
// (Strategy::Implements), so the harness never asks it for another dtype.
template <class List = void, class Fn>
constexpr decltype(auto) DispatchDType(DType t, Fn&& fn) {
  static_assert(!std::is_void_v<List>,
                "DispatchDType needs the dtypes to compile for: DispatchDType<DefaultDTypes>(...), "
                "DispatchDType<AllDTypes>(...) or DispatchDType<DTypeList<...>>(...)");
  return detail::Dispatcher<List>::Run(t, std::forward<Fn>(fn));
}

}  // namespace poolbench
