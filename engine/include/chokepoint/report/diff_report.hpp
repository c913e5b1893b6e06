#pragma once
/// What a diff shows (issue 24's report wing): the per-trial difference of the headline series
/// on a screen, and its files (diff.csv, diff.json, charts/).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "chokepoint/scenario/scenario.hpp"
#include "chokepoint/sweep/diff.hpp"

namespace chokepoint {

/// One side of a diff as diff.json and the titles name it: the scenario, its path and the
/// overrides that made it.
struct DiffSide {
    const Scenario& scenario;
    const std::string& path;
    const std::vector<std::string>& sets;
};

/// The screen's table: the headline series' per-trial difference by month (months where all
/// shown are zero left out), and what the pairing is worth. Nothing where the model has no
/// headline series.
void print_diff(std::ostream& out, const DiffResult& d, const DiffSide& base,
                const DiffSide& whatif);

/// diff.csv and diff.json (provenance of both sides, the seed, the trials and what the pairing
/// is worth) into `dir` (a staged result directory).
void write_diff_data(const std::filesystem::path& dir, const DiffResult& d, const DiffSide& base,
                     const DiffSide& whatif, std::uint64_t seed, const std::string& command_line);

/// The headline series' fan charts of the difference into dir/charts. Returns the files written.
std::size_t write_diff_charts(const std::filesystem::path& dir, const DiffResult& d,
                              const DiffSide& base, const DiffSide& whatif);

}  // namespace chokepoint
