// Test helper: runs one registered strategy on small typed inputs.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "poolbench/descriptor.hpp"
#include "poolbench/registry.hpp"
#include "run/guarded_buffer.hpp"

namespace poolbench::testing {

template <class T>
struct ForwardResult {
  std::vector<T> values;
  std::vector<int64_t> indices;
};

inline const Strategy& Get(const std::string& name) {
  const Strategy* s = Registry::Global().Find(name);
  if (!s) throw std::runtime_error("strategy not registered: " + name);
  return *s;
}

template <class T>
ForwardResult<T> Forward(const std::string& strategy, const std::string& descriptor,
                         const std::vector<T>& src) {
  const Problem p = ParseDescriptor(descriptor);
  EXPECT_EQ(Validate(p), "") << descriptor;
  EXPECT_EQ(static_cast<int64_t>(src.size()), InputElements(p)) << descriptor;
  ForwardResult<T> r{std::vector<T>(OutputElements(p)),
                     std::vector<int64_t>(p.indices ? OutputElements(p) : 0)};
  Buffers b;
  b.src = src.data();
  b.dst = r.values.data();
  b.indices = p.indices ? r.indices.data() : nullptr;
  Get(strategy).Prepare(p, ExecContext{})->Run(b);
  return r;
}

template <class T>
std::vector<T> Backward(const std::string& strategy, const std::string& descriptor,
                        const std::vector<T>& src, const std::vector<T>& diff_dst) {
  const Problem p = ParseDescriptor(descriptor);
  EXPECT_EQ(Validate(p), "") << descriptor;
  std::vector<T> diff_src(InputElements(p), T(-77));  // garbage the strategy must overwrite
  Buffers b;
  b.src = src.data();
  b.diff_dst = diff_dst.data();
  b.diff_src = diff_src.data();
  const auto kernel = Get(strategy).Prepare(p, ExecContext{});
  SavedForwardBuffers saved;  // for a backward that reads its own forward's indices
  saved.Bind(*kernel, p, b);
  kernel->Run(b);
  return diff_src;
}

}  // namespace poolbench::testing
