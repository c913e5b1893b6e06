#pragma once
/// Calibration: the values of named uncertain parameters that best reproduce reported figures,
/// found by NLopt's derivative-free Subplex (Debian package libnlopt-cxx-dev) on an objective
/// evaluated with common random numbers (the same seed and trials for every candidate), so the
/// objective changes only through the parameters.
#include <functional>
#include <string>
#include <vector>

#include "chokepoint/compare/compare.hpp"

namespace chokepoint {

struct CalibrationConfig {
    std::vector<std::string> fit;  ///< parameter names
    CompareConfig compare;         ///< trials, seed, threads, months (--to)
    int max_evaluations = 60;
    double relative_tolerance = 1e-3;  ///< on the parameters
    /// The range written for each fitted value: where the objective stays within this fraction
    /// of its minimum (a profile range, not a confidence interval).
    double range_tolerance = 0.05;
    /// A parameter whose objective moves by less than this fraction over its whole search range
    /// is not identified by the figures: its prior is kept, not replaced by a fitted range.
    double identification_tolerance = 0.005;
    /// Called after each evaluation with its number, the objective and the candidate values
    /// (in the order of `fit`), for progress lines.
    std::function<void(int, double, const std::vector<double>&)> on_evaluation;
};

struct FittedParameter {
    std::string name;
    double lower = 0.0, upper = 0.0;  ///< search bounds (from the prior)
    double prior_mean = 0.0;          ///< where the search starts
    double fitted = 0.0;
    double range_low = 0.0, range_high = 0.0;  ///< profile range around the fitted value
    /// (largest - smallest) / smallest objective over the profile walk.
    double objective_spread = 0.0;
    /// False when the walk reached both bounds and the objective moved by less than
    /// identification_tolerance: the figures cannot pin it down, and its prior is kept.
    bool identified = true;
    /// True when the fitted value sits at a search bound (within 0.1% of the range): the figures
    /// may want a value the prior does not allow.
    bool at_bound() const {
        const double tol = 1e-3 * (upper - lower);
        return fitted <= lower + tol || fitted >= upper - tol;
    }
};

struct Calibration {
    std::vector<FittedParameter> parameters;
    double objective_before = 0.0;  ///< the scenario as given (parameters uncertain)
    double objective_at_prior_mean = 0.0;
    double objective_after = 0.0;  ///< fitted values, fixed
    GroupScores before;
    GroupScores after;
    int evaluations = 0;
    int figures = 0;
    /// `parameters.<name>` overrides that write the fitted values as triangular ranges (none
    /// for a parameter that is not identified).
    std::vector<Override> overrides;
};

/// The objective: mean CRPS of the figures divided by the reported value (figures with a
/// reported value of zero use the mean reported value of their group as the scale).
double calibration_objective(const Comparison& c);

/// calibration.json: the calibrated scenario's path and the SHA-256 of its text, objective before
/// and after, each parameter's start, fitted value, range and bounds, and the scores before and
/// after.
std::string format_calibration_json(const Calibration& cal, const Scenario& scenario,
                                    const std::string& calibrated_scenario_path,
                                    const std::string& calibrated_scenario_text);

/// The parameters `config.fit` names (as `NAME` or `parameters.NAME`), with their search ranges
/// and prior means; nothing is run. Throws InputError listing every name that is unknown or
/// fixed, so a command can check them before it starts.
std::vector<FittedParameter> calibration_parameters(const Scenario& scenario,
                                                    const CalibrationConfig& config);

/// Fits `config.fit`. Throws InputError for unknown parameter names, std::runtime_error if the
/// optimiser fails.
Calibration calibrate(const Scenario& scenario, const std::vector<ReportedRow>& rows,
                      const CalibrationConfig& config);

}  // namespace chokepoint
