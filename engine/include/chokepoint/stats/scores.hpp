#pragma once
/// Forecast scores against reported figures.
#include <vector>

namespace chokepoint {

/// Continuous ranked probability score of an ensemble `samples` (any order) against the
/// observation y: E|X - y| - E|X - X'| / 2, computed exactly from the sample in O(n log n).
/// For a single-value forecast it is the absolute error.
double crps_sample(std::vector<double> samples, double y);
/// Quantile q of a sample (type 7, linear interpolation).
double sample_quantile(std::vector<double> samples, double q);
/// |forecast - y| / |y| (y must not be 0).
double absolute_percentage_error(double forecast, double y);

/// Running aggregate of per-figure scores.
struct ScoreSet {
    int count = 0;
    double ape_sum = 0.0;  ///< sum of absolute percentage errors of the P50 (y != 0 only)
    int ape_count = 0;
    double pe_sum = 0.0;  ///< signed percentage errors, for the bias
    int inside50 = 0;
    int inside90 = 0;
    double crps_sum = 0.0;
    void add(double p50, double y, bool in50, bool in90, double crps);
    double mape() const { return ape_count ? 100.0 * ape_sum / ape_count : 0.0; }
    double bias() const { return ape_count ? 100.0 * pe_sum / ape_count : 0.0; }
    double coverage50() const { return count ? double(inside50) / count : 0.0; }
    double coverage90() const { return count ? double(inside90) / count : 0.0; }
    double crps() const { return count ? crps_sum / count : 0.0; }
};

}  // namespace chokepoint
