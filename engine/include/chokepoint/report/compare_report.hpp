#pragma once
/// What a comparison with reported figures shows (issue 24's report wing): its tables on a
/// screen, and its files (comparison.csv, scores.json, the fan charts of compared series drawn by
/// gnuplot, Debian package gnuplot-nox, as PNG and SVG, and a page that shows them all).
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "chokepoint/compare/compare.hpp"
#include "chokepoint/io/fan_chart.hpp"

namespace chokepoint {

/// The comparison's tables: every figure, the figures other files repeat, the scores by group
/// and overall with their verdicts, and the rows not compared.
void print_comparison(std::ostream& out, const Comparison& c, const Scenario& scenario,
                      const CompareConfig& config);

/// comparison.csv and scores.json into `dir` (a staged result directory).
void write_comparison_data(const std::filesystem::path& dir, const Comparison& c,
                           const Scenario& scenario, const CompareConfig& config);

/// Dashed markers at the start of every event that can happen (uncertain starts at the middle of
/// their range, labelled "~").
std::vector<ChartMarker> event_markers(const Scenario& scenario);

/// Writes charts/<n>.png, charts/<n>.svg and index.html into `dir`, with the run's fan-chart
/// code (io/fan_chart.hpp); months after a backtest `origin` are shaded as the projection. Returns
/// the chart files written; throws std::runtime_error when gnuplot is missing or fails.
std::vector<std::string> write_comparison_charts(const std::filesystem::path& dir,
                                                 const Comparison& c, const Scenario& scenario,
                                                 std::optional<MonthIndex> origin = std::nullopt);

}  // namespace chokepoint
