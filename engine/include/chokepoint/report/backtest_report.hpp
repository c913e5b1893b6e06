#pragma once
/// What a backtest shows (issue 24's report wing): its tables on a screen, and its files (the
/// data, the charts and the page) into a result directory.
#include <cstddef>
#include <filesystem>
#include <ostream>

#include "chokepoint/compare/backtest.hpp"
#include "chokepoint/scenario/scenario.hpp"

namespace chokepoint {

/// The backtest's tables: scores by lead and overall, their intervals over resampled origins,
/// then what each origin knew.
void print_backtest(std::ostream& out, const Backtest& b, const Scenario& scenario,
                    const BacktestConfig& config);

/// backtest.csv and figures.csv into `dir` (a staged result directory).
void write_backtest_data(const std::filesystem::path& dir, const Backtest& b);

/// Charts of a backtest (coverage and CRPS skill by lead, the PIT histogram) into dir/charts, and
/// its page, dir/index.html. Returns the number of files written.
std::size_t write_backtest_charts(const std::filesystem::path& dir, const Backtest& b,
                                  const Scenario& scenario);

}  // namespace chokepoint
