// Runtime CPU feature detection and the flush-to-zero scope used around every native call.
#pragma once
#include <xmmintrin.h>
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
class FtzScope {
 public:
  FtzScope() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | 0x8040); }
  ~FtzScope() { _mm_setcsr(saved_); }
  FtzScope(const FtzScope&) = delete;
  FtzScope& operator=(const FtzScope&) = delete;
 private:
  unsigned saved_;
};

}  // namespace aekit
