// GEMM driver: per-ISA instantiation of the packed kernel, runtime dispatch, and the split of C
// into chunks for the thread pool.
#include "gemm.h"
#include "cpu.h"
#if defined(__wasm__)
#include "wasm/gemm_tile.h"  // the wasm build's tile (kMRb...) and k unrolling, before the kernel
#endif
#include "gemm_kernel.h"
#include "thread_pool.h"
#include <algorithm>
#include <atomic>
#include <memory>

namespace aekit {

#ifdef AEKIT_GEMM_PROFILE
std::atomic<uint64_t>* gemm_profile_counters() {
  static std::atomic<uint64_t> counters[kGemmPhases];
  return counters;
}
#endif

PackBuffer& pack_buffer_a() { thread_local PackBuffer buf; return buf; }
PackBuffer& pack_buffer_b() { thread_local PackBuffer buf; return buf; }

// Tiles and blocking per ISA. Register budget: MR*NV accumulators + NV B vectors + 1 broadcast.
//  AVX-512 (32 zmm): 14 x 32 -> 28 accumulators. KC*NR*4 = 24 KB B panel fits a 48 KB L1d;
//    MC*KC*4 = 168 KB A block fits a 1 MB L2 with room for C and the B stream.
//  AVX2 (16 ymm): 6 x 16 -> 12 accumulators, enough to cover 2 FMA pipes x 4-5 cycle latency.
//    KC*NR*4 = 16 KB B panel in a 32 KB L1d; MC*KC*4 = 120 KB A block in a 512 KB L2.
//  Baseline SSE2 (16 xmm): 6 x 8, no FMA.
constexpr int kMR512 = 14, kNV512 = 2, kKC512 = 192, kMC512 = 168;
// AEKIT_AVX2_TILE_512 lets a test build run the AVX-512 tile shape (14 x 32, KC 192, MC 168) through
// the AVX2 instantiation, so the 14-row / 32-column packing and edge logic is exercised on
// machines without AVX-512.
#ifdef AEKIT_AVX2_TILE_512
constexpr int kMR2 = 14, kNV2 = 4, kKC2 = 192, kMC2 = 168;
#else
constexpr int kMR2 = 6, kNV2 = 2, kKC2 = 256, kMC2 = 120;
#endif
#if !defined(__wasm__)
constexpr int kMRb = 6, kNVb = 2, kKCb = 256, kMCb = 120;
#endif

#define AEKIT_NOINLINE __attribute__((noinline))
AEKIT_TARGET_AVX512 AEKIT_NOINLINE static void kernel_avx512(int kc, const float* a, const float* b, ptrdiff_t bs, float* out) {
  micro_kernel<v16f, kMR512, kNV512>(kc, a, b, bs, out);
}
AEKIT_TARGET_AVX2 AEKIT_NOINLINE static void kernel_avx2(int kc, const float* a, const float* b, ptrdiff_t bs, float* out) {
  micro_kernel<v8f, kMR2, kNV2>(kc, a, b, bs, out);
}
AEKIT_NOINLINE static void kernel_base(int kc, const float* a, const float* b, ptrdiff_t bs, float* out) {
  micro_kernel<v4f, kMRb, kNVb>(kc, a, b, bs, out);
}
// Full tiles without an epilogue go straight to C.
AEKIT_TARGET_AVX512 AEKIT_NOINLINE static void kernelc_avx512(int kc, const float* a, const float* b, ptrdiff_t bs, float* c, ptrdiff_t ldc, float alpha, float beta) {
  micro_kernel_c<v16f, kMR512, kNV512>(kc, a, b, bs, c, ldc, alpha, beta);
}
AEKIT_TARGET_AVX2 AEKIT_NOINLINE static void kernelc_avx2(int kc, const float* a, const float* b, ptrdiff_t bs, float* c, ptrdiff_t ldc, float alpha, float beta) {
  micro_kernel_c<v8f, kMR2, kNV2>(kc, a, b, bs, c, ldc, alpha, beta);
}
AEKIT_NOINLINE static void kernelc_base(int kc, const float* a, const float* b, ptrdiff_t bs, float* c, ptrdiff_t ldc, float alpha, float beta) {
  micro_kernel_c<v4f, kMRb, kNVb>(kc, a, b, bs, c, ldc, alpha, beta);
}

// Per-ISA instantiation of a chunk of C.
#define AEKIT_GEMM_ISA(SUFFIX, TARGET, V, MR, NV, MC)                                                  \
  TARGET static void strip_##SUFFIX(const GemmArgs& g, const SharedA& sa, int group, int rot, int i0, \
                                    int i1, int j0, int j1) {                                          \
    gemm_strip<V, MR, NV, MC, kernel_##SUFFIX, kernelc_##SUFFIX>(g, sa, group, rot, i0, i1, j0, j1); \
  }
AEKIT_GEMM_ISA(avx512, AEKIT_TARGET_AVX512, v16f, kMR512, kNV512, kMC512)
AEKIT_GEMM_ISA(avx2, AEKIT_TARGET_AVX2, v8f, kMR2, kNV2, kMC2)
AEKIT_GEMM_ISA(base, AEKIT_TARGET_BASE, v4f, kMRb, kNVb, kMCb)

struct Kernel {
  void (*strip)(const GemmArgs&, const SharedA&, int, int, int, int, int, int);
  int mr, nr, kc, mc;
};

static Kernel kernel_for(Isa isa) {
  switch (isa) {
    case Isa::Avx512: return {strip_avx512, kMR512, 16 * kNV512, kKC512, kMC512};
    case Isa::Avx2: return {strip_avx2, kMR2, 8 * kNV2, kKC2, kMC2};
    default: return {strip_base, kMRb, 4 * kNVb, kKCb, kMCb};
  }
}

GemmBlocking gemm_blocking() {
  Kernel k = kernel_for(active_isa());
  return {k.mr, k.nr, k.kc, k.mc};
}

static int ceil_div(int a, int b) { return (a + b - 1) / b; }
static int round_up(int a, int b) { return ceil_div(a, b) * b; }

// The pack-state flags of the caller's GEMMs (see SharedA), grown on demand, never cleared.
struct PackFlags {
  std::unique_ptr<std::atomic<uint64_t>[]> flags;
  size_t cap = 0;
  uint64_t epoch = 0;
  std::atomic<uint64_t>* get(size_t n) {
    if (n > cap) {
      flags.reset(new std::atomic<uint64_t>[n]());
      cap = n;
    }
    return flags.get();
  }
};

void gemm(const GemmArgs& g) {
  if (g.m <= 0 || g.n <= 0) return;
  const Kernel kern = kernel_for(active_isa());
  ThreadPool& pool = ThreadPool::instance();
  const KSplit ks = split_k(g.k, kern.kc);
  const int mp = round_up(g.m, kern.mr);
  const int panels = mp / kern.mr;
  const double flops = 2.0 * g.m * g.n * (g.k > 0 ? g.k : 1);

  // C in column strips (each packs its own B columns once) x row groups; A is packed once, on
  // first use, and shared. Below ~1 MFLOP (about 10 us on one core) waking a worker is not
  // worth it; above, about 8 chunks balance 2-4 threads and keep each strip's packed B (kc x
  // ~128 columns) in L2 even on one thread. The strips narrow from first to last (below), so
  // the tail is short. Any split gives the same bits: each element's sum runs over the same k
  // blocks in the same order.
  const int target = flops < 1e6 ? 1 : flops < 8e6 ? 2 : flops < 3e7 ? 4 : 8;
  const int npanels = ceil_div(g.n, kern.nr);
  int cs = std::max(1, std::min(ceil_div(g.n, 4 * kern.nr), target));
  int rg = 1;
  while (cs * rg < target && ceil_div(panels, rg + 1) >= 2) rg++;
  const int rstep = ceil_div(panels, rg) * kern.mr;
  rg = ceil_div(g.m, rstep);

  thread_local PackFlags pack_flags;
  const int blocks_per_group = ceil_div(rstep, kern.mc);
  SharedA sa{pack_buffer_a().get(size_t(mp) * (g.k > 0 ? g.k : 1)), mp, ks,
             pack_flags.get(size_t(ks.blocks) * rg * blocks_per_group), ++pack_flags.epoch, rg, blocks_per_group};
  // Strip s gets a share of the panels proportional to 2*cs - s, the last about half as wide as
  // the first: chunks are claimed in order, and whichever thread is ahead near the end takes a
  // narrow one, so the threads finish closer together.
  const long wsum = long(cs) * (3 * cs + 1) / 2;
  const auto strip_start = [&](int s) { return int(npanels * (long(s) * (4 * cs - s + 1) / 2) / wsum) * kern.nr; };
  pool.parallel_for(rg * cs, [&](int idx) {
    const int r = idx % rg, s = idx / rg;
    const int i0 = r * rstep;
    const int j0 = strip_start(s);
    const int j1 = std::min(g.n, strip_start(s + 1));
    kern.strip(g, sa, r, s, i0, std::min(g.m, i0 + rstep), j0, j1);
  });
}

}  // namespace aekit
