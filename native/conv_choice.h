// The choice between im2col + GEMM and the direct kernels, per pass and geometry (conv_choice.cc).
#pragma once
#include "conv_direct.h"

namespace aekit {

// The algorithm this call runs.
ConvAlgo conv_algo(ConvPass pass, const ConvGeom& g);
// The built-in rule alone (what runs without a tuned choice).
ConvAlgo conv_rule(ConvPass pass, const ConvGeom& g);
// Testing and tuning hook: every convolution pass runs `algo` (Auto: the choice as usual).
void set_conv_override(ConvAlgo algo);
// A measured choice for one pass and per-image geometry (g.batch is ignored); Auto forgets it.
void set_conv_tuned(ConvPass pass, const ConvGeom& g, ConvAlgo algo);
void clear_conv_tuned();

}  // namespace aekit
