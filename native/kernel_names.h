// The ops and activations the kernels take by number, named once. The enums are generated from
// these lists, the addon reports the names (kernelNames() in binding.cc), and the native backend
// checks them against ACTIVATIONS, UNARY_OPS and BINARY_OPS of src/backend/backend.ts when it
// loads (a test compares them too), so the two sides cannot drift apart by order or by count.
#pragma once

#define AEKIT_ACTIVATIONS(X) \
  X(kIdentity, "identity") X(kSigmoid, "sigmoid") X(kTanh, "tanh") X(kRelu, "relu") X(kLeakyRelu, "leaky_relu")

#define AEKIT_UNARY_OPS(X)                                                                                     \
  X(kNeg, "neg") X(kExp, "exp") X(kLog, "log") X(kSquare, "square") X(kSqrt, "sqrt") X(kAbs, "abs")           \
  X(kSign, "sign") X(kUSigmoid, "sigmoid") X(kUTanh, "tanh") X(kURelu, "relu") X(kULeakyRelu, "leaky_relu")   \
  X(kClamp, "clamp") X(kAddScalar, "add_scalar") X(kMulScalar, "mul_scalar") X(kPowScalar, "pow_scalar")      \
  X(kRsubScalar, "rsub_scalar") X(kRdivScalar, "rdiv_scalar")

#define AEKIT_BINARY_OPS(X) X(kAdd, "add") X(kSub, "sub") X(kMul, "mul") X(kDiv, "div") X(kMax, "max") X(kMin, "min")

#define AEKIT_ENUM_ENTRY(id, name) id,
#define AEKIT_NAME_ENTRY(id, name) name,

namespace aekit {

enum Act : int { AEKIT_ACTIVATIONS(AEKIT_ENUM_ENTRY) kActCount };
enum UnaryOp : int { AEKIT_UNARY_OPS(AEKIT_ENUM_ENTRY) kUnaryCount };
enum BinaryOp : int { AEKIT_BINARY_OPS(AEKIT_ENUM_ENTRY) kBinaryCount };

inline constexpr const char* kActNames[] = {AEKIT_ACTIVATIONS(AEKIT_NAME_ENTRY)};
inline constexpr const char* kUnaryNames[] = {AEKIT_UNARY_OPS(AEKIT_NAME_ENTRY)};
inline constexpr const char* kBinaryNames[] = {AEKIT_BINARY_OPS(AEKIT_NAME_ENTRY)};

}  // namespace aekit
