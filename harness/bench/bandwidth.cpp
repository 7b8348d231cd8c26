#include "bench/bandwidth.hpp"

#include <benchmark/benchmark.h>
#include <omp.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#ifdef __SSE2__
#include <immintrin.h>
#endif

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <stdexcept>

namespace poolbench {
namespace {

using Clock = std::chrono::steady_clock;

// A cache level as the machine reports it: one instance's size and how many CPUs share it.
struct CacheLevel {
  int level;
  int64_t size;
  int sharing;
};

constexpr int64_t kMiB = int64_t{1} << 20;
// Buffers and per-thread slices are whole cache lines, so that no two threads share a line and
// the vector loop has no remainder.
constexpr int64_t kLine = 64;
constexpr int64_t kLineFloats = kLine / static_cast<int64_t>(sizeof(float));
// Each output element is written once (4 bytes) from four inputs read once each (16 bytes).
constexpr int64_t kReads = 4;
constexpr int64_t kBytesPerElement = (kReads + 1) * sizeof(float);

// Data and unified caches, one entry per level, smallest level first. Google Benchmark's
// CPUInfo reads them from the OS (sysfs on Linux, sysctl on macOS, the Win32 API on Windows,
// with the number of CPUs sharing each), and the same list is recorded in every report's
// context.caches, so the roofline and the report agree on what the caches are. Where it finds
// nothing (a container without /sys/devices/system/cpu), glibc's sysconf still answers from
// CPUID; it does not say which levels are shared, so L1 and L2 are taken as private and the
// levels above as shared by every CPU, as on nearly every x86 part.
std::vector<CacheLevel> DetectCaches(int num_cpus) {
  std::vector<CacheLevel> out;
  for (const auto& c : benchmark::CPUInfo::Get().caches) {
    if (c.type != "Data" && c.type != "Unified") continue;
    if (c.size <= 0 || c.level <= 0) continue;
    const bool seen = std::any_of(out.begin(), out.end(),
                                  [&](const CacheLevel& l) { return l.level == c.level; });
    if (seen) continue;
    const int sharing = c.num_sharing > 0 ? c.num_sharing : (c.level <= 2 ? 1 : num_cpus);
    out.push_back({c.level, c.size, sharing});
  }
#if defined(_SC_LEVEL1_DCACHE_SIZE) && defined(_SC_LEVEL2_CACHE_SIZE) && \
    defined(_SC_LEVEL3_CACHE_SIZE)
  if (out.empty()) {
    const int names[] = {_SC_LEVEL1_DCACHE_SIZE, _SC_LEVEL2_CACHE_SIZE, _SC_LEVEL3_CACHE_SIZE};
    for (int i = 0; i < 3; ++i) {
      const long size = sysconf(names[i]);
      if (size > 0) out.push_back({i + 1, size, i < 2 ? 1 : num_cpus});
    }
  }
#endif
  std::sort(out.begin(), out.end(),
            [](const CacheLevel& a, const CacheLevel& b) { return a.level < b.level; });
  return out;
}

int64_t PhysicalMemoryBytes() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page = sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? int64_t{pages} * page : 0;
}

// The measured kernels read four times what they write, the memory traffic of 2x2 pooling,
// without its arithmetic, in three access patterns, and a level's rate is the fastest one's:
//  - four streams and one written, dst[i] = q * (a[i] + b[i] + c[i] + d[i]), with no shuffles:
//    the faster in the caches;
//  - two rows read in pairs, as 2x2 pooling reads them, dst[i] = q * (a[2i] + a[2i + 1] +
//    b[2i] + b[2i + 1]): three streams instead of five, which the prefetchers serve better from
//    DRAM (on a 2-core AMD EPYC, about 13% more than four streams at one thread), so that a
//    pooling kernel cannot beat the roofline by reading the way pooling does;
//  - the same with non-temporal stores (x86), which skip the read of each line before it is
//    written, as poolbench's own simd does with outputs larger than the cache: the faster from
//    DRAM, so that a kernel cannot beat the roofline by storing that way either.
// (A one-read-one-write kernel such as STREAM's scale pays the write-allocate reads of its
// stores on half its bytes, so a pooling kernel could reach more than "100%" of it.)
// Bytes are counted as poolbench's bytes_moved counts them: bytes read plus bytes written, not
// the write-allocate reads the hardware may add. The multiplication by a factor unknown at
// compile time keeps the compiler from turning the loop into anything but a loop. `omp simd`
// asks for the vectorisation pooling code gets. The callers put benchmark::ClobberMemory(), a
// compiler barrier after which any memory may have been read or written, after every sweep,
// and read the output at the end, so repeated sweeps over the same data are never merged or
// dropped as redundant; noinline keeps that one loop the code being measured.
[[gnu::noinline]] void ReadFourWriteOne(const float* __restrict a, const float* __restrict b,
                                        const float* __restrict c, const float* __restrict d,
                                        float* __restrict dst, int64_t n, float q) {
#pragma omp simd aligned(a, b, c, d, dst : kLine)
  for (int64_t i = 0; i < n; ++i) dst[i] = q * ((a[i] + b[i]) + (c[i] + d[i]));
}
[[gnu::noinline]] void ReadTwoRowsWriteOne(const float* __restrict a, const float* __restrict b,
                                           float* __restrict dst, int64_t n, float q) {
#pragma omp simd aligned(a, b, dst : kLine)
  for (int64_t i = 0; i < n; ++i) {
    dst[i] = q * ((a[2 * i] + a[2 * i + 1]) + (b[2 * i] + b[2 * i + 1]));
  }
}

#ifdef __SSE2__
// A line at a time: the line computed as above, then stored past the cache in the widest
// vectors the build has. The sweep ends with a fence, so that its stores are in memory when
// it is timed.
[[gnu::noinline]] void ReadTwoRowsStreamOne(const float* __restrict a, const float* __restrict b,
                                            float* __restrict dst, int64_t n, float q) {
  for (int64_t i = 0; i < n; i += kLineFloats) {
    alignas(kLine) float line[kLineFloats];
#pragma omp simd aligned(line : kLine)
    for (int64_t j = 0; j < kLineFloats; ++j) {
      const int64_t k = 2 * (i + j);
      line[j] = q * ((a[k] + a[k + 1]) + (b[k] + b[k + 1]));
    }
#if defined(__AVX512F__)
    _mm512_stream_ps(dst + i, _mm512_load_ps(line));
#elif defined(__AVX__)
    for (int64_t j = 0; j < kLineFloats; j += 8)
      _mm256_stream_ps(dst + i + j, _mm256_load_ps(line + j));
#else
    for (int64_t j = 0; j < kLineFloats; j += 4) _mm_stream_ps(dst + i + j, _mm_load_ps(line + j));
#endif
  }
  _mm_sfence();
}
constexpr int kPatterns = 3;
#else
constexpr int kPatterns = 2;  // no portable non-temporal store
#endif

constexpr int64_t kPage = 4096;

struct FreeDeleter {
  void operator()(float* p) const { std::free(p); }
};
using Buffer = std::unique_ptr<float, FreeDeleter>;

// One thread's four source streams and its destination, `floats` elements each, in one
// page-aligned block, each stream starting a whole number of pages after the previous one. That
// distance matters: x86 cores guess that a load depends on an earlier store whose address
// agrees in its low 12 bits ("4K aliasing"), so if dst[i] were, say, 1 KiB past a page boundary
// from a source element, each load would wait for the store 256 elements back and the L1 rate
// would drop by a third (measured on Sapphire Rapids). With separate allocations the distance
// would depend on where the allocator puts them, which differs between threads, so the threads
// would measure differently.
struct Streams {
  Buffer block;
  int64_t block_floats = 0;
  float* src[kReads] = {};
  float* dst = nullptr;
};

Streams Allocate(int64_t floats) {
  const int64_t stride = (floats * static_cast<int64_t>(sizeof(float)) + kPage - 1) / kPage * kPage;
  const int64_t stride_floats = stride / static_cast<int64_t>(sizeof(float));
  Streams s;
  s.block.reset(static_cast<float*>(std::aligned_alloc(kPage, (kReads + 1) * stride)));
  s.block_floats = (kReads + 1) * stride_floats;
  if (s.block) {
    for (int64_t r = 0; r < kReads; ++r) s.src[r] = s.block.get() + r * stride_floats;
    s.dst = s.block.get() + kReads * stride_floats;
  }
  return s;
}

// The CPUs to pin the measuring threads to, one each, or none to leave them where they are.
// Unpinned, Linux may leave a newly woken OpenMP thread on the CPU of the thread that woke it
// for a while, so two threads could share one core for part of a level and measure half the
// machine's rate; pinning does what OMP_PROC_BIND would. A single thread has no peer to collide
// with, and when the user has set OMP_PROC_BIND, or there are more threads than CPUs, the
// threads are left as they are.
std::vector<int> PinCpus(int threads) {
  std::vector<int> cpus;
#ifdef __linux__
  if (threads < 2 || omp_get_proc_bind() != omp_proc_bind_false) return cpus;
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) return cpus;
  for (int c = 0; c < CPU_SETSIZE && static_cast<int>(cpus.size()) < threads; ++c) {
    if (CPU_ISSET(c, &allowed)) cpus.push_back(c);
  }
  if (static_cast<int>(cpus.size()) < threads) cpus.clear();
#else
  (void)threads;
#endif
  return cpus;
}

// Pins the calling thread to one CPU for its lifetime and then restores its affinity, so that
// the OpenMP threads, which later parallel regions reuse, are left as they were found.
class ScopedPin {
 public:
  explicit ScopedPin(const std::vector<int>& cpus, int thread) {
#ifdef __linux__
    if (thread >= static_cast<int>(cpus.size())) return;
    CPU_ZERO(&saved_);
    if (pthread_getaffinity_np(pthread_self(), sizeof(saved_), &saved_) != 0) return;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpus[thread], &one);
    pinned_ = pthread_setaffinity_np(pthread_self(), sizeof(one), &one) == 0;
#else
    (void)cpus;
    (void)thread;
#endif
  }
  ~ScopedPin() {
#ifdef __linux__
    if (pinned_) pthread_setaffinity_np(pthread_self(), sizeof(saved_), &saved_);
#endif
  }
  ScopedPin(const ScopedPin&) = delete;
  ScopedPin& operator=(const ScopedPin&) = delete;

 private:
#ifdef __linux__
  cpu_set_t saved_;
#endif
  bool pinned_ = false;
};

// What to measure at one level: `floats` elements per thread in each of src and dst.
struct Plan {
  BandwidthLevel level;
  int64_t floats;
};

// What the threads of one measurement share. Only the master thread writes it (other threads
// only set alloc_failed), and the others read it only after the barrier that follows a write.
struct Measurement {
  Measurement(int t, int64_t f, double s, float factor)
      : threads(t),
        floats(f),
        seconds(s),
        q(factor),
        target(std::clamp(s / 20, 1e-3, 1e-2)),
        bytes_per_sweep(static_cast<double>(t) * f * kBytesPerElement),
        got_threads(t) {}
  const int threads;
  const int64_t floats;  // per thread and stream
  const double seconds;  // to spend sampling
  const float q;         // the kernel's factor
  const double target;   // seconds per sample
  const double bytes_per_sweep;
  bool alloc_failed = false;
  int got_threads;
  int64_t reps = 1;  // sweeps per sample
  int pattern = 0;   // the access pattern of the next sample: as Sweep numbers them
  Clock::time_point start, t0;
  double best = 0;  // GB/s
  bool more = true;
};

// Pattern 0: four streams. 1 and 2: two rows of 2 * floats, from the first source over the
// second one's place and from the third over the fourth's (the block is initialised whole, the
// pages between them too); 2 stores past the cache.
void Sweep(const Measurement& m, const Streams& s) {
  switch (m.pattern) {
    case 0:
      ReadFourWriteOne(s.src[0], s.src[1], s.src[2], s.src[3], s.dst, m.floats, m.q);
      break;
    case 1:
      ReadTwoRowsWriteOne(s.src[0], s.src[2], s.dst, m.floats, m.q);
      break;
#ifdef __SSE2__
    default:
      ReadTwoRowsStreamOne(s.src[0], s.src[2], s.dst, m.floats, m.q);
      break;
#endif
  }
}

// One thread's streams, allocated and first touched by that thread, so that on a NUMA machine
// the pages live next to the core that streams them and page faults stay out of the timing, and
// then swept once to bring the working set into the level being measured.
Streams PrepareThread(Measurement& m) {
  Streams streams = Allocate(m.floats);
  if (!streams.block) {
#pragma omp atomic write
    m.alloc_failed = true;
    return streams;
  }
  // Every float of the block, so that no pattern reads an uninitialised (possibly denormal)
  // value.
  for (int64_t i = 0; i < streams.block_floats; ++i) {
    streams.block.get()[i] = static_cast<float>(i & 255);
  }
  Sweep(m, streams);
  return streams;
}

// The master alone: doubles the sweeps per sample until its own sweeps last target / 2.
template <class SweepN>
void Calibrate(Measurement& m, const SweepN& sweep) {
  m.start = Clock::now();
  for (;;) {
    const Clock::time_point c0 = Clock::now();
    sweep(m.reps);
    if (std::chrono::duration<double>(Clock::now() - c0).count() >= m.target / 2) break;
    if (m.reps >= (int64_t{1} << 40)) break;
    m.reps *= 2;
  }
}

// Every thread: timed samples, each started together after a barrier and ended by the last
// thread, the access patterns in turn, until m.seconds have passed; the master keeps the
// best rate.
template <class SweepN>
void Sample(Measurement& m, bool master, const SweepN& sweep) {
  for (;;) {
#pragma omp barrier
    if (master) m.t0 = Clock::now();
#pragma omp barrier
    sweep(m.reps);
#pragma omp barrier
    if (master) {
      const Clock::time_point t1 = Clock::now();
      const double t = std::chrono::duration<double>(t1 - m.t0).count();
      if (t > 0)
        m.best = std::max(m.best, static_cast<double>(m.reps) * m.bytes_per_sweep / t / 1e9);
      m.more = m.best == 0 || std::chrono::duration<double>(t1 - m.start).count() < m.seconds;
      m.pattern = (m.pattern + 1) % kPatterns;
    }
#pragma omp barrier
    if (!m.more) break;
  }
}

void ThrowIfFailed(const Measurement& m) {
  if (m.alloc_failed) {
    throw std::runtime_error("bandwidth measurement: cannot allocate 5 x " +
                             std::to_string(m.floats * sizeof(float)) + " bytes per thread");
  }
  if (m.got_threads != m.threads) {
    throw std::runtime_error("bandwidth measurement: OpenMP started " +
                             std::to_string(m.got_threads) + " threads instead of " +
                             std::to_string(m.threads) + " (OMP_THREAD_LIMIT or OMP_DYNAMIC?)");
  }
}

// Runs the kernel on `threads` threads, each over its own src/dst pair of `floats` elements,
// for about `seconds` after a warm-up, and returns the best rate in GB/s.
//
// Each timed sample is a number of back-to-back sweeps that every thread starts after a
// barrier and that ends when the last thread finishes, so the rate is that of all threads
// together, and no sample can come out faster than the threads really were. Before sampling,
// the master thread alone finds how many sweeps last `target` seconds, long enough that the
// barriers and the clock reads are a negligible part of a sample. It times its own sweeps,
// not a whole sample, because on a busy machine a thread waiting at a barrier for a
// descheduled peer would make a few sweeps look long enough. The best sample is the one least
// disturbed by interrupts and other processes.
double MeasureLevel(int threads, int64_t floats, double seconds) {
  // Read through a volatile so that the compiler cannot know the factor (1) and fold the loop.
  volatile float factor = 1.0f;
  Measurement m(threads, floats, seconds, factor);
  float sink = 0;
  const std::vector<int> cpus = PinCpus(threads);
#pragma omp parallel num_threads(threads) reduction(+ : sink)
  {
    const bool master = omp_get_thread_num() == 0;
    if (master) m.got_threads = omp_get_num_threads();
    const ScopedPin pin(cpus, omp_get_thread_num());
    const Streams streams = PrepareThread(m);
    const auto sweep = [&](int64_t n) {
      for (int64_t r = 0; r < n; ++r) {
        Sweep(m, streams);
        benchmark::ClobberMemory();
      }
    };
#pragma omp barrier
    const bool ok = !m.alloc_failed && m.got_threads == threads;
    if (ok && master) Calibrate(m, sweep);
    if (ok) Sample(m, master, sweep);
    // Reading the output makes the sweeps' results observable.
    if (ok) sink += streams.dst[floats - 1];
  }
  benchmark::DoNotOptimize(sink);
  ThrowIfFailed(m);
  return m.best;
}

// The levels to measure with `threads` threads, with their working sets.
std::vector<Plan> PlanLevels(int threads) {
  const int num_cpus = std::max(1, omp_get_num_procs());
  std::vector<Plan> plans;
  int64_t last_capacity = 0;
  // `at_least`: round the working set up (DRAM: no cache may hold it) rather than down (a cache
  // level: it must fit).
  auto add = [&](std::string name, int64_t capacity, int64_t working_set, bool at_least) {
    // Per thread: whole cache lines, at least one, in each of the four sources and dst.
    const int64_t line_set = kBytesPerElement * kLineFloats;
    const int64_t lines = (working_set / threads + (at_least ? line_set - 1 : 0)) / line_set;
    const int64_t floats = std::max<int64_t>(lines, 1) * kLineFloats;
    const int64_t bytes = floats * kBytesPerElement * threads;
    // A level whose working set is no larger than the level below it (a shared cache smaller
    // than the private caches of the threads) cannot be told apart from that level: skip it.
    if (!plans.empty() && bytes <= plans.back().level.working_set_bytes) return;
    plans.push_back({{std::move(name), capacity, bytes, threads, 0.0}, floats});
  };
  for (const CacheLevel& c : DetectCaches(num_cpus)) {
    // Without pinning, the OS spreads busy threads over idle cores and sockets first, so the
    // threads use one instance of the level each, as many as the machine has (L2 with 2
    // threads and a private L2 per core: 2; a single shared L3: 1).
    const int64_t instances = std::min<int64_t>(threads, std::max(1, num_cpus / c.sharing));
    const int64_t capacity = c.size * instances;
    // Appended rather than concatenated: GCC 12 gives a false -Wrestrict for "L" + string.
    std::string name(1, 'L');
    name += std::to_string(c.level);
    // Half the capacity: the other half leaves room for the code, the stack, the page tables
    // and the imperfect replacement of real caches, so that the data stays in this level.
    add(std::move(name), capacity, capacity / 2, false);
    last_capacity = capacity;
  }
  // DRAM: a working set that no cache can hold, at least 4 times the last level and 256 MiB,
  // but at most a quarter of the memory so that the measurement never makes the machine swap.
  int64_t dram = std::max(4 * last_capacity, 256 * kMiB);
  if (const int64_t mem = PhysicalMemoryBytes(); mem > 0) dram = std::min(dram, mem / 4);
  add("DRAM", 0, dram, true);
  return plans;
}

}  // namespace

std::vector<BandwidthLevel> MeasureBandwidth(const BandwidthOptions& opt) {
  return MeasureBandwidth(opt, nullptr);
}

std::vector<BandwidthLevel> MeasureBandwidth(const BandwidthOptions& opt,
                                             const BandwidthProgress& progress) {
  if (opt.threads < 0 || opt.threads > kMaxBandwidthThreads) {
    throw std::invalid_argument("bandwidth threads must be in [0, " +
                                std::to_string(kMaxBandwidthThreads) + "] (0 = all), got " +
                                std::to_string(opt.threads));
  }
  if (!std::isfinite(opt.seconds_per_level) || opt.seconds_per_level <= 0) {
    throw std::invalid_argument("bandwidth seconds per level must be a positive number, got " +
                                std::to_string(opt.seconds_per_level));
  }
  const int threads = opt.threads == 0 ? omp_get_max_threads() : opt.threads;
  std::vector<Plan> plans = PlanLevels(threads);
  std::vector<BandwidthLevel> out;
  for (size_t i = 0; i < plans.size(); ++i) {
    if (progress) progress(i, plans.size(), plans[i].level);
    plans[i].level.gbps = MeasureLevel(threads, plans[i].floats, opt.seconds_per_level);
    out.push_back(plans[i].level);
  }
  return out;
}

}  // namespace poolbench
