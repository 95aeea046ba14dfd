// A persistent thread pool: one thread per core including the caller, which joins the work.
// Work is a count of chunks claimed from one atomic word; a job never allocates.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace aekit {

class ThreadPool {
 public:
  using ChunkFn = void (*)(void* ctx, int chunk);

  // The process-wide pool, created on first use with AEKIT_THREADS or hardware concurrency.
  static ThreadPool& instance();

  // Runs fn(ctx, i) for i in [0, chunks). If the pool is busy (another thread is using it, or
  // this is a nested call) the chunks run on the calling thread, so callers never wait on
  // each other. Results never depend on which thread ran a chunk.
  void run(int chunks, ChunkFn fn, void* ctx);

  template <class F> void parallel_for(int chunks, F&& f) {
    if (chunks <= 0) return;
    if (chunks == 1 || threads_.load(std::memory_order_relaxed) <= 1) {
      for (int i = 0; i < chunks; ++i) f(i);
      return;
    }
    run(chunks, [](void* c, int i) { (*static_cast<F*>(c))(i); }, &f);
  }

  int threads() const { return threads_.load(std::memory_order_relaxed); }
  // Sets the number of participating threads (caller included), spawning workers if needed.
  void set_threads(int n);

 private:
  ThreadPool();
  void worker_main(int index);
  // The threaded wasm build's workers are JavaScript's; they enter worker_main through this
  // (native/wasm/pool_workers.cc).
  friend void wasm_worker_entry(int index);
  void spawn_until(int workers);

  // state = generation (24 bits) | chunk count (20 bits) | next chunk (20 bits). Claiming with
  // one CAS on one word means a worker can never claim a chunk of a job it did not see posted,
  // and it reads the job's fn/ctx only after a successful claim.
  static constexpr int kIdxBits = 20;
  static constexpr uint64_t kIdxMask = (1ull << kIdxBits) - 1;
  std::atomic<uint64_t> state_{0};
  ChunkFn fn_ = nullptr;
  void* ctx_ = nullptr;
  alignas(64) std::atomic<int> done_{0};
  alignas(64) std::atomic<bool> busy_{false};
  std::atomic<int> threads_{1};
  std::atomic<int> sleepers_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  // The caller blocks here (after a short spin) until the last chunk is done: on a shared,
  // oversubscribed machine a spinning caller would steal the core from the very worker it waits for.
  std::atomic<bool> caller_waiting_{false};
  std::mutex done_mu_;
  std::condition_variable done_cv_;
  std::mutex spawn_mu_;
  std::vector<std::thread> workers_;

  static bool has_work(uint64_t s) { return (s & kIdxMask) < ((s >> kIdxBits) & kIdxMask); }
  static int chunk_count(uint64_t s) { return static_cast<int>((s >> kIdxBits) & kIdxMask); }

  // Takes the next chunk of the job in s (reloaded on a lost race); false once none is left.
  // Shared by the native and the threaded wasm pool, so both claim chunks the same way.
  bool claim(uint64_t& s, int& chunk) {
    while (has_work(s)) {
      if (state_.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel, std::memory_order_acquire)) {
        chunk = static_cast<int>(s & kIdxMask);
        return true;
      }
    }
    return false;
  }

  // Publishes a job of `chunks` chunks under the next generation and returns its state word.
  // The caller holds busy_, so fn_, ctx_ and done_ are its to set.
  uint64_t post(int chunks, ChunkFn fn, void* ctx) {
    fn_ = fn;
    ctx_ = ctx;
    done_.store(0, std::memory_order_relaxed);
    const uint64_t gen = ((state_.load(std::memory_order_relaxed) >> 40) + 1) & ((1ull << 24) - 1);
    const uint64_t s = (gen << 40) | (static_cast<uint64_t>(chunks) << kIdxBits);
    state_.store(s, std::memory_order_seq_cst);
    return s;
  }

  void drain(uint64_t s);
  void finish_chunk(int chunks);
};

}  // namespace aekit
