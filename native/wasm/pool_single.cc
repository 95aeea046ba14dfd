// The thread pool of the one-thread wasm32 build (native/wasm/aekit.wasm), in place of
// native/thread_pool.cc: the caller runs every chunk. Pages that are not cross-origin isolated
// have no shared memory, so this build is what runs there (the threaded one is pool_workers.cc).
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

}  // namespace aekit
