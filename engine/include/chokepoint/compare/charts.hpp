#pragma once
/// Fan charts of compared series (P5-P95 and P25-P75 bands, P50 line, reported points), drawn by
/// gnuplot (Debian package gnuplot-nox) as PNG and SVG, and an HTML page that shows them all.
#include <filesystem>
#include <string>
#include <vector>

#include "chokepoint/compare/compare.hpp"

namespace chokepoint {

/// Writes charts/<n>.png, charts/<n>.svg and index.html into `dir`. Returns the chart files
/// written; throws std::runtime_error when gnuplot is missing or fails.
std::vector<std::string> write_fan_charts(const std::filesystem::path& dir, const Comparison& c,
                                          const Scenario& scenario);

}  // namespace chokepoint
