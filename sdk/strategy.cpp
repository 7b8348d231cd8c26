#include "poolbench/strategy.hpp"

#include <string>

namespace poolbench {

Support SupportOf(const Strategy& s, const Problem& p) {
  const Implemented scope = s.Implements();
  if (!scope.dtypes.Has(p.dtype)) {
    return Support::No("dtype " + std::string(ToString(p.dtype)) + " not implemented");
  }
  if (!scope.ranks.Has(SpatialRank(p))) {
    return Support::No(std::to_string(SpatialRank(p)) + "-D problems not implemented");
  }
  return s.Supports(p);
}

}  // namespace poolbench
