#include "cli/plugin_probe.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "io/plugin_loader.hpp"
#include "isolate/worker.hpp"

namespace poolbench::cli {
namespace {

constexpr const char* kLoadTimeoutVariable = "POOLBENCH_LOAD_TIMEOUT";
constexpr double kDefaultLoadTimeout = 120;

// What the probe worker sends back: "ok", or "error:" and the PluginError's message.
constexpr std::string_view kLoaded = "ok";
constexpr std::string_view kRefused = "error:";

std::string Seconds(double s) {
  char text[64];
  std::snprintf(text, sizeof text, "%g", s);
  return text;
}

void Probe(const std::string& path, const std::function<void()>& load) {
  isolate::Options opt;
  opt.timeout_seconds = PluginLoadTimeout();
  // Libraries may start thread pools as they load (NumPy's BLAS does): not a fault here.
  opt.strategy_contract = false;
  isolate::RunTasks(
      1,
      [&](size_t) {
        try {
          load();
        } catch (const PluginError& e) {
          return std::string(kRefused) + e.what();
        }
        return std::string(kLoaded);
      },
      opt,
      [&](size_t, isolate::Outcome o) {
        const std::string plugin = "plugin '" + path + "': ";
        switch (o.fault) {
          case isolate::Fault::kNone:
            if (o.result.starts_with(kRefused)) {
              throw PluginError(o.result.substr(kRefused.size()));
            }
            return true;
          case isolate::Fault::kExited:
            throw PluginError(plugin + "ended the process with status " + std::to_string(o.status) +
                              " while loading (exit() in a static constructor, or at a Python "
                              "file's top level); a plugin must never end poolbench");
          case isolate::Fault::kTimedOut:
            throw PluginError(plugin + "did not finish loading within " +
                              Seconds(opt.timeout_seconds) + " s, and was stopped (" +
                              kLoadTimeoutVariable + " sets the limit)");
          default:
            throw PluginError(plugin + "failed while loading: " + o.message);
        }
      });
}

}  // namespace

double PluginLoadTimeout() {
  const char* env = std::getenv(kLoadTimeoutVariable);
  if (!env || !*env) return kDefaultLoadTimeout;
  const std::string_view text(env);
  double seconds = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(seconds) ||
      seconds < 0 || seconds > 1e6) {
    throw PluginError(std::string(kLoadTimeoutVariable) + "='" + env +
                      "' is not a number of seconds in [0, 1000000]");
  }
  return seconds;
}

void InstallPluginProbe() { SetLoadProbe(Probe); }

}  // namespace poolbench::cli
