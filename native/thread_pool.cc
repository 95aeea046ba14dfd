// Thread pool implementation. Workers keep polling for about half a millisecond after each job
// because training issues kernels back to back (a step makes ~40 parallel calls with short
// serial gaps between them): a futex wake costs tens of microseconds, more than many of the
// kernels themselves (and on a VM an idle vCPU may be halted, which makes it slower still).
// Past the first 50 us they poll with sched_yield, which keeps the core awake yet hands it to
// any other runnable thread. After that they sleep on a condition variable so an idle process
// costs nothing.
#include "thread_pool.h"
#include "cpu.h"
#include <chrono>
#include <cstdlib>

namespace aekit {

static int env_threads() {
  const char* s = std::getenv("AEKIT_THREADS");
  int hw = static_cast<int>(std::thread::hardware_concurrency());
  if (hw < 1) hw = 1;
  if (s && *s) {
    int v = std::atoi(s);
    if (v >= 1 && v <= 256) return v;
  }
  return hw;
}

// Pure spinning, then polling with sched_yield, then blocking (see above).
constexpr std::chrono::microseconds kWorkerSpin(50), kWorkerYieldSpin(500);
constexpr std::chrono::microseconds kCallerSpin(20), kCallerYieldSpin(500);

// Waits until ready() holds: pauses until `spin` has passed, then yields the core until
// `yield_spin`, then calls block(), which must itself wait until ready. The clock is read only
// every 64 polls, since a poll is a few nanoseconds and a clock read is not.
template <class Ready, class Block>
static void wait_with_backoff(Ready ready, std::chrono::microseconds spin, std::chrono::microseconds yield_spin, Block block) {
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  for (int polls = 1; !ready(); ++polls) {
    if (polls % 64 != 0) {
      cpu_relax();
      continue;
    }
    const auto waited = clock::now() - start;
    if (waited < spin) {
      cpu_relax();
    } else if (waited < yield_spin) {
      std::this_thread::yield();
    } else {
      block();
      return;
    }
  }
}

ThreadPool& ThreadPool::instance() {
  // Leaked on purpose: workers may be asleep at exit and must not be joined from a static
  // destructor while Node tears down.
  static ThreadPool* pool = new ThreadPool();
  return *pool;
}

ThreadPool::ThreadPool() { set_threads(env_threads()); }

void ThreadPool::set_threads(int n) {
  if (n < 1) n = 1;
  if (n > 256) n = 256;
  spawn_until(n - 1);
  threads_.store(n, std::memory_order_relaxed);
}

void ThreadPool::spawn_until(int workers) {
  std::lock_guard<std::mutex> lock(spawn_mu_);
  while (static_cast<int>(workers_.size()) < workers) {
    int index = static_cast<int>(workers_.size());
    workers_.emplace_back([this, index] { worker_main(index); });
    workers_.back().detach();
  }
}

void ThreadPool::finish_chunk(int chunks) {
  if (done_.fetch_add(1, std::memory_order_seq_cst) + 1 == chunks &&
      caller_waiting_.load(std::memory_order_seq_cst)) {
    { std::lock_guard<std::mutex> lock(done_mu_); }
    done_cv_.notify_one();
  }
}

void ThreadPool::drain(uint64_t s) {
  int chunk;
  while (claim(s, chunk)) {
    fn_(ctx_, chunk);
    finish_chunk(chunk_count(s));
    s = state_.load(std::memory_order_acquire);
  }
}

void ThreadPool::worker_main(int index) {
  // Workers only ever run native code, so FTZ/DAZ can stay on for their whole life.
  set_fp_mode(fp_mode() | kFlushDenormals);
  for (;;) {
    uint64_t s;
    const auto has_my_work = [&](std::memory_order order) {
      s = state_.load(order);
      return has_work(s) && index + 1 < threads_.load(std::memory_order_relaxed);
    };
    wait_with_backoff([&] { return has_my_work(std::memory_order_acquire); }, kWorkerSpin, kWorkerYieldSpin, [&] {
      std::unique_lock<std::mutex> lock(mu_);
      sleepers_.fetch_add(1, std::memory_order_seq_cst);
      cv_.wait(lock, [&] { return has_my_work(std::memory_order_seq_cst); });
      sleepers_.fetch_sub(1, std::memory_order_relaxed);
    });
    drain(s);
  }
}

void ThreadPool::run(int chunks, ChunkFn fn, void* ctx) {
  bool expected = false;
  if (chunks == 1 || chunks > static_cast<int>(kIdxMask) || !busy_.compare_exchange_strong(expected, true, std::memory_order_acquire)) {
    for (int i = 0; i < chunks; ++i) fn(ctx, i);
    return;
  }
  const uint64_t s = post(chunks, fn, ctx);
  if (sleepers_.load(std::memory_order_seq_cst) > 0) {
    { std::lock_guard<std::mutex> lock(mu_); }
    cv_.notify_all();
  }
  drain(s);
  // Chunks claimed by workers are normally finishing within microseconds: spin briefly, then
  // poll with sched_yield, then block, so that a descheduled worker can get the core back.
  wait_with_backoff([&] { return done_.load(std::memory_order_acquire) >= chunks; }, kCallerSpin, kCallerYieldSpin, [&] {
    std::unique_lock<std::mutex> lock(done_mu_);
    caller_waiting_.store(true, std::memory_order_seq_cst);
    done_cv_.wait(lock, [&] { return done_.load(std::memory_order_seq_cst) >= chunks; });
    caller_waiting_.store(false, std::memory_order_relaxed);
  });
  busy_.store(false, std::memory_order_release);
}

}  // namespace aekit
