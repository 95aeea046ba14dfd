// Helpers shared by the elementwise, loss and optimizer kernels: splitting a flat range into
// chunks for the pool, and the per-ISA dispatch boilerplate.
#pragma once
#include <algorithm>
#include <cstddef>
#include "cpu.h"
#include "thread_pool.h"

namespace aekit {

// Below this many elements a kernel runs on the caller alone: waking a worker costs more than
// the work. The split depends only on n, so results do not depend on the thread count.
constexpr size_t kGrain = 32768;
constexpr int kMaxChunks = 512;

struct RangeSplit {
  int chunks;
  size_t step;
};

inline RangeSplit split_range(size_t n, size_t grain = kGrain) {
  if (n <= grain) return {1, n};
  size_t chunks = (n + grain - 1) / grain;
  if (chunks > static_cast<size_t>(kMaxChunks)) chunks = kMaxChunks;
  size_t step = (n + chunks - 1) / chunks;
  step = (step + 63) & ~size_t(63);  // whole cache lines per chunk, no false sharing
  return {static_cast<int>((n + step - 1) / step), step};
}

// f(begin, end) over [0, n) in chunks on the pool.
template <class F> void parallel_range(size_t n, F&& f, size_t grain = kGrain) {
  RangeSplit s = split_range(n, grain);
  ThreadPool::instance().parallel_for(s.chunks, [&](int c) {
    size_t b = c * s.step, e = b + s.step < n ? b + s.step : n;
    f(b, e);
  });
}

// f(plane) for planes [0, planes) of plane_size values each, on the pool: for kernels whose
// planes are independent (each writes its own part of the output). Small planes are batched so a
// task is never a handful of values.
template <class F> void parallel_planes(long planes, long plane_size, F&& f) {
  const long per_task = std::max<long>(1, 16384 / std::max<long>(plane_size, 1));
  const long tasks = (planes + per_task - 1) / per_task;
  ThreadPool::instance().parallel_for(static_cast<int>(tasks), [&](int t) {
    for (long pl = t * per_task; pl < std::min(planes, (t + 1) * per_task); ++pl) f(pl);
  });
}

}  // namespace aekit

// Defines NAME_avx512 / NAME_avx2 / NAME_base wrappers around the template NAME_impl<V> and a
// NAME_isa(...) that picks one for the active ISA. A macro rather than lambdas: lambdas do not
// inherit the enclosing function's target attribute, so AVX code could not inline into them.
#define AEKIT_DISPATCH(RET, NAME, PARAMS, ARGS)                                             \
  AEKIT_TARGET_AVX512 static RET NAME##_avx512 PARAMS { return NAME##_impl<v16f> ARGS; } \
  AEKIT_TARGET_AVX2 static RET NAME##_avx2 PARAMS { return NAME##_impl<v8f> ARGS; }      \
  static RET NAME##_base PARAMS { return NAME##_impl<v4f> ARGS; }                          \
  static RET NAME##_isa PARAMS {                                                           \
    switch (active_isa()) {                                                                \
      case Isa::Avx512: return NAME##_avx512 ARGS;                                         \
      case Isa::Avx2: return NAME##_avx2 ARGS;                                             \
      default: return NAME##_base ARGS;                                                    \
    }                                                                                      \
  }
