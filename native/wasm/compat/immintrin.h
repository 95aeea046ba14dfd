// wasm32 stand-in for <immintrin.h> (see xmmintrin.h in this folder): the 256- and 512-bit
// square roots that native/vec_math.h wraps, done 128 bits at a time. Only the 4-wide kernels
// run in the wasm build (native/wasm/platform.cc reports the baseline ISA), but the wider
// instantiations still have to compile.
#pragma once
#include "xmmintrin.h"

typedef float __m256 __attribute__((vector_size(32), aligned(32)));
typedef float __m512 __attribute__((vector_size(64), aligned(64)));

static inline __m256 _mm256_sqrt_ps(__m256 x) {
  for (int i = 0; i < 8; ++i) x[i] = __builtin_sqrtf(x[i]);
  return x;
}
static inline __m512 _mm512_sqrt_ps(__m512 x) {
  for (int i = 0; i < 16; ++i) x[i] = __builtin_sqrtf(x[i]);
  return x;
}
