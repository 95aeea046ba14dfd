// Direct convolution drivers. The input of a run of images is laid out for the flat-grid kernels
// (conv_direct_kernel.h): padded, split into stride phases, the images of the run one after the
// other in each phase, so that one grid covers them all (small images, like MNIST's 7x7 maps,
// would otherwise leave most of a vector step idle). Weights are packed per block of output
// channels once per call; runs of images are tasks on the pool; outputs are copied from the grid
// to the images with bias and activation (forward) or beta (input gradient).
// Forward and input gradient: each output is summed by one thread in a fixed order, whatever the
// run length, so results do not depend on the thread count. Filter gradient: the runs are fixed
// by the geometry alone (never the thread count), so its sums are fixed too.
#include "conv_direct.h"
#include <algorithm>
#include <vector>
#include "conv_direct_kernel.h"
#include "cpu.h"
#include "parallel.h"
#include "thread_pool.h"
#include "vec_math.h"

namespace aekit {
namespace {

long ceil_div(long a, long b) { return (a + b - 1) / b; }
// Floor division for the negative tap shifts of the transposed convolution.
long floor_div(long a, long b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
bool divides(long a, long s) { return ((a % s) + s) % s == 0; }

// Per-thread scratch (one run's grid in and out), grown on demand and never shrunk.
struct Scratch {
  std::vector<float> in, out;
};
Scratch& scratch() {
  thread_local Scratch s;
  return s;
}
float* grown(std::vector<float>& v, size_t n) {
  if (v.size() < n) v.resize(n);
  return v.data();
}

// Floats of input per run of images: about a quarter of a 1-2 MiB L2, so the run's input and
// its output block stay in L2 while every block of output channels passes over them.
constexpr long kRunBudget = 1L << 16;
// The filter gradient's run input stays in L2 while each block of dy rows passes over it: half of
// a 1 MiB L2 (Zen 5; a quarter of the Xeon's 2 MiB).
constexpr long kFilterRunBudget = 1L << 18;

// The forward layout: phase planes of hq x wq per image; per channel, S = sh·sw phases, each
// holding the run's `count` images one after the other.
struct Layout {
  long hq, wq, count;
  long image() const { return hq * wq; }
};

// Pads and phase-splits images [n0, n0 + count) of x into `to` ([channel][phase][image][hq][wq],
// with room for L.count images a phase: a run's last task may hold fewer), zero everywhere else.
void lay_out_input(const float* x, const ConvGeom& g, const Layout& L, long n0, long count, float* to, size_t size) {
  std::fill(to, to + size, 0.f);
  const long phase = L.count * L.image();
  // Where each input column goes within a row of its phase (a division per element otherwise).
  thread_local std::vector<long> column;
  column.resize(g.in_w);
  for (long iw = 0; iw < g.in_w; ++iw) column[iw] = ((iw + g.pw) % g.sw) * phase + (iw + g.pw) / g.sw;
  for (long c = 0; c < g.in_c; ++c)
    for (long i = 0; i < count; ++i) {
      const float* from = x + ((n0 + i) * g.in_c + c) * g.in_h * g.in_w;
      float* plane = to + c * g.sh * g.sw * phase + i * L.image();
      for (long ih = 0; ih < g.in_h; ++ih) {
        const long hp = ih + g.ph;
        float* row = plane + (hp % g.sh) * g.sw * phase + (hp / g.sh) * L.wq;
        const float* src = from + ih * g.in_w;
        if (g.sw == 1) {
          std::copy(src, src + g.in_w, row + g.pw);
        } else {
          for (long iw = 0; iw < g.in_w; ++iw) row[column[iw]] = src[iw];
        }
      }
    }
}

// The tap shifts of the forward layout: input (oh·sh + kh·dh, ow·sw + kw·dw) is phase
// (kh·dh mod sh, kw·dw mod sw), row oh + kh·dh / sh, column ow + kw·dw / sw.
void forward_offsets(const ConvGeom& g, const Layout& L, int* offsets) {
  for (long kh = 0; kh < g.kh; ++kh)
    for (long kw = 0; kw < g.kw; ++kw) {
      const long rh = kh * g.dh, rw = kw * g.dw;
      offsets[kh * g.kw + kw] = static_cast<int>(((rh % g.sh) * g.sw + rw % g.sw) * L.count * L.image() +
                                                 (rh / g.sh) * L.wq + rw / g.sw);
    }
}

// At stride 1 neighbours share their padding: a row's right padding is the next row's left one and
// an image's bottom padding the next image's top one (both zero), so a grid holds in_h + ph rows
// of in_w + pw per image instead of in_h + 2ph of in_w + 2pw (8x8 maps: 81 positions, not 100, for
// 64 outputs). This needs every output inside its image's rows and columns, that is a padding no
// wider than the kernel's reach; wider paddings (a 1x1 kernel with padding) keep their own.
Layout forward_layout(const ConvGeom& g, long count) {
  if (g.sh == 1 && g.sw == 1 && g.ph <= g.dh * (g.kh - 1) && g.pw <= g.dw * (g.kw - 1))
    return {g.in_h + g.ph, g.in_w + g.pw, count};
  return {ceil_div(g.in_h + 2 * g.ph, g.sh), ceil_div(g.in_w + 2 * g.pw, g.sw), count};
}

// ---------------------------------------------------------------- forward

struct Forward {
  const float *x, *w, *bias;
  float* y;
  const ConvGeom* g;
  int act;
  float slope;
  const int* offsets;
  long run;  // images per task
};

template <class V>
AEKIT_INLINE void forward_run(const Forward& f, long n0) {
  constexpr int R = TapBlock<V>::R, T = TapBlock<V>::T, W = VT<V>::N;
  const ConvGeom& g = *f.g;
  const Layout L = forward_layout(g, std::min(f.run, g.batch - n0));
  const long full = forward_layout(g, f.run).count * L.image();  // offsets are for full runs
  const long plane = g.sh * g.sw * full;
  const long q_len = ceil_div(L.count * L.image(), W * T) * W * T;
  Scratch& s = scratch();
  // Slack past the last channel: garbage grid positions near the end read up to a plane beyond it.
  const size_t in_size = size_t(plane) * (g.in_c + 1) + q_len;
  float* in = grown(s.in, in_size);
  lay_out_input(f.x, g, Layout{L.hq, L.wq, f.run}, n0, L.count, in, in_size);
  float* out = grown(s.out, size_t(R) * q_len + W);
  const int ntaps = static_cast<int>(g.kh * g.kw);
  const long pixels = g.out_h * g.out_w;
  for (long blk = 0; blk * R < g.out_c; ++blk) {
    tap_block<V, R, T>(in, plane, static_cast<int>(g.in_c), f.offsets, ntaps, f.w + blk * g.in_c * ntaps * R, out,
                       q_len, 0, q_len);
    for (int r = 0; r < R && blk * R + r < g.out_c; ++r) {
      const long oc = blk * R + r;
      const V b = splat<V>(f.bias ? f.bias[oc] : 0.f);
      for (long i = 0; i < L.count; ++i) {
        float* to = f.y + ((n0 + i) * g.out_c + oc) * pixels;
        for (long oh = 0; oh < g.out_h; ++oh) {
          const float* from = out + r * q_len + i * L.image() + oh * L.wq;
          float* dst = to + oh * g.out_w;
          long j = 0;
          for (; j + W <= g.out_w; j += W) storeu<V>(dst + j, vactivate<V>(loadu<V>(from + j) + b, f.act, f.slope));
          if (j < g.out_w) {
            // The grid has room past every row (garbage columns, then slack); a variable-length
            // store_part would be a libc memcpy call per row.
            alignas(64) float tail[W];
            storeu<V>(tail, vactivate<V>(loadu<V>(from + j) + b, f.act, f.slope));
            for (long l = 0; l < g.out_w - j; ++l) dst[j + l] = tail[l];
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------- filter gradient

// The filter gradient runs over runs of images: each run's input and dy are laid out on grids that
// stay in L2 while every (output block, input channel) pair passes over them, and the run's sums
// go to its own slice of `partial`; the slices are then added in run order. Runs depend on the
// geometry alone, so the sums do not depend on the thread count.
struct Filter {
  const float *x, *dy;
  const ConvGeom* g;
  const int* offsets;  // padded to a multiple of TT taps
  long run;            // images per run
  float* partial;      // [run][out_c][in_c][taps]
};

template <class V>
AEKIT_INLINE void filter_run(const Filter& f, long r) {
  constexpr int RO = TapBlock<V>::RO, TT = TapBlock<V>::TT, W = VT<V>::N;
  const ConvGeom& g = *f.g;
  const long n0 = r * f.run, count = std::min(f.run, g.batch - n0);
  const Layout L = forward_layout(g, f.run);
  const long taps = g.kh * g.kw;
  const long plane = g.sh * g.sw * L.count * L.image();
  const long q_len = ceil_div(count * L.image(), W) * W;
  const long rows = ceil_div(g.out_c, RO) * RO;  // zero rows past out_c
  Scratch& s = scratch();
  // Slack past the last channel: taps of the last grid positions read up to a plane beyond it.
  const size_t in_size = size_t(plane) * (g.in_c + 1) + q_len;
  float* in = grown(s.in, in_size);
  lay_out_input(f.x, g, L, n0, count, in, in_size);
  float* grid = grown(s.out, size_t(rows) * q_len);
  std::fill(grid, grid + size_t(rows) * q_len, 0.f);
  for (long oc = 0; oc < g.out_c; ++oc)
    for (long i = 0; i < count; ++i)
      for (long oh = 0; oh < g.out_h; ++oh) {
        const float* from = f.dy + (((n0 + i) * g.out_c + oc) * g.out_h + oh) * g.out_w;
        std::copy(from, from + g.out_w, grid + oc * q_len + i * L.image() + oh * L.wq);
      }
  float* out = f.partial + r * g.out_c * g.in_c * taps;
  float sums[RO * TT];
  // Each block's dy rows stay in L1 while the channels' input rows stream from L2 (one new line a
  // step: the taps of a row reuse the lines of the rows above).
  for (long oc0 = 0; oc0 < g.out_c; oc0 += RO)
    for (long c = 0; c < g.in_c; ++c)
      for (long t0 = 0; t0 < taps; t0 += TT) {
        tap_gradient<V, RO, TT>(grid + oc0 * q_len, q_len, in + c * plane, f.offsets + t0, q_len, sums);
        for (int k = 0; k < RO && oc0 + k < g.out_c; ++k)
          for (long t = t0; t < std::min(taps, t0 + TT); ++t) out[((oc0 + k) * g.in_c + c) * taps + t] = sums[k * TT + (t - t0)];
      }
}

// ---------------------------------------------------------------- input gradient

// One output phase (a, b) of the input gradient: dx rows a, a + sh, … and columns b, b + sw, …,
// from the taps whose shifts land on it.
struct Phase {
  long a, b, rows, cols;
  int ntaps;
  const int* offsets;
  const float* w;  // [block][oc][tap][R]
};

struct BackwardInput {
  const float* dy;
  float* dx;
  const ConvGeom* g;
  float beta;
  const Phase* phases;
  int nphases;
  long hd, wd;  // the padded dy plane's rows and pitch
  long top, left;
  long run;
};

// Copies a block's rows of one phase from the grid (`q_len` floats a row) to dx, with beta: input
// channels [ic0, ic0 + rows) of images [n0, n0 + count). Not inlined into the kernel's function:
// there its 0.f stayed in a vector register through the tap loop, and the AVX2 build, one register
// short, kept an accumulator on the stack (1.5x slower).
__attribute__((noinline)) void write_block(const BackwardInput& f, const Phase& P, const float* out, long q_len, long ic0,
                                           long rows, long n0, long count, long image) {
  const ConvGeom& g = *f.g;
  for (long r = 0; r < rows; ++r) {
    const long ic = ic0 + r;
    for (long i = 0; i < count; ++i) {
      float* to = f.dx + ((n0 + i) * g.in_c + ic) * g.in_h * g.in_w + P.a * g.in_w + P.b;
      const float* grid = out + r * q_len + i * image;
      for (long row = 0; row < P.rows; ++row) {
        float* d = to + row * g.sh * g.in_w;
        const float* from = grid + row * f.wd;
        if (P.ntaps == 0) {
          for (long j = 0; j < P.cols; ++j) d[j * g.sw] = f.beta == 0.f ? 0.f : f.beta * d[j * g.sw];
        } else if (g.sw == 1 && f.beta == 0.f) {
          std::copy(from, from + P.cols, d);
        } else {
          for (long j = 0; j < P.cols; ++j) d[j * g.sw] = f.beta == 0.f ? from[j] : f.beta * d[j * g.sw] + from[j];
        }
      }
    }
  }
}

template <class V>
AEKIT_INLINE void backward_input_run(const BackwardInput& f, long n0) {
  constexpr int R = TapBlock<V>::R, T = TapBlock<V>::T, W = VT<V>::N;
  const ConvGeom& g = *f.g;
  const long count = std::min(f.run, g.batch - n0);
  const long image = f.hd * f.wd;
  const long plane = f.run * image;
  const long q_len = ceil_div(count * image, W * T) * W * T;
  Scratch& s = scratch();
  const size_t in_size = size_t(plane) * (g.out_c + 1) + q_len;
  float* in = grown(s.in, in_size);
  std::fill(in, in + in_size, 0.f);
  const long out_pixels = g.out_h * g.out_w;
  for (long oc = 0; oc < g.out_c; ++oc)
    for (long i = 0; i < count; ++i) {
      const float* from = f.dy + ((n0 + i) * g.out_c + oc) * out_pixels;
      float* to = in + oc * plane + i * image + f.top * f.wd + f.left;
      for (long r = 0; r < g.out_h; ++r) std::copy(from + r * g.out_w, from + (r + 1) * g.out_w, to + r * f.wd);
    }
  float* out = grown(s.out, size_t(R) * q_len);
  for (int ph = 0; ph < f.nphases; ++ph) {
    const Phase& P = f.phases[ph];
    for (long blk = 0; blk * R < g.in_c; ++blk) {
      if (P.ntaps > 0)
        tap_block<V, R, T>(in, plane, static_cast<int>(g.out_c), P.offsets, P.ntaps, P.w + blk * g.out_c * P.ntaps * R,
                           out, q_len, 0, q_len);
      write_block(f, P, out, q_len, blk * R, std::min<long>(R, g.in_c - blk * R), n0, count, image);
    }
  }
}

#define AEKIT_DIRECT_ISA(SUFFIX, TARGET, V)                                                                     \
  TARGET __attribute__((noinline)) void forward_##SUFFIX(const Forward& f, long n0) { forward_run<V>(f, n0); }   \
  TARGET __attribute__((noinline)) void backward_input_##SUFFIX(const BackwardInput& f, long n0) {               \
    backward_input_run<V>(f, n0);                                                                                \
  }                                                                                                              \
  TARGET __attribute__((noinline)) void filter_##SUFFIX(const Filter& f, long r) { filter_run<V>(f, r); }
AEKIT_DIRECT_ISA(avx512, AEKIT_TARGET_AVX512, v16f)
AEKIT_DIRECT_ISA(avx2, AEKIT_TARGET_AVX2, v8f)
AEKIT_DIRECT_ISA(base, AEKIT_TARGET_BASE, v4f)

struct DirectIsa {
  void (*forward)(const Forward&, long);
  void (*backward_input)(const BackwardInput&, long);
  void (*filter)(const Filter&, long);
  int lanes, R, T, RO, TT;
};
template <class V> DirectIsa isa_of(void (*fw)(const Forward&, long), void (*bi)(const BackwardInput&, long),
                                    void (*fi)(const Filter&, long)) {
  using B = TapBlock<V>;
  return {fw, bi, fi, VT<V>::N, B::R, B::T, B::RO, B::TT};
}
DirectIsa direct_isa() {
  switch (active_isa()) {
    case Isa::Avx512: return isa_of<v16f>(forward_avx512, backward_input_avx512, filter_avx512);
    case Isa::Avx2: return isa_of<v8f>(forward_avx2, backward_input_avx2, filter_avx2);
    default: return isa_of<v4f>(forward_base, backward_input_base, filter_base);
  }
}

// Packed weights, tap shifts and whole-batch grids of the caller's last call, kept for the next.
struct Packed {
  std::vector<float> w, in, dy;
  std::vector<int> offsets;
  std::vector<Phase> phases;
};
Packed& packed() {
  thread_local Packed p;
  return p;
}

// Images per task: a run whose input (per_image floats an image) and output block fit kRunBudget,
// but at least two tasks per thread when the batch allows.
long run_length(long batch, long per_image) {
  const long fits = std::max(1L, kRunBudget / std::max(1L, per_image));
  const long spread = std::max(1L, batch / (2L * ThreadPool::instance().threads()));
  return std::max(1L, std::min({batch, fits, spread}));
}

}  // namespace

bool conv_direct_supported(const ConvGeom& g) { return g.groups == 1; }

void conv2d_forward_direct(const float* x, const float* w, const float* bias, float* y, const ConvGeom& g, int act,
                           float slope) {
  const DirectIsa isa = direct_isa();
  const int R = isa.R;
  const Layout one = forward_layout(g, 1);
  const long run = run_length(g.batch, (g.in_c * g.sh * g.sw + R) * one.image());
  const int ntaps = static_cast<int>(g.kh * g.kw);
  const long blocks = ceil_div(g.out_c, R);
  Packed& pk = packed();
  pk.offsets.resize(ntaps);
  forward_offsets(g, forward_layout(g, run), pk.offsets.data());
  // [block][channel][tap][R], zero rows past out_c.
  pk.w.assign(size_t(blocks) * g.in_c * ntaps * R, 0.f);
  for (long oc = 0; oc < g.out_c; ++oc)
    for (long c = 0; c < g.in_c; ++c)
      for (int t = 0; t < ntaps; ++t)
        pk.w[((size_t(oc / R) * g.in_c + c) * ntaps + t) * R + oc % R] = w[(oc * g.in_c + c) * ntaps + t];
  Forward f{x, pk.w.data(), bias, y, &g, act, slope, pk.offsets.data(), run};
  ThreadPool::instance().parallel_for(static_cast<int>(ceil_div(g.batch, run)), [&](int t) { isa.forward(f, t * run); });
}

void conv2d_backward_filter_direct(const float* x, const float* dy, float* dw, const ConvGeom& g, float beta) {
  const DirectIsa isa = direct_isa();
  const long taps = g.kh * g.kw;
  const long size = g.out_c * g.in_c * taps;
  // Images per run: the run's input phases and dy rows within kFilterRunBudget floats.
  const long rows = ceil_div(g.out_c, isa.RO) * isa.RO;
  const long per_image = (g.in_c * g.sh * g.sw + rows) * forward_layout(g, 1).image();
  const long run = std::max(1L, std::min(g.batch, kFilterRunBudget / std::max(1L, per_image)));
  const long runs = ceil_div(g.batch, run);
  Packed& pk = packed();
  pk.offsets.assign(ceil_div(taps, isa.TT) * isa.TT, 0);
  forward_offsets(g, forward_layout(g, run), pk.offsets.data());
  // One run writes dw's sums itself when beta does not ask for the old values.
  float* partial = dw;
  if (runs > 1 || beta != 0.f) {
    if (pk.w.size() < size_t(runs * size)) pk.w.resize(size_t(runs * size));
    partial = pk.w.data();
  }
  Filter f{x, dy, &g, pk.offsets.data(), run, partial};
  ThreadPool::instance().parallel_for(static_cast<int>(runs), [&](int r) { isa.filter(f, r); });
  if (partial == dw) return;
  parallel_range(size_t(size), [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) {
      float sum = partial[i];
      for (long r = 1; r < runs; ++r) sum += partial[r * size + i];
      dw[i] = beta == 0.f ? sum : beta * dw[i] + sum;
    }
  });
}

void conv2d_backward_input_direct(const float* dy, const float* w, float* dx, const ConvGeom& g, float beta) {
  const DirectIsa isa = direct_isa();
  const int R = isa.R;
  const long blocks = ceil_div(g.in_c, R);
  // The shifts e = (a + p − k·d) / s of every phase's taps fix the padding dy needs around it.
  long min_eh = 0, max_eh = 0, min_ew = 0, max_ew = 0;
  for (long a = 0; a < g.sh; ++a)
    for (long kh = 0; kh < g.kh; ++kh)
      if (divides(a + g.ph - kh * g.dh, g.sh)) {
        const long e = floor_div(a + g.ph - kh * g.dh, g.sh);
        min_eh = std::min(min_eh, e), max_eh = std::max(max_eh, e);
      }
  for (long b = 0; b < g.sw; ++b)
    for (long kw = 0; kw < g.kw; ++kw)
      if (divides(b + g.pw - kw * g.dw, g.sw)) {
        const long e = floor_div(b + g.pw - kw * g.dw, g.sw);
        min_ew = std::min(min_ew, e), max_ew = std::max(max_ew, e);
      }
  const long top = -min_eh, left = -min_ew;
  // At stride 1 neighbouring rows and images share their zero padding, as in the forward layout:
  // the reads past a row's (image's) end land in the next one's leading zeros.
  const bool shared = g.sh == 1 && g.sw == 1;
  const long hd = shared ? std::max(top + g.out_h, g.in_h + max_eh) : top + std::max(g.out_h, ceil_div(g.in_h, g.sh) + max_eh);
  const long wd = shared ? std::max(left + g.out_w, g.in_w + max_ew) : left + std::max(g.out_w, ceil_div(g.in_w, g.sw) + max_ew);
  Packed& pk = packed();
  const int taps = static_cast<int>(g.kh * g.kw);
  pk.offsets.assign(taps, 0);
  pk.w.assign(size_t(blocks) * g.out_c * taps * R, 0.f);
  pk.phases.clear();
  size_t w_at = 0, off_at = 0;
  for (long a = 0; a < std::min(g.sh, g.in_h); ++a)
    for (long b = 0; b < std::min(g.sw, g.in_w); ++b) {
      // Every tap belongs to one phase, so the sizes assigned above hold all phases: the
      // pointers into them stay valid.
      Phase P{a, b, ceil_div(g.in_h - a, g.sh), ceil_div(g.in_w - b, g.sw), 0, pk.offsets.data() + off_at, pk.w.data() + w_at};
      for (int pass = 0; pass < 2; ++pass) {  // count the taps, then pack their weights
        int t = 0;
        for (long kh = 0; kh < g.kh; ++kh) {
          if (!divides(a + g.ph - kh * g.dh, g.sh)) continue;
          const long eh = floor_div(a + g.ph - kh * g.dh, g.sh);
          for (long kw = 0; kw < g.kw; ++kw) {
            if (!divides(b + g.pw - kw * g.dw, g.sw)) continue;
            const long ew = floor_div(b + g.pw - kw * g.dw, g.sw);
            if (pass == 0) {
              pk.offsets[off_at + t] = static_cast<int>((eh + top) * wd + ew + left);
            } else {
              for (long ic = 0; ic < g.in_c; ++ic)
                for (long oc = 0; oc < g.out_c; ++oc)
                  pk.w[w_at + ((size_t(ic / R) * g.out_c + oc) * P.ntaps + t) * R + ic % R] =
                      w[((oc * g.in_c + ic) * g.kh + kh) * g.kw + kw];
            }
            ++t;
          }
        }
        P.ntaps = t;
      }
      w_at += size_t(blocks) * g.out_c * P.ntaps * R;
      off_at += P.ntaps;
      pk.phases.push_back(P);
    }
  const long run = run_length(g.batch, (g.out_c + R) * hd * wd);
  BackwardInput f{dy, dx, &g, beta, pk.phases.data(), static_cast<int>(pk.phases.size()), hd, wd, top, left, run};
  ThreadPool::instance().parallel_for(static_cast<int>(ceil_div(g.batch, run)), [&](int t) { isa.backward_input(f, t * run); });
}

}  // namespace aekit
