// Shared building blocks for the kernel files: vector types (GCC vector extensions), per-ISA
// target attributes and small load/store helpers. No N-API here: kernels are plain C++ over
// float pointers so they can be reasoned about (and benchmarked) without Node.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

#define AEKIT_INLINE inline __attribute__((always_inline))

// One binary, runtime dispatch: each kernel is a template instantiated inside a function that
// carries one of these attributes. `target_clones("avx2")` alone would not enable FMA, hence
// the explicit lists.
#if defined(__x86_64__) || defined(__i386__)
#define AEKIT_X86 1
#include <immintrin.h>
#define AEKIT_TARGET_AVX512 __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")))
#define AEKIT_TARGET_AVX2 __attribute__((target("avx2,fma")))
#else
// Elsewhere (ARM64: NEON is part of the base ISA) only the baseline instantiation runs: the
// 4-wide vectors compile to NEON registers and, with -ffp-contract=fast, fused multiply-adds.
// The wider instantiations still compile (GCC splits their vectors) but are never dispatched to.
#define AEKIT_X86 0
#define AEKIT_TARGET_AVX512
#define AEKIT_TARGET_AVX2
#endif
#define AEKIT_TARGET_BASE

namespace aekit {

typedef float v4f __attribute__((vector_size(16)));
typedef float v8f __attribute__((vector_size(32)));
typedef float v16f __attribute__((vector_size(64)));
typedef int32_t v4i __attribute__((vector_size(16)));
typedef int32_t v8i __attribute__((vector_size(32)));
typedef int32_t v16i __attribute__((vector_size(64)));
typedef float v2f __attribute__((vector_size(8)));
typedef double v2d __attribute__((vector_size(16)));
typedef double v4d __attribute__((vector_size(32)));
typedef double v8d __attribute__((vector_size(64)));
typedef double v16d __attribute__((vector_size(128)));

// Lane count and the matching int (same width) and double (same lane count) vectors.
template <class V> struct VT;
// H/DH: half-width float vector and the double vector of the same lane count (one register),
// for float64 accumulation: GCC spills a two-register double vector on every iteration.
template <> struct VT<v4f> { static constexpr int N = 4; using I = v4i; using D = v4d; using H = v2f; using DH = v2d; };
template <> struct VT<v8f> { static constexpr int N = 8; using I = v8i; using D = v8d; using H = v4f; using DH = v4d; };
template <> struct VT<v16f> { static constexpr int N = 16; using I = v16i; using D = v16d; using H = v8f; using DH = v8d; };

// User arrays are Float32Array views at any 4-byte offset: always load/store unaligned.
// memcpy of a fixed size compiles to a single vmovups.
template <class V> AEKIT_INLINE V loadu(const float* p) { V v; std::memcpy(&v, p, sizeof(V)); return v; }
template <class V> AEKIT_INLINE void storeu(float* p, V v) { std::memcpy(p, &v, sizeof(V)); }
// Partial loads for loop tails: the missing lanes are zero, so one code path serves body and tail
// (and the tail computes exactly what the body would).
template <class V> AEKIT_INLINE V load_part(const float* p, size_t n) { V v{}; std::memcpy(&v, p, n * 4); return v; }
template <class V> AEKIT_INLINE void store_part(float* p, V v, size_t n) { std::memcpy(p, &v, n * 4); }
// Whole vectors (kFull) as such, a last partial one of r lanes through load_part/store_part. Kernels
// instantiate their block once per case, so the body never pays for load_part's variable length
// (a memcpy call per access: 4.8 ns per score on a Zen 5).
template <class V, bool kFull> AEKIT_INLINE V load_n(const float* at, long r) {
  return kFull ? loadu<V>(at) : load_part<V>(at, static_cast<size_t>(r));
}
template <class V, bool kFull> AEKIT_INLINE void store_n(float* at, V v, long r) {
  if (kFull) storeu<V>(at, v);
  else store_part<V>(at, v, static_cast<size_t>(r));
}
// Broadcast. Not `V{} + s`: without -ffast-math GCC must keep that add (because of -0.0).
template <class V> AEKIT_INLINE V splat(float s) { return __builtin_shuffle(V{s}, typename VT<V>::I{}); }
template <class V> AEKIT_INLINE typename VT<V>::I as_int(V v) { typename VT<V>::I r; std::memcpy(&r, &v, sizeof r); return r; }
template <class V> AEKIT_INLINE V as_float(typename VT<V>::I v) { V r; std::memcpy(&r, &v, sizeof r); return r; }

// Pins v to a register. GCC folds a vector load that several FMAs use into each of them as a
// memory operand, which can make an FMA-bound loop load-bound (the direct filter gradient's input
// vector was loaded once per dy row).
template <class V> AEKIT_INLINE void in_register(V& v) {
#if AEKIT_X86
  __asm__("" : "+v"(v));
#else
  (void)v;
#endif
}

// The spin-wait hint for busy loops (lets the sibling hyperthread or the core's power state breathe).
AEKIT_INLINE void cpu_relax() {
#if AEKIT_X86
  _mm_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

// Instruction set chosen at load time (or forced with AEKIT_ISA for testing).
enum class Isa : int { Baseline = 0, Avx2 = 1, Avx512 = 2 };

}  // namespace aekit
