#pragma once
// Internal to simulate: the options `compare`, `backtest` and `calibrate` share, and the reported
// figures they read (the shipped ones beside the model, and the user's).
#include <boost/program_options.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "chokepoint/compare/compare.hpp"
#include "chokepoint/scenario/scenario.hpp"
#include "cli_common.hpp"

namespace chokepoint::cli {

namespace po = boost::program_options;

// Options shared by `compare`, `backtest` and `calibrate`.
struct ComparisonOptions {
    std::string path;
    std::string reported;
    std::string from;
    std::string to;
    std::string output;
    int trials = 0;
    long long seed = -1;
    int threads = 0;

    bool quiet = false;
    bool reported_only = false;

    void add_to(po::options_description& opts) {
        opts.add_options()("scenario", po::value<std::string>(&path), "scenario file")(
            "reported", po::value<std::string>(&reported),
            "reported figures, a CSV file or a directory of them, added to the shipped ones "
            "(reported/ beside the scenario's model)")(
            "reported-only", po::bool_switch(&reported_only),
            "use only --reported's figures, not the shipped ones")(
            "from", po::value<std::string>(&from),
            "first month of reported periods to use, YYYY-MM (default: all)")(
            "to", po::value<std::string>(&to),
            "last month of reported periods to use, YYYY-MM (default: all)")(
            "trials", po::value<int>(&trials), "trials (default: the scenario's)")(
            "seed", po::value<long long>(&seed), "master seed (default: the scenario's)")(
            "threads", po::value<int>(&threads), "worker threads (default: all cores)")(
            "output,o", po::value<std::string>(&output),
            "output directory (default: results/<scenario name>-<command>)")(
            "quiet,q", po::bool_switch(&quiet),
            "no progress line, and for compare and backtest no tables (the files only)");
    }
    void parse(const std::vector<std::string>& args, po::options_description& opts,
               const char* command) {
        const po::variables_map vm = parse_args(args, opts, {"scenario"});
        if (path.empty()) {
            throw UsageError(std::string(command) + " needs a scenario file");
        }
        check_run_options(vm, trials, threads, seed);
    }
    /// Months, trials, seed and threads into `config`; the reported rows (default: the
    /// reported/ directory beside the scenario's model).
    std::vector<ReportedRow> apply(const Scenario& scenario, CompareConfig& config,
                                   int default_trials) {
        if (!from.empty()) {
            config.from = month_option("from", from);
        }
        if (!to.empty()) {
            config.to = month_option("to", to);
        }
        config.run.trials = trials > 0 ? trials : default_trials;
        config.run.seed = seed >= 0 ? static_cast<std::uint64_t>(seed) : scenario.seed;
        config.run.threads = threads;
        // The shipped figures beside the model, and the user's files added to them (the
        // shipped rows first, so a figure both report is scored once, as shipped) unless
        // --reported-only replaces them.
        const std::string shipped =
            (std::filesystem::path(scenario.model_path).parent_path() / "reported").string();
        std::error_code ec;
        const bool have_shipped = std::filesystem::is_directory(shipped, ec);
        std::vector<ReportedRow> rows;
        if (reported_only && reported.empty()) {
            throw UsageError("--reported-only needs --reported FILE_OR_DIR");
        }
        if (reported.empty()) {
            if (!have_shipped) {
                throw UsageError("no reported figures beside the model (" + shipped +
                                 "); pass --reported FILE_OR_DIR");
            }
            reported = shipped;
            return load_reported(shipped, scenario.material.unit);
        }
        const std::string user = reported;
        if (have_shipped && !reported_only &&
            std::filesystem::weakly_canonical(shipped, ec) !=
                std::filesystem::weakly_canonical(user, ec)) {
            rows = load_reported(shipped, scenario.material.unit);
            reported = shipped + " + " + user;
        }
        auto mine = load_reported(user, scenario.material.unit);
        rows.insert(rows.end(), mine.begin(), mine.end());
        return rows;
    }
};

}  // namespace chokepoint::cli
