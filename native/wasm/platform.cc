// The wasm32 builds' platform layer, in place of native/cpu.cc: one instruction set,
// WebAssembly SIMD128, which the shared kernels know as the 4-wide baseline. The thread pool is
// pool_single.cc (aekit.wasm) or pool_workers.cc (aekit-threads.wasm).
#include "../cpu.h"

namespace aekit {

// SIMD128 is 4 float lanes, the width of the baseline (SSE2) instantiation of every kernel.
Isa detect_isa() { return Isa::Baseline; }
Isa active_isa() { return Isa::Baseline; }
Isa set_isa(Isa) { return Isa::Baseline; }
const char* isa_name(Isa) { return "wasm-simd128"; }

}  // namespace aekit

// thread_local objects with destructors (the packing buffers, conv's column buffers) register
// them for thread exit. Every thread of the module (the caller and, in the threaded build, its
// workers) lives as long as the memory, and the memory goes with them, so there is nothing to run.
extern "C" int __cxa_thread_atexit(void (*)(void*), void*, void*) { return 0; }
