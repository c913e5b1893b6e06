#pragma once
/// Simulated against reported: every reported figure beside the simulated band, scores per
/// series and overall (MAPE, bias, coverage, CRPS) and skill against naive forecasts.
#include <optional>
#include <string>
#include <vector>

#include "chokepoint/compare/reported.hpp"
#include "chokepoint/runner/runner.hpp"
#include "chokepoint/scenario/scenario.hpp"
#include "chokepoint/stats/scores.hpp"

namespace chokepoint {

struct CompareConfig {
    RunConfig run;
    std::optional<MonthIndex> from;    ///< first month of reported periods to use
    std::optional<MonthIndex> to;      ///< last month
    std::optional<MonthIndex> origin;  ///< backtest: score only periods starting after it
};

/// Two rows giving one figure disagree: their tonnes differ by more than 0.5% of the first's.
bool figures_disagree(const ReportedRow& scored, const ReportedRow& other);

/// One reported figure and its simulated counterpart.
struct ComparedFigure {
    std::size_t row = 0;  ///< index into the reported rows
    std::string label;
    std::vector<int> series;  ///< the layout's series whose sum is the simulated counterpart
    double reported = 0.0;    ///< tonnes
    double mean = 0.0, p05 = 0.0, p25 = 0.0, p50 = 0.0, p75 = 0.0, p95 = 0.0;
    bool inside50 = false;
    bool inside90 = false;
    double error_pct = 0.0;  ///< (P50 - reported) / reported x 100; 0 when reported is 0
    double crps = 0.0;       ///< tonnes
    /// Probability integral transform: the share of trials below the reported value (ties count
    /// half). Uniform over figures when the bands are calibrated.
    double pit = 0.5;
    std::optional<double> persistence;     ///< last reported value before the period
    std::optional<double> seasonal_naive;  ///< the same period a year earlier
    bool conflict = false;  ///< another source reports a different value (figures_disagree)
    /// Rows reporting the same figure that were not scored (ReportedTarget::duplicates).
    std::vector<std::size_t> duplicates;
};

/// Scores of one group of figures, with the naive forecasts on the figures where they exist.
struct GroupScores {
    std::string label;
    ScoreSet model;
    // Each naive forecast against the model on the same figures.
    int persistence_count = 0;
    double persistence_mape = 0.0, persistence_mae = 0.0, model_mape_p = 0.0, model_crps_p = 0.0;
    int seasonal_count = 0;
    double seasonal_mape = 0.0, seasonal_mae = 0.0, model_mape_s = 0.0, model_crps_s = 0.0;

    /// CRPS skill against each naive forecast, 1 - CRPS / naive absolute error, on the figures
    /// that have one; nullopt when none has.
    std::optional<double> persistence_skill() const {
        return persistence_count > 0 && persistence_mae > 0
                   ? std::optional<double>(1.0 - model_crps_p / persistence_mae)
                   : std::nullopt;
    }
    std::optional<double> seasonal_skill() const {
        return seasonal_count > 0 && seasonal_mae > 0
                   ? std::optional<double>(1.0 - model_crps_s / seasonal_mae)
                   : std::nullopt;
    }
};

struct ComparedFigure;
/// Adds one figure to a group: the model's scores, and each naive forecast the figure has.
void add_figure(GroupScores& g, const ComparedFigure& f);

/// Monthly band of one compared quantity (for fan charts).
struct MonthlyBand {
    std::string label;
    std::vector<Summary> months;  ///< one per scenario month
};

struct Comparison {
    std::vector<ReportedRow> rows;
    std::vector<ComparedFigure> figures;
    std::vector<GroupScores> groups;  ///< per label
    GroupScores overall;
    std::vector<Unmapped> unmapped;
    std::vector<MonthlyBand> bands;
    RunResult run;  ///< trials and layout; no series summaries (bands hold the compared ones)
};

/// Runs the scenario and compares. Throws InputError if no reported figure can be compared.
Comparison compare_with_reported(const Scenario& scenario, std::vector<ReportedRow> rows,
                                 const CompareConfig& config);

/// comparison.csv: one row per compared figure.
std::string format_comparison_csv(const Comparison& c, const Scenario& scenario);
/// scores.json: per group and overall, with plain-language verdicts and the unmapped rows.
std::string format_scores_json(const Comparison& c, const Scenario& scenario,
                               const CompareConfig& config);
/// Below this many figures a verdict says "too few to judge".
inline constexpr int VERDICT_MIN_FIGURES = 5;
/// A CRPS skill closer to 0 than this is "no better than" (a tie), not a win or a loss.
inline constexpr double VERDICT_TIE_SKILL = 0.1;
/// One sentence per naive forecast: beats, no better than, loses to (by CRPS skill against the
/// naive forecast's absolute error), or too few figures to judge.
std::vector<std::string> verdicts(const GroupScores& g);

}  // namespace chokepoint
