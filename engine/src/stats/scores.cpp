#include "chokepoint/stats/scores.hpp"

#include <algorithm>
#include <cmath>

namespace chokepoint {

double crps_sample(std::vector<double> x, double y) {
    if (x.empty()) {
        return 0.0;
    }
    std::sort(x.begin(), x.end());
    const auto n = static_cast<double>(x.size());
    double abs_error = 0.0;
    double spread = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        abs_error += std::abs(x[i] - y);
        // sum_{i,j} |x_i - x_j| = 2 sum_i (2i - n + 1) x_(i) with 0-based i on sorted x.
        spread += (2.0 * static_cast<double>(i) - n + 1.0) * x[i];
    }
    // E|X - X'| = (2 / n^2) sum_i (2i - n + 1) x_(i)
    return abs_error / n - spread / (n * n);
}

double sample_quantile(std::vector<double> x, double q) {
    if (x.empty()) {
        return 0.0;
    }
    std::sort(x.begin(), x.end());
    const double h = q * static_cast<double>(x.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(h));
    const std::size_t hi = std::min(lo + 1, x.size() - 1);
    return x[lo] + (h - static_cast<double>(lo)) * (x[hi] - x[lo]);
}

double absolute_percentage_error(double forecast, double y) {
    return std::abs(forecast - y) / std::abs(y);
}

void ScoreSet::add(double p50, double y, bool in50, bool in90, double crps) {
    ++count;
    if (y != 0.0) {
        ape_sum += absolute_percentage_error(p50, y);
        pe_sum += (p50 - y) / std::abs(y);
        ++ape_count;
    }
    inside50 += in50 ? 1 : 0;
    inside90 += in90 ? 1 : 0;
    crps_sum += crps;
}

}  // namespace chokepoint
