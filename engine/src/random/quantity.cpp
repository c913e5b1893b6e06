#include "chokepoint/random/quantity.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace chokepoint {

Distribution make_distribution(DistributionKind kind, const std::vector<double>& a,
                               std::vector<double> values, std::vector<double> weights) {
    auto arg = [&](std::size_t i) {
        if (i >= a.size()) {
            throw std::invalid_argument("missing distribution argument");
        }
        return a[i];
    };
    switch (kind) {
        case DistributionKind::fixed:
            return Distribution::fixed(arg(0));
        case DistributionKind::uniform:
            return Distribution::uniform(arg(0), arg(1));
        case DistributionKind::triangular:
            return Distribution::triangular(arg(0), arg(1), arg(2));
        case DistributionKind::normal:
            return Distribution::normal(arg(0), arg(1));
        case DistributionKind::lognormal:
            return Distribution::lognormal(arg(0), arg(1));
        case DistributionKind::beta:
            return Distribution::beta(arg(0), arg(1), a.size() > 2 ? a[2] : 0.0,
                                      a.size() > 3 ? a[3] : 1.0);
        case DistributionKind::bernoulli:
            return Distribution::bernoulli(arg(0));
        case DistributionKind::discrete:
            return Distribution::discrete(std::move(values), std::move(weights));
    }
    throw std::invalid_argument("unknown distribution");
}

double Quantity::resolve(const std::vector<double>& parameters, Rng& rng) const {
    switch (kind) {
        case Kind::constant:
            return value;
        case Kind::parameter:
            return parameters.at(static_cast<std::size_t>(parameter));
        case Kind::distribution:
            return distribution->resolve(parameters, rng).sample(rng);
    }
    return value;
}

double Quantity::lower(const std::vector<Distribution>& parameters) const {
    switch (kind) {
        case Kind::constant:
            return value;
        case Kind::parameter:
            return parameters.at(static_cast<std::size_t>(parameter)).lower();
        case Kind::distribution:
            return distribution->lower(parameters);
    }
    return value;
}

double Quantity::upper(const std::vector<Distribution>& parameters) const {
    switch (kind) {
        case Kind::constant:
            return value;
        case Kind::parameter:
            return parameters.at(static_cast<std::size_t>(parameter)).upper();
        case Kind::distribution:
            return distribution->upper(parameters);
    }
    return value;
}

Distribution DistributionSpec::resolve(const std::vector<double>& parameters, Rng& rng) const {
    std::vector<double> a;
    a.reserve(args.size());
    for (const auto& q : args) {
        a.push_back(q.resolve(parameters, rng));
    }
    std::vector<double> v;
    std::vector<double> w;
    for (const auto& q : values) {
        v.push_back(q.resolve(parameters, rng));
    }
    for (const auto& q : weights) {
        w.push_back(q.resolve(parameters, rng));
    }
    return make_distribution(kind, a, std::move(v), std::move(w));
}

double DistributionSpec::lower(const std::vector<Distribution>& parameters) const {
    constexpr double inf = std::numeric_limits<double>::infinity();
    switch (kind) {
        case DistributionKind::fixed:
        case DistributionKind::uniform:
        case DistributionKind::triangular:
            return args.at(0).lower(parameters);
        case DistributionKind::normal:
            return args.at(1).upper(parameters) == 0.0 ? args.at(0).lower(parameters) : -inf;
        case DistributionKind::lognormal:
            return 0.0;
        case DistributionKind::beta:
            return args.size() > 2 ? args[2].lower(parameters) : 0.0;
        case DistributionKind::bernoulli:
            return 0.0;
        case DistributionKind::discrete: {
            double lo = inf;
            for (const auto& q : values) {
                lo = std::min(lo, q.lower(parameters));
            }
            return lo;
        }
    }
    return -inf;
}

double DistributionSpec::upper(const std::vector<Distribution>& parameters) const {
    constexpr double inf = std::numeric_limits<double>::infinity();
    switch (kind) {
        case DistributionKind::fixed:
            return args.at(0).upper(parameters);
        case DistributionKind::uniform:
            return args.at(1).upper(parameters);
        case DistributionKind::triangular:
            return args.at(2).upper(parameters);
        case DistributionKind::normal:
            return args.at(1).upper(parameters) == 0.0 ? args.at(0).upper(parameters) : inf;
        case DistributionKind::lognormal:
            return args.at(1).upper(parameters) == 0.0 ? args.at(0).upper(parameters) : inf;
        case DistributionKind::beta:
            return args.size() > 3 ? args[3].upper(parameters) : 1.0;
        case DistributionKind::bernoulli:
            return 1.0;
        case DistributionKind::discrete: {
            double hi = -inf;
            for (const auto& q : values) {
                hi = std::max(hi, q.upper(parameters));
            }
            return hi;
        }
    }
    return inf;
}

}  // namespace chokepoint
