// `simulate compare`: the model against reported customs figures (docs/validation.md). The
// options, the library call and the report's (report/compare.cpp): its table on the terminal, and
// its result set (comparison.csv, scores.json, the page), written whole or not at all. `backtest`
// is in cmd_backtest.cpp, `calibrate` in cmd_calibrate.cpp; the options all three share in
// comparison_options.hpp.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <filesystem>
#include <iostream>

#include "chokepoint/compare/compare.hpp"
#include "chokepoint/io/files.hpp"
#include "chokepoint/io/result_dir.hpp"
#include "chokepoint/report/compare_report.hpp"
#include "chokepoint/scenario/scenario.hpp"
#include "cli_common.hpp"
#include "comparison_options.hpp"

namespace po = boost::program_options;
using namespace chokepoint;

namespace chokepoint::cli {

namespace {}  // namespace

int cmd_compare(const std::vector<std::string>& args) {
    po::options_description opts("compare options");
    ComparisonOptions common;
    std::string origin;
    std::vector<std::string> sets;
    bool no_charts = false;
    common.add_to(opts);
    opts.add_options()("origin", po::value<std::string>(&origin),
                       "backtest origin YYYY-MM: score only periods after it")(
        "set", po::value<std::vector<std::string>>(&sets)->composing(),
        "override path=value in the scenario (repeatable)")(
        "no-charts", po::bool_switch(&no_charts), "skip charts/ and index.html");
    common.parse(args, opts, "compare");
    CompareConfig config;
    if (!origin.empty()) {
        config.origin = month_option("origin", origin);
    }
    const Scenario scenario = load_scenario(common.path, parse_overrides(sets));
    auto rows = common.apply(scenario, config, scenario.trials);
    const std::string& output = common.output;
    config.run.cancel = &g_interrupted;
    require_result_dir(output_dir(output, scenario.name + "-compare"), ResultKind::compare);
    Progress progress(!common.quiet && ::isatty(STDERR_FILENO));
    config.run.progress = [&](int done, int total) { progress(done, total); };
    const Comparison c = [&] {
        const InterruptHandlers interrupts;
        return compare_with_reported(scenario, std::move(rows), config);
    }();
    if (c.run.partial) {
        progress.finish();
        spdlog::error("interrupted: nothing written");
        return EXIT_INTERRUPTED;
    }
    const std::filesystem::path dir = output_dir(output, scenario.name + "-compare");
    StagedDirectory staged(dir);
    write_comparison_data(staged.path(), c, scenario, config);
    const std::size_t chart_files = draw_charts(staged.path(), no_charts, [&] {
        return write_comparison_charts(staged.path(), c, scenario, config.origin).size();
    });
    staged.commit();
    if (common.quiet) {  // the files only: no tables
        std::cout << "Results written to " << dir.string() << "/ (comparison.csv, scores.json)\n";
        return EXIT_OK;
    }

    print_comparison(std::cout, c, scenario, config);
    if (chart_files > 0) {
        std::cout << "\nCharts: " << (dir / "index.html").string() << " (" << chart_files - 1
                  << " files)\n";
    }
    std::cout << "Results written to " << dir.string() << "/ (comparison.csv, scores.json)\n";
    return EXIT_OK;
}

}  // namespace chokepoint::cli
