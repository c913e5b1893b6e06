#include "chokepoint/stats/summary.hpp"

#include <algorithm>

namespace chokepoint {

Summary Accumulator::summary() const {
    Summary s;
    s.count = moments_.count();
    if (s.count == 0) {
        return s;
    }
    s.mean = moments_.mean();
    s.sd = moments_.sd();
    s.p05 = sketch_.quantile(0.05);
    s.p25 = sketch_.quantile(0.25);
    s.p50 = sketch_.quantile(0.50);
    s.p75 = sketch_.quantile(0.75);
    s.p95 = sketch_.quantile(0.95);
    // Interpolation can cross by rounding when centroids coincide; quantiles must be monotone.
    s.p25 = std::max(s.p25, s.p05);
    s.p50 = std::max(s.p50, s.p25);
    s.p75 = std::max(s.p75, s.p50);
    s.p95 = std::max(s.p95, s.p75);
    return s;
}

}  // namespace chokepoint
