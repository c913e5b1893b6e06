#pragma once
/// What a finished sweep shows (issue 24's report wing): its summary on a screen, and its files
/// (indices.csv, indices.json, problem.json for SALib, charts/ and index.html).
#include <filesystem>
#include <string>
#include <vector>

#include "chokepoint/sweep/output_indices.hpp"
#include "chokepoint/sweep/plan.hpp"

namespace chokepoint {

/// Writes indices.csv, indices.json, problem.json and (when `charts` and gnuplot is installed)
/// charts/*.png|svg, then index.html, each atomically. Returns the warnings to show (e.g. no
/// gnuplot).
std::vector<std::string> write_sweep_report(const SweepPlan& plan,
                                            const std::vector<OutputIndices>& indices,
                                            const std::filesystem::path& dir, bool charts);

/// The terminal summary: per output, the factors by importance with their effect and noise.
std::string format_sweep_summary(const SweepPlan& plan, const std::vector<OutputIndices>& indices);

}  // namespace chokepoint
