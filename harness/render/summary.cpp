// A run's results by problem: the one selection and order shared by every renderer and by
// bench's console summary. The statistic, the ratios and the peers are the model's
// (report::Derive); this only groups and sorts.
#include <algorithm>
#include <cctype>
#include <map>
#include <tuple>

#include "render/render.hpp"

namespace poolbench::render {

std::string UnrankedLabel(const Result& r) {
  switch (r.verdict) {
    case report::Verdict::kPass:
      return "UNTIMED";
    case report::Verdict::kWrong:
      return "WRONG";
    case report::Verdict::kError:
      return "ERROR";
    default:
      break;
  }
  // Other verdicts (a crashed or timed-out run) name themselves.
  std::string label;
  for (char c : report::ToString(r.verdict)) {
    label += c == '_' ? ' ' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return label;
}

std::vector<ProblemResults> Summarise(const report::Run& run) {
  std::vector<ProblemResults> out;
  std::map<std::string, size_t> slot;
  for (const Result& r : run.results) {
    const auto [it, fresh] = slot.try_emplace(r.descriptor, out.size());
    if (fresh) out.push_back({r.descriptor, {}, {}});
    ProblemResults& p = out[it->second];
    (r.Timed() ? p.ranked : p.unranked).push_back(r);
  }
  for (ProblemResults& p : out) {
    std::stable_sort(p.ranked.begin(), p.ranked.end(), [](const Result& a, const Result& b) {
      return std::tie(*a.time_ns, a.strategy, a.threads) <
             std::tie(*b.time_ns, b.strategy, b.threads);
    });
  }
  return out;
}

}  // namespace poolbench::render
