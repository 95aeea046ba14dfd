// The soft Jaccard loss over logits [n, classes, positions] and its gradient (Rahman & Wang,
// "Optimizing Intersection-Over-Union in Deep Neural Networks for Image Segmentation", ISVC 2016);
// src/backend/reference/soft-jaccard.ts is the specification. Two sweeps, because the gradient at
// every position needs the class sums of the whole batch: the first writes the softmax into grad
// (when asked) and sums, per class, the probabilities and the probabilities at the label; the
// second turns the probabilities into the gradient in place.
// The work splits into tasks by the sizes alone (a run of one example's positions, or a run of
// whole small examples); each task sums into its own slot and the slots are added in task order,
// so the loss and the gradient do not depend on the number of threads.
#include <algorithm>
#include <vector>
#include "acc64.h"
#include "common.h"
#include "kernels.h"
#include "parallel.h"
#include "vec_math.h"

namespace aekit {

namespace {

// Positions per block: a block's maxima and inverse sums stay on the stack (2 KiB) while the
// class-major sweep over the block reads them once per class. A multiple of every vector width.
constexpr long kBlock = 256;
// Positions per task (or whole examples up to about this many): 2048 positions of 11 classes are
// 88 KiB of scores, enough work to pay for handing a task to another thread.
constexpr long kTaskPositions = 2048;

// Position-major softmax of W positions (r of them real): each lane is one position and the class
// loop runs over registers. Writes e = exp(z − max) to p when p is not null, and the lanes' max
// and 1 / Σ e to mx and inv (0 in the padding lanes, so that they add nothing later).
// Not lambdas: a lambda does not inherit its function's target attribute (parallel.h).
template <class V, bool kFull>
AEKIT_INLINE void softmax_lanes(const float* z, float* p, long classes, long positions, long q, long r, float* mx,
                                float* inv) {
  V top = load_n<V, kFull>(z + q, r);
  for (long c = 1; c < classes; ++c) {
    const V zc = load_n<V, kFull>(z + c * positions + q, r);
    top = zc > top ? zc : top;
  }
  V sum{};
  for (long c = 0; c < classes; ++c) {
    const V e = vexp<V>(load_n<V, kFull>(z + c * positions + q, r) - top);
    sum += e;
    if (p) store_n<V, kFull>(p + c * positions + q, e, r);
  }
  V inverse = 1.f / sum;
  if (!kFull)
    for (long l = r; l < VT<V>::N; ++l) inverse[l] = 0.f;
  storeu<V>(mx, top);
  storeu<V>(inv, inverse);
}

// One class's probabilities at W positions (r real): p = e / Σ e, written back over e when p is
// kept, else recomputed from z; added to the class's probability sum, and where the label is the
// class to its intersection.
template <class V, bool kFull>
AEKIT_INLINE void class_lanes(const float* zc, float* pc, const float* labels, float c, const float* mx,
                              const float* inv, long q, long r, Acc64<V>& probability_sum, Acc64<V>& intersection) {
  const V e = pc ? load_n<V, kFull>(pc + q, r) : vexp<V>(load_n<V, kFull>(zc + q, r) - loadu<V>(mx));
  const V probability = e * loadu<V>(inv);
  if (pc) store_n<V, kFull>(pc + q, probability, r);
  probability_sum.add(probability);
  intersection.add(load_n<V, kFull>(labels + q, r) == c ? probability : V{});
}

// Positions [q0, q1) of one example: z and labels at the example's start, p (or null) too.
// Adds Σ p_c to probability_sum[c] and Σ p_c·[label = c] to intersection[c].
template <class V>
AEKIT_INLINE void sums_impl(const float* z, const float* labels, float* p, long classes, long positions, long q0,
                            long q1, double* intersection, double* probability_sum) {
  constexpr long W = VT<V>::N;
  alignas(64) float mx[kBlock], inv[kBlock];
  for (long b = q0; b < q1; b += kBlock) {
    const long e = std::min(q1, b + kBlock);
    long q = b;
    for (; q + W <= e; q += W) softmax_lanes<V, true>(z, p, classes, positions, q, W, mx + (q - b), inv + (q - b));
    if (q < e) softmax_lanes<V, false>(z, p, classes, positions, q, e - q, mx + (q - b), inv + (q - b));
    for (long c = 0; c < classes; ++c) {
      const float* zc = z + c * positions;
      float* pc = p ? p + c * positions : nullptr;
      Acc64<V> sum, overlap;
      for (q = b; q + W <= e; q += W)
        class_lanes<V, true>(zc, pc, labels, float(c), mx + (q - b), inv + (q - b), q, W, sum, overlap);
      if (q < e) class_lanes<V, false>(zc, pc, labels, float(c), mx + (q - b), inv + (q - b), q, e - q, sum, overlap);
      probability_sum[c] += sum.total();
      intersection[c] += overlap.total();
    }
  }
}
AEKIT_DISPATCH(void, sums,
               (const float* z, const float* labels, float* p, long classes, long positions, long q0, long q1,
                double* intersection, double* probability_sum),
               (z, labels, p, classes, positions, q0, q1, intersection, probability_sum))

// The gradient at W positions (r real), over the probabilities in g: with g_c = other[c] off the
// label and other[c] + extra[c] on it, d loss/d z_k = p_k·(g_k − Σ_c p_c g_c).
template <class V, bool kFull>
AEKIT_INLINE void gradient_lanes(float* g, const float* labels, const float* other, const float* extra, long classes,
                                 long positions, long q, long r) {
  const V lab = load_n<V, kFull>(labels + q, r);
  V dot{}, on_label{};
  for (long c = 0; c < classes; ++c) {
    const V pc = load_n<V, kFull>(g + c * positions + q, r);
    dot += pc * other[c];
    on_label = lab == float(c) ? pc * extra[c] : on_label;
  }
  dot += on_label;
  for (long c = 0; c < classes; ++c) {
    float* gc = g + c * positions + q;
    const V pc = load_n<V, kFull>(gc, r);
    store_n<V, kFull>(gc, pc * (other[c] - dot) + (lab == float(c) ? on_label : V{}), r);
  }
}

template <class V>
AEKIT_INLINE void gradient_impl(float* g, const float* labels, const float* other, const float* extra, long classes,
                                long positions, long q0, long q1) {
  constexpr long W = VT<V>::N;
  long q = q0;
  for (; q + W <= q1; q += W) gradient_lanes<V, true>(g, labels, other, extra, classes, positions, q, W);
  if (q < q1) gradient_lanes<V, false>(g, labels, other, extra, classes, positions, q, q1 - q);
}
AEKIT_DISPATCH(void, gradient,
               (float* g, const float* labels, const float* other, const float* extra, long classes, long positions,
                long q0, long q1),
               (g, labels, other, extra, classes, positions, q0, q1))

// The tasks of an [n, ·, positions] batch: runs of kTaskPositions positions of one example when
// examples are larger, else runs of whole examples.
struct Tasks {
  long n, positions, runs, examples_per_task, count;
  Tasks(long n_, long positions_) : n(n_), positions(positions_) {
    runs = (positions + kTaskPositions - 1) / kTaskPositions;
    examples_per_task = runs > 1 ? 1 : std::max(1L, kTaskPositions / std::max(1L, positions));
    count = runs > 1 ? n * runs : (n + examples_per_task - 1) / examples_per_task;
  }
  // f(example, q0, q1) over the parts of task t, in order.
  template <class F> void each(long t, F&& f) const {
    if (runs > 1) {
      const long q0 = (t % runs) * kTaskPositions;
      f(t / runs, q0, std::min(positions, q0 + kTaskPositions));
      return;
    }
    for (long i = t * examples_per_task; i < std::min(n, (t + 1) * examples_per_task); ++i) f(i, 0L, positions);
  }
};

}  // namespace

double soft_jaccard(const float* z, const float* labels, float* grad, long n, long classes, long positions) {
  if (n <= 0 || classes <= 0 || positions <= 0) return 0.0;
  const Tasks tasks(n, positions);
  const size_t slot = size_t(3 * classes);  // a task's intersections, probability sums and label counts
  std::vector<double> sums(size_t(tasks.count + 1) * slot, 0.0);
  ThreadPool& pool = ThreadPool::instance();
  pool.parallel_for(static_cast<int>(tasks.count), [&](int t) {
    double* s = &sums[size_t(t) * slot];
    tasks.each(t, [&](long i, long q0, long q1) {
      const long base = i * classes * positions;
      const float* lab = labels + i * positions;
      sums_isa(z + base, lab, grad ? grad + base : nullptr, classes, positions, q0, q1, s, s + classes);
      for (long q = q0; q < q1; ++q) s[2 * classes + static_cast<long>(lab[q])] += 1.0;
    });
  });
  double* total = &sums[size_t(tasks.count) * slot];
  for (long t = 0; t < tasks.count; ++t)
    for (size_t k = 0; k < slot; ++k) total[k] += sums[size_t(t) * slot + k];
  const double *intersection = total, *probability_sum = total + classes, *label_count = total + 2 * classes;

  long present = 0;
  double iou_sum = 0;
  for (long c = 0; c < classes; ++c) {
    if (label_count[c] == 0) continue;
    ++present;
    iou_sum += intersection[c] / (probability_sum[c] + label_count[c] - intersection[c]);
  }
  if (present == 0) return 0.0;
  if (grad) {
    // d loss/d p_c = other[c] off the label, other[c] + extra[c] on it (0 for absent classes):
    // with U_c = S_c + L_c − I_c, −(1/K)·d(I_c/U_c)/d p_c is I_c/(K U_c²), or −1/(K U_c) on the label.
    std::vector<float> coefficients(size_t(2 * classes), 0.f);
    float *other = coefficients.data(), *extra = other + classes;
    for (long c = 0; c < classes; ++c) {
      if (label_count[c] == 0) continue;
      const double union_c = probability_sum[c] + label_count[c] - intersection[c];
      const double on_true = -1.0 / (double(present) * union_c);
      const double on_other = intersection[c] / (double(present) * union_c * union_c);
      other[c] = static_cast<float>(on_other);
      extra[c] = static_cast<float>(on_true - on_other);
    }
    pool.parallel_for(static_cast<int>(tasks.count), [&](int t) {
      tasks.each(t, [&](long i, long q0, long q1) {
        gradient_isa(grad + i * classes * positions, labels + i * positions, other, extra, classes, positions, q0, q1);
      });
    });
  }
  return 1.0 - iou_sum / double(present);
}

}  // namespace aekit
