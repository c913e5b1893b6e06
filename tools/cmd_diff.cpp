// `simulate diff`: what a change does, as the distribution of the per-trial difference between
// a base and a what-if run with common random numbers. The options, the library call and the
// report's (report/diff.cpp).
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <csignal>
#include <iostream>

#include "chokepoint/io/files.hpp"
#include "chokepoint/io/result_dir.hpp"
#include "chokepoint/report/diff_report.hpp"
#include "chokepoint/sweep/diff.hpp"
#include "cli_common.hpp"

namespace chokepoint::cli {

namespace {}  // namespace

int cmd_diff(const std::vector<std::string>& args, const std::string& command_line) {
    po::options_description opts("diff options");
    std::string base_path;
    std::string whatif_path;
    std::vector<std::string> sets;
    std::vector<std::string> base_sets;
    std::string output;
    int trials = 0;
    long long seed = -1;
    int threads = 0;
    bool quiet = false;
    bool no_charts = false;
    opts.add_options()("base", po::value<std::string>(&base_path), "base scenario")(
        "whatif", po::value<std::string>(&whatif_path), "what-if scenario (default: the base)")(
        "set", po::value<std::vector<std::string>>(&sets)->composing(),
        "override path=value in the what-if")(
        "base-set", po::value<std::vector<std::string>>(&base_sets)->composing(),
        "override path=value in the base")("trials", po::value<int>(&trials),
                                           "trials (default: the what-if's)")(
        "seed", po::value<long long>(&seed), "master seed (default: the what-if's)")(
        "threads", po::value<int>(&threads), "worker threads (default: all cores)")(
        "output,o", po::value<std::string>(&output),
        "output directory (default: results/<what-if name>-diff)")(
        "no-charts", po::bool_switch(&no_charts), "skip the charts")(
        "quiet,q", po::bool_switch(&quiet), "no progress line and no table");
    const po::variables_map vm = parse_args(args, opts, {"base", "whatif"});
    if (base_path.empty()) {
        throw UsageError("diff needs a base scenario, and a what-if scenario or --set/--base-set");
    }
    if (whatif_path.empty()) {
        whatif_path = base_path;
        if (sets.empty() && base_sets.empty()) {
            throw UsageError(
                "diff of a scenario with itself: give a what-if scenario, --set "
                "(what-if) or --base-set (base)");
        }
    }
    check_run_options(vm, trials, threads, seed, 2);
    const Scenario base = load_scenario(base_path, parse_overrides(base_sets));
    const Scenario whatif = load_scenario(whatif_path, parse_overrides(sets));
    const std::filesystem::path dir = output_dir(output, whatif.name + "-diff");
    require_result_dir(dir, ResultKind::diff);
    RunConfig config = run_config(whatif, trials, seed, threads);
    Progress progress(!quiet && ::isatty(STDERR_FILENO));
    config.progress = [&](int done, int total) { progress(done, total); };
    DiffResult d;
    try {
        const InterruptHandlers interrupts;
        d = run_diff(base, whatif, config);
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
    if (d.partial) {
        progress.finish();
        spdlog::error("interrupted: nothing written");
        return EXIT_INTERRUPTED;
    }
    const DiffSide base_side{base, base_path, base_sets};
    const DiffSide whatif_side{whatif, whatif_path, sets};
    StagedDirectory staged(dir);
    write_diff_data(staged.path(), d, base_side, whatif_side, config.seed, command_line);
    const std::size_t charts = draw_charts(staged.path(), no_charts, [&] {
        return write_diff_charts(staged.path(), d, base_side, whatif_side);
    });
    staged.commit();
    if (!quiet) {
        print_diff(std::cout, d, base_side, whatif_side);
    }
    std::cout << "\nResults written to " << dir.string() << "/ (diff.csv, diff.json"
              << (charts ? ", charts/" : "") << ")\n";
    return EXIT_OK;
}

}  // namespace chokepoint::cli
