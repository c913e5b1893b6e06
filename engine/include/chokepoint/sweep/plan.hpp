#pragma once
/// A sweep made concrete: its factors checked against the base scenario and given their values,
/// the design's points in run order, and the outputs resolved to the engine's series and buyers.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chokepoint/kernel/trial.hpp"
#include "chokepoint/scenario/scenario.hpp"
#include "chokepoint/scenario/sweep_file.hpp"
#include "chokepoint/sweep/design.hpp"

namespace chokepoint {

/// A factor with the values it takes.
struct SweepFactor {
    FactorSpec spec;
    /// from: scenario: the scenario's own distribution (constant arguments).
    std::optional<Distribution> distribution;
    double base = 0.0;  ///< OAT centre (value space)
    double low = 0.0;   ///< OAT low, and the lower end of the unit mapping
    double high = 0.0;  ///< OAT high, and the upper end
    /// Value at unit coordinate u in [0, 1]: a range linearly, levels by equal-width bins, a
    /// distribution by its quantile function (over its central 98% when a tail is unbounded).
    /// Dates are rounded to whole days.
    double value_at(double u) const;
    /// The value as `--set` takes it: YYYY-MM-DD for dates, else the shortest exact decimal.
    std::string format(double v) const;
};

/// An output resolved against the run's layout.
struct SweepOutput {
    OutputSpec spec;
    int series = -1;           ///< layout series (series outputs)
    int buyer = -1;            ///< layout buyer (buyer outputs)
    int first = 0;             ///< first month offset in the layout
    int last = 0;              ///< last month offset, inclusive
    int months = 0;            ///< layout months
    double censor_days = 0.0;  ///< time_to_shortage when a trial has none: reference to end
    /// The output's value in one trial.
    double value(const TrialResult& trial) const;
};

/// The most points a sweep makes unless told otherwise (`simulate sweep --max-points`).
inline constexpr std::size_t DEFAULT_MAX_POINTS = 100'000;

struct SweepPlan {
    SweepSpec spec;
    Scenario base;  ///< the base scenario with the sweep's `set:` overrides
    std::vector<SweepFactor> factors;
    std::vector<SweepOutput> outputs;
    std::vector<std::vector<double>> values;  ///< factor values (value space), per point
    std::vector<std::vector<double>> unit;    ///< unit coordinates, per point (not OAT/grid)
    std::optional<MorrisDesign> morris;
    std::optional<SaltelliDesign> saltelli;
    std::vector<std::string> group_names;  ///< the multi-factor groups of a Saltelli design
    int trials = 0;
    std::uint64_t seed = 0;
    /// Notes for the user: a sample too small for the indices asked for, and the like.
    std::vector<std::string> warnings;
    /// The scenario's files, read and parsed once for every point (shared by copies of the plan).
    std::shared_ptr<InputCache> inputs = std::make_shared<InputCache>();

    std::size_t points() const { return values.size(); }
    /// The overrides that make point `p`'s scenario (the sweep's `set:` first).
    std::vector<Override> overrides(std::size_t p) const;
};

/// Builds the plan. Throws InputError (located in the sweep file) when a factor path is not in
/// the scenario, a range leaves what the quantity allows, an output names no series, and so on:
/// every problem at once. `trials`, when given, replaces the sweep file's trials per point.
/// A design of more than `max_points` points is refused before any point is made (the grid's,
/// LHS's, Morris's and Saltelli's alike), naming the count and --max-points.
SweepPlan plan_sweep(const SweepSpec& spec, std::optional<int> trials = std::nullopt,
                     std::size_t max_points = DEFAULT_MAX_POINTS);

/// Runs point `p` of the plan (common random numbers: every point uses sweep point 0, so trial i
/// draws the same streams everywhere) and returns each output's per-trial values,
/// values[output][trial]. Only the outputs are reduced, not every series. With `count`, only
/// trials first .. first + count - 1 run (each exactly as in a whole run), for ranks that share
/// a point.
std::vector<std::vector<double>> run_point(const SweepPlan& plan, std::size_t p, int threads,
                                           int first = 0, int count = -1);

/// Shortest decimal text that reads back as exactly `v` ("" for NaN and infinities).
std::string exact_number(double v);

}  // namespace chokepoint
