#pragma once
/// Portable probability distributions. std::*_distribution differ between standard libraries,
/// so these are implemented here from the generator's raw bits and locked by known-answer tests.
#include <algorithm>
#include <string>
#include <vector>

#include "chokepoint/random/rng.hpp"

namespace chokepoint {

enum class DistributionKind {
    fixed,
    uniform,
    triangular,
    normal,
    lognormal,
    beta,
    bernoulli,
    discrete
};

/// A distribution with numeric arguments. Construct with the factory functions, which check the
/// arguments and throw std::invalid_argument with a readable message.
class Distribution {
  public:
    static Distribution fixed(double value);
    static Distribution uniform(double min, double max);
    static Distribution triangular(double min, double mode, double max);
    static Distribution normal(double mean, double sd);
    /// Lognormal by its median and spread, the standard deviation of ln(X).
    static Distribution lognormal(double median, double spread);
    /// Beta(alpha, beta) scaled to [min, max] (default [0, 1]).
    static Distribution beta(double alpha, double beta, double min = 0.0, double max = 1.0);
    /// 1 with probability p, else 0.
    static Distribution bernoulli(double p);
    /// One of `values` with probability proportional to `weights`.
    static Distribution discrete(std::vector<double> values, std::vector<double> weights);

    Distribution() = default;
    DistributionKind kind() const { return kind_; }
    /// One draw.
    double sample(Rng& rng) const;
    /// Exact mean.
    double mean() const;
    /// Exact variance.
    double variance() const;
    /// Exact cumulative distribution function (used by tests and the analytic checks).
    double cdf(double x) const;
    /// Quantile function: the smallest x with cdf(x) >= p, for p in [0, 1] (p = 0 gives lower(),
    /// p = 1 gives upper()). Used by sweeps to place a design's unit values on a distribution.
    double quantile(double p) const;
    /// Smallest and largest possible values (infinite for normal and lognormal tails).
    double lower() const;
    double upper() const;

  private:
    DistributionKind kind_ = DistributionKind::fixed;
    double a_ = 0.0, b_ = 0.0, c_ = 0.0, d_ = 0.0;
    std::vector<double> values_;
    std::vector<double> cumulative_;  // normalised cumulative weights, last == 1
};

/// Draws N = ceil(max(0, X)) for X from a Distribution by inverting N's exact distribution,
/// P(N <= n) = F(n), tabulated for n = 0, 1, ... . Built once (per trial, for a distribution
/// whose arguments are per-trial), then each draw is one uniform and a guide-table lookup:
/// cheaper than sampling X when many whole numbers are drawn (licence approval delays in
/// working days). The table stops at `max_value` or where 1 - F(n) < 1e-12; a draw beyond that
/// returns the next whole number (at most one draw in 10^12 lands there).
class CeilingSampler {
  public:
    CeilingSampler() = default;
    CeilingSampler(const Distribution& distribution, int max_value);
    /// One draw of N, in 0 .. max_value + 1. Inline: one per licence application.
    int sample(Rng& rng) const { return sample_at(rng.uniform()); }
    /// N at the uniform `u` in [0, 1): the draw sample() makes from it.
    int sample_at(double u) const {
        const auto bucket = std::min(
            static_cast<std::size_t>(u * static_cast<double>(guide_.size())), guide_.size() - 1);
        auto n = static_cast<std::size_t>(guide_[bucket]);
        while (n < cdf_.size() && cdf_[n] <= u) {
            ++n;
        }
        return static_cast<int>(n);
    }
    /// P(N <= n) as tabulated (1 beyond the table).
    double cdf(int n) const;

  private:
    std::vector<double> cdf_;  // cdf_[n] = F(n)
    std::vector<int> guide_;   // guide_[k]: smallest n with F(n) > k / guide_.size()
};

/// Standard normal cumulative distribution function.
double standard_normal_cdf(double z);
/// Its inverse, for p in (0, 1), by Boost.Math's erfc_inv; -inf at 0 and +inf at 1.
double standard_normal_quantile(double p);
/// Regularised incomplete beta function I_x(a, b), by Boost.Math's ibeta (0 below x = 0, 1
/// above x = 1).
double incomplete_beta(double a, double b, double x);
/// Gamma(shape, 1) draw by Marsaglia and Tsang (2000). Our own rather than a library's: a draw
/// must be the same number on every platform for a given stream (STYLE.md, determinism), which
/// std::gamma_distribution does not promise.
double sample_gamma(double shape, Rng& rng);

}  // namespace chokepoint
