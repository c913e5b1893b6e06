#pragma once
/// Fan charts of compared series (P5-P95 and P25-P75 bands, P50 line, reported points), drawn by
/// gnuplot (Debian package gnuplot-nox) as PNG and SVG, and an HTML page that shows them all.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "chokepoint/compare/compare.hpp"
#include "chokepoint/io/fan_chart.hpp"

namespace chokepoint {

/// Dashed markers at the start of every event that can happen (uncertain starts at the middle of
/// their range, labelled "~").
std::vector<ChartMarker> event_markers(const Scenario& scenario);

/// Writes charts/<n>.png, charts/<n>.svg and index.html into `dir`, with the run's fan-chart
/// code (io/fan_chart.hpp); months after a backtest `origin` are shaded as the projection. Returns
/// the chart files written; throws std::runtime_error when gnuplot is missing or fails.
std::vector<std::string> write_fan_charts(const std::filesystem::path& dir, const Comparison& c,
                                          const Scenario& scenario,
                                          std::optional<MonthIndex> origin = std::nullopt);

}  // namespace chokepoint
