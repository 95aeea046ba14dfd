// FMA throughput probe: the denominator for "fraction of peak" in the benchmarks.
#pragma once

namespace aekit {
// Runs an FMA-only loop on every pool thread for about `seconds`; returns GFLOP/s (all threads).
double measure_peak_gflops(double seconds);
// The same loop on the calling thread only, timed by that thread's CPU clock: GFLOP per CPU
// second of one core, which time-sharing with other processes does not distort.
double measure_core_peak_cpu(double seconds);
}
