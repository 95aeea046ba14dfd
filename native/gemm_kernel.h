// The GEMM building blocks as templates over the vector type and tile, instantiated once per
// ISA in gemm.cc. BLIS structure: C is computed in MR x NR tiles from a packed A panel (MR rows,
// k-major, streamed from L2) and a packed B panel (NR columns, k-major, resident in L1); the
// accumulators stay in registers for the whole kc loop.
#pragma once
#include <atomic>
#include <cstdlib>
#include <thread>
#include "common.h"
#include "vec_math.h"
#include "gemm.h"
#include "gemm_profile.h"

#ifndef AEKIT_GEMM_K_UNROLL
#define AEKIT_GEMM_K_UNROLL 4
#endif
#define AEKIT_PRAGMA_(text) _Pragma(#text)
#define AEKIT_UNROLL(n) AEKIT_PRAGMA_(GCC unroll n)

namespace aekit {

// Per-thread packing buffers, 64-byte aligned, grown on demand and never shrunk, so the steady
// state allocates nothing. thread_local also makes concurrent callers (worker_threads) safe.
struct PackBuffer {
  float* p = nullptr;
  size_t cap = 0;
  float* get(size_t floats) {
    if (floats > cap) {
      std::free(p);
      size_t bytes = ((floats * sizeof(float)) + 63) & ~size_t(63);
      p = static_cast<float*>(std::aligned_alloc(64, bytes));
      cap = bytes / sizeof(float);
    }
    return p;
  }
};
PackBuffer& pack_buffer_a();
PackBuffer& pack_buffer_b();

// In-register 8x8 transpose (unpack / shuffle / 128-bit lane swap, as compilers emit for AVX).
AEKIT_INLINE void transpose8(v8f (&r)[8]) {
  const v8i lo = {0, 8, 1, 9, 4, 12, 5, 13}, hi = {2, 10, 3, 11, 6, 14, 7, 15};
  const v8i l2 = {0, 1, 8, 9, 4, 5, 12, 13}, h2 = {2, 3, 10, 11, 6, 7, 14, 15};
  const v8i l4 = {0, 1, 2, 3, 8, 9, 10, 11}, h4 = {4, 5, 6, 7, 12, 13, 14, 15};
  v8f t0 = __builtin_shuffle(r[0], r[1], lo), t1 = __builtin_shuffle(r[0], r[1], hi);
  v8f t2 = __builtin_shuffle(r[2], r[3], lo), t3 = __builtin_shuffle(r[2], r[3], hi);
  v8f t4 = __builtin_shuffle(r[4], r[5], lo), t5 = __builtin_shuffle(r[4], r[5], hi);
  v8f t6 = __builtin_shuffle(r[6], r[7], lo), t7 = __builtin_shuffle(r[6], r[7], hi);
  v8f s0 = __builtin_shuffle(t0, t2, l2), s1 = __builtin_shuffle(t0, t2, h2);
  v8f s2 = __builtin_shuffle(t1, t3, l2), s3 = __builtin_shuffle(t1, t3, h2);
  v8f s4 = __builtin_shuffle(t4, t6, l2), s5 = __builtin_shuffle(t4, t6, h2);
  v8f s6 = __builtin_shuffle(t5, t7, l2), s7 = __builtin_shuffle(t5, t7, h2);
  r[0] = __builtin_shuffle(s0, s4, l4); r[4] = __builtin_shuffle(s0, s4, h4);
  r[1] = __builtin_shuffle(s1, s5, l4); r[5] = __builtin_shuffle(s1, s5, h4);
  r[2] = __builtin_shuffle(s2, s6, l4); r[6] = __builtin_shuffle(s2, s6, h4);
  r[3] = __builtin_shuffle(s3, s7, l4); r[7] = __builtin_shuffle(s3, s7, h4);
}

// Packs `lines` (<= R) lines of length kc into dst[p * R + r], zero-filling lines >= `lines`.
// Element (r, p) lives at src[r * rs + p * ps]; one of rs/ps is 1.
template <int R>
AEKIT_INLINE void pack_panel(float* __restrict dst, const float* __restrict src, ptrdiff_t rs, ptrdiff_t ps,
                             int lines, int kc) {
  if (rs == 1) {
    // Lines contiguous in memory (B not transposed, A transposed): each k step copies R floats.
    if (lines == R) {
      for (int p = 0; p < kc; ++p) {
        const float* s = src + p * ps;
#pragma GCC unroll 32
        for (int r = 0; r < R; ++r) dst[p * R + r] = s[r];
      }
    } else {
      for (int p = 0; p < kc; ++p)
        for (int r = 0; r < R; ++r) dst[p * R + r] = r < lines ? src[p * ps + r] : 0.f;
    }
    return;
  }
  // Each line contiguous in k (a transposing pack, e.g. W in x·Wᵀ): 8 lines x 8 k values are
  // loaded, transposed in registers and stored as 8 rows of the panel. When R is not a multiple
  // of 8 the last group's 8-wide store spills into the next row, which the following store
  // overwrites (stores go in increasing address order); the panel's last row is stored partially
  // so nothing lands past the panel (another thread may be packing the next one).
  constexpr int G = (R + 7) / 8;
  if (lines < R) {  // edge panel: rare, keep it simple
    for (int p = 0; p < kc; ++p)
      for (int r = 0; r < R; ++r) dst[p * R + r] = r < lines ? src[r * rs + p] : 0.f;
    return;
  }
  int p = 0;
  for (; p + 8 <= kc; p += 8) {
    v8f blk[G][8];
#pragma GCC unroll 4
    for (int g = 0; g < G; ++g) {
#pragma GCC unroll 8
      for (int q = 0; q < 8; ++q)  // the condition is a compile-time constant after unrolling
        blk[g][q] = g * 8 + q < R ? loadu<v8f>(src + (g * 8 + q) * rs + p) : v8f{};
      transpose8(blk[g]);
    }
#pragma GCC unroll 8
    for (int q = 0; q < 8; ++q)
#pragma GCC unroll 4
      for (int g = 0; g < G; ++g) {
        // Below 4 lines (the wasm build's R = 3) the row before the last spills past the panel too.
        const int at = (p + q) * R + g * 8;
        if (R % 8 != 0 && g == G - 1 && at + 8 > kc * R)
          store_part<v8f>(dst + at, blk[g][q], kc * R - at);  // never past the panel
        else
          storeu<v8f>(dst + at, blk[g][q]);
      }
  }
  for (; p < kc; ++p)
    for (int r = 0; r < R; ++r) dst[p * R + r] = src[r * rs + p];
}

// Register-blocked inner product of one A panel (MR x kc) and one B panel (kc x NR) into MR*NV
// accumulators. Inlined into small noinline per-ISA functions (below and in gemm.cc) so the
// register allocator sees nothing else: the accumulators must never spill.
// B's rows are NR apart in a packed panel (aligned); STRIDED reads B in place (see b_in_place), its
// rows bs apart, with unaligned loads.
template <class V, int MR, int NV, bool STRIDED = false>
AEKIT_INLINE void accumulate(int kc, const float* __restrict a, const float* __restrict b, V (&acc)[MR][NV],
                             ptrdiff_t bs = 0) {
  constexpr int W = VT<V>::N;
  const ptrdiff_t NR = STRIDED ? bs : W * NV;
#pragma GCC unroll 32
  for (int r = 0; r < MR; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[r][v] = V{};
  // Unrolled k: the loop's own increments and branch otherwise take issue slots from the FMAs
  // (bench/gemm-ab.ts: 1.024-1.026x on two threads, 1.041x on one; unrolling 8 adds nothing).
  // The wasm build does not unroll (AEKIT_GEMM_K_UNROLL, native/wasm/gemm_tile.h says why).
AEKIT_UNROLL(AEKIT_GEMM_K_UNROLL)
  for (int p = 0; p < kc; ++p) {
    V bv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) bv[v] = STRIDED ? loadu<V>(b + v * W) : *reinterpret_cast<const V*>(b + v * W);
#pragma GCC unroll 32
    for (int r = 0; r < MR; ++r) {
      V av = splat<V>(a[r]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[r][v] += av * bv[v];
    }
    a += MR;
    b += NR;
  }
}

// The product into an aligned MR x NR tile, for edge tiles and the bias + activation epilogue.
template <class V, int MR, int NV>
AEKIT_INLINE void micro_kernel(int kc, const float* __restrict a, const float* __restrict b, ptrdiff_t bs,
                               float* __restrict out) {
  constexpr int W = VT<V>::N;
  constexpr int NR = W * NV;
  V acc[MR][NV];
  if (bs == 0) accumulate<V, MR, NV>(kc, a, b, acc);
  else accumulate<V, MR, NV, true>(kc, a, b, acc, bs);
#pragma GCC unroll 32
  for (int r = 0; r < MR; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) *reinterpret_cast<V*>(out + r * NR + v * W) = acc[r][v];
}

using MicroKernelFn = void (*)(int kc, const float* a, const float* b, ptrdiff_t bs, float* out);

// The product straight into a full MR x NR tile of C, c = alpha*AB + beta*c, without the trip
// through the tile buffer (bench/gemm-ab.ts: 1.011-1.019x on two threads).
template <class V, int MR, int NV>
AEKIT_INLINE void micro_kernel_c(int kc, const float* __restrict a, const float* __restrict b, ptrdiff_t bs, float* c,
                                 ptrdiff_t ldc, float alpha, float beta) {
  constexpr int W = VT<V>::N;
  V acc[MR][NV];
  if (bs == 0) accumulate<V, MR, NV>(kc, a, b, acc);
  else accumulate<V, MR, NV, true>(kc, a, b, acc, bs);
#pragma GCC unroll 32
  for (int r = 0; r < MR; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      V x = acc[r][v] * alpha;
      if (beta != 0.f) x += beta * loadu<V>(c + r * ldc + v * W);
      storeu<V>(c + r * ldc + v * W, x);
    }
}

using DirectKernelFn = void (*)(int kc, const float* a, const float* b, ptrdiff_t bs, float* c, ptrdiff_t ldc, float alpha,
                               float beta);

// Writes rows [0, mr) x cols [0, nr) of a tile: c = alpha*t + beta*c, then on the last k block
// act(c + bias). Partial vectors at the right edge use masked-by-memcpy loads/stores, so edge
// tiles run the same arithmetic as full ones.
template <class V, int MR, int NV>
AEKIT_INLINE void store_tile(const float* __restrict t, float* c, ptrdiff_t ldc, int mr, int nr, float alpha,
                             float beta, bool epi, const float* bias, int act, float slope) {
  constexpr int W = VT<V>::N;
  constexpr int NR = W * NV;
  for (int r = 0; r < mr; ++r) {
    float* cr = c + r * ldc;
    const float* tr = t + r * NR;
    if (nr == NR && !epi) {
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) {
        V x = *reinterpret_cast<const V*>(tr + v * W) * alpha;
        if (beta != 0.f) x += beta * loadu<V>(cr + v * W);
        storeu<V>(cr + v * W, x);
      }
      continue;
    }
    for (int j = 0; j < nr; j += W) {
      const size_t len = nr - j < W ? nr - j : W;
      V x = *reinterpret_cast<const V*>(tr + j) * alpha;
      if (len == W) {  // full vector: fixed-size loads/stores (a variable memcpy is a libc call)
        if (beta != 0.f) x += beta * loadu<V>(cr + j);
        if (epi) x = vactivate<V>(x + (bias ? loadu<V>(bias + j) : V{}), act, slope);
        storeu<V>(cr + j, x);
      } else {
        if (beta != 0.f) x += beta * load_part<V>(cr + j, len);
        if (epi) x = vactivate<V>(x + (bias ? load_part<V>(bias + j, len) : V{}), act, slope);
        store_part<V>(cr + j, x, len);
      }
    }
  }
}

// k is cut into equal blocks of at most KC (a multiple of 8 where possible), so no block is a
// sliver that pays a full pass over C for a few k steps.
struct KSplit {
  int blocks, kc;
  int start(int b) const { return b * kc; }
  int len(int b, int k) const { return k - b * kc < kc ? k - b * kc : kc; }
};
inline KSplit split_k(int k, int KC) {
  if (k <= 0) return {1, 0};
  int blocks = (k + KC - 1) / KC;
  int kc = ((k + blocks - 1) / blocks + 7) / 8 * 8;
  if (kc > KC) kc = KC;
  return {(k + kc - 1) / kc, kc};
}

// Packs row panels [p0, p1) of op(A) for k block kb into the shared buffer `ap`, laid out per
// k block (offset mp * start) and then per panel (offset row * len).
template <int MR>
AEKIT_INLINE void pack_a(const GemmArgs& g, float* ap, int mp, KSplit ks, int kb, int p0, int p1) {
  // A(i, p) = a[i*ars + p*aps]
  const ptrdiff_t ars = g.transA ? 1 : g.lda, aps = g.transA ? g.lda : 1;
  const int pc = ks.start(kb), kc = ks.len(kb, g.k);
  for (int panel = p0; panel < p1; ++panel) {
    const int row = panel * MR;
    const int lines = g.m - row < MR ? g.m - row : MR;
    pack_panel<MR>(ap + size_t(mp) * pc + size_t(row) * kc, g.a + row * ars + pc * aps, ars, aps, lines, kc);
  }
}

// op(A) packed once per GEMM and shared by all chunks, but packed lazily inside the compute
// phase, one (k block, row block) unit at a time, by the first chunk that needs it: a GEMM is
// then a single parallel phase (no barrier between packing and computing, no second wake-up).
// flags[unit] holds 2*epoch while a thread packs the unit and 2*epoch+1 once it is packed; the
// epoch is fresh per GEMM, so the flags never need clearing. The packed data is the same
// whoever packs it, so results do not depend on the thread count.
struct SharedA {
  float* ap;
  int mp;
  KSplit ks;
  std::atomic<uint64_t>* flags;
  uint64_t epoch;
  int row_groups;       // C's row groups (chunks split m into this many)
  int blocks_per_group; // row blocks per full row group (the last group may use fewer)
  int unit(int kb, int group, int block) const { return (kb * row_groups + group) * blocks_per_group + block; }
};

// The state of an A unit for a chunk about to use it.
enum class UnitState { Ready, Mine, Busy };

// Ready once packed; Mine if the caller has just claimed it and must pack it now (and then
// publish_unit it); Busy while another chunk packs it. (Not a callback: lambdas do not inherit
// the ISA target attribute.)
inline UnitState try_claim_unit(const SharedA& sa, int unit) {
  std::atomic<uint64_t>& f = sa.flags[unit];
  const uint64_t busy = 2 * sa.epoch, ready = busy + 1;
  uint64_t cur = f.load(std::memory_order_acquire);
  if (cur == ready) return UnitState::Ready;
  if (cur < busy && f.compare_exchange_strong(cur, busy, std::memory_order_acq_rel)) return UnitState::Mine;
  return f.load(std::memory_order_acquire) == ready ? UnitState::Ready : UnitState::Busy;
}
// Waits for a Busy unit (a unit is ~100 KB: microseconds). Yields now and then in case the
// packing thread was preempted on a busy machine.
inline void wait_unit(const SharedA& sa, int unit) {
  std::atomic<uint64_t>& f = sa.flags[unit];
  for (int polls = 1; f.load(std::memory_order_acquire) != 2 * sa.epoch + 1; ++polls) {
    cpu_relax();
    if (polls % 1024 == 0) std::this_thread::yield();
  }
}
inline void publish_unit(const SharedA& sa, int unit) {
  sa.flags[unit].store(2 * sa.epoch + 1, std::memory_order_release);
}

// Whether the micro-kernel can read untransposed B where it lies instead of from a packed panel:
// a row of B already holds NR consecutive columns, as a packed panel's does, so only the row stride
// differs. Packing B then costs a read and a write of every element per strip and k block for
// nothing; reading in place costs nothing extra as long as the kc rows of a panel (kc x NR floats,
// about half the L1) sit in L1 together, that is unless the stride maps them onto a few L1 sets
// (a stride of a multiple of 512 floats would put every row in the same sets). Counted here for
// an L1 of 64 sets of 64-byte lines (every x86 core aekit targets): no set may hold more than 2
// lines above an even spread. A stride below NR is an edge case, always packed.
template <int NR>
inline bool b_in_place(const GemmArgs& g, int kc) {
#if defined(AEKIT_NO_B_IN_PLACE) || defined(__wasm__)
  (void)g; (void)kc;
  return false;
#else
  if (g.transB || kc <= 0 || g.ldb < NR) return false;
  int sets[64] = {};
  const uintptr_t base = reinterpret_cast<uintptr_t>(g.b) & 63;
  int lines = 0;
  for (int p = 0; p < kc; ++p) {
    const uintptr_t start = base + uintptr_t(p) * uintptr_t(g.ldb) * 4, first = start / 64, last = (start + NR * 4 - 1) / 64;
    for (uintptr_t l = first; l <= last; ++l, ++lines) sets[l % 64]++;
  }
  int most = 0;
  for (int x : sets) most = x > most ? x : most;
  return most <= lines / 64 + 2;
#endif
}

// Computes C[i0:i1, j0:j1] (i0 a multiple of MR; rows of row group `group`) from the shared
// packed A, packing A units on first use and this strip's B panels into a per-thread buffer.
// Loop order pc > (pack B) > ic > jr > ir, as in BLIS: a B panel (kc x NR) stays in L1 while
// the A panels of an MC block stream from L2.
template <class V, int MR, int NV, int MC, MicroKernelFn KERNEL, DirectKernelFn KERNEL_C>
AEKIT_INLINE void gemm_strip(const GemmArgs& g, const SharedA& sa, int group, int rot, int i0, int i1, int j0,
                             int j1) {
  const KSplit ks = sa.ks;
  const int mp = sa.mp;
  constexpr int NR = VT<V>::N * NV;
  const int nc = j1 - j0;
  const int ncp = (nc + NR - 1) / NR * NR;
  float* bp = pack_buffer_b().get(size_t(ks.kc > 0 ? ks.kc : 1) * ncp);
  // B(p, j) = b[p*bps + j*bjs]
  const ptrdiff_t bps = g.transB ? 1 : g.ldb, bjs = g.transB ? g.ldb : 1;
  alignas(64) float tile[MR * NR];
  const bool in_place = b_in_place<NR>(g, ks.kc);
  AEKIT_PROFILE_START(strip_t0);
  for (int kb = 0; kb < ks.blocks; ++kb) {
    const int pc = ks.start(kb), kc = ks.len(kb, g.k);
    const float beta = kb == 0 ? g.beta : 1.f;
    const bool epi = g.epilogue && kb == ks.blocks - 1;
    AEKIT_PROFILE_START(pack_b_t0);
    if (in_place) {
      // Only a last, partial panel is packed (a full-width read would run past B's columns).
      const int jr = nc / NR * NR;
      if (jr < nc)
        for (int p = 0; p < kc; ++p) {
          const float* src = g.b + (pc + p) * bps + j0 + jr;
          float* dst = bp + size_t(jr) * kc + size_t(p) * NR;
          for (int c = 0; c < NR; ++c) dst[c] = jr + c < nc ? src[c] : 0.f;
        }
    } else if (kc > 0 && bjs == 1) {
      // B rows contiguous: walk k outermost so each row segment is read sequentially (walking
      // panel by panel would touch kc rows per 64 bytes and miss on every one).
      for (int p = 0; p < kc; ++p) {
        const float* src = g.b + (pc + p) * bps + j0;
        int jr = 0;
        for (; jr + NR <= nc; jr += NR) {
          float* dst = bp + size_t(jr) * kc + size_t(p) * NR;
#pragma GCC unroll 4
          for (int v = 0; v < NV; ++v)
            *reinterpret_cast<V*>(dst + v * VT<V>::N) = loadu<V>(src + jr + v * VT<V>::N);
        }
        if (jr < nc) {
          float* dst = bp + size_t(jr) * kc + size_t(p) * NR;
          for (int c = 0; c < NR; ++c) dst[c] = jr + c < nc ? src[jr + c] : 0.f;
        }
      }
    } else if (kc > 0) {
      for (int jr = 0; jr < nc; jr += NR) {
        int lines = nc - jr < NR ? nc - jr : NR;
        pack_panel<NR>(bp + size_t(jr) * kc, g.b + (j0 + jr) * bjs + pc * bps, bjs, bps, lines, kc);
      }
    }
    AEKIT_PROFILE_ADD(kPhasePackB, pack_b_t0);
    const float* apk = sa.ap + size_t(mp) * pc;
    // Equal MC blocks (multiples of MR): a 16-row leftover block would reuse each B panel
    // over only a few A panels. Chunks start at different blocks (`rot`), so chunks running
    // side by side pack different A units instead of waiting on the same one.
    const int mblocks = (i1 - i0 + MC - 1) / MC;
    const int mcb = ((i1 - i0 + mblocks - 1) / mblocks + MR - 1) / MR * MR;
    const int nblocks = (i1 - i0 + mcb - 1) / mcb;
    // A block whose A unit another chunk is still packing is put off (up to kMaxDeferred of
    // them) and computed after the others, instead of waiting for it.
    constexpr int kMaxDeferred = 8;
    int deferred[kMaxDeferred], ndeferred = 0;
    for (int step = 0; step < nblocks + ndeferred; ++step) {
      const bool in_order = step < nblocks;
      const int blk = in_order ? (step + rot) % nblocks : deferred[step - nblocks];
      const int ic = i0 + blk * mcb;
      const int mc = i1 - ic < mcb ? i1 - ic : mcb;
      const int unit = sa.unit(kb, group, blk);
      if (kc > 0) {
        const UnitState state = try_claim_unit(sa, unit);
        if (state == UnitState::Mine) {
          AEKIT_PROFILE_START(pack_a_t0);
          pack_a<MR>(g, sa.ap, mp, ks, kb, ic / MR, (ic + mc + MR - 1) / MR);
          AEKIT_PROFILE_ADD(kPhasePackA, pack_a_t0);
          publish_unit(sa, unit);
        } else if (state == UnitState::Busy) {
          if (in_order && ndeferred < kMaxDeferred) {
            deferred[ndeferred++] = blk;
            continue;
          }
          AEKIT_PROFILE_START(wait_t0);
          wait_unit(sa, unit);
          AEKIT_PROFILE_ADD(kPhaseWaitA, wait_t0);
        }
      }
      for (int jr = 0; jr < nc; jr += NR) {
        const int nr = nc - jr < NR ? nc - jr : NR;
        const float* bias = g.bias ? g.bias + j0 + jr : nullptr;
        for (int ir = 0; ir < mc; ir += MR) {
          const int mr = mc - ir < MR ? mc - ir : MR;
          // Start pulling this tile of C in while the kernel runs (it is read or written right after).
          float* ct = g.c + ptrdiff_t(ic + ir) * g.ldc + j0 + jr;
          for (int r = 0; r < mr; ++r) {
            __builtin_prefetch(ct + r * g.ldc, 1);
            __builtin_prefetch(ct + r * g.ldc + NR - 1, 1);
          }
          // A full panel of B read in place has B's row stride (unaligned loads, even when the
          // stride is NR); bs = 0 says packed (aligned, NR apart).
          const bool direct_b = in_place && nr == NR;
          const float* bpanel = direct_b ? g.b + ptrdiff_t(pc) * bps + j0 + jr : bp + size_t(jr) * kc;
          const ptrdiff_t bs = direct_b ? bps : 0;
          if (mr == MR && nr == NR && !epi) {
            KERNEL_C(kc, apk + size_t(ic + ir) * kc, bpanel, bs, ct, g.ldc, g.alpha, beta);
          } else {
            KERNEL(kc, apk + size_t(ic + ir) * kc, bpanel, bs, tile);
            store_tile<V, MR, NV>(tile, ct, g.ldc, mr, nr, g.alpha, beta, epi, bias, g.act, g.slope);
          }
        }
      }
    }
  }
  AEKIT_PROFILE_ADD(kPhaseStrip, strip_t0);
}

}  // namespace aekit
