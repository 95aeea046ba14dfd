// FMA throughput probe: the denominator for "fraction of peak" in the benchmarks.
#pragma once

namespace aekit {
// Runs an FMA-only loop on every pool thread for about `seconds`; returns GFLOP/s (all threads).
double measure_peak_gflops(double seconds);
}
