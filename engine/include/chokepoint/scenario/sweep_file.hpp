#pragma once
/// A sweep file as written: the base scenario, the factors to vary, the design, the trials per
/// point and the outputs to measure. Read from YAML with every problem reported at once
/// (file:line:column, YAML path, did-you-mean); checks that need the scenario (factor paths and
/// ranges, output series) are made by the sweep module.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "chokepoint/core/calendar.hpp"
#include "chokepoint/core/diagnostics.hpp"
#include "chokepoint/scenario/scenario.hpp"

namespace chokepoint {

enum class DesignKind { grid, oat, lhs, morris, sobol };
const char* to_string(DesignKind kind);

/// One factor: a path `--set` takes and the values it may take.
struct FactorSpec {
    enum class Source { range, levels, scenario };
    std::string path;
    Source source = Source::range;
    bool is_date = false;  ///< values are days (written YYYY-MM-DD)
    double low = 0.0;      ///< range (or, for levels, the smallest level)
    double high = 0.0;
    std::vector<double> levels;   ///< levels, in the order written
    std::optional<double> base;   ///< OAT centre; default midpoint / middle level / median
    std::string group;            ///< for grouped indices; empty: the factor alone
    SourceLocation where;         ///< the factor's `path:`
    SourceLocation values_where;  ///< its `range:`, `levels:` or `from:`
};

/// One measured output of each trial.
struct OutputSpec {
    enum class Stat { sum, mean, min, max };
    enum class Measure { shortage_probability, shortage_mass, days_short, time_to_shortage };
    std::string id;
    bool is_buyer = false;
    // A series over a period (is_buyer false).
    std::string metric, product, from, to;
    MonthIndex first = 0;  ///< first month of the period
    MonthIndex last = 0;   ///< last month, inclusive
    Stat stat = Stat::sum;
    // A buyer figure (is_buyer true): the buyer node id or country, and its product.
    std::string buyer;
    Measure measure = Measure::shortage_probability;
    SourceLocation where;
    /// "t" or "kg" (the material's `mass_unit`) for amounts, "days", "probability".
    std::string unit(const std::string& mass_unit) const;
};
const char* to_string(OutputSpec::Stat stat);
const char* to_string(OutputSpec::Measure measure);

struct SweepSpec {
    std::string path;           ///< the sweep file
    std::string name;           ///< names the output directory (default: the file's stem)
    std::string scenario_path;  ///< resolved relative to the sweep file
    SourceLocation scenario_where;
    std::vector<Override> set;  ///< `set:` overrides applied to the base scenario at every point
    std::vector<FactorSpec> factors;
    DesignKind design = DesignKind::oat;
    int samples = 0;  ///< lhs: points; sobol: base samples N; morris: trajectories
    int levels = 4;   ///< morris grid levels; grid: levels of a range factor
    std::uint64_t design_seed = 1;
    int bootstrap = 1000;  ///< sobol: bootstrap resamples for the intervals
    /// sobol: independent replicates of samples / replicates rows each (1: one design, intervals
    /// by bootstrap; more: intervals from the replicates' spread, docs/sweeps.md).
    int replicates = 1;
    int trials = 200;                   ///< per point
    std::optional<std::uint64_t> seed;  ///< trial seed (default: the scenario's)
    std::vector<OutputSpec> outputs;
    SourceLocation design_where;
};

/// True when `path` holds a sweep file (a mapping with `factors:` or `scenario:` and neither a
/// scenario's `model:`/`extends:` nor a model's `nodes:`).
bool is_sweep_file(const std::string& path);
/// Reads and checks a sweep file. Throws InputError listing every problem.
SweepSpec load_sweep_file(const std::string& path);

}  // namespace chokepoint
