// The thread pool of the threaded wasm32 build (native/wasm/aekit-threads.wasm): the same
// ThreadPool interface as native/thread_pool.cc, over one shared linear memory whose other
// threads are JavaScript workers (Node's worker_threads, a page's Web Workers). Each worker
// instantiates this module on the shared memory, gets its own stack and thread-local block
// from the main thread (src/backend/wasm/wasm-threads.ts), and then calls aekit_worker_main,
// which never returns. Jobs are posted and chunks claimed by the same code as in the native
// pool (native/thread_pool.h), so a kernel's results do not depend on how many workers joined.
//
// A browser's main thread may not block (memory.atomic.wait traps there), so the caller spins
// until the chunks claimed by workers are done; it takes every chunk no worker has claimed
// yet itself, so it only ever waits for chunks already running. Workers spin for a while after
// each job (training posts jobs back to back) and then sleep in memory.atomic.wait32.
#include <atomic>
#include <cstdint>
#include "../thread_pool.h"

namespace aekit {

namespace {
// Bumped after every posted job; sleeping workers wait on it (memory.atomic.wait32 wants a
// 32-bit word, and the pool's state is 64 bits).
std::atomic<int32_t> g_posted{0};
std::atomic<int32_t> g_sleepers{0};
// Polls of the job word before a worker sleeps: with no clock in the module, a count; about
// half a millisecond of polling in V8 on Zen 5, like the native pool's spin.
constexpr int kWorkerPolls = 1 << 18;
// Chunks run by workers since the module started: lets tests and benchmarks see that the
// workers really take part (aekit_worker_chunks).
std::atomic<uint32_t> g_worker_chunks{0};
thread_local bool t_is_worker = false;
}  // namespace

ThreadPool& ThreadPool::instance() {
  static ThreadPool pool;
  return pool;
}

ThreadPool::ThreadPool() { threads_.store(1, std::memory_order_relaxed); }

// Workers are JavaScript's to start; this only says how many of them (plus the caller) may
// take chunks. The loader calls it once the workers have entered aekit_worker_main.
void ThreadPool::set_threads(int n) {
  if (n < 1) n = 1;
  if (n > 256) n = 256;
  threads_.store(n, std::memory_order_seq_cst);
}

void ThreadPool::spawn_until(int) {}

void ThreadPool::finish_chunk(int) { done_.fetch_add(1, std::memory_order_seq_cst); }

void ThreadPool::drain(uint64_t s) {
  int chunk;
  while (claim(s, chunk)) {
    fn_(ctx_, chunk);
    if (t_is_worker) g_worker_chunks.fetch_add(1, std::memory_order_relaxed);
    finish_chunk(0);
    s = state_.load(std::memory_order_acquire);
  }
}

void ThreadPool::worker_main(int index) {
  t_is_worker = true;
  for (;;) {
    uint64_t s = 0;
    const auto has_my_work = [&] {
      s = state_.load(std::memory_order_seq_cst);
      return has_work(s) && index + 1 < threads_.load(std::memory_order_relaxed);
    };
    bool found = false;
    for (int polls = 0; polls < kWorkerPolls && !(found = has_my_work()); ++polls) {
    }
    if (!found) {
      const int32_t posted = g_posted.load(std::memory_order_seq_cst);
      g_sleepers.fetch_add(1, std::memory_order_seq_cst);
      // Checked again after announcing the sleep: a job posted before this point is seen
      // here, one posted after it bumps g_posted (the wait then returns at once) or notifies.
      if (!has_my_work()) {
        __builtin_wasm_memory_atomic_wait32(reinterpret_cast<int32_t*>(&g_posted), posted, -1);
      }
      g_sleepers.fetch_sub(1, std::memory_order_seq_cst);
      continue;
    }
    drain(s);
  }
}

void ThreadPool::run(int chunks, ChunkFn fn, void* ctx) {
  bool expected = false;
  if (chunks == 1 || chunks > static_cast<int>(kIdxMask) || threads_.load(std::memory_order_relaxed) <= 1 ||
      !busy_.compare_exchange_strong(expected, true, std::memory_order_acquire)) {
    for (int i = 0; i < chunks; ++i) fn(ctx, i);
    return;
  }
  const uint64_t s = post(chunks, fn, ctx);
  g_posted.fetch_add(1, std::memory_order_seq_cst);
  if (g_sleepers.load(std::memory_order_seq_cst) > 0) {
    __builtin_wasm_memory_atomic_notify(reinterpret_cast<int32_t*>(&g_posted), ~0u);
  }
  drain(s);
  while (done_.load(std::memory_order_acquire) < chunks) {
  }
  busy_.store(false, std::memory_order_release);
}

}  // namespace aekit

// Function-local statics (the pool itself, conv's choice cache) may first be reached on two
// threads at once. wasi-libc's libc++abi is built for one thread and its guards do not exclude,
// so these replace them (Itanium C++ ABI: the guard's first byte says "initialised"; the word
// after it here says "being initialised").
namespace {
std::atomic<int32_t>* guard_lock(uint64_t* guard) { return reinterpret_cast<std::atomic<int32_t>*>(guard) + 1; }
std::atomic<uint8_t>* guard_done(uint64_t* guard) { return reinterpret_cast<std::atomic<uint8_t>*>(guard); }
}  // namespace

extern "C" int __cxa_guard_acquire(uint64_t* guard) {
  if (guard_done(guard)->load(std::memory_order_acquire)) return 0;
  int32_t expected = 0;
  while (!guard_lock(guard)->compare_exchange_weak(expected, 1, std::memory_order_acquire)) expected = 0;
  if (guard_done(guard)->load(std::memory_order_acquire)) {
    guard_lock(guard)->store(0, std::memory_order_release);
    return 0;
  }
  return 1;
}

extern "C" void __cxa_guard_release(uint64_t* guard) {
  guard_done(guard)->store(1, std::memory_order_release);
  guard_lock(guard)->store(0, std::memory_order_release);
}

extern "C" void __cxa_guard_abort(uint64_t* guard) { guard_lock(guard)->store(0, std::memory_order_release); }

// wasi-libc's malloc is built for one thread; workers allocate too (each thread's packing and
// column buffers grow on first use), so every entry to it goes through one lock. The linker
// routes the calls here (scripts/build-wasm.mjs: --wrap for each name).
namespace {
std::atomic<int32_t> g_malloc_lock{0};
struct MallocLock {
  MallocLock() {
    int32_t expected = 0;
    while (!g_malloc_lock.compare_exchange_weak(expected, 1, std::memory_order_acquire)) expected = 0;
  }
  ~MallocLock() { g_malloc_lock.store(0, std::memory_order_release); }
};
}  // namespace

extern "C" {
void* __real_malloc(size_t);
void __real_free(void*);
void* __real_calloc(size_t, size_t);
void* __real_realloc(void*, size_t);
void* __real_aligned_alloc(size_t, size_t);
int __real_posix_memalign(void**, size_t, size_t);

void* __wrap_malloc(size_t n) { MallocLock l; return __real_malloc(n); }
void __wrap_free(void* p) { MallocLock l; __real_free(p); }
void* __wrap_calloc(size_t a, size_t b) { MallocLock l; return __real_calloc(a, b); }
void* __wrap_realloc(void* p, size_t n) { MallocLock l; return __real_realloc(p, n); }
void* __wrap_aligned_alloc(size_t a, size_t n) { MallocLock l; return __real_aligned_alloc(a, n); }
int __wrap_posix_memalign(void** p, size_t a, size_t n) { MallocLock l; return __real_posix_memalign(p, a, n); }

// malloc's source of memory. wasi-libc's sbrk(0) answers memory.size, which an engine may answer
// from the calling instance's own record of the size, updated only later when another thread
// grew the shared memory; malloc would then take a stale end of its heap. memory.grow by 0
// pages returns the size every thread agrees on, so the break is read that way here.
void* __wrap_sbrk(intptr_t increment) {
  constexpr uintptr_t kPage = 65536;
  if (increment < 0 || uintptr_t(increment) % kPage != 0) __builtin_trap();
  const uintptr_t old = __builtin_wasm_memory_grow(0, uintptr_t(increment) / kPage);
  if (old == SIZE_MAX) return reinterpret_cast<void*>(-1);
  return reinterpret_cast<void*>(old * kPage);
}
}

#define AEKIT_EXPORT(NAME) extern "C" __attribute__((export_name(#NAME)))

// How many threads (the caller and n - 1 workers) take chunks.
AEKIT_EXPORT(aekit_set_threads) void aekit_set_threads(int n) { aekit::ThreadPool::instance().set_threads(n); }
AEKIT_EXPORT(aekit_threads) int aekit_threads() { return aekit::ThreadPool::instance().threads(); }
AEKIT_EXPORT(aekit_worker_chunks) unsigned aekit_worker_chunks() { return aekit::g_worker_chunks.load(std::memory_order_relaxed); }

namespace aekit {
void wasm_worker_entry(int index) { ThreadPool::instance().worker_main(index); }
}  // namespace aekit

// A worker's whole life after its stack and thread-local block are set: index 0 is the first
// worker (the caller is not counted).
AEKIT_EXPORT(aekit_worker_main) void aekit_worker_main(int index) { aekit::wasm_worker_entry(index); }
