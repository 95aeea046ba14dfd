// The wasm32 build's platform layer, in place of native/thread_pool.cc and native/cpu.cc: one
// thread (the caller runs every chunk; a worker pool over SharedArrayBuffer is future work) and
// one instruction set, WebAssembly SIMD128, which the shared kernels know as the 4-wide baseline.
#include "../cpu.h"
#include "../thread_pool.h"

namespace aekit {

ThreadPool& ThreadPool::instance() {
  static ThreadPool pool;
  return pool;
}

ThreadPool::ThreadPool() { threads_.store(1, std::memory_order_relaxed); }

// parallel_for only calls run() with more than one thread, which this build never has; kept
// correct anyway: chunks in order on the caller.
void ThreadPool::run(int chunks, ChunkFn fn, void* ctx) {
  for (int i = 0; i < chunks; ++i) fn(ctx, i);
}

void ThreadPool::set_threads(int) { threads_.store(1, std::memory_order_relaxed); }

// SIMD128 is 4 float lanes, the width of the baseline (SSE2) instantiation of every kernel.
Isa detect_isa() { return Isa::Baseline; }
Isa active_isa() { return Isa::Baseline; }
Isa set_isa(Isa) { return Isa::Baseline; }
const char* isa_name(Isa) { return "wasm-simd128"; }

}  // namespace aekit

// thread_local objects with destructors (the packing buffers, conv's column buffers) register
// them for thread exit. The module's one thread lives as long as its instance, and the memory
// goes with the instance, so there is nothing to run.
extern "C" int __cxa_thread_atexit(void (*)(void*), void*, void*) { return 0; }
