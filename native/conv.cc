// 2-d convolution as im2col + the packed GEMM, and max pooling with its indices.
//
// For each group and chunk of images, im2col lays the input taps of the chunk out as a
// K × (images · P) matrix (K = input channels of the group × kernel taps, P = output pixels per
// image), so that the forward pass is one GEMM W (outPerGroup × K) · col, the input gradient is
// Wᵀ · dY followed by col2im (which adds each column entry back onto the pixel it came from: the
// transposed convolution), and the filter gradient is dY · colᵀ, its sum over the images done by
// the GEMMs.
// Semantics are those of the reference backend.
#include <algorithm>
#include <cmath>
#include <vector>
#include "common.h"
#include "conv_choice.h"
#include "gemm.h"
#include "kernels.h"
#include "parallel.h"
#include "thread_pool.h"

namespace aekit {
namespace {

struct Plan {
  const ConvGeom& g;
  long in_per_group, out_per_group, K, P, in_plane;
  explicit Plan(const ConvGeom& geom)
      : g(geom),
        in_per_group(geom.in_c / geom.groups),
        out_per_group(geom.out_c / geom.groups),
        K(geom.in_c / geom.groups * geom.kh * geom.kw),
        P(geom.out_h * geom.out_w),
        in_plane(geom.in_h * geom.in_w) {}
};

// The K/in_per_group rows of col (each `ld` values) that input channel plane x[H × W] gives, at
// columns [n·P, (n + 1)·P) for the image the plane belongs to; taps outside the image read 0.
void im2col(const float* x, const Plan& p, float* col, long ld) {
  const ConvGeom& g = p.g;
  for (long kh = 0; kh < g.kh; ++kh) {
    for (long kw = 0; kw < g.kw; ++kw) {
      float* row = col + (kh * g.kw + kw) * ld;
      for (long oh = 0; oh < g.out_h; ++oh) {
        const long ih = oh * g.sh - g.ph + kh * g.dh;
        float* out = row + oh * g.out_w;
        if (ih < 0 || ih >= g.in_h) {
          std::fill(out, out + g.out_w, 0.f);
          continue;
        }
        const float* in = x + ih * g.in_w;
        for (long ow = 0; ow < g.out_w; ++ow) {
          const long iw = ow * g.sw - g.pw + kw * g.dw;
          out[ow] = iw >= 0 && iw < g.in_w ? in[iw] : 0.f;
        }
      }
    }
  }
}

// The plane dx[H × W] of one input channel += each entry of its rows of col, at the pixel im2col
// took it from.
void col2im(const float* col, const Plan& p, float* dx, long ld) {
  const ConvGeom& g = p.g;
  for (long kh = 0; kh < g.kh; ++kh) {
    for (long kw = 0; kw < g.kw; ++kw) {
      const float* row = col + (kh * g.kw + kw) * ld;
      for (long oh = 0; oh < g.out_h; ++oh) {
        const long ih = oh * g.sh - g.ph + kh * g.dh;
        if (ih < 0 || ih >= g.in_h) continue;
        float* out = dx + ih * g.in_w;
        const float* in = row + oh * g.out_w;
        for (long ow = 0; ow < g.out_w; ++ow) {
          const long iw = ow * g.sw - g.pw + kw * g.dw;
          if (iw >= 0 && iw < g.in_w) out[iw] += in[ow];
        }
      }
    }
  }
}

GemmArgs product(int m, int n, int k, const float* a, bool ta, const float* b, bool tb, float* c, float beta) {
  GemmArgs args;
  args.m = m; args.n = n; args.k = k;
  args.a = a; args.transA = ta; args.lda = ta ? m : k;
  args.b = b; args.transB = tb; args.ldb = tb ? k : n;
  args.c = c; args.ldc = n;
  args.alpha = 1.f; args.beta = beta;
  return args;
}

// The columns and the output rows of the largest chunk, kept between calls: a training step
// convolves the same sizes again and again, and each call runs on the calling thread (the pool's
// workers only ever run its chunks).
struct Buffers {
  float* col;
  float* rows;
};
// A run of images convolved together: their columns side by side in one K × (count · P) matrix.
// Chunks are sized so that the columns stay near the cache (about 1 MiB): one GEMM over a whole
// batch of 64x64 images would stream tens of megabytes of columns through memory, while the small
// outputs of MNIST's strided layers need many images per GEMM to keep the kernel busy.
struct Chunk {
  long first, count;
};
constexpr long kColumnBudget = 1L << 18;  // floats

long chunk_size(const Plan& p) {
  return std::max(1L, std::min(p.g.batch, kColumnBudget / std::max(1L, p.K * p.P)));
}

// f(n, i, channel) for every image of the chunk (n in the batch, i in the chunk) and each of
// `channels` channels, on the pool: a chunk of one large image still keeps every thread busy.
template <class F> void per_plane(const Chunk& c, long channels, F&& f) {
  ThreadPool::instance().parallel_for(static_cast<int>(c.count * channels), [&](int t) {
    const long i = t / channels;
    f(c.first + i, i, t % channels);
  });
}

// The chunk's images' group input channels as one K × (count · P) matrix.
void gather_columns(const float* x, const Plan& p, long grp, const Chunk& c, float* col) {
  const long ld = c.count * p.P;
  const long taps = p.g.kh * p.g.kw;
  per_plane(c, p.in_per_group, [&](long n, long i, long ic) {
    im2col(x + (n * p.g.in_c + grp * p.in_per_group + ic) * p.in_plane, p, col + ic * taps * ld + i * p.P, ld);
  });
}

// The chunk's images' group output channels ([batch, out_c, P] layout) as one out_per_group × (count · P) matrix.
void to_rows(const float* y, const Plan& p, long grp, const Chunk& c, float* rows) {
  const long ld = c.count * p.P;
  per_plane(c, p.out_per_group, [&](long n, long i, long oc) {
    const float* from = y + (n * p.g.out_c + grp * p.out_per_group + oc) * p.P;
    std::copy(from, from + p.P, rows + oc * ld + i * p.P);
  });
}

Buffers buffers(const Plan& p) {
  thread_local std::vector<float> col, rows;
  const long most = chunk_size(p) * p.P;
  col.resize(static_cast<size_t>(p.K * most));
  rows.resize(static_cast<size_t>(p.out_per_group * most));
  return {col.data(), rows.data()};
}

// f(chunk) for consecutive chunks covering the batch.
template <class F> void for_chunks(const Plan& p, F&& f) {
  const long size = chunk_size(p);
  for (long first = 0; first < p.g.batch; first += size) f(Chunk{first, std::min(size, p.g.batch - first)});
}

}  // namespace

void conv2d_forward(const float* x, const float* w, const float* bias, float* y, const ConvGeom& g, int act, float slope) {
  if (g.batch > 0 && conv_algo(ConvPass::Forward, g) == ConvAlgo::Direct) return conv2d_forward_direct(x, w, bias, y, g, act, slope);
  // The activation as the unary kernel's op, applied to each image's output while it is in cache.
  static constexpr int kUnaryOf[] = {-1, kUSigmoid, kUTanh, kURelu, kULeakyRelu};
  static_assert(sizeof(kUnaryOf) / sizeof(kUnaryOf[0]) == kActCount, "one unary op per activation");
  const int op = kUnaryOf[act];
  const Plan p(g);
  // Not a structured binding: clang before 16 (the wasm build) cannot capture one in a lambda.
  const Buffers bufs = buffers(p);
  float* const col = bufs.col;
  float* const rows = bufs.rows;
  for_chunks(p, [&](const Chunk& c) {
    const long ld = c.count * p.P;
    for (long grp = 0; grp < g.groups; ++grp) {
      gather_columns(x, p, grp, c, col);
      gemm(product(p.out_per_group, ld, p.K, w + grp * p.out_per_group * p.K, false, col, false, rows, 0.f));
      per_plane(c, p.out_per_group, [&](long n, long i, long oc) {
        const long channel = grp * p.out_per_group + oc;
        const float b = bias ? bias[channel] : 0.f;
        const float* from = rows + oc * ld + i * p.P;
        float* to = y + (n * g.out_c + channel) * p.P;
        for (long k = 0; k < p.P; ++k) to[k] = from[k] + b;
        if (op >= 0) unary(op, to, to, static_cast<size_t>(p.P), slope, 0);
      });
    }
  });
}

void conv2d_backward_input(const float* dy, const float* w, float* dx, const ConvGeom& g, float beta) {
  if (g.batch > 0 && conv_algo(ConvPass::BackwardInput, g) == ConvAlgo::Direct) return conv2d_backward_input_direct(dy, w, dx, g, beta);
  const Plan p(g);
  // Not a structured binding: clang before 16 (the wasm build) cannot capture one in a lambda.
  const Buffers bufs = buffers(p);
  float* const col = bufs.col;
  float* const rows = bufs.rows;
  for_chunks(p, [&](const Chunk& c) {
    const long ld = c.count * p.P;
    for (long grp = 0; grp < g.groups; ++grp) {
      to_rows(dy, p, grp, c, rows);
      gemm(product(p.K, ld, p.out_per_group, w + grp * p.out_per_group * p.K, true, rows, false, col, 0.f));
      const long taps = g.kh * g.kw;
      per_plane(c, p.in_per_group, [&](long n, long i, long ic) {
        float* plane = dx + (n * g.in_c + grp * p.in_per_group + ic) * p.in_plane;
        if (beta == 0.f) std::fill(plane, plane + p.in_plane, 0.f);
        else if (beta != 1.f) for (long k = 0; k < p.in_plane; ++k) plane[k] *= beta;
        col2im(col + ic * taps * ld + i * p.P, p, plane, ld);
      });
    }
  });
}

void conv2d_backward_filter(const float* x, const float* dy, float* dw, const ConvGeom& g, float beta) {
  if (g.batch > 0 && conv_algo(ConvPass::BackwardFilter, g) == ConvAlgo::Direct) return conv2d_backward_filter_direct(x, dy, dw, g, beta);
  const Plan p(g);
  if (g.batch == 0) {
    const long size = g.out_c * p.K;
    for (long i = 0; i < size; ++i) dw[i] = beta == 0.f ? 0.f : beta * dw[i];
    return;
  }
  // Not a structured binding: clang before 16 (the wasm build) cannot capture one in a lambda.
  const Buffers bufs = buffers(p);
  float* const col = bufs.col;
  float* const rows = bufs.rows;
  for_chunks(p, [&](const Chunk& c) {
    for (long grp = 0; grp < g.groups; ++grp) {
      gather_columns(x, p, grp, c, col);
      to_rows(dy, p, grp, c, rows);
      // The first chunk applies beta; later ones add their images' share.
      gemm(product(p.out_per_group, p.K, c.count * p.P, rows, false, col, true, dw + grp * p.out_per_group * p.K, c.first == 0 ? beta : 1.f));
    }
  });
}

namespace {

// One window's candidate v (at index i) against the best so far, as the generic loop below decides:
// greater wins, a NaN beats a number, and ties keep the first.
template <class V>
AEKIT_INLINE void pool_take(V& best, typename VT<V>::I& at, V v, typename VT<V>::I i) {
  const auto take = (v > best) | ((v != v) & (best == best));
  best = take ? v : best;
  at = take ? i : at;
}

// Lanes 0, 2, 4, ... of two vectors side by side, as a constant shuffle mask (a mask the compiler
// cannot see as constant becomes a lane-by-lane permute through memory).
template <class V> struct EvenLanes;
template <> struct EvenLanes<v4f> { static constexpr v4i mask = {0, 2, 4, 6}; };
template <> struct EvenLanes<v8f> { static constexpr v8i mask = {0, 2, 4, 6, 8, 10, 12, 14}; };

// Max pooling over 2x2 windows at stride 2 without padding (SegNet's), one plane: W outputs of a
// row per vector, without branches. The generic loop's compare branches mispredict on about every
// other window of noisy activations (12 ns per input value on a Zen 5, one thread).
template <class V>
AEKIT_INLINE void max_pool_2x2_impl(const float* in, float* y, int32_t* idx, const PoolGeom& g) {
  using I = typename VT<V>::I;
  constexpr int W = VT<V>::N;
  const I even = EvenLanes<V>::mask, odd = even + 1;
  for (long oh = 0; oh < g.out_h; ++oh) {
    const float* r0 = in + 2 * oh * g.in_w;
    const float* r1 = r0 + g.in_w;
    const int32_t top = static_cast<int32_t>(2 * oh * g.in_w), bottom = static_cast<int32_t>(top + g.in_w);
    float* yo = y + oh * g.out_w;
    int32_t* io = idx + oh * g.out_w;
    long ow = 0;
    for (; ow + W <= g.out_w; ow += W) {
      const V a0 = loadu<V>(r0 + 2 * ow), a1 = loadu<V>(r0 + 2 * ow + W);
      const V b0 = loadu<V>(r1 + 2 * ow), b1 = loadu<V>(r1 + 2 * ow + W);
      const I col = (I{} + static_cast<int32_t>(2 * ow)) + even;
      V best = __builtin_shuffle(a0, a1, even);
      I at = col + top;
      pool_take<V>(best, at, __builtin_shuffle(a0, a1, odd), col + (top + 1));
      pool_take<V>(best, at, __builtin_shuffle(b0, b1, even), col + bottom);
      pool_take<V>(best, at, __builtin_shuffle(b0, b1, odd), col + (bottom + 1));
      storeu<V>(yo + ow, best);
      std::memcpy(io + ow, &at, sizeof at);
    }
    for (; ow < g.out_w; ++ow) {
      const long c = 2 * ow;
      const float v[4] = {r0[c], r0[c + 1], r1[c], r1[c + 1]};
      const int32_t i[4] = {static_cast<int32_t>(top + c), static_cast<int32_t>(top + c + 1),
                            static_cast<int32_t>(bottom + c), static_cast<int32_t>(bottom + c + 1)};
      float best = v[0];
      int32_t at = i[0];
      for (int t = 1; t < 4; ++t)
        if (v[t] > best || (std::isnan(v[t]) && !std::isnan(best))) best = v[t], at = i[t];
      yo[ow] = best;
      io[ow] = at;
    }
  }
}
// 8 lanes on AVX-512 too: the 16-lane instantiation compiled to code 13 times slower here (GCC
// spills the mask and index vectors), and 8 lanes already run at memory speed (0.14 ns per input).
AEKIT_TARGET_AVX2 static void max_pool_2x2_avx2(const float* in, float* y, int32_t* idx, const PoolGeom& g) {
  max_pool_2x2_impl<v8f>(in, y, idx, g);
}
static void max_pool_2x2_base(const float* in, float* y, int32_t* idx, const PoolGeom& g) {
  max_pool_2x2_impl<v4f>(in, y, idx, g);
}
static void max_pool_2x2_isa(const float* in, float* y, int32_t* idx, const PoolGeom& g) {
  if (active_isa() == Isa::Baseline) max_pool_2x2_base(in, y, idx, g);
  else max_pool_2x2_avx2(in, y, idx, g);
}

}  // namespace

void max_pool2d(const float* x, float* y, int32_t* indices, const PoolGeom& g) {
  const long in_plane = g.in_h * g.in_w, out_plane = g.out_h * g.out_w;
  if (g.kh == 2 && g.kw == 2 && g.sh == 2 && g.sw == 2 && g.ph == 0 && g.pw == 0 && 2 * g.out_h <= g.in_h &&
      2 * g.out_w <= g.in_w) {
    parallel_planes(g.planes, in_plane, [&](long pl) {
      max_pool_2x2_isa(x + pl * in_plane, y + pl * out_plane, indices + pl * out_plane, g);
    });
    return;
  }
  parallel_planes(g.planes, in_plane, [&](long pl) {
    const float* in = x + pl * in_plane;
    for (long oh = 0; oh < g.out_h; ++oh) {
      for (long ow = 0; ow < g.out_w; ++ow) {
        float best = -INFINITY;
        long at = -1;
        for (long kh = 0; kh < g.kh; ++kh) {
          const long ih = oh * g.sh - g.ph + kh;
          if (ih < 0 || ih >= g.in_h) continue;
          for (long kw = 0; kw < g.kw; ++kw) {
            const long iw = ow * g.sw - g.pw + kw;
            if (iw < 0 || iw >= g.in_w) continue;
            const float v = in[ih * g.in_w + iw];
            if (at < 0 || v > best || (std::isnan(v) && !std::isnan(best))) {
              best = v;
              at = ih * g.in_w + iw;
            }
          }
        }
        const long o = pl * out_plane + oh * g.out_w + ow;
        y[o] = best;
        indices[o] = static_cast<int32_t>(at);
      }
    }
  });
}

void scatter_add(const float* src, const int32_t* indices, float* dst, long planes, long src_size, long dst_size,
                 float beta) {
  parallel_planes(planes, dst_size, [&](long pl) {
    const float* s = src + pl * src_size;
    const int32_t* idx = indices + pl * src_size;
    float* d = dst + pl * dst_size;
    // beta's cases apart: a select inside the loop kept it from vectorizing.
    if (beta == 0.f) std::fill(d, d + dst_size, 0.f);
    else if (beta != 1.f) for (long i = 0; i < dst_size; ++i) d[i] *= beta;
    for (long i = 0; i < src_size; ++i) d[idx[i]] += s[i];
  });
}

void gather(const float* src, const int32_t* indices, float* dst, long planes, long src_size, long dst_size,
            float beta) {
  parallel_planes(planes, dst_size, [&](long pl) {
    const float* s = src + pl * src_size;
    const int32_t* idx = indices + pl * dst_size;
    float* d = dst + pl * dst_size;
    if (beta == 0.f) for (long i = 0; i < dst_size; ++i) d[i] = s[idx[i]];
    else for (long i = 0; i < dst_size; ++i) d[i] = s[idx[i]] + beta * d[i];
  });
}

}  // namespace aekit
