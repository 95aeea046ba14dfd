// Float64 accumulation of float vectors, for the reductions whose interface promises float64
// sums (native/losses.cc, native/soft_jaccard.cc).
#pragma once
#include <cstring>
#include "common.h"

namespace aekit {

// Float64 accumulator over a float vector, as two one-register double vectors (low/high lanes).
template <class V> struct Acc64 {
  using H = typename VT<V>::H;
  using DH = typename VT<V>::DH;
  DH lo{}, hi{};
  AEKIT_INLINE void add(V x) {  // += x
    H l, h;
    std::memcpy(&l, &x, sizeof l);
    std::memcpy(&h, reinterpret_cast<const char*>(&x) + sizeof l, sizeof h);
    lo += __builtin_convertvector(l, DH);
    hi += __builtin_convertvector(h, DH);
  }
  AEKIT_INLINE void add_sq(V x) {  // += x*x, squared in double as the reference does
    H l, h;
    std::memcpy(&l, &x, sizeof l);
    std::memcpy(&h, reinterpret_cast<const char*>(&x) + sizeof l, sizeof h);
    DH dl = __builtin_convertvector(l, DH), dh = __builtin_convertvector(h, DH);
    lo += dl * dl;
    hi += dh * dh;
  }
  AEKIT_INLINE double total() const {
    DH t = lo + hi;
    double s = 0;
    for (int i = 0; i < VT<V>::N / 2; ++i) s += t[i];
    return s;
  }
};

}  // namespace aekit
