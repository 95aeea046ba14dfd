// The direct convolution's inner kernel, a template over the vector type and register block so
// that every ISA (and a 4-wide WebAssembly or NEON build) instantiates the same code.
//
// Every direct convolution here is reduced to one shape of loop: outputs on a flat grid q of
// positions (image rows laid end to end at a fixed pitch, a few columns past the image's width
// computed and thrown away), each the sum over input channels c and taps t of
//   w[c][t][r] · in[c][q + offset[t]],
// so a tap is a shift of the whole flat plane and its loads are contiguous whatever the stride:
// a strided convolution reads an input split into its stride phases (input column ow·s + kw is
// column ow + kw/s of phase kw mod s), and a transposed one computes each output phase on its own
// from the taps that reach it. (The flat-grid trick is the one direct convolution libraries use
// for stride 1; the phase split extends it to strides, as in sub-pixel convolution.)
#pragma once
#include "common.h"

namespace aekit {

// out[r][q] for r < R and q in [q0, q0 + W·T·blocks): R output channels at once, each input
// vector loaded once and used by R FMAs, each weight broadcast used by T. The accumulators
// (R·T vectors) stay in registers over all channels and taps.
//   in: channels planes, `plane` floats apart; offsets: ntaps shifts into a plane;
//   w: [channels][ntaps][R]; out: R rows, `pitch` floats apart.
template <class V, int R, int T>
AEKIT_INLINE void tap_block(const float* __restrict in, long plane, int channels, const int* __restrict offsets,
                            int ntaps, const float* __restrict w, float* __restrict out, long pitch, long q0, long q1) {
  constexpr int W = VT<V>::N;
  for (long q = q0; q < q1; q += W * T) {
    V acc[R][T];
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
      for (int j = 0; j < T; ++j) acc[r][j] = V{};
    const float* wc = w;
    for (int c = 0; c < channels; ++c) {
      const float* base = in + c * plane + q;
      for (int t = 0; t < ntaps; ++t, wc += R) {
        const float* src = base + offsets[t];
        V v[T];
#pragma GCC unroll 4
        for (int j = 0; j < T; ++j) v[j] = loadu<V>(src + j * W);
#pragma GCC unroll 16
        for (int r = 0; r < R; ++r) {
          const V a = splat<V>(wc[r]);
#pragma GCC unroll 4
          for (int j = 0; j < T; ++j) acc[r][j] += a * v[j];
        }
      }
    }
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
      for (int j = 0; j < T; ++j) storeu<V>(out + r * pitch + q + j * W, acc[r][j]);
  }
}

// The sum of v's lanes by halves (16 -> 8 -> 4 -> 2 -> 1): a fixed order, in log2(W) vector adds
// instead of W dependent scalar ones, which on short sums (8x8 maps) cost a fifth of the time.
template <class V> AEKIT_INLINE float sum_by_halves(V v) {
  constexpr int W = VT<V>::N;
  if constexpr (W == 4) {
    return (v[0] + v[2]) + (v[1] + v[3]);
  } else {
    using H = typename VT<V>::H;
    H lo, hi;
    std::memcpy(&lo, &v, sizeof lo);
    std::memcpy(&hi, reinterpret_cast<const char*>(&v) + sizeof lo, sizeof hi);
    return sum_by_halves<H>(lo + hi);
  }
}

// The filter gradient's sums: out[r][t] = Σ_q dy[r][q] · in[q + offsets[t]] for RO rows of dy and
// up to TT taps at once, over q in [0, q_len) (a multiple of the vector width; dy is zero at
// positions that are not outputs). The per-lane partial sums are added in a fixed order at the end.
template <class V, int RO, int TT>
AEKIT_INLINE void tap_gradient(const float* __restrict dy, long dy_pitch, const float* __restrict in,
                               const int* __restrict offsets, long q_len, float* __restrict out) {
  constexpr int W = VT<V>::N;
  V acc[RO][TT];
#pragma GCC unroll 4
  for (int r = 0; r < RO; ++r)
#pragma GCC unroll 16
    for (int t = 0; t < TT; ++t) acc[r][t] = V{};
  for (long q = 0; q < q_len; q += W) {
    V d[RO];
#pragma GCC unroll 4
    for (int r = 0; r < RO; ++r) d[r] = loadu<V>(dy + r * dy_pitch + q);
#pragma GCC unroll 16
    for (int t = 0; t < TT; ++t) {
      V v = loadu<V>(in + offsets[t] + q);
      in_register(v);
#pragma GCC unroll 4
      for (int r = 0; r < RO; ++r) acc[r][t] += d[r] * v;
    }
  }
  for (int r = 0; r < RO; ++r)
    for (int t = 0; t < TT; ++t) out[r * TT + t] = sum_by_halves<V>(acc[r][t]);
}

// Register blocks per vector width: R·T accumulators plus T input vectors and a broadcast must
// fit the register file (32 zmm for 16 lanes; 16 ymm or xmm for 8 and 4).
template <class V> struct TapBlock;
// The filter gradient holds RO·TT accumulators, RO dy vectors and one input vector.
template <> struct TapBlock<v16f> { static constexpr int R = 8, T = 3, RO = 2, TT = 9; };
template <> struct TapBlock<v8f> { static constexpr int R = 4, T = 3, RO = 3, TT = 3; };
template <> struct TapBlock<v4f> { static constexpr int R = 4, T = 3, RO = 1, TT = 9; };

}  // namespace aekit
