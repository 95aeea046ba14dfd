// The non-GEMM kernels of the Backend interface, as plain C++ over float pointers. Semantics
// are those of src/backend/reference/reference-backend.ts (the specification).
#pragma once
#include <cstddef>
#include <cstdint>
#include "kernel_names.h"

namespace aekit {

// UnaryOp and BinaryOp (and their names) are in kernel_names.h.

// p0/p1 arrive as doubles so pow_scalar can use the exact exponent (Math.pow semantics).
void unary(int op, const float* a, float* out, size_t n, double p0, double p1);
// out[idx] = f(a[idx·as], b[idx·bs]) over `shape` (rank dims), out contiguous.
void binary(int op, const float* a, const long* as, const float* b, const long* bs, float* out,
            const long* shape, int rank);
void activation_backward(const float* dy, const float* y, float* dz, size_t n, int act, float slope);
void axpby(const float* a, float alpha, float* out, float beta, size_t n);
void reduce_sum(const float* a, const long* shape, int rank, float* out, const long* out_strides);
void sum_rows(const float* a, size_t m, size_t n, float* out, float beta);

double sum(const float* a, size_t n);
double sum_squares(const float* a, size_t n);
bool all_finite(const float* a, size_t n);
double squared_error(const float* pred, const float* target, float* grad, size_t n, double scale);
double bce_with_logits(const float* z, const float* t, float* grad, size_t n, double scale);
// Softmax cross-entropy of z [n, classes, positions] against labels [n, positions] (class indices
// as floats, each in [0, classes)): *loss = Σ w·(−log softmax(z)[label]), *weight_sum = Σ w, with
// w = weights[label] (or 1 when weights is null); grad (when not null) = w·(softmax(z) − onehot).
void softmax_cross_entropy(const float* z, const float* labels, const float* weights, float* grad, long n, long classes,
                           long positions, double* loss, double* weight_sum);
// The soft Jaccard loss of z [n, classes, positions] against labels [n, positions] (as above):
// 1 − (1/K) Σ_c I_c / (S_c + L_c − I_c) over the K classes present in the labels, with I_c, S_c, L_c
// the batch's float64 sums of softmax(z)_c·[label = c], softmax(z)_c and [label = c]; grad (when not
// null) = d loss / d z. Neither the sums nor the gradient depend on the thread count.
double soft_jaccard(const float* z, const float* labels, float* grad, long n, long classes, long positions);

// grad_decay adds grad_decay * p to the gradient (coupled L2: 2λ for λ‖p‖²); decoupled_decay shrinks p by
// lr * decoupled_decay * p outside the gradient (AdamW, SGDW). Either may be 0.
struct AdamArgs { double lr, beta1, beta2, eps, grad_decay, decoupled_decay; int step; };
struct SgdArgs { double lr, momentum, grad_decay, decoupled_decay; bool nesterov; };
void adam_step(float* p, const float* g, float* m, float* v, size_t n, const AdamArgs& a);
void sgd_step(float* p, const float* g, float* vel, size_t n, const SgdArgs& a);

// Ranks n codes of `words` 32-bit words (1 to 8) by Hamming distance to `query`, nearest first,
// ties by index: indices[r] and distances[r] for rank r.
void hamming_rank(const uint32_t* codes, size_t n, int words, const uint32_t* query, uint32_t* indices,
                  uint8_t* distances);

// A convolution's sizes (see ConvGeometry in backend.ts), in the order the binding passes them.
struct ConvGeom {
  long batch, in_c, in_h, in_w, out_c, out_h, out_w, kh, kw, sh, sw, ph, pw, dh, dw, groups;
};
// A max pooling's sizes (see PoolGeometry in backend.ts).
struct PoolGeom {
  long planes, in_h, in_w, out_h, out_w, kh, kw, sh, sw, ph, pw;
};
// y = act(conv(x, w) + bias), act as in linearForward (0 identity, 1 sigmoid, 2 tanh, 3 relu, 4 leaky relu).
void conv2d_forward(const float* x, const float* w, const float* bias, float* y, const ConvGeom& g, int act, float slope);
void conv2d_backward_input(const float* dy, const float* w, float* dx, const ConvGeom& g, float beta);
void conv2d_backward_filter(const float* x, const float* dy, float* dw, const ConvGeom& g, float beta);
void max_pool2d(const float* x, float* y, int32_t* indices, const PoolGeom& g);
// dst = beta·dst, then dst[plane, indices[i]] += src[plane, i]; every index must be in [0, dst_size).
void scatter_add(const float* src, const int32_t* indices, float* dst, long planes, long src_size, long dst_size,
                 float beta);
// dst[plane, i] = beta·dst + src[plane, indices[plane, i]]; every index must be in [0, src_size).
void gather(const float* src, const int32_t* indices, float* dst, long planes, long src_size, long dst_size,
            float beta);

// Batch normalisation over x viewed as [n, channels, spatial]. channel_stats: per-channel mean and
// biased variance. batch_norm_apply: y = (x − mean[c])·scale[c] + shift[c] (y may alias x). batch_norm_backward:
// for y = γ·(x − mean)·inv_std + β, d_gamma = Σ dy·x̂ and d_beta = Σ dy per channel, and
// dx = beta·dx + γ·inv_std·(dy − [batch_stats] (d_beta + x̂·d_gamma)/count).
void channel_stats(const float* x, long n, long channels, long spatial, float* mean, float* variance);
void batch_norm_apply(const float* x, long n, long channels, long spatial, const float* mean, const float* scale,
                      const float* shift, float* y);
void batch_norm_backward(const float* x, const float* dy, long n, long channels, long spatial, const float* mean,
                         const float* inv_std, const float* gamma, bool batch_stats, float* dx, float beta, float* d_gamma,
                         float* d_beta);

}  // namespace aekit
