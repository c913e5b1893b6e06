#pragma once
/// What-if differences with common random numbers: a base and a what-if scenario run the same
/// trials (trial i draws the same streams in both), and every series-month is summarised as the
/// distribution of the per-trial difference what-if - base, with the probability that the
/// what-if is lower.
#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "chokepoint/kernel/output_layout.hpp"
#include "chokepoint/runner/runner.hpp"
#include "chokepoint/scenario/scenario.hpp"
#include "chokepoint/stats/summary.hpp"

namespace chokepoint {

struct DiffResult {
    OutputLayout layout;  ///< the what-if's series (a series the base lacks counts as 0 there)
    std::vector<Summary> monthly;      ///< of what-if - base, series-major like RunResult
    std::vector<double> prob_lower;    ///< share of trials with what-if < base, per column
    std::vector<double> var_base;      ///< variance of the base's values, per column
    std::vector<double> var_whatif;    ///< of the what-if's
    std::vector<int> missing_in_base;  ///< what-if series the base does not report
    int trials_completed = 0;
    bool partial = false;

    const Summary& at(std::size_t series, int month) const {
        return monthly[series * static_cast<std::size_t>(layout.months) +
                       static_cast<std::size_t>(month)];
    }
    /// How many independent trials per scenario would give the paired difference's precision
    /// with `trials` paired ones: trials x (var_base + var_whatif) / var(difference), for one
    /// column; NaN where the difference has no variance.
    double independent_equivalent(std::size_t column) const;
};

/// Runs both scenarios over config.trials trials (in chunks of 512, so memory stays bounded).
/// They must share the calendar (start, end, time step). Throws std::invalid_argument if not.
DiffResult run_diff(const Scenario& base, const Scenario& whatif, const RunConfig& config);

/// `metric,product,from,to,period` (summary.csv's keys), then mean, sd, p05 .. p95 of the
/// difference and prob_lower.
std::string format_diff_csv(const DiffResult& diff);

}  // namespace chokepoint
