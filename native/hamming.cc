// Exhaustive ranking of binary codes by Hamming distance: one popcount pass over the database,
// then a counting sort over the (at most 256) possible distances, which keeps equal distances in
// index order. The popcount pass takes the code two words at a time as one 64-bit word.
#include <cstring>
#include <vector>
#include "common.h"
#include "cpu.h"
#include "kernels.h"

namespace aekit {
namespace {

AEKIT_INLINE void distances_into(const uint32_t* codes, size_t n, int words,
                                  const uint32_t* query, uint8_t* out, uint32_t* counts) {
  const int pairs = words / 2;
  const bool odd = words % 2 != 0;
  uint64_t q[4];  // codes of at most 255 bits: 8 words
  for (int p = 0; p < pairs; ++p) std::memcpy(&q[p], query + 2 * p, 8);
  const uint32_t q_last = odd ? query[words - 1] : 0;
  for (size_t i = 0; i < n; ++i) {
    const uint32_t* c = codes + i * words;
    int d = 0;
    for (int p = 0; p < pairs; ++p) {
      uint64_t w;
      std::memcpy(&w, c + 2 * p, 8);
      d += __builtin_popcountll(w ^ q[p]);
    }
    if (odd) d += __builtin_popcount(c[words - 1] ^ q_last);
    out[i] = static_cast<uint8_t>(d);
    counts[d]++;
  }
}

// The same loop compiled twice: with the popcnt instruction (every CPU with AVX2 has it), and for
// the base build, which has no -mpopcnt.
#if AEKIT_X86
#define AEKIT_TARGET_POPCNT __attribute__((target("popcnt")))
#else
#define AEKIT_TARGET_POPCNT  // ARM64's base ISA counts bits (cnt) already
#endif
AEKIT_TARGET_POPCNT void distances_popcnt(const uint32_t* codes, size_t n, int words,
                                                       const uint32_t* query, uint8_t* out, uint32_t* counts) {
  distances_into(codes, n, words, query, out, counts);
}

void distances_base(const uint32_t* codes, size_t n, int words, const uint32_t* query, uint8_t* out,
                    uint32_t* counts) {
  distances_into(codes, n, words, query, out, counts);
}

}  // namespace

void hamming_rank(const uint32_t* codes, size_t n, int words, const uint32_t* query, uint32_t* indices,
                  uint8_t* distances) {
  // The placement pass's `starts[d]++` is a chain through memory whenever neighbours share a
  // distance (most do: distances crowd around bits / 2). Four parts of the database, each with
  // its own counters and placed in step, give four independent chains; part k's codes of
  // distance d go after those of parts < k, so ties stay in index order. (Placing the parts on
  // two threads was slower here: a query is too short to pay for waking a worker.)
  constexpr int kParts = 4;
  thread_local std::vector<uint8_t> unsorted;
  unsorted.resize(n);
  uint8_t* d = unsorted.data();
  size_t bound[kParts + 1];
  for (int k = 0; k <= kParts; ++k) bound[k] = n * k / kParts;
  uint32_t starts[kParts][257] = {};
  for (int k = 0; k < kParts; ++k) {
    const size_t b = bound[k], len = bound[k + 1] - b;
    if (active_isa() == Isa::Baseline) distances_base(codes + b * words, len, words, query, d + b, starts[k]);
    else distances_popcnt(codes + b * words, len, words, query, d + b, starts[k]);
  }
  uint32_t at = 0;
  for (int dist = 0; dist < 257; ++dist) {
    for (int k = 0; k < kParts; ++k) {
      const uint32_t count = starts[k][dist];
      starts[k][dist] = at;
      at += count;
    }
  }
  const auto place = [&](int k, size_t i) {
    const uint32_t to = starts[k][d[i]]++;
    indices[to] = static_cast<uint32_t>(i);
    distances[to] = d[i];
  };
  const size_t shortest = bound[1] - bound[0];  // the parts differ in length by at most one
  for (size_t j = 0; j < shortest; ++j)
    for (int k = 0; k < kParts; ++k) place(k, bound[k] + j);
  for (int k = 0; k < kParts; ++k)
    for (size_t i = bound[k] + shortest; i < bound[k + 1]; ++i) place(k, i);
}

}  // namespace aekit
