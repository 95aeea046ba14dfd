// GEMM driver: per-ISA instantiation of the packed kernel, runtime dispatch, and the split of C
// into chunks for the thread pool.
#include "gemm.h"
#include "cpu.h"
#include "gemm_kernel.h"
#include "thread_pool.h"

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
constexpr int kMR2 = 6, kNV2 = 2, kKC2 = 256, kMC2 = 120;
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

AEKIT_TARGET_AVX512 static void block_avx512(const GemmArgs& g, int i0, int i1, int j0, int j1) {
  gemm_block<v16f, kMR512, kNV512, kKC512, kMC512, kernel_avx512>(g, i0, i1, j0, j1);
}
AEKIT_TARGET_AVX2 static void block_avx2(const GemmArgs& g, int i0, int i1, int j0, int j1) {
  gemm_block<v8f, kMR2, kNV2, kKC2, kMC2, kernel_avx2>(g, i0, i1, j0, j1);
}
static void block_base(const GemmArgs& g, int i0, int i1, int j0, int j1) {
  gemm_block<v4f, kMRb, kNVb, kKCb, kMCb, kernel_base>(g, i0, i1, j0, j1);
}

struct Kernel {
  void (*block)(const GemmArgs&, int, int, int, int);
  int mr, nr;
};

static Kernel kernel_for(Isa isa) {
  switch (isa) {
    case Isa::Avx512: return {block_avx512, kMR512, 16 * kNV512};
    case Isa::Avx2: return {block_avx2, kMR2, 8 * kNV2};
    default: return {block_base, kMRb, 4 * kNVb};
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
  // Chunk grid: column strips x row groups, chosen from the shape only (never from the thread
  // count) so results are bit-identical whatever the number of threads. Column strips are
  // preferred: each strip packs its B columns once and re-packs only A, which for the training
  // shapes (m = batch) is the smaller operand.
  const double flops = 2.0 * g.m * g.n * (g.k > 0 ? g.k : 1);
  int cs = ceil_div(g.n, 256), rg = ceil_div(g.m, 512);
  const int target = flops < 4e6 ? 1 : flops < 4e7 ? 4 : 8;
  if (cs * rg > target && target == 1) cs = rg = 1;
  while (cs * rg < target) {
    const int rows = ceil_div(g.m, rg), cols = ceil_div(g.n, cs);
    const bool can_rows = rows >= 2 * kern.mr, can_cols = cols >= 2 * kern.nr;
    if (can_cols && (cols >= rows || !can_rows)) cs++;
    else if (can_rows) rg++;
    else break;
  }
  const int rstep = round_up(ceil_div(g.m, rg), kern.mr);
  const int cstep = round_up(ceil_div(g.n, cs), kern.nr);
  rg = ceil_div(g.m, rstep);
  cs = ceil_div(g.n, cstep);
  ThreadPool::instance().parallel_for(rg * cs, [&](int idx) {
    const int r = idx / cs, s = idx % cs;
    const int i0 = r * rstep, j0 = s * cstep;
    const int i1 = i0 + rstep < g.m ? i0 + rstep : g.m;
    const int j1 = j0 + cstep < g.n ? j0 + cstep : g.n;
    kern.block(g, i0, i1, j0, j1);
  });
}

}  // namespace aekit
