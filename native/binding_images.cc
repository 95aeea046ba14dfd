// The N-API surface of the image kernels: convolution, pooling with indices, unpooling, batch
// normalisation and the per-pixel losses over classes (softmax cross-entropy, soft Jaccard).
// Argument checks only; the kernels are in conv.cc, normalization.cc, losses.cc and soft_jaccard.cc.
#include "binding_images.h"
#include "conv_choice.h"
#include "cpu.h"
#include "kernels.h"
#include "napi_args.h"

namespace aekit {

namespace {

// A convolution's 16 sizes from a JS array, checked: positive where they must be, groups dividing
// both channel counts, and every array long enough for them.
bool arg_conv(const Napi::CallbackInfo& info, size_t i, const char* K, ConvGeom& g) {
  Dims d;
  if (!arg_longs(info, i, K, d)) return false;
  if (d.n != 16) return fail(info, std::string(K) + ": expected 16 sizes");
  const long* v = d.v;
  g = ConvGeom{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14], v[15]};
  const bool ok = g.batch >= 0 && g.in_c > 0 && g.in_h > 0 && g.in_w > 0 && g.out_c > 0 && g.out_h > 0 && g.out_w > 0 &&
                  g.kh > 0 && g.kw > 0 && g.sh > 0 && g.sw > 0 && g.ph >= 0 && g.pw >= 0 && g.dh > 0 && g.dw > 0 &&
                  g.groups > 0 && g.in_c % g.groups == 0 && g.out_c % g.groups == 0 &&
                  g.batch * g.in_c * g.in_h * g.in_w < (1L << 31) && g.batch * g.out_c * g.out_h * g.out_w < (1L << 31);
  return ok || fail(info, std::string(K) + ": sizes out of range");
}

bool conv_arrays(const Napi::CallbackInfo& info, const char* K, const ConvGeom& g, const F32& x, const F32& w,
                 const F32& y) {
  return need(info, K, "input", x, size_t(g.batch * g.in_c * g.in_h * g.in_w)) &&
         need(info, K, "weight", w, size_t(g.out_c * (g.in_c / g.groups) * g.kh * g.kw)) &&
         need(info, K, "output", y, size_t(g.batch * g.out_c * g.out_h * g.out_w));
}

// conv2dForward(x, w, bias|null, y, sizes, act, slope)
Napi::Value Conv2dForward(const Napi::CallbackInfo& info) {
  FtzScope ftz;
  const char* K = "conv2dForward";
  F32 x, w, b, y;
  ConvGeom g;
  if (!arg_f32(info, 0, K, "x", x) || !arg_f32(info, 1, K, "w", w) || !arg_f32(info, 2, K, "bias", b, true) ||
      !arg_f32(info, 3, K, "y", y) || !arg_conv(info, 4, K, g) || !conv_arrays(info, K, g, x, w, y) ||
      (b.p && !need(info, K, "bias", b, size_t(g.out_c))))
    return info.Env().Undefined();
  const long act = arg_int(info, 5);
  if (act < 0 || act >= kActCount) {
    fail(info, std::string(K) + ": unknown activation");
    return info.Env().Undefined();
  }
  conv2d_forward(x.p, w.p, b.p, y.p, g, static_cast<int>(act), static_cast<float>(arg_num(info, 6)));
  return info.Env().Undefined();
}

// conv2dBackwardInput(dy, w, dx, sizes, beta)
Napi::Value Conv2dBackwardInput(const Napi::CallbackInfo& info) {
  FtzScope ftz;
  const char* K = "conv2dBackwardInput";
  F32 dy, w, dx;
  ConvGeom g;
  if (!arg_f32(info, 0, K, "dy", dy) || !arg_f32(info, 1, K, "w", w) || !arg_f32(info, 2, K, "dx", dx) ||
      !arg_conv(info, 3, K, g) || !conv_arrays(info, K, g, dx, w, dy))
    return info.Env().Undefined();
  conv2d_backward_input(dy.p, w.p, dx.p, g, static_cast<float>(arg_num(info, 4)));
  return info.Env().Undefined();
}

// conv2dBackwardFilter(x, dy, dw, sizes, beta)
Napi::Value Conv2dBackwardFilter(const Napi::CallbackInfo& info) {
  FtzScope ftz;
  const char* K = "conv2dBackwardFilter";
  F32 x, dy, dw;
  ConvGeom g;
  if (!arg_f32(info, 0, K, "x", x) || !arg_f32(info, 1, K, "dy", dy) || !arg_f32(info, 2, K, "dw", dw) ||
      !arg_conv(info, 3, K, g) || !conv_arrays(info, K, g, x, dw, dy))
    return info.Env().Undefined();
  conv2d_backward_filter(x.p, dy.p, dw.p, g, static_cast<float>(arg_num(info, 4)));
  return info.Env().Undefined();
}

// maxPool2d(x, y, indices, [planes, inH, inW, outH, outW, kH, kW, sH, sW, pH, pW])
Napi::Value MaxPool2d(const Napi::CallbackInfo& info) {
  FtzScope ftz;
  const char* K = "maxPool2d";
  F32 x, y;
  Napi::Int32Array idx;
  Dims d;
  if (!arg_f32(info, 0, K, "x", x) || !arg_f32(info, 1, K, "y", y) || !arg_i32(info, 2, K, idx) || !arg_longs(info, 3, K, d))
    return info.Env().Undefined();
  if (d.n != 11) {
    fail(info, std::string(K) + ": expected 11 sizes");
    return info.Env().Undefined();
  }
  const long* v = d.v;
  const PoolGeom g{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10]};
  const bool ok = g.planes >= 0 && g.in_h > 0 && g.in_w > 0 && g.out_h > 0 && g.out_w > 0 && g.kh > 0 && g.kw > 0 &&
                  g.sh > 0 && g.sw > 0 && g.ph >= 0 && g.pw >= 0 && g.planes * g.in_h * g.in_w < (1L << 31);
  const size_t out = size_t(g.planes * g.out_h * g.out_w);
  if (!ok) {
    fail(info, std::string(K) + ": sizes out of range");
    return info.Env().Undefined();
  }
  if (!need(info, K, "x", x, size_t(g.planes * g.in_h * g.in_w)) || !need(info, K, "y", y, out)) return info.Env().Undefined();
  if (idx.ElementLength() < out) {
    fail(info, std::string(K) + ": indices too short");
    return info.Env().Undefined();
  }
  max_pool2d(x.p, y.p, idx.Data(), g);
  return info.Env().Undefined();
}

// scatterAdd / gather (src, indices, dst, planes, srcSize, dstSize, beta); every index is checked
// against the plane it points into before anything is written.
template <bool Scatter> Napi::Value IndexMove(const Napi::CallbackInfo& info) {
  FtzScope ftz;
  const char* K = Scatter ? "scatterAdd" : "gather";
  F32 src, dst;
  Napi::Int32Array idx;
  if (!arg_f32(info, 0, K, "src", src) || !arg_i32(info, 1, K, idx) || !arg_f32(info, 2, K, "dst", dst))
    return info.Env().Undefined();
  const long planes = arg_int(info, 3), src_size = arg_int(info, 4), dst_size = arg_int(info, 5);
  if (!dims_ok(info, K, {planes, src_size, dst_size}) || !need(info, K, "src", src, size_t(planes * src_size)) ||
      !need(info, K, "dst", dst, size_t(planes * dst_size)))
    return info.Env().Undefined();
  const size_t count = size_t(planes * (Scatter ? src_size : dst_size));
  const long bound = Scatter ? dst_size : src_size;
  if (idx.ElementLength() < count) {
    fail(info, std::string(K) + ": indices too short");
    return info.Env().Undefined();
  }
  const int32_t* ip = idx.Data();
  for (size_t i = 0; i < count; ++i) {
    if (ip[i] < 0 || ip[i] >= bound) {
      fail(info, std::string(K) + ": index " + std::to_string(ip[i]) + " at " + std::to_string(i) + " is outside [0, " + std::to_string(bound) + ")");
      return info.Env().Undefined();
    }
  }
  const float beta = static_cast<float>(arg_num(info, 6));
  if (Scatter) scatter_add(src.p, ip, dst.p, planes, src_size, dst_size, beta);
  else gather(src.p, ip, dst.p, planes, src_size, dst_size, beta);
  return info.Env().Undefined();
}

// [n, channels, spatial] from three integer arguments starting at i, each an int32, their
// product too.
bool arg_planes(const Napi::CallbackInfo& info, size_t i, const char* K, long& n, long& channels, long& spatial) {
  n = arg_int(info, i);
  channels = arg_int(info, i + 1);
  spatial = arg_int(info, i + 2);
  return dims_ok(info, K, {n, channels, spatial, n * channels * spatial});
}

// channelStats(x, n, channels, spatial, mean, variance)
Napi::Value ChannelStats(const Napi::CallbackInfo& info) {
  FtzScope ftz;
  const char* K = "channelStats";
  F32 x, mean, variance;
  long n, c, s;
  if (!arg_f32(info, 0, K, "x", x) || !arg_planes(info, 1, K, n, c, s) || !arg_f32(info, 4, K, "mean", mean) ||
      !arg_f32(info, 5, K, "variance", variance) || !need(info, K, "x", x, size_t(n * c * s)) ||
      !need(info, K, "mean", mean, size_t(c)) || !need(info, K, "variance", variance, size_t(c)))
    return info.Env().Undefined();
  channel_stats(x.p, n, c, s, mean.p, variance.p);
  return info.Env().Undefined();
}

// batchNormApply(x, n, channels, spatial, mean, scale, shift, y)
Napi::Value BatchNormApply(const Napi::CallbackInfo& info) {
  FtzScope ftz;
  const char* K = "batchNormApply";
  F32 x, mean, scale, shift, y;
  long n, c, s;
  if (!arg_f32(info, 0, K, "x", x) || !arg_planes(info, 1, K, n, c, s) || !arg_f32(info, 4, K, "mean", mean) ||
      !arg_f32(info, 5, K, "scale", scale) || !arg_f32(info, 6, K, "shift", shift) || !arg_f32(info, 7, K, "y", y) ||
      !need(info, K, "x", x, size_t(n * c * s)) || !need(info, K, "mean", mean, size_t(c)) ||
      !need(info, K, "scale", scale, size_t(c)) || !need(info, K, "shift", shift, size_t(c)) ||
      !need(info, K, "y", y, size_t(n * c * s)))
    return info.Env().Undefined();
  batch_norm_apply(x.p, n, c, s, mean.p, scale.p, shift.p, y.p);
  return info.Env().Undefined();
}

// batchNormBackward(x, dy, n, channels, spatial, mean, invStd, gamma, batchStats, dx, beta, dGamma, dBeta)
Napi::Value BatchNormBackward(const Napi::CallbackInfo& info) {
  FtzScope ftz;
  const char* K = "batchNormBackward";
  F32 x, dy, mean, inv_std, gamma, dx, d_gamma, d_beta;
  long n, c, s;
  if (!arg_f32(info, 0, K, "x", x) || !arg_f32(info, 1, K, "dy", dy) || !arg_planes(info, 2, K, n, c, s) ||
      !arg_f32(info, 5, K, "mean", mean) || !arg_f32(info, 6, K, "invStd", inv_std) || !arg_f32(info, 7, K, "gamma", gamma) ||
      !arg_f32(info, 9, K, "dx", dx) || !arg_f32(info, 11, K, "dGamma", d_gamma) || !arg_f32(info, 12, K, "dBeta", d_beta))
    return info.Env().Undefined();
  const size_t size = size_t(n * c * s);
  if (!need(info, K, "x", x, size) || !need(info, K, "dy", dy, size) || !need(info, K, "dx", dx, size) ||
      !need(info, K, "mean", mean, size_t(c)) || !need(info, K, "invStd", inv_std, size_t(c)) ||
      !need(info, K, "gamma", gamma, size_t(c)) || !need(info, K, "dGamma", d_gamma, size_t(c)) ||
      !need(info, K, "dBeta", d_beta, size_t(c)))
    return info.Env().Undefined();
  batch_norm_backward(x.p, dy.p, n, c, s, mean.p, inv_std.p, gamma.p, arg_bool(info, 8), dx.p,
                      static_cast<float>(arg_num(info, 10)), d_gamma.p, d_beta.p);
  return info.Env().Undefined();
}

// Every label an integer class in [0, classes), checked before a kernel reads anything through it;
// throws (and returns false) at the first that is not.
bool labels_are_classes(const Napi::CallbackInfo& info, const char* K, const F32& labels, size_t count, long classes) {
  for (size_t i = 0; i < count; ++i) {
    const float l = labels.p[i];
    if (!(l >= 0.f && l < float(classes) && l == float(long(l)))) {
      fail(info, std::string(K) + ": label " + std::to_string(l) + " at " + std::to_string(i) + " is not a class");
      return false;
    }
  }
  return true;
}

// softmaxCrossEntropy(logits, labels, n, classes, positions, weights|null, grad|null) -> [loss, weightSum];
// every label is checked to be a class before anything is read through it.
Napi::Value SoftmaxCrossEntropy(const Napi::CallbackInfo& info) {
  FtzScope ftz;
  const char* K = "softmaxCrossEntropy";
  F32 z, labels, weights, grad;
  long n, classes, positions;
  if (!arg_f32(info, 0, K, "logits", z) || !arg_f32(info, 1, K, "labels", labels) ||
      !arg_planes(info, 2, K, n, classes, positions) || !arg_f32(info, 5, K, "weights", weights, true) ||
      !arg_f32(info, 6, K, "grad", grad, true))
    return info.Env().Undefined();
  const size_t size = size_t(n * classes * positions);
  if (!need(info, K, "logits", z, size) || !need(info, K, "labels", labels, size_t(n * positions)) ||
      (weights.p && !need(info, K, "weights", weights, size_t(classes))) || (grad.p && !need(info, K, "grad", grad, size)))
    return info.Env().Undefined();
  if (!labels_are_classes(info, K, labels, size_t(n * positions), classes)) return info.Env().Undefined();
  double loss, weight_sum;
  softmax_cross_entropy(z.p, labels.p, weights.p, grad.p, n, classes, positions, &loss, &weight_sum);
  Napi::Array out = Napi::Array::New(info.Env(), 2);
  out.Set(0u, loss);
  out.Set(1u, weight_sum);
  return out;
}

// softJaccard(logits, labels, n, classes, positions, grad|null) -> loss; the labels are checked as
// softmaxCrossEntropy's are.
Napi::Value SoftJaccard(const Napi::CallbackInfo& info) {
  FtzScope ftz;
  const char* K = "softJaccard";
  F32 z, labels, grad;
  long n, classes, positions;
  if (!arg_f32(info, 0, K, "logits", z) || !arg_f32(info, 1, K, "labels", labels) ||
      !arg_planes(info, 2, K, n, classes, positions) || !arg_f32(info, 5, K, "grad", grad, true))
    return info.Env().Undefined();
  const size_t size = size_t(n * classes * positions);
  if (!need(info, K, "logits", z, size) || !need(info, K, "labels", labels, size_t(n * positions)) ||
      (grad.p && !need(info, K, "grad", grad, size)) || !labels_are_classes(info, K, labels, size_t(n * positions), classes))
    return info.Env().Undefined();
  return Napi::Number::New(info.Env(), soft_jaccard(z.p, labels.p, grad.p, n, classes, positions));
}

// Testing and tuning hook: setConvAlgo("auto" | "im2col" | "direct") forces the algorithm of every
// convolution pass; returns the name set.
// setConvTuned(pass, sizes, algo): a measured choice for one pass (0 forward, 1 input gradient,
// 2 filter gradient) and geometry (the batch is ignored); algo 0 forgets it, 1 im2col, 2 direct.
// clearConvTuned() forgets them all. convRule(pass, sizes): the built-in rule's choice.
Napi::Value SetConvTuned(const Napi::CallbackInfo& info) {
  const char* K = "setConvTuned";
  ConvGeom g;
  const long pass = arg_int(info, 0), algo = arg_int(info, 2);
  if (!arg_conv(info, 1, K, g)) return info.Env().Undefined();
  if (pass < 0 || pass > 2 || algo < 0 || algo > 2) return fail(info, std::string(K) + ": pass 0-2 and algorithm 0-2"), info.Env().Undefined();
  set_conv_tuned(static_cast<ConvPass>(pass), g, static_cast<ConvAlgo>(algo));
  return info.Env().Undefined();
}

Napi::Value ClearConvTuned(const Napi::CallbackInfo& info) {
  clear_conv_tuned();
  return info.Env().Undefined();
}

Napi::Value ConvRule(const Napi::CallbackInfo& info) {
  ConvGeom g;
  const long pass = arg_int(info, 0);
  if (!arg_conv(info, 1, "convRule", g)) return info.Env().Undefined();
  if (pass < 0 || pass > 2) return fail(info, "convRule: pass 0-2"), info.Env().Undefined();
  return Napi::String::New(info.Env(), conv_rule(static_cast<ConvPass>(pass), g) == ConvAlgo::Direct ? "direct" : "im2col");
}

Napi::Value SetConvAlgo(const Napi::CallbackInfo& info) {
  const std::string s = info.Length() > 0 && info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
  const ConvAlgo algo = s == "im2col" ? ConvAlgo::Im2col : s == "direct" ? ConvAlgo::Direct : ConvAlgo::Auto;
  set_conv_override(algo);
  return Napi::String::New(info.Env(), algo == ConvAlgo::Im2col ? "im2col" : algo == ConvAlgo::Direct ? "direct" : "auto");
}

}  // namespace

void register_image_kernels(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2dForward", Napi::Function::New(env, Conv2dForward));
  exports.Set("setConvAlgo", Napi::Function::New(env, SetConvAlgo));
  exports.Set("setConvTuned", Napi::Function::New(env, SetConvTuned));
  exports.Set("clearConvTuned", Napi::Function::New(env, ClearConvTuned));
  exports.Set("convRule", Napi::Function::New(env, ConvRule));
  exports.Set("conv2dBackwardInput", Napi::Function::New(env, Conv2dBackwardInput));
  exports.Set("conv2dBackwardFilter", Napi::Function::New(env, Conv2dBackwardFilter));
  exports.Set("maxPool2d", Napi::Function::New(env, MaxPool2d));
  exports.Set("scatterAdd", Napi::Function::New(env, IndexMove<true>));
  exports.Set("gather", Napi::Function::New(env, IndexMove<false>));
  exports.Set("channelStats", Napi::Function::New(env, ChannelStats));
  exports.Set("batchNormApply", Napi::Function::New(env, BatchNormApply));
  exports.Set("batchNormBackward", Napi::Function::New(env, BatchNormBackward));
  exports.Set("softmaxCrossEntropy", Napi::Function::New(env, SoftmaxCrossEntropy));
  exports.Set("softJaccard", Napi::Function::New(env, SoftJaccard));
}

}  // namespace aekit
