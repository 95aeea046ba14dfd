// Packed single-precision GEMM: C = alpha * op(A) · op(B) + beta * C, optionally followed by
// a fused epilogue (bias add + activation) that linearForward uses.
#pragma once
#include <cstddef>

namespace aekit {

struct GemmArgs {
  int m = 0, n = 0, k = 0;
  const float* a = nullptr;
  ptrdiff_t lda = 0;  // row stride of A as stored (k if !transA, m if transA for dense)
  bool transA = false;
  const float* b = nullptr;
  ptrdiff_t ldb = 0;  // row stride of B as stored (n if !transB, k if transB for dense)
  bool transB = false;
  float* c = nullptr;
  ptrdiff_t ldc = 0;
  float alpha = 1.f, beta = 0.f;
  // Epilogue, applied once the full k sum is in: c = act(c + bias[j]).
  bool epilogue = false;
  const float* bias = nullptr;
  int act = 0;
  float slope = 0.f;
};

// Runs on the thread pool when the problem is large enough.
void gemm(const GemmArgs& g);

// Micro-kernel tile and cache blocking of the active ISA (for diagnostics and benchmark records).
struct GemmBlocking { int mr, nr, kc, mc; };
GemmBlocking gemm_blocking();

}  // namespace aekit
