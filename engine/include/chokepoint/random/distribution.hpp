#pragma once
/// Portable probability distributions. std::*_distribution differ between standard libraries,
/// so these are implemented here from the generator's raw bits and locked by known-answer tests.
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
    /// Smallest and largest possible values (infinite for normal and lognormal tails).
    double lower() const;
    double upper() const;

  private:
    DistributionKind kind_ = DistributionKind::fixed;
    double a_ = 0.0, b_ = 0.0, c_ = 0.0, d_ = 0.0;
    std::vector<double> values_;
    std::vector<double> cumulative_;  // normalised cumulative weights, last == 1
};

/// Standard normal cumulative distribution function.
double standard_normal_cdf(double z);
/// Regularised incomplete beta function I_x(a, b).
double incomplete_beta(double a, double b, double x);
/// Gamma(shape, 1) draw by Marsaglia and Tsang (2000).
double sample_gamma(double shape, Rng& rng);

}  // namespace chokepoint
