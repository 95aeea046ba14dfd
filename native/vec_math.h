// Vectorised float math (exp, log, tanh, sigmoid) over GCC vector types, so activations fused
// into the GEMM epilogue and the elementwise kernels run at SIMD width instead of calling libm
// per element. Polynomials are Cephes' single-precision ones (about 1-2 ulp).
#pragma once
#include <cmath>
#include <limits>
#include "common.h"
#include "kernel_names.h"
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

namespace aekit {

// sqrt has no generic vector-extension spelling, so one overload per width wraps the
// intrinsic under the matching target. Deliberately not always_inline: the templates that call
// it are first compiled without a target, where an always_inline AVX callee is a hard error;
// once the template is inlined into its per-ISA wrapper the call becomes inlinable and is.
#if AEKIT_X86
inline v4f vsqrt(v4f x) { return (v4f)_mm_sqrt_ps((__m128)x); }
AEKIT_TARGET_AVX2 inline v8f vsqrt(v8f x) { return (v8f)_mm256_sqrt_ps((__m256)x); }
AEKIT_TARGET_AVX512 inline v16f vsqrt(v16f x) { return (v16f)_mm512_sqrt_ps((__m512)x); }
#elif defined(__wasm_simd128__)
// WebAssembly: clang leaves the lane loop below as four scalar square roots through the stack
// (Adam over 784,000 parameters took 17 ms in Node on Zen 5), so the one SIMD128 instruction.
inline v4f vsqrt(v4f x) { return (v4f)wasm_f32x4_sqrt((v128_t)x); }
template <class V> inline V vsqrt(V x) {
  for (int i = 0; i < VT<V>::N; ++i) x[i] = __builtin_sqrtf(x[i]);
  return x;
}
#else
// Lane by lane: GCC turns the 4-wide loop into one NEON fsqrt on ARM64.
template <class V> inline V vsqrt(V x) {
  for (int i = 0; i < VT<V>::N; ++i) x[i] = __builtin_sqrtf(x[i]);
  return x;
}
#endif

template <class V> AEKIT_INLINE V vabs(V x) {
  using I = typename VT<V>::I;
  return as_float<V>(as_int(x) & (I{} + 0x7fffffff));
}

template <class V> AEKIT_INLINE V vexp(V x) {
  using I = typename VT<V>::I;
  const V orig = x;
  // Written so NaN falls through both clamps and propagates.
  x = x > 88.7228390f ? splat<V>(88.7228390f) : x;
  x = x < -87.33f ? splat<V>(-87.33f) : x;
  V fx = x * 1.44269504088896341f + 0.5f;
  V t = __builtin_convertvector(__builtin_convertvector(fx, I), V);
  t = t > fx ? t - 1.f : t;  // floor for negative non-integers
  x = x - t * 0.693359375f;
  x = x - t * -2.12194440e-4f;
  V z = x * x;
  V y = splat<V>(1.9875691500E-4f);
  y = y * x + 1.3981999507E-3f;
  y = y * x + 8.3334519073E-3f;
  y = y * x + 4.1665795894E-2f;
  y = y * x + 1.6666665459E-1f;
  y = y * x + 5.0000001201E-1f;
  y = y * z + x + 1.f;
  I n = __builtin_convertvector(t, I);
  // 2^(n-1) * 2 so n = 128 (x near the float max) still has a representable exponent.
  V pow2n = as_float<V>((n + 126) << 23);
  y = y * pow2n * 2.f;
  y = orig > 88.7228390f ? splat<V>(std::numeric_limits<float>::infinity()) : y;
  y = orig < -103.972f ? splat<V>(0.f) : y;
  return y;
}

template <class V> AEKIT_INLINE V vlog(V x) {
  using I = typename VT<V>::I;
  const V orig = x;
  I bits = as_int(x);
  I e = ((bits >> 23) & 0xff) - 126;
  V m = as_float<V>((bits & 0x807fffff) | 0x3f000000);  // mantissa in [0.5, 1)
  auto small = m < 0.707106781186547524f;
  V ef = __builtin_convertvector(e, V);
  ef = small ? ef - 1.f : ef;
  m = small ? m + m - 1.f : m - 1.f;
  V z = m * m;
  V y = splat<V>(7.0376836292E-2f);
  y = y * m - 1.1514610310E-1f;
  y = y * m + 1.1676998740E-1f;
  y = y * m - 1.2420140846E-1f;
  y = y * m + 1.4249322787E-1f;
  y = y * m - 1.6668057665E-1f;
  y = y * m + 2.0000714765E-1f;
  y = y * m - 2.4999993993E-1f;
  y = y * m + 3.3333331174E-1f;
  y = y * m * z;
  y = y + ef * -2.12194440e-4f;
  y = y - 0.5f * z;
  V r = m + y + ef * 0.693359375f;
  const V inf = splat<V>(std::numeric_limits<float>::infinity());
  const V nan = splat<V>(std::numeric_limits<float>::quiet_NaN());
  r = orig == 0.f ? -inf : r;
  r = orig == inf ? inf : r;
  r = orig < 0.f ? nan : r;
  r = orig != orig ? orig : r;
  return r;
}

// Stable logistic: e = exp(-|x|) never overflows.
template <class V> AEKIT_INLINE V vsigmoid(V x) {
  V e = vexp<V>(-vabs(x));
  V r = 1.f / (1.f + e);
  return x >= 0.f ? r : e * r;
}

template <class V> AEKIT_INLINE V vtanh(V x) {
  V ax = vabs(x);
  // Large |x|: 1 - 2/(e^{2|x|}+1), exact to rounding; small |x|: odd polynomial, which keeps
  // relative accuracy near zero where the exp form cancels.
  V big = 1.f - 2.f / (vexp<V>(ax + ax) + 1.f);
  big = x < 0.f ? -big : big;
  V s = x * x;
  V p = splat<V>(-5.70498872745E-3f);
  p = p * s + 2.06390887954E-2f;
  p = p * s - 5.37397155531E-2f;
  p = p * s + 1.33314422036E-1f;
  p = p * s - 3.33332819422E-1f;
  V small = p * s * x + x;
  return ax >= 0.625f ? big : small;
}

// Act (the activations, in the order of ACTIVATIONS in backend.ts) is in kernel_names.h.

template <class V> AEKIT_INLINE V vactivate(V z, int act, float slope) {
  switch (act) {
    case kSigmoid: return vsigmoid<V>(z);
    case kTanh: return vtanh<V>(z);
    case kRelu: return z > 0.f ? z : splat<V>(0.f);
    case kLeakyRelu: return z > 0.f ? z : z * slope;
    default: return z;
  }
}

// act'(z) from y = act(z), as the reference defines it.
template <class V> AEKIT_INLINE V vderivative(V y, int act, float slope) {
  switch (act) {
    case kSigmoid: return y * (1.f - y);
    case kTanh: return 1.f - y * y;
    case kRelu: return y > 0.f ? splat<V>(1.f) : splat<V>(0.f);
    case kLeakyRelu: return y > 0.f ? splat<V>(1.f) : splat<V>(slope);
    default: return splat<V>(1.f);
  }
}

}  // namespace aekit
