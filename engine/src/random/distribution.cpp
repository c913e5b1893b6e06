#include "chokepoint/random/distribution.hpp"

#include <algorithm>
#include <boost/math/policies/policy.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/erf.hpp>
#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>
#include <stdexcept>

namespace chokepoint {

namespace {
// Boost.Math in double precision throughout: its default promotes to long double, whose width
// differs by platform (80 bits on x86-64 Linux, 128 on ARM64, 64 with MSVC), so the same inputs
// could give different last digits. Errors throw (Boost's default), which the factories' checks
// of the arguments keep from happening.
using MathPolicy = boost::math::policies::policy<boost::math::policies::promote_double<false>>;

void require(bool ok, const char* message) {
    if (!ok) {
        throw std::invalid_argument(message);
    }
}
bool finite(double x) {
    return std::isfinite(x);
}
}  // namespace

Distribution Distribution::fixed(double value) {
    require(finite(value), "value must be a finite number");
    Distribution d;
    d.kind_ = DistributionKind::fixed;
    d.a_ = value;
    return d;
}

Distribution Distribution::uniform(double min, double max) {
    require(finite(min) && finite(max) && min <= max, "uniform needs min <= max");
    Distribution d;
    d.kind_ = DistributionKind::uniform;
    d.a_ = min;
    d.b_ = max;
    return d;
}

Distribution Distribution::triangular(double min, double mode, double max) {
    require(finite(min) && finite(mode) && finite(max) && min <= mode && mode <= max,
            "triangular needs min <= mode <= max");
    Distribution d;
    d.kind_ = DistributionKind::triangular;
    d.a_ = min;
    d.b_ = mode;
    d.c_ = max;
    return d;
}

Distribution Distribution::normal(double mean, double sd) {
    require(finite(mean) && finite(sd) && sd >= 0.0, "normal needs a finite mean and sd >= 0");
    Distribution d;
    d.kind_ = DistributionKind::normal;
    d.a_ = mean;
    d.b_ = sd;
    return d;
}

Distribution Distribution::lognormal(double median, double spread) {
    require(finite(median) && median > 0.0, "lognormal needs median > 0");
    require(finite(spread) && spread >= 0.0, "lognormal needs spread >= 0 (sd of ln X)");
    Distribution d;
    d.kind_ = DistributionKind::lognormal;
    d.a_ = median;
    d.b_ = spread;
    return d;
}

Distribution Distribution::beta(double alpha, double beta, double min, double max) {
    require(finite(alpha) && finite(beta) && alpha > 0.0 && beta > 0.0,
            "beta needs alpha > 0 and beta > 0");
    require(finite(min) && finite(max) && min < max, "beta needs min < max");
    Distribution d;
    d.kind_ = DistributionKind::beta;
    d.a_ = alpha;
    d.b_ = beta;
    d.c_ = min;
    d.d_ = max;
    return d;
}

Distribution Distribution::bernoulli(double p) {
    require(finite(p) && p >= 0.0 && p <= 1.0, "bernoulli needs 0 <= p <= 1");
    Distribution d;
    d.kind_ = DistributionKind::bernoulli;
    d.a_ = p;
    return d;
}

Distribution Distribution::discrete(std::vector<double> values, std::vector<double> weights) {
    require(!values.empty(), "discrete needs at least one value");
    require(weights.empty() || weights.size() == values.size(),
            "discrete needs as many weights as values");
    if (weights.empty()) {
        weights.assign(values.size(), 1.0);
    }
    double total = 0.0;
    for (double w : weights) {
        require(finite(w) && w >= 0.0, "discrete weights must be >= 0");
        total += w;
    }
    require(total > 0.0, "discrete weights must not all be zero");
    for (double v : values) {
        require(finite(v), "discrete values must be finite numbers");
    }
    Distribution d;
    d.kind_ = DistributionKind::discrete;
    d.values_ = std::move(values);
    d.cumulative_.resize(weights.size());
    double run = 0.0;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        run += weights[i];
        d.cumulative_[i] = run / total;
    }
    d.cumulative_.back() = 1.0;
    return d;
}

double sample_gamma(double shape, Rng& rng) {
    if (shape < 1.0) {
        // Boost to shape + 1 and scale back (Marsaglia and Tsang, section 6).
        const double u = rng.uniform_open();
        return sample_gamma(shape + 1.0, rng) * std::pow(u, 1.0 / shape);
    }
    const double d = shape - 1.0 / 3.0;
    const double c = 1.0 / std::sqrt(9.0 * d);
    for (;;) {
        double x = 0.0;
        double v = 0.0;
        do {
            x = rng.normal();
            v = 1.0 + c * x;
        } while (v <= 0.0);
        v = v * v * v;
        const double u = rng.uniform_open();
        if (u < 1.0 - 0.0331 * x * x * x * x) {
            return d * v;
        }
        if (std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) {
            return d * v;
        }
    }
}

double Distribution::sample(Rng& rng) const {
    switch (kind_) {
        case DistributionKind::fixed:
            return a_;
        case DistributionKind::uniform:
            return a_ + (b_ - a_) * rng.uniform();
        case DistributionKind::triangular: {
            const double u = rng.uniform();
            const double width = c_ - a_;
            if (width <= 0.0) {
                return a_;
            }
            const double f = (b_ - a_) / width;
            return u < f ? a_ + std::sqrt(u * width * (b_ - a_))
                         : c_ - std::sqrt((1.0 - u) * width * (c_ - b_));
        }
        case DistributionKind::normal:
            return a_ + b_ * rng.normal();
        case DistributionKind::lognormal:
            return a_ * std::exp(b_ * rng.normal());
        case DistributionKind::beta: {
            const double x = sample_gamma(a_, rng);
            const double y = sample_gamma(b_, rng);
            return c_ + (d_ - c_) * (x / (x + y));
        }
        case DistributionKind::bernoulli:
            return rng.uniform() < a_ ? 1.0 : 0.0;
        case DistributionKind::discrete: {
            const double u = rng.uniform();
            const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), u);
            const auto i = static_cast<std::size_t>(it - cumulative_.begin());
            return values_[std::min(i, values_.size() - 1)];
        }
    }
    return a_;
}

double Distribution::mean() const {
    switch (kind_) {
        case DistributionKind::fixed:
            return a_;
        case DistributionKind::uniform:
            return 0.5 * (a_ + b_);
        case DistributionKind::triangular:
            return (a_ + b_ + c_) / 3.0;
        case DistributionKind::normal:
            return a_;
        case DistributionKind::lognormal:
            return a_ * std::exp(0.5 * b_ * b_);
        case DistributionKind::beta:
            return c_ + (d_ - c_) * a_ / (a_ + b_);
        case DistributionKind::bernoulli:
            return a_;
        case DistributionKind::discrete: {
            double m = 0.0;
            double prev = 0.0;
            for (std::size_t i = 0; i < values_.size(); ++i) {
                m += values_[i] * (cumulative_[i] - prev);
                prev = cumulative_[i];
            }
            return m;
        }
    }
    return a_;
}

double Distribution::variance() const {
    switch (kind_) {
        case DistributionKind::fixed:
            return 0.0;
        case DistributionKind::uniform:
            return (b_ - a_) * (b_ - a_) / 12.0;
        case DistributionKind::triangular:
            return (a_ * a_ + b_ * b_ + c_ * c_ - a_ * b_ - a_ * c_ - b_ * c_) / 18.0;
        case DistributionKind::normal:
            return b_ * b_;
        case DistributionKind::lognormal: {
            const double s2 = b_ * b_;
            return (std::exp(s2) - 1.0) * a_ * a_ * std::exp(s2);
        }
        case DistributionKind::beta: {
            const double s = a_ + b_;
            const double w = d_ - c_;
            return w * w * a_ * b_ / (s * s * (s + 1.0));
        }
        case DistributionKind::bernoulli:
            return a_ * (1.0 - a_);
        case DistributionKind::discrete: {
            const double m = mean();
            double v = 0.0;
            double prev = 0.0;
            for (std::size_t i = 0; i < values_.size(); ++i) {
                v += (values_[i] - m) * (values_[i] - m) * (cumulative_[i] - prev);
                prev = cumulative_[i];
            }
            return v;
        }
    }
    return 0.0;
}

CeilingSampler::CeilingSampler(const Distribution& distribution, int max_value) {
    constexpr double TAIL = 1e-12;
    for (int n = 0; n <= std::max(0, max_value); ++n) {
        // N <= n exactly when X <= n, for whole n >= 0 (and X <= 0 gives N = 0).
        const double f = std::clamp(distribution.cdf(static_cast<double>(n)), 0.0, 1.0);
        cdf_.push_back(cdf_.empty() ? f : std::max(f, cdf_.back()));
        if (1.0 - cdf_.back() < TAIL) {
            break;
        }
    }
    // Chen and Asau's guide table: as many buckets as table entries, so a lookup scans about
    // one entry on average.
    guide_.resize(cdf_.size());
    std::size_t n = 0;
    for (std::size_t k = 0; k < guide_.size(); ++k) {
        const double u = static_cast<double>(k) / static_cast<double>(guide_.size());
        while (n < cdf_.size() && cdf_[n] <= u) {
            ++n;
        }
        guide_[k] = static_cast<int>(n);
    }
}

double CeilingSampler::cdf(int n) const {
    if (n < 0) {
        return 0.0;
    }
    return static_cast<std::size_t>(n) < cdf_.size() ? cdf_[static_cast<std::size_t>(n)] : 1.0;
}

double standard_normal_cdf(double z) {
    return 0.5 * std::erfc(-z / std::sqrt(2.0));
}

double incomplete_beta(double a, double b, double x) {
    if (x <= 0.0) {
        return 0.0;
    }
    if (x >= 1.0) {
        return 1.0;
    }
    return boost::math::ibeta(a, b, x, MathPolicy());
}

double standard_normal_quantile(double p) {
    if (!(p > 0.0)) {
        return -std::numeric_limits<double>::infinity();
    }
    if (!(p < 1.0)) {
        return std::numeric_limits<double>::infinity();
    }
    return -std::numbers::sqrt2 * boost::math::erfc_inv(2.0 * p, MathPolicy());
}

double Distribution::quantile(double p) const {
    p = std::clamp(p, 0.0, 1.0);
    switch (kind_) {
        case DistributionKind::fixed:
            return a_;
        case DistributionKind::uniform:
            return a_ + (b_ - a_) * p;
        case DistributionKind::triangular: {
            const double width = c_ - a_;
            if (width <= 0.0) {
                return a_;
            }
            const double f = (b_ - a_) / width;
            return p < f ? a_ + std::sqrt(p * width * (b_ - a_))
                         : c_ - std::sqrt((1.0 - p) * width * (c_ - b_));
        }
        case DistributionKind::normal:
            return b_ == 0.0 ? a_ : a_ + b_ * standard_normal_quantile(p);
        case DistributionKind::lognormal:
            if (p <= 0.0) {
                return 0.0;
            }
            return b_ == 0.0 ? a_ : a_ * std::exp(b_ * standard_normal_quantile(p));
        case DistributionKind::beta:
            return c_ +
                   (d_ - c_) * (!(p > 0.0) ? 0.0 : boost::math::ibeta_inv(a_, b_, p, MathPolicy()));
        case DistributionKind::bernoulli:
            return p <= 1.0 - a_ ? 0.0 : 1.0;
        case DistributionKind::discrete: {
            std::vector<std::pair<double, double>> vp;  // value, probability
            double prev = 0.0;
            for (std::size_t i = 0; i < values_.size(); ++i) {
                vp.emplace_back(values_[i], cumulative_[i] - prev);
                prev = cumulative_[i];
            }
            std::sort(vp.begin(), vp.end());
            double cum = 0.0;
            for (const auto& [v, w] : vp) {
                if (w <= 0.0) {
                    continue;
                }
                cum += w;
                if (cum >= p - 1e-12) {
                    return v;
                }
            }
            return vp.back().first;
        }
    }
    return a_;
}

double Distribution::cdf(double x) const {
    switch (kind_) {
        case DistributionKind::fixed:
            return x >= a_ ? 1.0 : 0.0;
        case DistributionKind::uniform:
            if (b_ == a_) {
                return x >= a_ ? 1.0 : 0.0;
            }
            return std::clamp((x - a_) / (b_ - a_), 0.0, 1.0);
        case DistributionKind::triangular: {
            if (x <= a_) {
                return 0.0;
            }
            if (x >= c_) {
                return 1.0;
            }
            const double w = c_ - a_;
            return x <= b_ ? (x - a_) * (x - a_) / (w * (b_ - a_))
                           : 1.0 - (c_ - x) * (c_ - x) / (w * (c_ - b_));
        }
        case DistributionKind::normal:
            if (b_ == 0.0) {
                return x >= a_ ? 1.0 : 0.0;
            }
            return standard_normal_cdf((x - a_) / b_);
        case DistributionKind::lognormal:
            if (x <= 0.0) {
                return 0.0;
            }
            if (b_ == 0.0) {
                return x >= a_ ? 1.0 : 0.0;
            }
            return standard_normal_cdf(std::log(x / a_) / b_);
        case DistributionKind::beta:
            return incomplete_beta(a_, b_, std::clamp((x - c_) / (d_ - c_), 0.0, 1.0));
        case DistributionKind::bernoulli:
            return x < 0.0 ? 0.0 : (x < 1.0 ? 1.0 - a_ : 1.0);
        case DistributionKind::discrete: {
            double p = 0.0;
            double prev = 0.0;
            for (std::size_t i = 0; i < values_.size(); ++i) {
                if (values_[i] <= x) {
                    p += cumulative_[i] - prev;
                }
                prev = cumulative_[i];
            }
            return p;
        }
    }
    return 0.0;
}

double Distribution::lower() const {
    switch (kind_) {
        case DistributionKind::fixed:
            return a_;
        case DistributionKind::uniform:
        case DistributionKind::triangular:
            return a_;
        case DistributionKind::normal:
            return b_ == 0.0 ? a_ : -std::numeric_limits<double>::infinity();
        case DistributionKind::lognormal:
            return b_ == 0.0 ? a_ : 0.0;
        case DistributionKind::beta:
            return c_;
        case DistributionKind::bernoulli:
            return a_ == 1.0 ? 1.0 : 0.0;
        case DistributionKind::discrete:
            return *std::min_element(values_.begin(), values_.end());
    }
    return a_;
}

double Distribution::upper() const {
    switch (kind_) {
        case DistributionKind::fixed:
            return a_;
        case DistributionKind::uniform:
            return b_;
        case DistributionKind::triangular:
            return c_;
        case DistributionKind::normal:
            return b_ == 0.0 ? a_ : std::numeric_limits<double>::infinity();
        case DistributionKind::lognormal:
            return b_ == 0.0 ? a_ : std::numeric_limits<double>::infinity();
        case DistributionKind::beta:
            return d_;
        case DistributionKind::bernoulli:
            return a_ == 0.0 ? 0.0 : 1.0;
        case DistributionKind::discrete:
            return *std::max_element(values_.begin(), values_.end());
    }
    return a_;
}

}  // namespace chokepoint
