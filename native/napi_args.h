// Argument unpacking and bounds checks shared by the N-API binding files. Bounds are checked
// here because a wrong length in JS would otherwise become a silent out-of-bounds write in native
// code; every failed check throws a JS exception and returns false.
#pragma once
#include <napi.h>
#include <initializer_list>
#include <string>

namespace aekit {

struct F32 {
  float* p = nullptr;
  size_t n = 0;
};

// Reads argument i as a Float32Array (or null when allowed); throws a TypeError otherwise.
inline bool arg_f32(const Napi::CallbackInfo& info, size_t i, const char* kernel, const char* name, F32& out,
             bool nullable = false) {
  Napi::Value v = info[i];
  if (nullable && (v.IsNull() || v.IsUndefined())) {
    out = F32{};
    return true;
  }
  if (v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_float32_array) {
    Napi::Float32Array a = v.As<Napi::Float32Array>();
    out.p = a.Data();  // already adjusted by the view's byteOffset
    out.n = a.ElementLength();
    return true;
  }
  Napi::TypeError::New(info.Env(), std::string("aekit native ") + kernel + ": " + name + " must be a Float32Array")
      .ThrowAsJavaScriptException();
  return false;
}

inline double arg_num(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Number>().DoubleValue(); }
inline long arg_int(const Napi::CallbackInfo& info, size_t i) { return static_cast<long>(info[i].As<Napi::Number>().Int64Value()); }
inline bool arg_bool(const Napi::CallbackInfo& info, size_t i) { return info[i].ToBoolean().Value(); }

inline bool need(const Napi::CallbackInfo& info, const char* kernel, const char* name, const F32& a, size_t n) {
  if (a.n >= n) return true;
  Napi::RangeError::New(info.Env(), std::string("aekit native ") + kernel + ": " + name + " has " +
                                        std::to_string(a.n) + " elements, needs " + std::to_string(n))
      .ThrowAsJavaScriptException();
  return false;
}

inline bool fail(const Napi::CallbackInfo& info, const std::string& msg) {
  Napi::RangeError::New(info.Env(), "aekit native " + msg).ThrowAsJavaScriptException();
  return false;
}

// A shape or stride list of at most 16 entries, on the stack (no allocation per call).
struct Dims {
  long v[16];
  size_t n = 0;
  size_t size() const { return n; }
  long operator[](size_t i) const { return v[i]; }
  const long* data() const { return v; }
};

// Reads a JS array of integers (shape or strides).
inline bool arg_longs(const Napi::CallbackInfo& info, size_t i, const char* kernel, Dims& out) {
  if (!info[i].IsArray()) return fail(info, std::string(kernel) + ": expected an array of integers");
  Napi::Array a = info[i].As<Napi::Array>();
  if (a.Length() > 16) return fail(info, std::string(kernel) + ": rank above 16 is not supported");
  out.n = a.Length();
  for (uint32_t k = 0; k < a.Length(); ++k) {
    Napi::Value e = a.Get(k);
    if (!e.IsNumber()) return fail(info, std::string(kernel) + ": expected an array of integers");
    out.v[k] = static_cast<long>(e.As<Napi::Number>().Int64Value());
  }
  return true;
}

// The largest element offset reachable through `strides` over `shape` must be inside `len`.
inline bool strided_fits(const Dims& shape, const Dims& strides, size_t len) {
  long hi = 0;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 0) return true;
    if (strides[d] < 0) return false;
    hi += (shape[d] - 1) * strides[d];
  }
  return static_cast<size_t>(hi) < len;
}

inline size_t product(const Dims& shape) {
  size_t p = 1;
  for (size_t d = 0; d < shape.n; ++d) p *= static_cast<size_t>(shape.v[d]);
  return p;
}

inline bool dims_ok(const Napi::CallbackInfo& info, const char* kernel, std::initializer_list<long> dims) {
  for (long d : dims)
    if (d < 0 || d > (1L << 31) - 1) return fail(info, std::string(kernel) + ": dimensions must be non-negative int32");
  return true;
}

inline bool arg_i32(const Napi::CallbackInfo& info, size_t i, const char* K, Napi::Int32Array& out) {
  if (info[i].IsTypedArray() && info[i].As<Napi::TypedArray>().TypedArrayType() == napi_int32_array) {
    out = info[i].As<Napi::Int32Array>();
    return true;
  }
  Napi::TypeError::New(info.Env(), std::string("aekit native ") + K + ": indices must be an Int32Array").ThrowAsJavaScriptException();
  return false;
}

}  // namespace aekit
