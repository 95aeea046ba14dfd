// wasm32 stand-in for the x86 header the shared kernels include (native/cpu.h, gemm_kernel.h,
// thread_pool.cc): the few intrinsics they use, with their meaning on a WebAssembly machine.
// Found first because scripts/build-wasm.mjs puts this folder on the include path; the x86
// build never sees it. Keeps the shared kernel files free of wasm-specific guards.
#pragma once
#if !defined(__wasm__)
#error "native/wasm/compat is for the wasm32 build only"
#endif
#include <wasm_simd128.h>

typedef float __m128 __attribute__((vector_size(16), aligned(16)));

// A spin-wait hint: WebAssembly has none, and the wasm build runs one thread (no spinning).
static inline void _mm_pause(void) {}
// MXCSR (flush-to-zero, denormals-are-zero): WebAssembly float arithmetic is IEEE with
// denormals and no mode register, so reading gives 0 and writing does nothing.
static inline unsigned int _mm_getcsr(void) { return 0; }
static inline void _mm_setcsr(unsigned int) {}

static inline __m128 _mm_sqrt_ps(__m128 x) { return (__m128)wasm_f32x4_sqrt((v128_t)x); }
