// GEMM driver: per-ISA instantiation of the packed kernel, runtime dispatch, and the split of C
// into chunks for the thread pool.
#include "gemm.h"
#include "cpu.h"
#include "gemm_kernel.h"
#include "thread_pool.h"
#include <algorithm>

namespace aekit {

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
constexpr int kMRb = 6, kNVb = 2, kKCb = 256, kMCb = 120;

#define AEKIT_NOINLINE __attribute__((noinline))
AEKIT_TARGET_AVX512 AEKIT_NOINLINE static void kernel_avx512(int kc, const float* a, const float* b, float* out) {
  micro_kernel<v16f, kMR512, kNV512>(kc, a, b, out);
}
AEKIT_TARGET_AVX2 AEKIT_NOINLINE static void kernel_avx2(int kc, const float* a, const float* b, float* out) {
  micro_kernel<v8f, kMR2, kNV2>(kc, a, b, out);
}
AEKIT_NOINLINE static void kernel_base(int kc, const float* a, const float* b, float* out) {
  micro_kernel<v4f, kMRb, kNVb>(kc, a, b, out);
}

// Per-ISA instantiations of the two phases.
#define AEKIT_GEMM_ISA(SUFFIX, TARGET, V, MR, NV, MC)                                                    \
  TARGET static void pack_a_##SUFFIX(const GemmArgs& g, float* ap, int mp, KSplit ks, int p0, int p1) { \
    pack_a<MR>(g, ap, mp, ks, p0, p1);                                                                   \
  }                                                                                                      \
  TARGET static void strip_##SUFFIX(const GemmArgs& g, const float* ap, int mp, KSplit ks, int i0, int i1, \
                                    int j0, int j1) {                                                    \
    gemm_strip<V, MR, NV, MC, kernel_##SUFFIX>(g, ap, mp, ks, i0, i1, j0, j1);                          \
  }
AEKIT_GEMM_ISA(avx512, AEKIT_TARGET_AVX512, v16f, kMR512, kNV512, kMC512)
AEKIT_GEMM_ISA(avx2, AEKIT_TARGET_AVX2, v8f, kMR2, kNV2, kMC2)
AEKIT_GEMM_ISA(base, AEKIT_TARGET_BASE, v4f, kMRb, kNVb, kMCb)

struct Kernel {
  void (*pack)(const GemmArgs&, float*, int, KSplit, int, int);
  void (*strip)(const GemmArgs&, const float*, int, KSplit, int, int, int, int);
  int mr, nr, kc;
};

static Kernel kernel_for(Isa isa) {
  switch (isa) {
    case Isa::Avx512: return {pack_a_avx512, strip_avx512, kMR512, 16 * kNV512, kKC512};
    case Isa::Avx2: return {pack_a_avx2, strip_avx2, kMR2, 8 * kNV2, kKC2};
    default: return {pack_a_base, strip_base, kMRb, 4 * kNVb, kKCb};
  }
}

void gemm_tile(int* mr, int* nr) {
  Kernel k = kernel_for(active_isa());
  *mr = k.mr;
  *nr = k.nr;
}

static int ceil_div(int a, int b) { return (a + b - 1) / b; }
static int round_up(int a, int b) { return ceil_div(a, b) * b; }

void gemm(const GemmArgs& g) {
  if (g.m <= 0 || g.n <= 0) return;
  const Kernel kern = kernel_for(active_isa());
  ThreadPool& pool = ThreadPool::instance();
  const KSplit ks = split_k(g.k, kern.kc);
  const int mp = round_up(g.m, kern.mr);
  const int panels = mp / kern.mr;
  const double flops = 2.0 * g.m * g.n * (g.k > 0 ? g.k : 1);

  // Phase 1: pack all of op(A) once, into the caller's buffer, in chunks of panels. Chunk sizes
  // depend on the shape only, so results never depend on the thread count.
  float* ap = pack_buffer_a().get(size_t(mp) * (g.k > 0 ? g.k : 1));
  if (g.k > 0) {
    const int panels_per_chunk = std::max(1, 32768 / (kern.mr * g.k));
    const int pack_chunks = flops < 1e6 ? 1 : ceil_div(panels, panels_per_chunk);
    const int step = ceil_div(panels, pack_chunks);
    pool.parallel_for(ceil_div(panels, step), [&](int c) {
      kern.pack(g, ap, mp, ks, c * step, std::min(panels, (c + 1) * step));
    });
  }

  // Phase 2: C in column strips (each packs its own B columns once) x row groups. Narrow
  // strips cost nothing extra now that A is shared, so aim for about 8 chunks for balance.
  // Below ~1 MFLOP (about 10 us on one core) waking a worker is not worth it.
  const int target = flops < 1e6 ? 1 : flops < 8e6 ? 2 : flops < 3e7 ? 4 : 8;
  int cs = std::max(1, std::min(ceil_div(g.n, 4 * kern.nr), target));
  int rg = 1;
  while (cs * rg < target && ceil_div(panels, rg + 1) >= 2) rg++;
  const int rstep = ceil_div(panels, rg) * kern.mr;
  const int cstep = round_up(ceil_div(g.n, cs), kern.nr);
  rg = ceil_div(g.m, rstep);
  cs = ceil_div(g.n, cstep);
  pool.parallel_for(rg * cs, [&](int idx) {
    const int r = idx % rg, s = idx / rg;
    const int i0 = r * rstep, j0 = s * cstep;
    kern.strip(g, ap, mp, ks, i0, std::min(g.m, i0 + rstep), j0, std::min(g.n, j0 + cstep));
  });
}

}  // namespace aekit
