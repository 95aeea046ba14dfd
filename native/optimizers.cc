// Adam/AdamW and SGD (plain, momentum, Nesterov) as one vectorised sweep each: every parameter,
// gradient and moment element is read and written once per step. In JS this sweep over 2.8M
// parameters cost more than the model's GEMMs (DESIGN.md section 2).
#include <cmath>
#include "common.h"
#include "kernels.h"
#include "parallel.h"
#include "vec_math.h"

namespace aekit {

struct AdamConst { float b1, omb1, b2, omb2, ic1, ic2, eps, lr, wd, shrink; };

template <class V>
AEKIT_INLINE void adam_impl(float* p, const float* g, float* m, float* v, size_t n, const AdamConst& c) {
  constexpr size_t W = VT<V>::N;
  for (size_t i = 0; i < n; i += W) {
    const size_t len = n - i < W ? n - i : W;
    const bool full = len == W;
    V pv = full ? loadu<V>(p + i) : load_part<V>(p + i, len);
    V gv = full ? loadu<V>(g + i) : load_part<V>(g + i, len);
    V mv = full ? loadu<V>(m + i) : load_part<V>(m + i, len);
    V vv = full ? loadu<V>(v + i) : load_part<V>(v + i, len);
    gv += c.wd * pv;
    mv = c.b1 * mv + c.omb1 * gv;
    vv = c.b2 * vv + c.omb2 * gv * gv;
    V update = (mv * c.ic1) / (vsqrt(vv * c.ic2) + c.eps);
    pv = c.shrink * pv - c.lr * update;
    if (full) {
      storeu<V>(p + i, pv); storeu<V>(m + i, mv); storeu<V>(v + i, vv);
    } else {
      store_part<V>(p + i, pv, len); store_part<V>(m + i, mv, len); store_part<V>(v + i, vv, len);
    }
  }
}
AEKIT_DISPATCH(void, adam, (float* p, const float* g, float* m, float* v, size_t n, const AdamConst& c),
               (p, g, m, v, n, c))

void adam_step(float* p, const float* g, float* m, float* v, size_t n, const AdamArgs& a) {
  AdamConst c;
  c.b1 = static_cast<float>(a.beta1);
  c.omb1 = static_cast<float>(1 - a.beta1);
  c.b2 = static_cast<float>(a.beta2);
  c.omb2 = static_cast<float>(1 - a.beta2);
  // Bias corrections in double, as the reference computes them.
  c.ic1 = static_cast<float>(1.0 / (1 - std::pow(a.beta1, a.step)));
  c.ic2 = static_cast<float>(1.0 / (1 - std::pow(a.beta2, a.step)));
  c.eps = static_cast<float>(a.eps);
  c.lr = static_cast<float>(a.lr);
  c.wd = static_cast<float>(a.grad_decay);
  c.shrink = static_cast<float>(1 - a.lr * a.decoupled_decay);
  parallel_range(n, [&](size_t b, size_t e) { adam_isa(p + b, g + b, m + b, v + b, e - b, c); });
}

struct SgdConst { float lr, mom, wd, shrink; bool nesterov; };

template <class V>
AEKIT_INLINE void sgd_impl(float* p, const float* g, float* vel, size_t n, const SgdConst& c) {
  constexpr size_t W = VT<V>::N;
  for (size_t i = 0; i < n; i += W) {
    const size_t len = n - i < W ? n - i : W;
    const bool full = len == W;
    V pv = full ? loadu<V>(p + i) : load_part<V>(p + i, len);
    V gv = (full ? loadu<V>(g + i) : load_part<V>(g + i, len)) + c.wd * pv;
    if (c.mom == 0.f) {
      pv = c.shrink * pv - c.lr * gv;  // velocity is not touched (it may even be empty)
    } else {
      V vv = full ? loadu<V>(vel + i) : load_part<V>(vel + i, len);
      vv = c.mom * vv + gv;
      pv = c.shrink * pv - c.lr * (c.nesterov ? gv + c.mom * vv : vv);
      if (full) storeu<V>(vel + i, vv); else store_part<V>(vel + i, vv, len);
    }
    if (full) storeu<V>(p + i, pv); else store_part<V>(p + i, pv, len);
  }
}
AEKIT_DISPATCH(void, sgd, (float* p, const float* g, float* vel, size_t n, const SgdConst& c), (p, g, vel, n, c))

void sgd_step(float* p, const float* g, float* vel, size_t n, const SgdArgs& a) {
  SgdConst c{static_cast<float>(a.lr), static_cast<float>(a.momentum), static_cast<float>(a.grad_decay),
             static_cast<float>(1 - a.lr * a.decoupled_decay), a.nesterov};
  parallel_range(n, [&](size_t b, size_t e) { sgd_isa(p + b, g + b, vel + b, e - b, c); });
}

}  // namespace aekit
