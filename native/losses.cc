// Reductions returning a number: sum, sum of squares, all-finite, and the two fused losses
// (value and gradient in one pass over the data). Per-lane accumulation is in double, as the
// interface asks; per-chunk partials are combined in chunk order, so the result does not depend
// on the number of threads.
#include <algorithm>
#include <cmath>
#include <vector>
#include "acc64.h"
#include "common.h"
#include "kernels.h"
#include "parallel.h"
#include "vec_math.h"

namespace aekit {

// Runs f(begin, end) -> double over chunks and adds the partials in order.
template <class F> static double reduce_chunks(size_t n, F&& f) {
  RangeSplit s = split_range(n);
  double partial[kMaxChunks];
  ThreadPool::instance().parallel_for(s.chunks, [&](int c) {
    size_t b = c * s.step, e = b + s.step < n ? b + s.step : n;
    partial[c] = f(b, e);
  });
  double total = 0;
  for (int c = 0; c < s.chunks; ++c) total += partial[c];
  return total;
}

template <class V> AEKIT_INLINE double sum_impl(const float* a, size_t n, bool squares) {
  constexpr size_t W = VT<V>::N;
  Acc64<V> acc;
  size_t i = 0;
  if (squares) {
    for (; i + W <= n; i += W) acc.add_sq(loadu<V>(a + i));
    if (i < n) acc.add_sq(load_part<V>(a + i, n - i));
  } else {
    for (; i + W <= n; i += W) acc.add(loadu<V>(a + i));
    if (i < n) acc.add(load_part<V>(a + i, n - i));
  }
  return acc.total();
}
AEKIT_DISPATCH(double, sum, (const float* a, size_t n, bool squares), (a, n, squares))

double sum(const float* a, size_t n) {
  return reduce_chunks(n, [&](size_t b, size_t e) { return sum_isa(a + b, e - b, false); });
}
double sum_squares(const float* a, size_t n) {
  return reduce_chunks(n, [&](size_t b, size_t e) { return sum_isa(a + b, e - b, true); });
}

// x * 0 is 0 for finite x and NaN for ±Inf and NaN, so one running sum flags any of them
// without a branch per element.
template <class V> AEKIT_INLINE double finite_impl(const float* a, size_t n) {
  constexpr size_t W = VT<V>::N;
  V acc{};
  size_t i = 0;
  for (; i + W <= n; i += W) acc += loadu<V>(a + i) * 0.f;
  if (i < n) acc += load_part<V>(a + i, n - i) * 0.f;
  float s = 0;
  for (size_t l = 0; l < W; ++l) s += acc[l];
  return s == 0.f ? 0.0 : 1.0;
}
AEKIT_DISPATCH(double, finite, (const float* a, size_t n), (a, n))

bool all_finite(const float* a, size_t n) {
  return reduce_chunks(n, [&](size_t b, size_t e) { return finite_isa(a + b, e - b); }) == 0.0;
}

template <class V>
AEKIT_INLINE double squared_error_impl(const float* p, const float* t, float* g, size_t n, float gscale) {
  constexpr size_t W = VT<V>::N;
  Acc64<V> acc;
  size_t i = 0;
  for (; i + W <= n; i += W) {
    V d = loadu<V>(p + i) - loadu<V>(t + i);
    acc.add_sq(d);
    if (g) storeu<V>(g + i, d * gscale);
  }
  if (i < n) {
    V d = load_part<V>(p + i, n - i) - load_part<V>(t + i, n - i);
    acc.add_sq(d);
    if (g) store_part<V>(g + i, d * gscale, n - i);
  }
  return acc.total();
}
AEKIT_DISPATCH(double, squared_error, (const float* p, const float* t, float* g, size_t n, float gscale),
               (p, t, g, n, gscale))

double squared_error(const float* pred, const float* target, float* grad, size_t n, double scale) {
  const float gscale = static_cast<float>(2.0 * scale);
  return scale * reduce_chunks(n, [&](size_t b, size_t e) {
    return squared_error_isa(pred + b, target + b, grad ? grad + b : nullptr, e - b, gscale);
  });
}

// Stable BCE from logits: max(z,0) - z t + log1p(e^-|z|), with log1p(e) computed as
// log(u) * e / (u - 1), u = 1 + e (exact to rounding even when e is tiny), and the gradient
// scale * (sigmoid(z) - t) reusing e.
template <class V> AEKIT_INLINE V bce_term(V z, V t, V& sig) {
  V e = vexp<V>(-vabs(z));
  V u = 1.f + e;
  V um1 = u - 1.f;
  V l = um1 == 0.f ? e : vlog<V>(u) * (e / (um1 == 0.f ? splat<V>(1.f) : um1));
  V r = 1.f / u;
  sig = z >= 0.f ? r : e * r;
  return (z > 0.f ? z : V{}) - z * t + l;
}

template <class V>
AEKIT_INLINE double bce_impl(const float* z, const float* t, float* g, size_t n, float scale) {
  constexpr size_t W = VT<V>::N;
  Acc64<V> acc;
  size_t i = 0;
  for (; i + W <= n; i += W) {
    V sig, tv = loadu<V>(t + i);
    acc.add(bce_term<V>(loadu<V>(z + i), tv, sig));
    if (g) storeu<V>(g + i, (sig - tv) * scale);
  }
  if (i < n) {
    V sig, tv = load_part<V>(t + i, n - i);
    V term = bce_term<V>(load_part<V>(z + i, n - i), tv, sig);
    // Padding lanes (z = t = 0) contribute log 2 each: mask them out.
    for (size_t l = n - i; l < W; ++l) term[l] = 0.f;
    acc.add(term);
    if (g) store_part<V>(g + i, (sig - tv) * scale, n - i);
  }
  return acc.total();
}
AEKIT_DISPATCH(double, bce, (const float* z, const float* t, float* g, size_t n, float scale), (z, t, g, n, scale))

double bce_with_logits(const float* z, const float* t, float* grad, size_t n, double scale) {
  const float fs = static_cast<float>(scale);
  return scale * reduce_chunks(n, [&](size_t b, size_t e) {
    return bce_isa(z + b, t + b, grad ? grad + b : nullptr, e - b, fs);
  });
}

// Softmax cross-entropy over [n, classes, positions], W positions at a time: the class scores of
// a position are `positions` apart, so each lane is one position and the class loop runs over
// registers. Labels arrive as floats, which lets a lane compare its label with the class directly.
// Whole vectors load and store as such; only the last, partial one goes through load_part
// (load_n/store_n in common.h).
// Not lambdas: a lambda does not inherit its function's target attribute (parallel.h).
template <class V, bool kFull>
AEKIT_INLINE void softmax_ce_block(const float* z, const float* labels, const float* weights, float* g, long classes,
                                   long positions, long p, long r, Acc64<V>& acc_loss, Acc64<V>& acc_w) {
  const V lab = load_n<V, kFull>(labels + p, r);
  V w{};
  if (weights || !kFull) {
    for (long l = 0; l < r; ++l) w[l] = weights ? weights[static_cast<long>(lab[l])] : 1.f;
  } else {
    w = splat<V>(1.f);
  }
  V mx = load_n<V, kFull>(z + p, r);
  for (long c = 1; c < classes; ++c) {
    const V zc = load_n<V, kFull>(z + c * positions + p, r);
    mx = zc > mx ? zc : mx;
  }
  V sum{}, picked{};
  for (long c = 0; c < classes; ++c) {
    const V zc = load_n<V, kFull>(z + c * positions + p, r);
    const V e = vexp<V>(zc - mx);
    sum += e;
    picked = lab == float(c) ? zc : picked;
    if (g) store_n<V, kFull>(g + c * positions + p, e, r);
  }
  acc_loss.add(w * (mx + vlog<V>(sum) - picked));  // padding lanes have w = 0
  acc_w.add(w);
  if (g) {
    const V scale = w / sum;
    for (long c = 0; c < classes; ++c) {
      float* gc = g + c * positions + p;
      store_n<V, kFull>(gc, load_n<V, kFull>(gc, r) * scale - (lab == float(c) ? w : V{}), r);
    }
  }
}

template <class V>
AEKIT_INLINE void softmax_ce_impl(const float* z, const float* labels, const float* weights, float* g, long classes,
                                  long positions, double* loss, double* weight_sum) {
  constexpr long W = VT<V>::N;
  Acc64<V> acc_loss, acc_w;
  long p = 0;
  for (; p + W <= positions; p += W)
    softmax_ce_block<V, true>(z, labels, weights, g, classes, positions, p, W, acc_loss, acc_w);
  if (p < positions)
    softmax_ce_block<V, false>(z, labels, weights, g, classes, positions, p, positions - p, acc_loss, acc_w);
  *loss = acc_loss.total();
  *weight_sum = acc_w.total();
}
AEKIT_DISPATCH(void, softmax_ce,
               (const float* z, const float* labels, const float* weights, float* g, long classes, long positions,
                double* loss, double* weight_sum),
               (z, labels, weights, g, classes, positions, loss, weight_sum))

void softmax_cross_entropy(const float* z, const float* labels, const float* weights, float* grad, long n, long classes,
                           long positions, double* loss, double* weight_sum) {
  // One task per example; the partials are added in example order, whatever thread ran them.
  std::vector<double> l(n), w(n);
  ThreadPool::instance().parallel_for(static_cast<int>(n), [&](int i) {
    const long base = i * classes * positions;
    softmax_ce_isa(z + base, labels + i * positions, weights, grad ? grad + base : nullptr, classes, positions, &l[i], &w[i]);
  });
  *loss = 0;
  *weight_sum = 0;
  for (long i = 0; i < n; ++i) {
    *loss += l[i];
    *weight_sum += w[i];
  }
}

}  // namespace aekit
