// The one list of strategies that tests, benchmarks and reports all read.
//
// In-tree strategies register at static-initialisation time with POOLBENCH_REGISTER_STRATEGY;
// plugins loaded at run time add theirs through the same Registry.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "poolbench/strategy.hpp"

namespace poolbench {

class Registry {
 public:
  // The process-wide registry.
  static Registry& Global();

  // Adds a strategy. Throws std::invalid_argument if its name is empty, malformed or taken.
  void Add(std::unique_ptr<Strategy> s);

  // Strategies sorted by name.
  std::vector<const Strategy*> All() const;
  // nullptr when there is no strategy of that name.
  const Strategy* Find(std::string_view name) const;

 private:
  std::vector<std::unique_ptr<Strategy>> strategies_;
};

namespace detail {
template <class S>
bool RegisterStatic() {
  Registry::Global().Add(std::make_unique<S>());
  return true;
}
}  // namespace detail

}  // namespace poolbench

// Registers strategy class `Class` (default-constructible) in the global registry.
#define POOLBENCH_REGISTER_STRATEGY(Class)                             \
  [[maybe_unused]] static const bool poolbench_registered_##Class##_ = \
      ::poolbench::detail::RegisterStatic<Class>()
