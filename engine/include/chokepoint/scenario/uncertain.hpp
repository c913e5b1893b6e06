#pragma once
/// What a sweep may vary: every named parameter and every distribution written in a scenario's
/// events or its model, by the path `--set` takes, with its distribution, its range and where it
/// is used.
#include <optional>
#include <string>
#include <vector>

#include "chokepoint/core/diagnostics.hpp"
#include "chokepoint/random/distribution.hpp"
#include "chokepoint/scenario/scenario.hpp"

namespace chokepoint {

/// One quantity a sweep factor can address.
struct UncertainQuantity {
    std::string path;         ///< as `--set` takes it: parameters.X, events.ID.KEY, network....
    std::string section;      ///< "parameters", "events" or "network"
    std::string written;      ///< the distribution or value as written, one line
    std::string description;  ///< a parameter's description, if it has one
    bool is_date = false;     ///< values are days (printed as YYYY-MM-DD)
    bool uncertain = true;    ///< false for a fixed value (listed with `all`)
    /// The distribution when its arguments are constants (`from: scenario` needs one).
    std::optional<Distribution> distribution;
    /// Bounds, or the central 98% (P1..P99) where a bound is infinite; NaN when the arguments
    /// depend on other parameters.
    double low = 0.0;
    double high = 0.0;
    bool central_98 = false;           ///< low/high are P1/P99, not bounds
    std::vector<std::string> used_by;  ///< paths that refer to this parameter ($name)
    SourceLocation where;
};

/// Lists the uncertain quantities of a scenario (after extends and overrides): named parameters
/// first (scenario, then model), then event distributions in file order, then the model's.
/// With `all`, fixed numbers and dates inside events are listed too. Throws InputError when the
/// scenario is invalid.
std::vector<UncertainQuantity> list_uncertain(const std::string& scenario_path,
                                              const std::vector<Override>& overrides = {},
                                              bool all = false);

/// The events of `scenario` that replace, for a destination country and product, the value a
/// path feeds (e.g. a licence_delay whose approval_rate replaces No. 18's for the United
/// States), as readable sentences; empty when nothing overrides it there.
std::vector<std::string> overridden_on(const Scenario& scenario, const std::string& path,
                                       const std::string& destination, const std::string& product);

}  // namespace chokepoint
