// The N-API surface: argument unpacking and bounds checks only (napi_args.h). Every kernel behind
// it is plain C++ over float pointers; only the binding files include napi.h. The image kernels'
// entry points are in binding_images.cc. Each entry point runs with FTZ/DAZ (FtzScope).
#include <napi.h>
#include <cstdio>
#include <string>
#include "binding_images.h"
#include "cpu.h"
#include "gemm.h"
#include "gemm_profile.h"
#include "kernels.h"
#include "peak.h"
#include "napi_args.h"
#include "thread_pool.h"

namespace {

using namespace aekit;

// gemm(m, n, k, a, transA, b, transB, c, alpha, beta)
Napi::Value Gemm(const Napi::CallbackInfo& info) {
  FtzScope ftz;
  const long m = arg_int(info, 0), n = arg_int(info, 1), k = arg_int(info, 2);
  F32 a, b, c;
  if (!dims_ok(info, "gemm", {m, n, k}) || !arg_f32(info, 3, "gemm", "a", a) || !arg_f32(info, 5, "gemm", "b", b) ||
      !arg_f32(info, 7, "gemm", "c", c) || !need(info, "gemm", "a", a, size_t(m) * k) ||
      !need(info, "gemm", "b", b, size_t(k) * n) || !need(info, "gemm", "c", c, size_t(m) * n))
    return info.Env().Undefined();
  GemmArgs g;
  g.m = m; g.n = n; g.k = k;
  g.a = a.p; g.transA = arg_bool(info, 4); g.lda = g.transA ? m : k;
  g.b = b.p; g.transB = arg_bool(info, 6); g.ldb = g.transB ? k : n;
  g.c = c.p; g.ldc = n;
  g.alpha = static_cast<float>(arg_num(info, 8));
  g.beta = static_cast<float>(arg_num(info, 9));
  gemm(g);
  return info.Env().Undefined();
}

// linearForward(x, w, bias|null, y, m, k, n, act, slope)
Napi::Value LinearForward(const Napi::CallbackInfo& info) {
  FtzScope ftz;
  const long m = arg_int(info, 4), k = arg_int(info, 5), n = arg_int(info, 6);
  const int act = static_cast<int>(arg_int(info, 7));
  F32 x, w, bias, y;
  const char* K = "linearForward";
  if (!dims_ok(info, K, {m, n, k}) || !arg_f32(info, 0, K, "x", x) || !arg_f32(info, 1, K, "w", w) ||
      !arg_f32(info, 2, K, "bias", bias, true) || !arg_f32(info, 3, K, "y", y) || !need(info, K, "x", x, size_t(m) * k) ||
      !need(info, K, "w", w, size_t(n) * k) || (bias.p && !need(info, K, "bias", bias, n)) ||
      !need(info, K, "y", y, size_t(m) * n))
    return info.Env().Undefined();
  if (act < 0 || act >= kActCount) return fail(info, "linearForward: unknown activation"), info.Env().Undefined();
  GemmArgs g;
  g.m = m; g.n = n; g.k = k;
  g.a = x.p; g.lda = k;
  g.b = w.p; g.transB = true; g.ldb = k;
  g.c = y.p; g.ldc = n;
  g.epilogue = true; g.bias = bias.p; g.act = act; g.slope = static_cast<float>(arg_num(info, 8));
  gemm(g);
  return info.Env().Undefined();
}

// activationBackward(dy, y, dz, act, slope)
Napi::Value ActivationBackward(const Napi::CallbackInfo& info) {
  FtzScope ftz;
  F32 dy, y, dz;
  const char* K = "activationBackward";
  if (!arg_f32(info, 0, K, "dy", dy) || !arg_f32(info, 1, K, "y", y) || !arg_f32(info, 2, K, "dz", dz) ||
      !need(info, K, "dy", dy, y.n) || !need(info, K, "dz", dz, y.n))
    return info.Env().Undefined();
  const long act = arg_int(info, 3);
  if (act < 0 || act >= kActCount) return fail(info, "activationBackward: unknown activation"), info.Env().Undefined();
  activation_backward(dy.p, y.p, dz.p, y.n, static_cast<int>(act), static_cast<float>(arg_num(info, 4)));
  return info.Env().Undefined();
}

// unary(op, a, out, p0, p1)
Napi::Value Unary(const Napi::CallbackInfo& info) {
  FtzScope ftz;
  F32 a, out;
  const int op = static_cast<int>(arg_int(info, 0));
  if (!arg_f32(info, 1, "unary", "a", a) || !arg_f32(info, 2, "unary", "out", out) || !need(info, "unary", "out", out, a.n))
    return info.Env().Undefined();
  if (op < 0 || op >= kUnaryCount) return fail(info, "unary: unknown op"), info.Env().Undefined();
  const double p0 = arg_num(info, 3), p1 = arg_num(info, 4);
  unary(op, a.p, out.p, a.n, p0, p1);
  return info.Env().Undefined();
}

// binary(op, a, aStrides, b, bStrides, out, shape)
Napi::Value Binary(const Napi::CallbackInfo& info) {
  FtzScope ftz;
  const char* K = "binary";
  F32 a, b, out;
  Dims as, bs, shape;
  const int op = static_cast<int>(arg_int(info, 0));
  if (!arg_f32(info, 1, K, "a", a) || !arg_longs(info, 2, K, as) || !arg_f32(info, 3, K, "b", b) ||
      !arg_longs(info, 4, K, bs) || !arg_f32(info, 5, K, "out", out) || !arg_longs(info, 6, K, shape))
    return info.Env().Undefined();
  if (op < 0 || op >= kBinaryCount) return fail(info, "binary: unknown op"), info.Env().Undefined();
  if (as.size() != shape.size() || bs.size() != shape.size())
    return fail(info, "binary: strides and shape must have the same rank"), info.Env().Undefined();
  for (size_t d = 0; d < shape.n; ++d)
    if (shape[d] < 0) return fail(info, "binary: negative dimension"), info.Env().Undefined();
  const size_t total = product(shape);
  if (total > 0 && (!strided_fits(shape, as, a.n) || !strided_fits(shape, bs, b.n)))
    return fail(info, "binary: strides reach outside a or b"), info.Env().Undefined();
  if (!need(info, K, "out", out, total)) return info.Env().Undefined();
  if (total == 0) return info.Env().Undefined();
  binary(op, a.p, as.data(), b.p, bs.data(), out.p, shape.data(), static_cast<int>(shape.size()));
  return info.Env().Undefined();
}

// reduceSum(a, shape, out, outStrides)
Napi::Value ReduceSum(const Napi::CallbackInfo& info) {
  FtzScope ftz;
  const char* K = "reduceSum";
  F32 a, out;
  Dims shape, os;
  if (!arg_f32(info, 0, K, "a", a) || !arg_longs(info, 1, K, shape) || !arg_f32(info, 2, K, "out", out) ||
      !arg_longs(info, 3, K, os))
    return info.Env().Undefined();
  if (os.size() != shape.size()) return fail(info, "reduceSum: outStrides and shape differ in rank"), info.Env().Undefined();
  size_t out_size = 1;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] < 0) return fail(info, "reduceSum: negative dimension"), info.Env().Undefined();
    if (os[d] != 0) out_size *= static_cast<size_t>(shape[d]);
  }
  if (!need(info, K, "a", a, product(shape)) || !need(info, K, "out", out, out_size)) return info.Env().Undefined();
  if (product(shape) > 0 && !strided_fits(shape, os, out.n))
    return fail(info, "reduceSum: outStrides reach outside out"), info.Env().Undefined();
  reduce_sum(a.p, shape.data(), static_cast<int>(shape.size()), out.p, os.data());
  return info.Env().Undefined();
}

// sumRows(a, m, n, out, beta)
Napi::Value SumRows(const Napi::CallbackInfo& info) {
  FtzScope ftz;
  const char* K = "sumRows";
  F32 a, out;
  const long m = arg_int(info, 1), n = arg_int(info, 2);
  if (!dims_ok(info, K, {m, n}) || !arg_f32(info, 0, K, "a", a) || !arg_f32(info, 3, K, "out", out) ||
      !need(info, K, "a", a, size_t(m) * n) || !need(info, K, "out", out, n))
    return info.Env().Undefined();
  sum_rows(a.p, m, n, out.p, static_cast<float>(arg_num(info, 4)));
  return info.Env().Undefined();
}

// squaredError / bceWithLogits (pred, target, grad|null, scale) -> number
template <double (*FN)(const float*, const float*, float*, size_t, double)>
Napi::Value Loss(const Napi::CallbackInfo& info) {
  FtzScope ftz;
  const char* K = "loss";
  F32 p, t, g;
  if (!arg_f32(info, 0, K, "pred", p) || !arg_f32(info, 1, K, "target", t) || !arg_f32(info, 2, K, "grad", g, true) ||
      !need(info, K, "target", t, p.n) || (g.p && !need(info, K, "grad", g, p.n)))
    return info.Env().Undefined();
  return Napi::Number::New(info.Env(), FN(p.p, t.p, g.p, p.n, arg_num(info, 3)));
}

Napi::Value Sum(const Napi::CallbackInfo& info) {
  FtzScope ftz;
  F32 a;
  if (!arg_f32(info, 0, "sum", "a", a)) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), sum(a.p, a.n));
}

Napi::Value SumSquares(const Napi::CallbackInfo& info) {
  FtzScope ftz;
  F32 a;
  if (!arg_f32(info, 0, "sumSquares", "a", a)) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), sum_squares(a.p, a.n));
}

Napi::Value AllFinite(const Napi::CallbackInfo& info) {
  // No FtzScope: DAZ would not change the answer, but keep the caller's mode untouched anyway.
  F32 a;
  if (!arg_f32(info, 0, "allFinite", "a", a)) return info.Env().Undefined();
  return Napi::Boolean::New(info.Env(), all_finite(a.p, a.n));
}

// axpby(a, alpha, out, beta)
Napi::Value Axpby(const Napi::CallbackInfo& info) {
  FtzScope ftz;
  F32 a, out;
  if (!arg_f32(info, 0, "axpby", "a", a) || !arg_f32(info, 2, "axpby", "out", out) || !need(info, "axpby", "out", out, a.n))
    return info.Env().Undefined();
  axpby(a.p, static_cast<float>(arg_num(info, 1)), out.p, static_cast<float>(arg_num(info, 3)), a.n);
  return info.Env().Undefined();
}

// adamStep(p, g, m, v, lr, beta1, beta2, eps, step, gradDecay, decoupledDecay)
Napi::Value AdamStep(const Napi::CallbackInfo& info) {
  FtzScope ftz;
  const char* K = "adamStep";
  F32 p, g, m, v;
  if (!arg_f32(info, 0, K, "p", p) || !arg_f32(info, 1, K, "g", g) || !arg_f32(info, 2, K, "m", m) ||
      !arg_f32(info, 3, K, "v", v) || !need(info, K, "g", g, p.n) || !need(info, K, "m", m, p.n) ||
      !need(info, K, "v", v, p.n))
    return info.Env().Undefined();
  AdamArgs a{arg_num(info, 4), arg_num(info, 5), arg_num(info, 6), arg_num(info, 7), arg_num(info, 9),
             arg_num(info, 10), static_cast<int>(arg_int(info, 8))};
  adam_step(p.p, g.p, m.p, v.p, p.n, a);
  return info.Env().Undefined();
}

// sgdStep(p, g, velocity, lr, momentum, nesterov, gradDecay, decoupledDecay)
Napi::Value SgdStep(const Napi::CallbackInfo& info) {
  FtzScope ftz;
  const char* K = "sgdStep";
  F32 p, g, vel;
  if (!arg_f32(info, 0, K, "p", p) || !arg_f32(info, 1, K, "g", g) || !arg_f32(info, 2, K, "velocity", vel) ||
      !need(info, K, "g", g, p.n))
    return info.Env().Undefined();
  SgdArgs a{arg_num(info, 3), arg_num(info, 4), arg_num(info, 6), arg_num(info, 7), arg_bool(info, 5)};
  if (a.momentum != 0 && !need(info, K, "velocity", vel, p.n)) return info.Env().Undefined();
  sgd_step(p.p, g.p, vel.p, p.n, a);
  return info.Env().Undefined();
}

// hammingRank(codes: Uint32Array, words, query: Uint32Array, indices: Uint32Array, distances: Uint8Array)
Napi::Value HammingRank(const Napi::CallbackInfo& info) {
  const char* K = "hammingRank";
  const auto typed = [&](size_t i, napi_typedarray_type type) {
    return info[i].IsTypedArray() && info[i].As<Napi::TypedArray>().TypedArrayType() == type;
  };
  if (!typed(0, napi_uint32_array) || !typed(2, napi_uint32_array) || !typed(3, napi_uint32_array) ||
      !typed(4, napi_uint8_array)) {
    Napi::TypeError::New(info.Env(), "aekit native hammingRank: expected (Uint32Array, words, Uint32Array, Uint32Array, Uint8Array)")
        .ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  Napi::Uint32Array codes = info[0].As<Napi::Uint32Array>(), query = info[2].As<Napi::Uint32Array>();
  Napi::Uint32Array indices = info[3].As<Napi::Uint32Array>();
  Napi::Uint8Array distances = info[4].As<Napi::Uint8Array>();
  const long words = arg_int(info, 1);
  const size_t n = indices.ElementLength();
  const bool fits = words >= 1 && words <= 8 && distances.ElementLength() == n &&
                    codes.ElementLength() >= n * words && query.ElementLength() >= size_t(words);
  if (!fits) {
    fail(info, std::string(K) + ": codes of 1 to 8 words, " + std::to_string(n) + " of them, and a query of as many words");
    return info.Env().Undefined();
  }
  hamming_rank(codes.Data(), n, static_cast<int>(words), query.Data(), indices.Data(), distances.Data());
  return info.Env().Undefined();
}

template <size_t N>
Napi::Array names_array(Napi::Env env, const char* const (&names)[N]) {
  Napi::Array a = Napi::Array::New(env, N);
  for (size_t i = 0; i < N; ++i) a.Set(static_cast<uint32_t>(i), names[i]);
  return a;
}

// kernelNames(): the activation, unary and binary op names in the order of the addon's enums.
Napi::Value KernelNames(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("activations", names_array(info.Env(), kActNames));
  o.Set("unaryOps", names_array(info.Env(), kUnaryNames));
  o.Set("binaryOps", names_array(info.Env(), kBinaryNames));
  return o;
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
  const GemmBlocking b = gemm_blocking();
  o.Set("isa", isa_name(active_isa()));
  o.Set("threads", ThreadPool::instance().threads());
  o.Set("mr", b.mr);
  o.Set("nr", b.nr);
  o.Set("kc", b.kc);
  o.Set("mc", b.mc);
  return o;
}

// Testing and benchmarking hooks.
Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  ThreadPool::instance().set_threads(static_cast<int>(arg_int(info, 0)));
  return Napi::Number::New(info.Env(), ThreadPool::instance().threads());
}

Napi::Value SetIsa(const Napi::CallbackInfo& info) {
  std::string s = info[0].As<Napi::String>().Utf8Value();
  Isa want = s == "avx512" ? Isa::Avx512 : s == "avx2" ? Isa::Avx2 : Isa::Baseline;
  return Napi::String::New(info.Env(), isa_name(set_isa(want)));
}

Napi::Value PeakGflops(const Napi::CallbackInfo& info) {
  FtzScope ftz;
  double seconds = info.Length() > 0 && info[0].IsNumber() ? arg_num(info, 0) : 1.0;
  return Napi::Number::New(info.Env(), measure_peak_gflops(seconds));
}

Napi::Value CorePeakGflops(const Napi::CallbackInfo& info) {
  FtzScope ftz;
  double seconds = info.Length() > 0 && info[0].IsNumber() ? arg_num(info, 0) : 0.3;
  return Napi::Number::New(info.Env(), measure_core_peak_cpu(seconds));
}

#ifdef AEKIT_GEMM_PROFILE
// gemmProfile(): the instrumented build's cycle totals since the last call (then zeroed).
Napi::Value GemmProfile(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
  const char* names[kGemmPhases] = {"packA", "packB", "waitA", "strip"};
  for (int p = 0; p < kGemmPhases; ++p)
    o.Set(names[p], static_cast<double>(gemm_profile_counters()[p].exchange(0)));
  return o;
}
#endif

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("gemm", Napi::Function::New(env, Gemm));
  exports.Set("linearForward", Napi::Function::New(env, LinearForward));
  exports.Set("activationBackward", Napi::Function::New(env, ActivationBackward));
  exports.Set("unary", Napi::Function::New(env, Unary));
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("reduceSum", Napi::Function::New(env, ReduceSum));
  exports.Set("sumRows", Napi::Function::New(env, SumRows));
  exports.Set("squaredError", Napi::Function::New(env, Loss<squared_error>));
  exports.Set("bceWithLogits", Napi::Function::New(env, Loss<bce_with_logits>));
  exports.Set("sum", Napi::Function::New(env, Sum));
  exports.Set("sumSquares", Napi::Function::New(env, SumSquares));
  exports.Set("allFinite", Napi::Function::New(env, AllFinite));
  exports.Set("axpby", Napi::Function::New(env, Axpby));
  exports.Set("adamStep", Napi::Function::New(env, AdamStep));
  exports.Set("sgdStep", Napi::Function::New(env, SgdStep));
  exports.Set("hammingRank", Napi::Function::New(env, HammingRank));
  register_image_kernels(env, exports);
  exports.Set("info", Napi::Function::New(env, Info));
  exports.Set("kernelNames", Napi::Function::New(env, KernelNames));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("setIsa", Napi::Function::New(env, SetIsa));
  exports.Set("peakGflops", Napi::Function::New(env, PeakGflops));
  exports.Set("corePeakGflops", Napi::Function::New(env, CorePeakGflops));
#ifdef AEKIT_GEMM_PROFILE
  exports.Set("gemmProfile", Napi::Function::New(env, GemmProfile));
#endif
  return exports;
}

}  // namespace

NODE_API_MODULE(aekit_native, Init)
