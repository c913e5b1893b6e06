#pragma once
/// Rolling-origin backtests: for each origin month, the scenario with only the events announced
/// by the origin's last day is run and scored on the reported figures 1 to `max_lead` months
/// after it. The out-of-sample judgement of the model, by origin and by lead.
#include <functional>
#include <string>
#include <vector>

#include "chokepoint/compare/compare.hpp"

namespace chokepoint {

struct BacktestConfig {
    CompareConfig compare;            ///< trials, seed, threads (from/to/origin are set here)
    std::vector<MonthIndex> origins;  ///< in increasing order
    int max_lead = 6;                 ///< months after the origin
    /// Called after each origin with (origins done, origins in all).
    std::function<void(int, int)> on_origin;
};

/// Scores of the figures at one lead (months from the origin to the period's last month).
struct LeadScores {
    int lead = 0;
    GroupScores scores;
};

struct BacktestOrigin {
    MonthIndex origin = 0;
    int events_known = 0;    ///< events announced by the origin
    int events_dropped = 0;  ///< announced later: switched off (probability 0)
    /// Ids of the events known, but not yet their end: run without it (in file order).
    std::vector<std::string> open_events;
    std::vector<LeadScores> leads;  ///< leads with at least one figure
    std::vector<ComparedFigure> figures;
    std::vector<int> figure_lead;   ///< per figure
    std::vector<ReportedRow> rows;  ///< the rows the figures index
};

struct Backtest {
    std::vector<BacktestOrigin> origins;
    std::vector<LeadScores> by_lead;  ///< pooled over origins, lead 1..max_lead
    GroupScores overall;
    std::vector<double> pit;  ///< every scored figure's PIT, pooled
};

/// The scenario as known on `day`: events announced after it can no longer happen (counted in
/// `dropped`), and events whose end was announced after it have no end (their ids in `open`).
Scenario known_by(const Scenario& scenario, Day day, int* dropped = nullptr,
                  std::vector<std::string>* open = nullptr);

/// Runs every origin. Origins with no figure to score are kept with empty leads. Throws
/// InputError when no origin has any figure.
Backtest run_backtest(const Scenario& scenario, const std::vector<ReportedRow>& rows,
                      const BacktestConfig& config);

/// backtest.csv: one row per origin and lead, then the pooled rows (origin "all").
std::string format_backtest_csv(const Backtest& b);
/// figures.csv: every scored figure of every origin, with its lead and PIT.
std::string format_backtest_figures_csv(const Backtest& b);

}  // namespace chokepoint
