// Runtime CPU feature detection and the flush-to-zero scope used around every native call.
#pragma once
#include <cstdint>
#include "common.h"

namespace aekit {

// Best ISA this CPU supports, lowered by AEKIT_ISA=avx2|baseline (never raised above the CPU).
Isa detect_isa();
// The ISA in use (detected once, cached).
Isa active_isa();
const char* isa_name(Isa isa);
// Testing hook: switch ISA at run time (clamped to what the CPU supports). Returns the ISA set.
Isa set_isa(Isa isa);

// Denormals are slow on x86 (hundreds of cycles per op on some cores) and irrelevant for
// training, so native calls run with FTZ|DAZ. The caller's MXCSR (Node's main thread) is
// restored on exit so JS semantics outside the addon are untouched.
// The floating-point control register and its flush-to-zero bits: MXCSR's FTZ|DAZ on x86, FPCR's
// FZ on ARM64; elsewhere nothing (denormals are then computed, slowly but correctly).
#if AEKIT_X86
using FpMode = unsigned;
inline FpMode fp_mode() { return _mm_getcsr(); }
inline void set_fp_mode(FpMode m) { _mm_setcsr(m); }
constexpr FpMode kFlushDenormals = 0x8040;
#elif defined(__aarch64__)
using FpMode = uint64_t;
inline FpMode fp_mode() { uint64_t r; __asm__ __volatile__("mrs %0, fpcr" : "=r"(r)); return r; }
inline void set_fp_mode(FpMode m) { __asm__ __volatile__("msr fpcr, %0" : : "r"(m)); }
constexpr FpMode kFlushDenormals = FpMode(1) << 24;
#else
using FpMode = unsigned;
inline FpMode fp_mode() { return 0; }
inline void set_fp_mode(FpMode) {}
constexpr FpMode kFlushDenormals = 0;
#endif

class FtzScope {
 public:
  FtzScope() : saved_(fp_mode()) { set_fp_mode(saved_ | kFlushDenormals); }
  ~FtzScope() { set_fp_mode(saved_); }
  FtzScope(const FtzScope&) = delete;
  FtzScope& operator=(const FtzScope&) = delete;
 private:
  FpMode saved_;
};

}  // namespace aekit
