#pragma once
/// Rolling-origin backtests: for each origin month, the scenario with only the events announced
/// by the origin's last day is run and scored on the reported figures 1 to `max_lead` months
/// after it. The out-of-sample judgement of the model, by origin and by lead.
#include <cstdint>
#include <functional>
#include <limits>
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

/// A 90% interval (5th to 95th percentile); NaN when there is nothing to resample.
struct Interval {
    double low = std::numeric_limits<double>::quiet_NaN();
    double high = std::numeric_limits<double>::quiet_NaN();
};

/// How far pooled scores could move on other origins like these (block_bootstrap_ratio): the
/// 90% band's coverage and the CRPS skill against each naive forecast.
struct ScoreIntervals {
    Interval coverage90;
    Interval skill_persistence;
    Interval skill_seasonal;
};

/// Scores of the figures at one lead (months from the origin to the period's last month).
struct LeadScores {
    int lead = 0;
    GroupScores scores;
    /// Pooled over origins only: how far the scores could move on other origins like these
    /// (the origins resampled in blocks of bootstrap_block(origins)); NaN for one origin's.
    ScoreIntervals intervals;
};

struct BacktestOrigin {
    MonthIndex origin = 0;
    int events_known = 0;    ///< events announced by the origin
    int events_dropped = 0;  ///< announced later: switched off (probability 0)
    /// Ids of the events known, but not yet their end: run without it (in file order).
    std::vector<std::string> open_events;
    /// Ids of the events known, but not yet their size (`sized_on:` after the origin): run at
    /// the size written, which the origin could not know (in file order).
    std::vector<std::string> sized_later;
    std::vector<LeadScores> leads;  ///< leads with at least one figure
    std::vector<ComparedFigure> figures;
    std::vector<int> figure_lead;   ///< per figure
    std::vector<ReportedRow> rows;  ///< the rows the figures index
};

struct Backtest {
    std::vector<BacktestOrigin> origins;
    std::vector<LeadScores> by_lead;  ///< pooled over origins, lead 1..max_lead
    GroupScores overall;
    ScoreIntervals overall_intervals;  ///< as LeadScores::intervals, over all leads
    std::vector<double> pit;           ///< every scored figure's PIT, pooled
    std::string unit = "t";            ///< the material's mass unit, of every amount above
};

/// A 90% interval for the ratio sum(numerator) / sum(denominator) over a list of origins in
/// order (a share of figures inside a band: figures inside over figures; a CRPS over a naive
/// forecast's absolute error), by a circular block bootstrap (Politis and Romano, 1992): each
/// replicate strings together blocks of `block` consecutive origins (wrapping at the end) from
/// random starts until it holds as many origins as the list, and the interval is the 5th to 95th
/// percentile of the replicates' ratios. Consecutive origins know nearly the same and face the
/// same events ahead (a control none of them knows makes them all miss), and at different leads
/// they score the same months, so their misses come in runs; blocks keep the runs. Replicates
/// whose denominator is 0 (no figure drawn) are left out. No interval (NaN) with fewer than two
/// blocks of origins. Deterministic for a given `seed`.
Interval block_bootstrap_ratio(const std::vector<double>& numerator,
                               const std::vector<double>& denominator, int block, int replicates,
                               std::uint64_t seed);
/// The block length for `origins` origins: the cube root, rounded (at least 1). Blocks grow with
/// the sample as n^(1/3), the rate that keeps both the bias and the variance of a block
/// bootstrap's variance estimate small (Hall, Horowitz and Jing, 1995); longer blocks from few
/// origins leave too few distinct replicates and understate the spread.
int bootstrap_block(std::size_t origins);

/// The scenario as known on `day`: events announced after it can no longer happen (counted in
/// `dropped`), and events whose end was announced after it have no end (their ids in `open`);
/// events known but sized after it keep their size (their ids in `sized_later`).
Scenario known_by(const Scenario& scenario, Day day, int* dropped = nullptr,
                  std::vector<std::string>* open = nullptr,
                  std::vector<std::string>* sized_later = nullptr);

/// Runs every origin. Origins with no figure to score are kept with empty leads. Throws
/// InputError when no origin has any figure.
Backtest run_backtest(const Scenario& scenario, const std::vector<ReportedRow>& rows,
                      const BacktestConfig& config);

/// backtest.csv: one row per origin and lead, then the pooled rows (origin "all").
std::string format_backtest_csv(const Backtest& b);
/// figures.csv: every scored figure of every origin, with its lead and PIT.
std::string format_backtest_figures_csv(const Backtest& b);

}  // namespace chokepoint
