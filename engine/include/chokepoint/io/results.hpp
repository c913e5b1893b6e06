#pragma once
/// The files a run writes: summary.csv (tidy long form), buyers.csv and run.json.
#include <filesystem>
#include <functional>
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

/// The unit of a summary.csv metric in the material's `mass_unit` ("t" or "kg"): "t/month" for
/// flows (exports, imports, shortage, refused), "t" for levels at the month's end (stock,
/// licence_backlog), "days" for days_short.
std::string series_unit(const std::string& metric, const std::string& mass_unit);
/// `metric,product,from,to,period,mean,sd,p05,p25,p50,p75,p95,unit,partner_total,trials,partial`,
/// one row per series and month. partner_total is true on totals over partners (from or to is
/// "World"); trials and partial say on every row how many trials it summarises and whether the
/// run was interrupted. Numbers are written exactly (format_exact).
std::string format_summary_csv(const RunResult& result);
/// One row per buyer and product: shortage probability, tonnes, days, time to shortage.
std::string format_buyers_csv(const Scenario& scenario, const RunResult& result);
/// Version, git revision, scenario path and SHA-256, the resolved scenario, seed, trials,
/// threads, wall time, partial flag, and the files of the set.
std::string format_run_json(const Scenario& scenario, const RunConfig& config,
                            const RunResult& result, const RunMetadata& meta,
                            const std::vector<std::string>& extra_files = {});
/// Writes the files into the staged directory before run.json and returns the names to list in
/// run.json (e.g. charts and index.html).
using ExtraFiles = std::function<std::vector<std::string>(const std::filesystem::path&)>;
/// Writes the three files (and `extra`'s) as one set: they replace `dir` (created if needed)
/// together, or not at all (see StagedDirectory).
void write_results(const std::filesystem::path& dir, const Scenario& scenario,
                   const RunConfig& config, const RunResult& result, const RunMetadata& meta,
                   const ExtraFiles& extra = {});

}  // namespace chokepoint
