// Elementwise kernels: unary, binary with broadcasting strides, activation backward, axpby,
// and the two reductions into arrays (reduceSum, sumRows). Each is a template over the vector
// type, vectorised with GCC vector extensions, chunked over the pool for large arrays.
#include <cmath>
#include <limits>
#include "common.h"
#include "kernels.h"
#include "parallel.h"
#include "vec_math.h"

namespace aekit {

// Body + tail of a one-input map. x is the loaded vector; the tail reuses the same expression
// on a zero-padded partial vector, so tail lanes compute exactly what body lanes would.
#define AEKIT_MAP1(EXPR)                                                           \
  do {                                                                             \
    size_t i = 0;                                                                  \
    for (; i + W <= n; i += W) { V x = loadu<V>(a + i); storeu<V>(out + i, (EXPR)); } \
    if (i < n) { V x = load_part<V>(a + i, n - i); store_part<V>(out + i, (EXPR), n - i); } \
  } while (0)

static float pow_js(float x, double y) {
  // Math.pow differs from C pow here: 1 ** ±Infinity and (-1) ** ±Infinity are NaN in JS.
  if (std::fabs(x) == 1.f && !std::isfinite(y)) return std::numeric_limits<float>::quiet_NaN();
  return static_cast<float>(std::pow(static_cast<double>(x), y));
}

template <class V>
AEKIT_INLINE void unary_impl(int op, const float* a, float* out, size_t n, float p0, float p1) {
  constexpr size_t W = VT<V>::N;
  const V one = splat<V>(1.f), zero = V{};
  switch (op) {
    case kNeg: AEKIT_MAP1(-x); break;
    case kExp: AEKIT_MAP1(vexp<V>(x)); break;
    case kLog: AEKIT_MAP1(vlog<V>(x)); break;
    case kSquare: AEKIT_MAP1(x * x); break;
    case kSqrt: AEKIT_MAP1(vsqrt(x)); break;
    case kAbs: AEKIT_MAP1(vabs(x)); break;
    case kSign: AEKIT_MAP1(x > 0.f ? one : (x < 0.f ? -one : zero)); break;
    case kUSigmoid: AEKIT_MAP1(vsigmoid<V>(x)); break;
    case kUTanh: AEKIT_MAP1(vtanh<V>(x)); break;
    case kURelu: AEKIT_MAP1(x > 0.f ? x : zero); break;
    case kULeakyRelu: AEKIT_MAP1(x > 0.f ? x : x * p0); break;
    case kClamp: AEKIT_MAP1(x < p0 ? splat<V>(p0) : (x > p1 ? splat<V>(p1) : x)); break;
    case kAddScalar: AEKIT_MAP1(x + p0); break;
    case kMulScalar: AEKIT_MAP1(x * p0); break;
    case kRsubScalar: AEKIT_MAP1(p0 - x); break;
    case kRdivScalar: AEKIT_MAP1(p0 / x); break;
    default: break;
  }
}
AEKIT_DISPATCH(void, unary, (int op, const float* a, float* out, size_t n, float p0, float p1), (op, a, out, n, p0, p1))

void unary(int op, const float* a, float* out, size_t n, double p0d, double p1d) {
  const float p0 = static_cast<float>(p0d), p1 = static_cast<float>(p1d);
  if (op == kPowScalar) {
    // pow is rare (norms, tests): scalar in double for Math.pow's exact semantics.
    parallel_range(n, [&](size_t b, size_t e) { for (size_t i = b; i < e; ++i) out[i] = pow_js(a[i], p0d); });
    return;
  }
  parallel_range(n, [&](size_t b, size_t e) { unary_isa(op, a + b, out + b, e - b, p0, p1); });
}

static AEKIT_INLINE float binary_scalar(int op, float x, float y) {
  switch (op) {
    case kAdd: return x + y;
    case kSub: return x - y;
    case kMul: return x * y;
    case kDiv: return x / y;
    case kMax: return x > y ? x : y;
    default: return x < y ? x : y;
  }
}

template <class V> AEKIT_INLINE V binary_vec(int op, V x, V y) {
  switch (op) {
    case kAdd: return x + y;
    case kSub: return x - y;
    case kMul: return x * y;
    case kDiv: return x / y;
    case kMax: return x > y ? x : y;  // same NaN behaviour as the reference's a > b ? a : b
    default: return x < y ? x : y;
  }
}

// One innermost row: strides 0 (broadcast) or 1 vectorise; anything else goes scalar.
template <class V>
AEKIT_INLINE void binary_row_impl(int op, const float* a, long sa, const float* b, long sb, float* out, size_t n) {
  constexpr size_t W = VT<V>::N;
  if ((sa == 0 || sa == 1) && (sb == 0 || sb == 1)) {
    const V xa = splat<V>(a[0]), xb = splat<V>(b[0]);
    size_t i = 0;
    for (; i + W <= n; i += W) {
      V x = sa ? loadu<V>(a + i) : xa, y = sb ? loadu<V>(b + i) : xb;
      storeu<V>(out + i, binary_vec<V>(op, x, y));
    }
    if (i < n) {
      V x = sa ? load_part<V>(a + i, n - i) : xa, y = sb ? load_part<V>(b + i, n - i) : xb;
      store_part<V>(out + i, binary_vec<V>(op, x, y), n - i);
    }
    return;
  }
  for (size_t i = 0; i < n; ++i) out[i] = binary_scalar(op, a[i * sa], b[i * sb]);
}
AEKIT_DISPATCH(void, binary_row, (int op, const float* a, long sa, const float* b, long sb, float* out, size_t n),
               (op, a, sa, b, sb, out, n))

void binary(int op, const float* a, const long* as, const float* b, const long* bs, float* out, const long* shape,
            int rank) {
  if (rank == 0) {
    out[0] = binary_scalar(op, a[0], b[0]);
    return;
  }
  const size_t inner = static_cast<size_t>(shape[rank - 1]);
  size_t rows = 1;
  for (int d = 0; d < rank - 1; ++d) rows *= static_cast<size_t>(shape[d]);
  if (inner == 0 || rows == 0) return;
  const size_t grain_rows = inner >= kGrain ? 1 : kGrain / inner;
  parallel_range(rows, [&](size_t r0, size_t r1) {
    // Offsets of row r0, then an odometer over the outer dims.
    long idx[16] = {0};
    long ao = 0, bo = 0;
    size_t rem = r0;
    for (int d = rank - 2; d >= 0; --d) {
      idx[d] = static_cast<long>(rem % shape[d]);
      rem /= shape[d];
      ao += idx[d] * as[d];
      bo += idx[d] * bs[d];
    }
    for (size_t r = r0; r < r1; ++r) {
      binary_row_isa(op, a + ao, as[rank - 1], b + bo, bs[rank - 1], out + r * inner, inner);
      for (int d = rank - 2; d >= 0; --d) {
        ao += as[d];
        bo += bs[d];
        if (++idx[d] < shape[d]) break;
        ao -= as[d] * shape[d];
        bo -= bs[d] * shape[d];
        idx[d] = 0;
      }
    }
  }, grain_rows);
}

template <class V>
AEKIT_INLINE void activation_backward_impl(const float* dy, const float* y, float* dz, size_t n, int act, float slope) {
  constexpr size_t W = VT<V>::N;
  size_t i = 0;
  for (; i + W <= n; i += W) storeu<V>(dz + i, loadu<V>(dy + i) * vderivative<V>(loadu<V>(y + i), act, slope));
  if (i < n)
    store_part<V>(dz + i, load_part<V>(dy + i, n - i) * vderivative<V>(load_part<V>(y + i, n - i), act, slope), n - i);
}
AEKIT_DISPATCH(void, activation_backward, (const float* dy, const float* y, float* dz, size_t n, int act, float slope),
               (dy, y, dz, n, act, slope))

void activation_backward(const float* dy, const float* y, float* dz, size_t n, int act, float slope) {
  parallel_range(n, [&](size_t b, size_t e) { activation_backward_isa(dy + b, y + b, dz + b, e - b, act, slope); });
}

template <class V> AEKIT_INLINE void axpby_impl(const float* a, float alpha, float* out, float beta, size_t n) {
  constexpr size_t W = VT<V>::N;
  size_t i = 0;
  if (beta == 0.f) {  // out is overwritten (NaN in out must not leak through 0 * NaN)
    for (; i + W <= n; i += W) storeu<V>(out + i, loadu<V>(a + i) * alpha);
    if (i < n) store_part<V>(out + i, load_part<V>(a + i, n - i) * alpha, n - i);
    return;
  }
  for (; i + W <= n; i += W) storeu<V>(out + i, loadu<V>(a + i) * alpha + loadu<V>(out + i) * beta);
  if (i < n) store_part<V>(out + i, load_part<V>(a + i, n - i) * alpha + load_part<V>(out + i, n - i) * beta, n - i);
}
AEKIT_DISPATCH(void, axpby, (const float* a, float alpha, float* out, float beta, size_t n), (a, alpha, out, beta, n))

void axpby(const float* a, float alpha, float* out, float beta, size_t n) {
  parallel_range(n, [&](size_t b, size_t e) { axpby_isa(a + b, alpha, out + b, beta, e - b); });
}

// Column sums over a block of columns: NB vectors wide so each pass over the rows reads whole
// cache lines.
template <class V> AEKIT_INLINE void sum_rows_impl(const float* a, size_t m, size_t n, size_t j0, size_t j1,
                                                   float* out, float beta) {
  constexpr size_t W = VT<V>::N;
  constexpr int NB = 4;
  for (size_t j = j0; j < j1; j += NB * W) {
    V acc[NB] = {};
    const size_t width = j1 - j < NB * W ? j1 - j : NB * W;
    if (width == NB * W) {
      for (size_t i = 0; i < m; ++i)
#pragma GCC unroll 4
        for (int v = 0; v < NB; ++v) acc[v] += loadu<V>(a + i * n + j + v * W);
    } else {
      for (size_t i = 0; i < m; ++i)
        for (int v = 0; v < NB; ++v) {
          const size_t off = v * W;
          if (off < width) acc[v] += load_part<V>(a + i * n + j + off, width - off < W ? width - off : W);
        }
    }
    for (int v = 0; v < NB; ++v) {
      const size_t off = v * W;
      if (off >= width) break;
      const size_t len = width - off < W ? width - off : W;
      V r = acc[v];
      if (beta != 0.f) r += load_part<V>(out + j + off, len) * beta;
      store_part<V>(out + j + off, r, len);
    }
  }
}
AEKIT_DISPATCH(void, sum_rows, (const float* a, size_t m, size_t n, size_t j0, size_t j1, float* out, float beta),
               (a, m, n, j0, j1, out, beta))

void sum_rows(const float* a, size_t m, size_t n, float* out, float beta) {
  if (n == 0) return;
  // Split columns; each chunk touches m * width elements.
  const size_t grain_cols = m >= kGrain ? 64 : ((kGrain / (m ? m : 1)) + 63) & ~size_t(63);
  parallel_range(n, [&](size_t j0, size_t j1) { sum_rows_isa(a, m, n, j0, j1, out, beta); }, grain_cols);
}

void reduce_sum(const float* a, const long* shape, int rank, float* out, const long* os) {
  // Same order as the reference (row-major over `shape`, each addition rounded to float32);
  // serial because scattered accumulation does not split without private copies of out.
  size_t out_size = 1, total = 1;
  for (int d = 0; d < rank; ++d) {
    total *= static_cast<size_t>(shape[d]);
    if (os[d] != 0) out_size *= static_cast<size_t>(shape[d]);
  }
  for (size_t i = 0; i < out_size; ++i) out[i] = 0.f;
  if (total == 0) return;
  if (rank == 0) {
    out[0] += a[0];
    return;
  }
  const long inner = shape[rank - 1], is = os[rank - 1];
  const size_t rows = total / static_cast<size_t>(inner);
  long idx[16] = {0};
  long oo = 0;
  for (size_t r = 0; r < rows; ++r) {
    const float* ar = a + r * inner;
    if (is == 0) {
      float s = out[oo];
      for (long j = 0; j < inner; ++j) s += ar[j];
      out[oo] = s;
    } else {
      float* o = out + oo;
      for (long j = 0; j < inner; ++j) o[j * is] += ar[j];
    }
    for (int d = rank - 2; d >= 0; --d) {
      oo += os[d];
      if (++idx[d] < shape[d]) break;
      oo -= os[d] * shape[d];
      idx[d] = 0;
    }
  }
}

}  // namespace aekit
