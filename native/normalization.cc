// Batch normalisation's kernels over x viewed as [n, channels, spatial] (spatial = 1 for vectors):
// the per-channel statistics, the per-channel map that applies them, and the backward
// pass, each one sweep per channel over its n planes. Channels are independent, so they are the
// unit of threading; a plane's sum is taken in float lanes and added into a double, which keeps
// the statistics within float rounding of the reference's float64 sums.
#include <cmath>
#include "common.h"
#include "kernels.h"
#include "parallel.h"

namespace aekit {

namespace {

template <class V> AEKIT_INLINE float hsum(V v) {
  float s = 0.f;
  for (int i = 0; i < VT<V>::N; ++i) s += v[i];
  return s;
}

// Σ x and Σ (x − mean)² of one channel.
template <class V>
AEKIT_INLINE void stats_impl(const float* x, long n, long channels, long spatial, long c, double* sum, double* centred) {
  constexpr long W = VT<V>::N;
  double s = 0;
  for (long i = 0; i < n; ++i) {
    const float* p = x + (i * channels + c) * spatial;
    V acc{};
    long k = 0;
    for (; k + W <= spatial; k += W) acc += loadu<V>(p + k);
    if (k < spatial) acc += load_part<V>(p + k, spatial - k);
    s += hsum(acc);
  }
  const double count = double(n) * double(spatial);
  const float mean = count > 0 ? float(s / count) : 0.f;
  const V m = splat<V>(mean);
  double q = 0;
  for (long i = 0; i < n; ++i) {
    const float* p = x + (i * channels + c) * spatial;
    V acc{};
    long k = 0;
    for (; k + W <= spatial; k += W) {
      V d = loadu<V>(p + k) - m;
      acc += d * d;
    }
    if (k < spatial) {
      V d = load_part<V>(p + k, spatial - k) - m;
      // The missing lanes were zero, so they are −mean now: mask them out.
      for (long l = spatial - k; l < W; ++l) d[l] = 0.f;
      acc += d * d;
    }
    q += hsum(acc);
  }
  *sum = s;
  *centred = q;
}
AEKIT_DISPATCH(void, stats, (const float* x, long n, long channels, long spatial, long c, double* sum, double* centred),
               (x, n, channels, spatial, c, sum, centred))

// (x − mean)·scale + shift rather than x·scale + (shift − mean·scale): the latter cancels
// catastrophically when the variance is tiny and the scale huge.
template <class V> AEKIT_INLINE void apply_impl(const float* x, float* y, long len, float mean, float scale, float shift) {
  constexpr long W = VT<V>::N;
  const V m = splat<V>(mean), s = splat<V>(scale), t = splat<V>(shift);
  long k = 0;
  for (; k + W <= len; k += W) storeu(y + k, (loadu<V>(x + k) - m) * s + t);
  if (k < len) store_part(y + k, (load_part<V>(x + k, len - k) - m) * s + t, len - k);
}
AEKIT_DISPATCH(void, apply, (const float* x, float* y, long len, float mean, float scale, float shift),
               (x, y, len, mean, scale, shift))

// One channel's Σ dy and Σ dy·(x − mean).
template <class V>
AEKIT_INLINE void grad_sums_impl(const float* x, const float* dy, long n, long channels, long spatial, long c, float mean,
                                 double* sum_dy, double* sum_dy_xc) {
  constexpr long W = VT<V>::N;
  const V m = splat<V>(mean);
  double a = 0, b = 0;
  for (long i = 0; i < n; ++i) {
    const long off = (i * channels + c) * spatial;
    V acc_dy{}, acc_dyx{};
    long k = 0;
    for (; k + W <= spatial; k += W) {
      const V g = loadu<V>(dy + off + k);
      acc_dy += g;
      acc_dyx += g * (loadu<V>(x + off + k) - m);
    }
    if (k < spatial) {
      const V g = load_part<V>(dy + off + k, spatial - k);  // zero lanes contribute nothing
      acc_dy += g;
      acc_dyx += g * (load_part<V>(x + off + k, spatial - k) - m);
    }
    a += hsum(acc_dy);
    b += hsum(acc_dyx);
  }
  *sum_dy = a;
  *sum_dy_xc = b;
}
AEKIT_DISPATCH(void, grad_sums,
               (const float* x, const float* dy, long n, long channels, long spatial, long c, float mean, double* sum_dy,
                double* sum_dy_xc),
               (x, dy, n, channels, spatial, c, mean, sum_dy, sum_dy_xc))

// dx = beta·dx + k·(dy − a − (x − mean)·b) over one plane.
template <class V>
AEKIT_INLINE void input_grad_impl(const float* x, const float* dy, float* dx, long len, float mean, float k, float a, float b,
                                  float beta) {
  constexpr long W = VT<V>::N;
  const V vm = splat<V>(mean), vk = splat<V>(k), va = splat<V>(a), vb = splat<V>(b), vbeta = splat<V>(beta);
  long j = 0;
  for (; j + W <= len; j += W) {
    V g = vk * (loadu<V>(dy + j) - va - (loadu<V>(x + j) - vm) * vb);
    if (beta != 0.f) g += vbeta * loadu<V>(dx + j);
    storeu(dx + j, g);
  }
  if (j < len) {
    const long r = len - j;
    V g = vk * (load_part<V>(dy + j, r) - va - (load_part<V>(x + j, r) - vm) * vb);
    if (beta != 0.f) g += vbeta * load_part<V>(dx + j, r);
    store_part(dx + j, g, r);
  }
}
AEKIT_DISPATCH(void, input_grad,
               (const float* x, const float* dy, float* dx, long len, float mean, float k, float a, float b, float beta),
               (x, dy, dx, len, mean, k, a, b, beta))

// Channels are handed out one per task; per task there is at least a plane's worth of work.
template <class F> void per_channel(long channels, F&& f) {
  ThreadPool::instance().parallel_for(static_cast<int>(channels), [&](int c) { f(static_cast<long>(c)); });
}

}  // namespace

void channel_stats(const float* x, long n, long channels, long spatial, float* mean, float* variance) {
  const double count = double(n) * double(spatial);
  per_channel(channels, [&](long c) {
    double s, q;
    stats_isa(x, n, channels, spatial, c, &s, &q);
    mean[c] = count > 0 ? float(s / count) : 0.f;
    variance[c] = count > 0 ? float(q / count) : 0.f;
  });
}

void batch_norm_apply(const float* x, long n, long channels, long spatial, const float* mean, const float* scale,
                      const float* shift, float* y) {
  parallel_planes(n * channels, spatial, [&](long p) {
    const long c = p % channels;
    apply_isa(x + p * spatial, y + p * spatial, spatial, mean[c], scale[c], shift[c]);
  });
}

void batch_norm_backward(const float* x, const float* dy, long n, long channels, long spatial, const float* mean,
                         const float* inv_std, const float* gamma, bool batch_stats, float* dx, float beta, float* d_gamma,
                         float* d_beta) {
  const double count = double(n) * double(spatial);
  per_channel(channels, [&](long c) {
    double sum_dy, sum_dy_xc;
    grad_sums_isa(x, dy, n, channels, spatial, c, mean[c], &sum_dy, &sum_dy_xc);
    const double is = inv_std[c];
    d_gamma[c] = float(sum_dy_xc * is);
    d_beta[c] = float(sum_dy);
    // With the batch's own statistics, the mean and the variance depend on every x of the
    // channel, which adds the two subtracted terms; with fixed (running) statistics they do not.
    const float a = batch_stats && count > 0 ? float(sum_dy / count) : 0.f;
    const float b = batch_stats && count > 0 ? float(sum_dy_xc * is * is / count) : 0.f;
    const float k = float(gamma[c] * is);
    for (long i = 0; i < n; ++i) {
      const long off = (i * channels + c) * spatial;
      input_grad_isa(x + off, dy + off, dx + off, spatial, mean[c], k, a, b, beta);
    }
  });
}

}  // namespace aekit
