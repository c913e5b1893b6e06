#pragma once
/// Per-series summaries: mean, sd and the 5/25/50/75/95th percentiles, from a bounded-memory
/// accumulator fed in trial order.
#include "chokepoint/stats/moments.hpp"
#include "chokepoint/stats/quantile_sketch.hpp"

namespace chokepoint {

struct Summary {
    double mean = 0.0;
    double sd = 0.0;
    double p05 = 0.0;
    double p25 = 0.0;
    double p50 = 0.0;
    double p75 = 0.0;
    double p95 = 0.0;
    std::uint64_t count = 0;
};

/// Moments and a quantile sketch of one series.
class Accumulator {
  public:
    /// compression: see QuantileSketch (100 gives about 1% rank error beyond 50 values).
    explicit Accumulator(double compression = 100.0) : sketch_(compression) {}
    void add(double x) {
        moments_.add(x);
        sketch_.add(x);
    }
    Summary summary() const;
    std::uint64_t count() const { return moments_.count(); }

  private:
    RunningMoments moments_;
    QuantileSketch sketch_;
};

}  // namespace chokepoint
