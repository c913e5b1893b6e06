#pragma once
/// Uncertain numbers as written in model and scenario files: a constant, a reference to a named
/// parameter (`$name`), or a distribution whose arguments are themselves quantities. Resolved once
/// per trial; a `DistributionSpec` can also be resolved to a `Distribution` that is then sampled
/// many times in a trial (for example the approval delay of each licence application).
#include <memory>
#include <string>
#include <vector>

#include "chokepoint/core/diagnostics.hpp"
#include "chokepoint/random/distribution.hpp"

namespace chokepoint {

struct DistributionSpec;

/// A number that may be uncertain.
struct Quantity {
    enum class Kind { constant, parameter, distribution };
    Kind kind = Kind::constant;
    double value = 0.0;  ///< the constant
    int parameter = -1;  ///< index into the trial's parameter values
    std::shared_ptr<const DistributionSpec> distribution;

    static Quantity constant_value(double v) { return Quantity{Kind::constant, v, -1, nullptr}; }
    bool is_constant() const { return kind == Kind::constant; }
    /// The value in one trial: parameters by index, distributions drawn from `rng`.
    double resolve(const std::vector<double>& parameters, Rng& rng) const;
    /// Smallest and largest values it can take, given the parameters' bounds.
    double lower(const std::vector<Distribution>& parameters) const;
    double upper(const std::vector<Distribution>& parameters) const;
};

/// A distribution whose arguments may be parameters or distributions themselves.
struct DistributionSpec {
    DistributionKind kind = DistributionKind::fixed;
    /// Arguments in the order of the Distribution factory (e.g. median, spread for lognormal).
    std::vector<Quantity> args;
    std::vector<Quantity> values;   ///< discrete only
    std::vector<Quantity> weights;  ///< discrete only
    /// The distribution in one trial. Throws std::invalid_argument if resolved arguments are
    /// invalid (for example a sampled spread below zero).
    Distribution resolve(const std::vector<double>& parameters, Rng& rng) const;
    /// The distribution with every argument at its lower/upper bound is not meaningful in general;
    /// these give conservative bounds of the values it can produce.
    double lower(const std::vector<Distribution>& parameters) const;
    double upper(const std::vector<Distribution>& parameters) const;
};

/// A named uncertain parameter, drawn once per trial from its own stream position.
struct Parameter {
    std::string name;
    Distribution distribution;
    std::string description;
    /// Where its value was given: its node (in the model or a scenario), then the first place of
    /// each other file or --set that set a part of it (`parameters.x.max=...`).
    std::vector<SourceLocation> given_at;
};

/// Builds a Distribution from resolved arguments (shared by specs and by parsing constants).
Distribution make_distribution(DistributionKind kind, const std::vector<double>& args,
                               std::vector<double> values, std::vector<double> weights);

}  // namespace chokepoint
