#include "report/report.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

namespace poolbench::report {

namespace {

void Require(bool ok, const std::string& what, const std::string& why) {
  if (!ok) throw ReportError(what + ": " + why);
}

}  // namespace

void Check(const Json& r, const std::string& what) {
  Require(r.is_object(), what,
          "not a JSON object (expected {\"context\": ..., \"benchmarks\": [...]})");
  Require(r.contains("context") && r["context"].is_object(), what,
          "missing the \"context\" object");
  Require(r.contains("benchmarks") && r["benchmarks"].is_array(), what,
          "missing the \"benchmarks\" array");
  size_t i = 0;
  for (const Json& b : r["benchmarks"]) {
    const std::string at = "benchmarks[" + std::to_string(i++) + "]";
    Require(b.is_object(), what, at + " is not an object");
    for (const char* key : {"name", "run_name", "run_type", "time_unit"}) {
      Require(b.contains(key) && b[key].is_string(), what,
              at + " lacks the string field \"" + key + "\"");
    }
    for (const char* key : {"real_time", "cpu_time"}) {
      Require(b.contains(key) && b[key].is_number(), what,
              at + " lacks the number field \"" + key + "\"");
    }
    const std::string unit = b["time_unit"];
    Require(unit == "ns" || unit == "us" || unit == "ms" || unit == "s", what,
            at + " has unknown time_unit \"" + unit + "\"");
  }
}

Json Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ReportError(path + ": cannot open report");
  Json r;
  try {
    r = Json::parse(in);
  } catch (const Json::parse_error& e) {
    throw ReportError(path + ": not valid JSON: " + e.what());
  }
  Check(r, path);
  return r;
}

void SaveText(const std::string& text, const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  if (target.has_parent_path() && !fs::is_directory(target.parent_path())) {
    throw ReportError(path + ": directory " + target.parent_path().string() + " does not exist");
  }
  // The temporary file is created with O_EXCL under a random name, as mkstemp does, so two
  // processes writing the same path never write into one file. It is opened with mode 0666
  // (less the umask) rather than mkstemp's 0600, so the renamed file gets the permissions any
  // newly created file would.
  std::string tmp;
  int fd = -1;
  std::random_device random;
  constexpr char kLetters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
    tmp = path + ".";
    for (int i = 0; i < 6; ++i) tmp += kLetters[random() % (sizeof kLetters - 1)];
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) {
    throw ReportError(path + ": cannot write " + tmp + ": " + std::strerror(errno));
  }
  auto fail = [&](const std::string& why) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw ReportError(path + ": " + why);
  };
  for (size_t done = 0; done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      fail("writing " + tmp + " failed: " + std::strerror(error));
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) fail("writing " + tmp + " failed: " + std::strerror(errno));
  std::error_code ec;
  fs::rename(tmp, target, ec);
  if (ec) fail("cannot replace the file: " + ec.message());
}

void Save(const Json& report, const std::string& path) { SaveText(report.dump(2) + "\n", path); }

double RealTimeNs(const Json& entry) {
  const std::string unit = entry.at("time_unit");
  const double t = entry.at("real_time");
  if (unit == "ns") return t;
  if (unit == "us") return t * 1e3;
  if (unit == "ms") return t * 1e6;
  return t * 1e9;
}

}  // namespace poolbench::report
