// The GEMM tile of the wasm32 build (native/gemm.cc's 4-wide instantiation), chosen for how
// engines compile WebAssembly SIMD rather than for a CPU. V8 on x86-64 allocates 15 of the 16
// xmm registers (one is its scratch) and never the 16 more of AVX-512; SIMD128 has no fused
// multiply-add, so each accumulator update is a multiply into a temporary and an add. The
// baseline 6 x 8 tile (12 accumulators) spilled accumulators to the stack in V8's code, inside
// the k loop; 3 x 12 (9 accumulators, 3 B vectors, 3 broadcasts) and 4 x 8 do not. Measured in
// Node 20 on Zen 5 (CPU time, the model's six GEMM shapes, interleaved A/B): 6 x 8 37 GFLOP/s,
// 4 x 8 38.5, 3 x 12 41, against a SIMD128 multiply + add peak of about 48 there.
#pragma once

#ifndef AEKIT_WASM_MR
#define AEKIT_WASM_MR 3
#endif
#ifndef AEKIT_WASM_NV
#define AEKIT_WASM_NV 3
#endif
// k steps are not unrolled: clang (which sees unlimited wasm locals) interleaves unrolled steps
// so that every step's B vectors are live at once, and the engine then spills accumulators.
#ifndef AEKIT_GEMM_K_UNROLL
#define AEKIT_GEMM_K_UNROLL 1
#endif
#ifndef AEKIT_WASM_KC
#define AEKIT_WASM_KC 256
#endif
#ifndef AEKIT_WASM_MC
#define AEKIT_WASM_MC 120
#endif

namespace aekit {
constexpr int kMRb = AEKIT_WASM_MR, kNVb = AEKIT_WASM_NV, kKCb = AEKIT_WASM_KC, kMCb = AEKIT_WASM_MC;
}
