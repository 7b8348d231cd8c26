#include "poolbench/registry.hpp"

#include <algorithm>
#include <stdexcept>

namespace poolbench {

Registry& Registry::Global() {
  static Registry registry;
  return registry;
}

void Registry::Add(std::unique_ptr<Strategy> s) {
  if (!s) throw std::invalid_argument("poolbench: cannot register a null strategy");
  const std::string_view name = s->name();
  const bool well_formed = !name.empty() && std::all_of(name.begin(), name.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '.';
  });
  if (!well_formed) {
    throw std::invalid_argument("poolbench: strategy name '" + std::string(name) +
                                "' must be non-empty and use only [a-z0-9_.]");
  }
  if (Find(name)) {
    throw std::invalid_argument("poolbench: a strategy named '" + std::string(name) +
                                "' is already registered");
  }
  strategies_.push_back(std::move(s));
}

std::vector<const Strategy*> Registry::All() const {
  std::vector<const Strategy*> out;
  for (const auto& s : strategies_) out.push_back(s.get());
  std::sort(out.begin(), out.end(),
            [](const Strategy* a, const Strategy* b) { return a->name() < b->name(); });
  return out;
}

const Strategy* Registry::Find(std::string_view name) const {
  for (const auto& s : strategies_) {
    if (s->name() == name) return s.get();
  }
  return nullptr;
}

}  // namespace poolbench
