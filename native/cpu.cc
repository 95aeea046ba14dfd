// ISA detection with __builtin_cpu_supports: the binary is built without -march so it runs on
// any x86-64; the fast paths are selected here once.
#include "cpu.h"
#include <atomic>
#include <cstdlib>
#include <cstring>

namespace aekit {

static Isa cpu_best() {
#if !AEKIT_X86
  return Isa::Baseline;  // the 4-wide instantiation: NEON on ARM64
#else
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq"))
    return Isa::Avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::Avx2;
  return Isa::Baseline;
#endif
}

Isa detect_isa() {
  Isa best = cpu_best();
  const char* forced = std::getenv("AEKIT_ISA");
  if (forced == nullptr || *forced == 0) return best;
  Isa want = best;
  if (std::strcmp(forced, "baseline") == 0) want = Isa::Baseline;
  else if (std::strcmp(forced, "avx2") == 0) want = Isa::Avx2;
  else if (std::strcmp(forced, "avx512") == 0) want = Isa::Avx512;
  return static_cast<int>(want) < static_cast<int>(best) ? want : best;
}

static std::atomic<int> g_isa{-1};

Isa active_isa() {
  int v = g_isa.load(std::memory_order_relaxed);
  if (v < 0) {
    v = static_cast<int>(detect_isa());
    g_isa.store(v, std::memory_order_relaxed);
  }
  return static_cast<Isa>(v);
}

Isa set_isa(Isa isa) {
  Isa best = cpu_best();
  if (static_cast<int>(isa) > static_cast<int>(best)) isa = best;
  g_isa.store(static_cast<int>(isa), std::memory_order_relaxed);
  return isa;
}

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::Avx512: return "avx512";
    case Isa::Avx2: return "avx2";
#if defined(__aarch64__)
    default: return "neon";
#else
    default: return "baseline";
#endif
  }
}

}  // namespace aekit
