// wasm32 build only (scripts/build-wasm.mjs force-includes it): GCC's __builtin_shuffle, which
// the shared kernels use (splat in native/common.h, transpose8 in gemm_kernel.h) and clang does
// not have. Same meaning as GCC's: lane i of the result is lane mask[i] of a (one operand) or of
// the concatenation a:b (two operands), the mask taken modulo the lane count. Every mask in the
// kernels is a constant, so after inlining the lane loops fold into single shuffles.
#pragma once
#if !defined(__wasm__)
#error "native/wasm/compat is for the wasm32 build only"
#endif

#include <utility>

// Lane lists built by pack expansion, not loops: with the mask a constant, each lane is an
// extract at a constant index, which the optimiser folds into one shuffle (a loop over lanes
// was left as stores and loads through the stack, 100x slower in the GEMM's broadcast).
template <class V, class I, size_t... L>
static inline __attribute__((always_inline)) V aekit_gcc_shuffle1(V a, I mask, std::index_sequence<L...>) {
  constexpr int n = sizeof...(L);
  return V{a[mask[L] & (n - 1)]...};
}

template <class V, class I, size_t... L>
static inline __attribute__((always_inline)) V aekit_gcc_shuffle2(V a, V b, I mask, std::index_sequence<L...>) {
  constexpr int n = sizeof...(L);
  return V{((mask[L] & (2 * n - 1)) < n ? a[mask[L] & (n - 1)] : b[mask[L] & (n - 1)])...};
}

template <class V, class I> static inline __attribute__((always_inline)) V aekit_gcc_shuffle(V a, I mask) {
  return aekit_gcc_shuffle1(a, mask, std::make_index_sequence<sizeof(V) / sizeof(a[0])>{});
}

template <class V, class I> static inline __attribute__((always_inline)) V aekit_gcc_shuffle(V a, V b, I mask) {
  return aekit_gcc_shuffle2(a, b, mask, std::make_index_sequence<sizeof(V) / sizeof(a[0])>{});
}

#define __builtin_shuffle(...) aekit_gcc_shuffle(__VA_ARGS__)
