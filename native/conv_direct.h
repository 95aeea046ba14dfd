// Direct convolution (no im2col matrix): the forward pass, the input gradient (the transposed
// convolution) and the filter gradient as flat-grid tap sums (conv_direct_kernel.h), for one
// group. Semantics are those of conv2d_forward / conv2d_backward_input / conv2d_backward_filter
// in kernels.h.
#pragma once
#include "kernels.h"

namespace aekit {

// Whether the direct kernels take this geometry (one group).
bool conv_direct_supported(const ConvGeom& g);
void conv2d_forward_direct(const float* x, const float* w, const float* bias, float* y, const ConvGeom& g, int act,
                           float slope);
void conv2d_backward_input_direct(const float* dy, const float* w, float* dx, const ConvGeom& g, float beta);
void conv2d_backward_filter_direct(const float* x, const float* dy, float* dw, const ConvGeom& g, float beta);

// Which algorithm a convolution call uses. Auto follows the tuned table (conv_choice.cc) and
// otherwise a rule measured on the project's machines.
enum class ConvAlgo : int { Auto = 0, Im2col = 1, Direct = 2 };
enum class ConvPass : int { Forward = 0, BackwardInput = 1, BackwardFilter = 2 };

}  // namespace aekit
