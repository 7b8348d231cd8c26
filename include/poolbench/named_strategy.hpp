// The common base of a strategy whose name and description are fixed strings: a derived class
// passes them to the constructor and writes only what is its own (Supports, Prepare, ...).
#pragma once

#include <string_view>

#include "poolbench/strategy.hpp"

namespace poolbench {

class NamedStrategy : public Strategy {
 public:
  // Both strings must outlive the strategy (string literals do).
  NamedStrategy(std::string_view name, std::string_view description)
      : name_(name), description_(description) {}
  std::string_view name() const final { return name_; }
  std::string_view description() const final { return description_; }

 private:
  std::string_view name_, description_;
};

}  // namespace poolbench
