// Peak FP32 FMA throughput: many independent accumulator chains (more than latency x pipes)
// so the loop is bound by FMA issue only, with the best ISA available, on every thread.
#include "peak.h"
#include <atomic>
#include <chrono>
#include <time.h>
#include "common.h"
#include "cpu.h"
#include "thread_pool.h"

namespace aekit {

template <class V>
AEKIT_INLINE double fma_loop(long iters, float seed) {
  constexpr int kAcc = 12;  // 12 chains: covers 2 pipes x 4-6 cycles of latency on current cores
  V acc[kAcc];
  V x = splat<V>(seed), y = splat<V>(0.999999f);
#pragma GCC unroll 16
  for (int i = 0; i < kAcc; ++i) acc[i] = splat<V>(static_cast<float>(i));
  for (long it = 0; it < iters; ++it) {
#pragma GCC unroll 16
    for (int i = 0; i < kAcc; ++i) acc[i] = acc[i] * y + x;
#if AEKIT_X86
    __asm__ volatile("" : "+x"(y));  // keep the loop from being folded
#else
    __asm__ volatile("" : "+m"(y));  // the same elsewhere (through memory: any vector width)
#endif
  }
  V s = V{};
#pragma GCC unroll 16
  for (int i = 0; i < kAcc; ++i) s += acc[i];
  return static_cast<double>(s[0]) + 2.0 * kAcc * VT<V>::N * static_cast<double>(iters) * 0.0;
}

// FLOPs per iteration: kAcc chains x lanes x 2.
AEKIT_TARGET_AVX512 static double loop_avx512(long iters) { return fma_loop<v16f>(iters, 1e-3f); }
AEKIT_TARGET_AVX2 static double loop_avx2(long iters) { return fma_loop<v8f>(iters, 1e-3f); }
static double loop_base(long iters) { return fma_loop<v4f>(iters, 1e-3f); }

double measure_peak_gflops(double seconds) {
  const Isa isa = active_isa();
  const int lanes = isa == Isa::Avx512 ? 16 : isa == Isa::Avx2 ? 8 : 4;
  double (*loop)(long) = isa == Isa::Avx512 ? loop_avx512 : isa == Isa::Avx2 ? loop_avx2 : loop_base;
  ThreadPool& pool = ThreadPool::instance();
  const int threads = pool.threads();
  const long iters = 2'000'000;  // ~ a few ms per call
  const double flops_per_call = 2.0 * 12 * lanes * iters;
  // Each chunk is one call; many chunks so every thread stays busy the whole time. The best of
  // several rounds is reported (peak is a capability, noise only lowers it).
  double best = 0;
  auto start = std::chrono::steady_clock::now();
  volatile double sink = 0;
  do {
    const int chunks = threads * 4;
    auto t0 = std::chrono::steady_clock::now();
    pool.parallel_for(chunks, [&](int) { sink = sink + loop(iters); });
    auto t1 = std::chrono::steady_clock::now();
    double secs = std::chrono::duration<double>(t1 - t0).count();
    double g = flops_per_call * chunks / secs / 1e9;
    if (g > best) best = g;
  } while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < seconds);
  return best;
}

static double thread_cpu_seconds() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

double measure_core_peak_cpu(double seconds) {
  const Isa isa = active_isa();
  const int lanes = isa == Isa::Avx512 ? 16 : isa == Isa::Avx2 ? 8 : 4;
  double (*loop)(long) = isa == Isa::Avx512 ? loop_avx512 : isa == Isa::Avx2 ? loop_avx2 : loop_base;
  const long iters = 1'000'000;
  const double flops = 2.0 * 12 * lanes * iters;
  double best = 0;
  volatile double sink = 0;
  auto start = std::chrono::steady_clock::now();
  do {
    double t0 = thread_cpu_seconds();
    sink = sink + loop(iters);
    double g = flops / (thread_cpu_seconds() - t0) / 1e9;
    if (g > best) best = g;
  } while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < seconds);
  return best;
}

}  // namespace aekit
