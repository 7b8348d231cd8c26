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
  // A disturbed result ran correctly; its message says what disturbed it.
  switch (r.verdict) {
    case report::Verdict::kPass:
      return r.disturbed.empty() ? "UNTIMED" : "DISTURBED";
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

std::vector<const Result*> Leaders(const std::vector<Result>& ranked) {
  std::vector<const Result*> out;
  if (ranked.empty()) return out;
  out.push_back(&ranked.front());
  for (size_t i = 1; i < ranked.size(); ++i) {
    if (!report::Separated(ranked[i].estimate, ranked.front().estimate)) out.push_back(&ranked[i]);
  }
  return out;
}

std::string VerdictText(const ProblemResults& p) {
  const auto name = [](const Result* r) {
    return r->strategy + " (" + std::to_string(r->threads) +
           (r->threads == 1 ? " thread)" : " threads)");
  };
  const std::vector<const Result*> leaders = Leaders(p.ranked);
  if (leaders.empty()) {
    const bool disturbed = std::any_of(p.unranked.begin(), p.unranked.end(),
                                       [](const Result& r) { return !r.disturbed.empty(); });
    return disturbed ? "no answer: every correct result was disturbed by other work"
                     : "no answer: no strategy passed the cross-check";
  }
  const auto disturbed = std::count_if(p.unranked.begin(), p.unranked.end(),
                                       [](const Result& r) { return !r.disturbed.empty(); });
  const std::string others =
      disturbed ? " (" + std::to_string(disturbed) + " disturbed by other work, not ranked)" : "";
  if (leaders.size() == 1) {
    if (p.ranked.size() == 1) return "only " + name(leaders[0]) + " was measured" + others;
    return "fastest: " + name(leaders[0]) + others;
  }
  std::string out = "tie: ";
  for (size_t i = 0; i < leaders.size(); ++i) out += (i ? ", " : "") + name(leaders[i]);
  return out + " cannot be told apart" + others;
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
