// The WebAssembly module's entry points: C functions over pointers into linear memory, one per
// kernel of the Backend interface, each a direct call into the shared kernels (native/*.cc).
// Argument checks (lengths, indices, labels) happen in src/backend/wasm/wasm-backend.ts before
// the call, as native/binding*.cc do for the addon. Memory for the arguments comes from
// aekit_alloc; every size is an int (wasm32: long and size_t are 32 bits too).
#include <cstdlib>
#include "../gemm.h"
#include "../kernels.h"

#define AEKIT_EXPORT(NAME) extern "C" __attribute__((export_name(#NAME))) 

using namespace aekit;

AEKIT_EXPORT(aekit_alloc) void* aekit_alloc(size_t bytes) { return std::aligned_alloc(64, (bytes + 63) & ~size_t(63)); }
AEKIT_EXPORT(aekit_free) void aekit_free(void* p) { std::free(p); }

AEKIT_EXPORT(aekit_gemm)
void aekit_gemm(int m, int n, int k, const float* a, int trans_a, const float* b, int trans_b, float* c, float alpha,
                float beta) {
  GemmArgs g;
  g.m = m; g.n = n; g.k = k;
  g.a = a; g.transA = trans_a != 0; g.lda = g.transA ? m : k;
  g.b = b; g.transB = trans_b != 0; g.ldb = g.transB ? k : n;
  g.c = c; g.ldc = n;
  g.alpha = alpha; g.beta = beta;
  gemm(g);
}

AEKIT_EXPORT(aekit_linear_forward)
void aekit_linear_forward(const float* x, const float* w, const float* bias, float* y, int m, int k, int n, int act,
                          float slope) {
  GemmArgs g;
  g.m = m; g.n = n; g.k = k;
  g.a = x; g.lda = k;
  g.b = w; g.transB = true; g.ldb = k;
  g.c = y; g.ldc = n;
  g.epilogue = true; g.bias = bias; g.act = act; g.slope = slope;
  gemm(g);
}

AEKIT_EXPORT(aekit_activation_backward)
void aekit_activation_backward(const float* dy, const float* y, float* dz, int n, int act, float slope) {
  activation_backward(dy, y, dz, n, act, slope);
}

AEKIT_EXPORT(aekit_unary)
void aekit_unary(int op, const float* a, float* out, int n, double p0, double p1) { unary(op, a, out, n, p0, p1); }

AEKIT_EXPORT(aekit_binary)
void aekit_binary(int op, const float* a, const long* as, const float* b, const long* bs, float* out, const long* shape,
                  int rank) {
  binary(op, a, as, b, bs, out, shape, rank);
}

AEKIT_EXPORT(aekit_reduce_sum)
void aekit_reduce_sum(const float* a, const long* shape, int rank, float* out, const long* out_strides) {
  reduce_sum(a, shape, rank, out, out_strides);
}

AEKIT_EXPORT(aekit_sum_rows) void aekit_sum_rows(const float* a, int m, int n, float* out, float beta) { sum_rows(a, m, n, out, beta); }
AEKIT_EXPORT(aekit_sum) double aekit_sum(const float* a, int n) { return sum(a, n); }
AEKIT_EXPORT(aekit_sum_squares) double aekit_sum_squares(const float* a, int n) { return sum_squares(a, n); }
AEKIT_EXPORT(aekit_all_finite) int aekit_all_finite(const float* a, int n) { return all_finite(a, n) ? 1 : 0; }

AEKIT_EXPORT(aekit_squared_error)
double aekit_squared_error(const float* pred, const float* target, float* grad, int n, double scale) {
  return squared_error(pred, target, grad, n, scale);
}

AEKIT_EXPORT(aekit_bce_with_logits)
double aekit_bce_with_logits(const float* z, const float* t, float* grad, int n, double scale) {
  return bce_with_logits(z, t, grad, n, scale);
}

// Writes [loss, weight sum] to out.
AEKIT_EXPORT(aekit_softmax_cross_entropy)
void aekit_softmax_cross_entropy(const float* z, const float* labels, const float* weights, float* grad, int n,
                                 int classes, int positions, double* out) {
  softmax_cross_entropy(z, labels, weights, grad, n, classes, positions, &out[0], &out[1]);
}

AEKIT_EXPORT(aekit_soft_jaccard)
double aekit_soft_jaccard(const float* z, const float* labels, float* grad, int n, int classes, int positions) {
  return soft_jaccard(z, labels, grad, n, classes, positions);
}

AEKIT_EXPORT(aekit_axpby) void aekit_axpby(const float* a, float alpha, float* out, float beta, int n) { axpby(a, alpha, out, beta, n); }

AEKIT_EXPORT(aekit_adam_step)
void aekit_adam_step(float* p, const float* g, float* m, float* v, int n, double lr, double beta1, double beta2,
                     double eps, int step, double grad_decay, double decoupled_decay) {
  adam_step(p, g, m, v, n, AdamArgs{lr, beta1, beta2, eps, grad_decay, decoupled_decay, step});
}

AEKIT_EXPORT(aekit_sgd_step)
void aekit_sgd_step(float* p, const float* g, float* vel, int n, double lr, double momentum, int nesterov,
                    double grad_decay, double decoupled_decay) {
  sgd_step(p, g, vel, n, SgdArgs{lr, momentum, grad_decay, decoupled_decay, nesterov != 0});
}

AEKIT_EXPORT(aekit_hamming_rank)
void aekit_hamming_rank(const uint32_t* codes, int n, int words, const uint32_t* query, uint32_t* indices,
                        uint8_t* distances) {
  hamming_rank(codes, n, words, query, indices, distances);
}

// Convolution sizes as 16 ints in ConvGeom's order.
static ConvGeom conv_geom(const long* s) {
  return ConvGeom{s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], s[10], s[11], s[12], s[13], s[14], s[15]};
}

AEKIT_EXPORT(aekit_conv2d_forward)
void aekit_conv2d_forward(const float* x, const float* w, const float* bias, float* y, const long* sizes, int act,
                          float slope) {
  conv2d_forward(x, w, bias, y, conv_geom(sizes), act, slope);
}

AEKIT_EXPORT(aekit_conv2d_backward_input)
void aekit_conv2d_backward_input(const float* dy, const float* w, float* dx, const long* sizes, float beta) {
  conv2d_backward_input(dy, w, dx, conv_geom(sizes), beta);
}

AEKIT_EXPORT(aekit_conv2d_backward_filter)
void aekit_conv2d_backward_filter(const float* x, const float* dy, float* dw, const long* sizes, float beta) {
  conv2d_backward_filter(x, dy, dw, conv_geom(sizes), beta);
}

// Pooling sizes as 11 ints in PoolGeom's order.
AEKIT_EXPORT(aekit_max_pool2d)
void aekit_max_pool2d(const float* x, float* y, int32_t* indices, const long* s) {
  max_pool2d(x, y, indices, PoolGeom{s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], s[10]});
}

AEKIT_EXPORT(aekit_scatter_add)
void aekit_scatter_add(const float* src, const int32_t* indices, float* dst, int planes, int src_size, int dst_size,
                       float beta) {
  scatter_add(src, indices, dst, planes, src_size, dst_size, beta);
}

AEKIT_EXPORT(aekit_gather)
void aekit_gather(const float* src, const int32_t* indices, float* dst, int planes, int src_size, int dst_size,
                  float beta) {
  gather(src, indices, dst, planes, src_size, dst_size, beta);
}

AEKIT_EXPORT(aekit_channel_stats)
void aekit_channel_stats(const float* x, int n, int channels, int spatial, float* mean, float* variance) {
  channel_stats(x, n, channels, spatial, mean, variance);
}

AEKIT_EXPORT(aekit_batch_norm_apply)
void aekit_batch_norm_apply(const float* x, int n, int channels, int spatial, const float* mean, const float* scale,
                            const float* shift, float* y) {
  batch_norm_apply(x, n, channels, spatial, mean, scale, shift, y);
}

AEKIT_EXPORT(aekit_batch_norm_backward)
void aekit_batch_norm_backward(const float* x, const float* dy, int n, int channels, int spatial, const float* mean,
                               const float* inv_std, const float* gamma, int batch_stats, float* dx, float beta,
                               float* d_gamma, float* d_beta) {
  batch_norm_backward(x, dy, n, channels, spatial, mean, inv_std, gamma, batch_stats != 0, dx, beta, d_gamma, d_beta);
}

// The GEMM's micro-tile and cache blocks, as 4 ints: mr, nr, kc, mc.
AEKIT_EXPORT(aekit_gemm_blocking)
void aekit_gemm_blocking(int* out) {
  const GemmBlocking b = gemm_blocking();
  out[0] = b.mr; out[1] = b.nr; out[2] = b.kc; out[3] = b.mc;
}
