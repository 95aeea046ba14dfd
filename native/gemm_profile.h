// Cycle counters for an instrumented build of the GEMM (compile with -DAEKIT_GEMM_PROFILE, as
// bench/gemm-profile.ts describes): how much of the time inside the column strips goes to packing
// A, packing B and waiting for another chunk's A unit; the rest is the micro-kernel and the C
// updates. The normal build compiles every macro here to nothing.
#pragma once
#include <cstdint>

#if defined(AEKIT_GEMM_PROFILE) && (defined(__x86_64__) || defined(__i386__))
#include <atomic>
#include <x86intrin.h>
namespace aekit {
enum GemmPhase { kPhasePackA, kPhasePackB, kPhaseWaitA, kPhaseStrip, kGemmPhases };
// Totals over all threads since the last gemm_profile_take (cycles of the time-stamp counter).
std::atomic<uint64_t>* gemm_profile_counters();
}  // namespace aekit
#define AEKIT_PROFILE_START(var) const uint64_t var = __rdtsc()
#define AEKIT_PROFILE_ADD(phase, var) \
  ::aekit::gemm_profile_counters()[phase].fetch_add(__rdtsc() - (var), std::memory_order_relaxed)
#else
#define AEKIT_PROFILE_START(var)
#define AEKIT_PROFILE_ADD(phase, var)
#endif
