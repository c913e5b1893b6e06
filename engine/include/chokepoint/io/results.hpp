#pragma once
/// The files a run writes: summary.csv (tidy long form), buyers.csv and run.json.
#include <filesystem>
#include <string>
#include <vector>

#include "chokepoint/runner/runner.hpp"
#include "chokepoint/scenario/scenario.hpp"

namespace chokepoint {

struct RunMetadata {
    std::string command_line;
    std::string scenario_path;
    std::string scenario_sha256;
    std::string model_path;
    std::string model_sha256;
};

/// Version of this build, and the git revision it was built from ("unknown" outside git).
const char* version();
const char* git_revision();

/// `metric,product,from,to,period,mean,sd,p05,p25,p50,p75,p95`, one row per series and month.
std::string format_summary_csv(const RunResult& result);
/// One row per buyer and product: shortage probability, tonnes, days, time to shortage.
std::string format_buyers_csv(const Scenario& scenario, const RunResult& result);
/// Version, git revision, scenario path and SHA-256, the resolved scenario, seed, trials,
/// threads, wall time, partial flag.
std::string format_run_json(const Scenario& scenario, const RunConfig& config,
                            const RunResult& result, const RunMetadata& meta);
/// Writes the three files as one set: they replace `dir` (created if needed) together, or not at
/// all (see StagedDirectory).
void write_results(const std::filesystem::path& dir, const Scenario& scenario,
                   const RunConfig& config, const RunResult& result, const RunMetadata& meta);

}  // namespace chokepoint
