#pragma once
/// Sensitivity estimators on a sweep's point results. Pure functions: formulas from the papers
/// cited beside each, checked against known answers (Ishigami, linear models) in the tests.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "chokepoint/sweep/design.hpp"

namespace chokepoint {

/// Mean and standard error of paired per-trial differences b[i] - a[i] (common random numbers:
/// trial i draws the same streams at both points, so the noise they share cancels).
struct PairedEffect {
    double mean = 0.0;
    double se = 0.0;           ///< sd of the differences / sqrt(n)
    bool exactly_zero = true;  ///< every difference is exactly 0
};
PairedEffect paired_effect(const std::vector<double>& a, const std::vector<double>& b);

/// Morris elementary effects (Morris, 1991) with mu* (Campolongo, Cariboni and Saltelli, 2007):
/// EE = (y(x + step e_i) - y(x)) / step, per trajectory; mu = mean EE, mu* = mean |EE|,
/// sigma = sd of EE (n - 1).
struct MorrisIndex {
    double mu = 0.0;
    double mu_star = 0.0;
    double sigma = 0.0;
    int effects = 0;
};
std::vector<MorrisIndex> morris_indices(const MorrisDesign& design, const std::vector<double>& y,
                                        std::size_t k);

/// First-order (S1) and total (ST) Sobol indices from a Saltelli design: S1 by Saltelli et al.
/// (2010), eq. (b) of table 2, S1_i = mean(f(B) (f(A_B^i) - f(A))) / V; ST by Jansen (1999),
/// ST_i = mean((f(A) - f(A_B^i))^2) / (2 V); V the variance of f over A and B together. The
/// intervals are 1.96 x the bootstrap standard deviation over `resamples` resamples of the rows
/// (as SALib reports them), drawn from `seed`.
struct SobolIndex {
    double s1 = 0.0, s1_conf = 0.0;
    double st = 0.0, st_conf = 0.0;
};
struct SobolResult {
    std::vector<SobolIndex> factors;  ///< one per factor
    std::vector<SobolIndex> groups;   ///< one per multi-factor group of the design
    double variance = 0.0;            ///< V
};
SobolResult sobol_indices(const SaltelliDesign& design, const std::vector<double>& y, int resamples,
                          std::uint64_t seed);

/// Pearson and Spearman correlations of each factor with the output over the points (LHS), each
/// with a 95% interval by Fisher's z transform, tanh(atanh(r) +- 1.96 / sqrt(n - 3)).
struct Correlation {
    double pearson = 0.0, pearson_low = 0.0, pearson_high = 0.0;
    double spearman = 0.0, spearman_low = 0.0, spearman_high = 0.0;
};
std::vector<Correlation> correlations(const std::vector<std::vector<double>>& x,
                                      const std::vector<double>& y);

/// Mean of `v` (0 when empty).
double mean_of(const std::vector<double>& v);
/// Sample standard deviation of `v` (n - 1; 0 below two values).
double sample_sd(const std::vector<double>& v);

/// Ranks (1-based; ties share their mean rank), for Spearman's correlation.
std::vector<double> ranks(const std::vector<double>& v);
/// Pearson's correlation; 0 when either side is constant.
double pearson(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace chokepoint
