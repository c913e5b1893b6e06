#pragma once
/// Running mean and variance (Welford), mergeable (Chan et al.). Fed in trial order, so the
/// result does not depend on how many threads ran the trials.
#include <cstdint>

namespace chokepoint {

class RunningMoments {
  public:
    void add(double x);
    /// Combines another accumulator as if its values had been added after ours.
    void merge(const RunningMoments& other);
    std::uint64_t count() const { return n_; }
    /// The mean; an infinity when a value is infinite (NaN with values at both infinities).
    double mean() const;
    /// Sample standard deviation (n - 1 in the denominator); 0 for fewer than two values;
    /// infinite when a value is infinite and not all values are that infinity.
    double sd() const;
    double min() const { return min_; }
    double max() const { return max_; }

  private:
    std::uint64_t n_ = 0;
    double mean_ = 0.0;
    double m2_ = 0.0;
    double min_ = 0.0;
    double max_ = 0.0;
};

}  // namespace chokepoint
