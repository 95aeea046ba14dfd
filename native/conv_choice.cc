// Which convolution algorithm runs for a given pass and geometry: a testing override, then the
// choices measured on this machine (`aekit tune`, passed in from its cache), then a rule measured
// on the project's machines. The choice depends only on the geometry, never on timing within
// the call or on the thread count, so a run gives the same bytes run after run.
#include "conv_choice.h"
#include <cstdint>
#include <atomic>
#include <mutex>
#include <unordered_map>
#include "conv_direct.h"
#include "cpu.h"

namespace aekit {
namespace {

std::atomic<int> g_override{static_cast<int>(ConvAlgo::Auto)};

// The per-image geometry (batch left out: the tuner measures each shape at one batch size and
// the choice holds for the others) and the pass, as one key.
struct Key {
  long v[16];
  bool operator==(const Key& o) const {
    for (int i = 0; i < 16; ++i)
      if (v[i] != o.v[i]) return false;
    return true;
  }
};
struct KeyHash {
  size_t operator()(const Key& k) const {
    // FNV-1a over 64 bits on every target (size_t is 32 bits in wasm32), folded at the end.
    uint64_t h = 1469598103934665603ull;
    for (long x : k.v) h = (h ^ static_cast<uint64_t>(x)) * 1099511628211ull;
    return static_cast<size_t>(h ^ (h >> 32));
  }
};
Key key_of(ConvPass pass, const ConvGeom& g) {
  return Key{{static_cast<long>(pass), g.in_c, g.in_h, g.in_w, g.out_c, g.out_h, g.out_w, g.kh, g.kw, g.sh, g.sw, g.ph,
              g.pw, g.dh, g.dw, g.groups}};
}

std::mutex g_mutex;
std::unordered_map<Key, ConvAlgo, KeyHash>& tuned() {
  static std::unordered_map<Key, ConvAlgo, KeyHash> table;
  return table;
}

}  // namespace

// Measured with bench/conv-ab.ts --algorithms --threads 1 --cpu on a Zen 5 (AVX-512 and, forced,
// AVX2) over the conv bench model's and SegNet's layers (2026-12-06; ratios im2col / direct):
// - forward: direct wins on AVX-512 everywhere but the 8x8 maps (even there 1.05-1.16x) and loses
//   where fewer output channels than a register block leave most accumulators idle; on AVX2 it
//   won from 16x16 maps up (1.35-2.7x) and tied or lost on 8x8 (0.9-1.0x), and since the shared
//   padding below it wins on 8x8 too (1.12-1.34x) and ties at 7x7 outputs (0.99-1.09x);
// - input gradient: on AVX-512 direct wins from 14x14 inputs (1.0-4.5x) and, since stride-1 grids
//   share their padding between rows and images (2026-12-06), on 8x8 too (1.34-1.54x; before:
//   0.85-0.9x), and loses with one input channel (0.69-0.85x); on AVX2 (forced on the Zen 5) from
//   16x16 inputs (1.37-4.9x) since its tap loop no longer keeps an accumulator on the stack
//   (before: only from 32x32; 16x16 0.64-0.75x), and ties on 8x8 (0.92-1.2x) and 14x14 at stride 2;
// - filter gradient (measured again after it went to L2-sized runs of images with the input vector
//   kept in a register, 2026-12-06, same machine and command with --fastest): direct wins while the
//   im2col matrix has few rows (K = channels x taps <= 144: 2.2-5.3x on both ISAs) and on maps of
//   16x16 outputs and more whatever K (SegNet's K = 288 and 576 at 16x16: 1.23-2.1x AVX-512,
//   1.07-1.54x AVX2), and loses or ties on 8x8 and 7x7 maps from K = 288 (0.87-1.10x AVX-512,
//   0.82-1.0x AVX2 with the shared padding), where a run's sums are short.
ConvAlgo conv_rule(ConvPass pass, const ConvGeom& g) {
  if (!conv_direct_supported(g)) return ConvAlgo::Im2col;
  const bool wide = active_isa() == Isa::Avx512;
  const long block = wide ? 8 : 4;  // output rows per register block (TapBlock<V>::R)
  bool direct = false;
  switch (pass) {
    case ConvPass::Forward:
      direct = g.out_c >= block && (wide || g.out_h * g.out_w >= 64);
      break;
    case ConvPass::BackwardInput:
      direct = g.in_c >= block && g.in_h * g.in_w >= (wide ? 64 : 256);
      break;
    case ConvPass::BackwardFilter:
      direct = g.in_c * g.kh * g.kw <= 160 || g.out_h * g.out_w >= 256;
      break;
  }
  return direct ? ConvAlgo::Direct : ConvAlgo::Im2col;
}

ConvAlgo conv_algo(ConvPass pass, const ConvGeom& g) {
  const auto forced = static_cast<ConvAlgo>(g_override.load(std::memory_order_relaxed));
  if (forced != ConvAlgo::Auto)
    return forced == ConvAlgo::Direct && !conv_direct_supported(g) ? ConvAlgo::Im2col : forced;
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    auto it = tuned().find(key_of(pass, g));
    if (it != tuned().end()) return it->second;
  }
  return conv_rule(pass, g);
}

void set_conv_override(ConvAlgo algo) { g_override.store(static_cast<int>(algo), std::memory_order_relaxed); }

void set_conv_tuned(ConvPass pass, const ConvGeom& g, ConvAlgo algo) {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (algo == ConvAlgo::Auto) tuned().erase(key_of(pass, g));
  else if (algo != ConvAlgo::Direct || conv_direct_supported(g)) tuned()[key_of(pass, g)] = algo;
}

void clear_conv_tuned() {
  std::lock_guard<std::mutex> lock(g_mutex);
  tuned().clear();
}

}  // namespace aekit
