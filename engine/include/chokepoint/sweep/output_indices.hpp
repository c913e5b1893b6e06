#pragma once
/// What a finished sweep says: sensitivity indices per output with their Monte Carlo noise, and
/// notes where an effect is exactly zero (and what overrides the factor there). Its files and
/// screen are the report's (chokepoint/report/sweep_report.hpp).
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "chokepoint/sweep/plan.hpp"

namespace chokepoint {

/// One index of one factor (or group) for one output.
struct IndexRow {
    std::string factor;  ///< factor path, or group name for a grouped index
    std::string group;
    std::string index;  ///< effect_low, effect_high, swing; mu, mu_star, sigma; S1, ST;
                        ///< pearson, spearman; main_effect_range
    double value = 0.0;
    double mc_se = std::numeric_limits<double>::quiet_NaN();  ///< Monte Carlo standard error (trial
                                                              ///< noise), where it is known
    double conf_low =
        std::numeric_limits<double>::quiet_NaN();  ///< interval (95%), where one is computed
    double conf_high = std::numeric_limits<double>::quiet_NaN();
    std::string note;
};

struct OutputIndices {
    std::string output;
    std::string unit;
    std::vector<IndexRow> rows;
    /// Share of the variance of the point means that is trial noise (mean squared standard
    /// error of a point's mean over the variance of the point means); NaN for OAT.
    double noise_share = std::numeric_limits<double>::quiet_NaN();
    std::vector<std::string> notes;  ///< for the terminal and the page
};

/// Computes every output's indices from the per-trial values, values[point][output][trial].
std::vector<OutputIndices> sweep_indices(
    const SweepPlan& plan, const std::vector<std::vector<std::vector<double>>>& values);

}  // namespace chokepoint
