// `simulate backtest`: the scenario run from each origin with only the events announced by then,
// scored on the reported figures 1 to N months after it (docs/validation.md). The options, the
// library call and the report's (report/backtest.cpp): its tables on the terminal, and its result
// set (backtest.csv, figures.csv, the charts and page), written whole or not at all.
#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "chokepoint/compare/backtest.hpp"
#include "chokepoint/compare/compare.hpp"
#include "chokepoint/io/result_dir.hpp"
#include "chokepoint/report/backtest_report.hpp"
#include "chokepoint/scenario/scenario.hpp"
#include "cli_common.hpp"
#include "comparison_options.hpp"

namespace po = boost::program_options;

namespace chokepoint::cli {

namespace {

// The months of --origins: "2024-06..2025-05" or "2024-06,2024-09,2025-01".
std::vector<MonthIndex> parse_origins(const std::string& text) {
    std::vector<MonthIndex> out;
    const auto dots = text.find("..");
    if (dots != std::string::npos) {
        const MonthIndex a = month_option("origins", text.substr(0, dots));
        const MonthIndex b = month_option("origins", text.substr(dots + 2));
        if (b < a) {
            throw UsageError("--origins " + text + ": the last origin is before the first");
        }
        if (b - a > 240) {
            throw UsageError("--origins " + text + ": at most 240 origins");
        }
        for (MonthIndex m = a; m <= b; ++m) {
            out.push_back(m);
        }
        return out;
    }
    std::stringstream items(text);
    for (std::string item; std::getline(items, item, ',');) {
        out.push_back(month_option("origins", item));
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    if (out.empty()) {
        throw UsageError("--origins needs months YYYY-MM..YYYY-MM or a comma-separated list");
    }
    return out;
}

}  // namespace

int cmd_backtest(const std::vector<std::string>& args) {
    po::options_description opts("backtest options");
    ComparisonOptions common;
    std::string origins_text;
    std::vector<std::string> sets;
    int leads = 6;
    bool no_charts = false;
    common.add_to(opts);
    opts.add_options()("origins", po::value<std::string>(&origins_text),
                       "origin months, YYYY-MM..YYYY-MM or a comma-separated list (required)")(
        "leads", po::value<int>(&leads), "months after each origin to score, 1-24 (default: 6)")(
        "set", po::value<std::vector<std::string>>(&sets)->composing(),
        "override path=value in the scenario (repeatable)")(
        "no-charts", po::bool_switch(&no_charts), "skip charts/ and index.html");
    common.parse(args, opts, "backtest");
    if (origins_text.empty()) {
        throw UsageError("backtest needs --origins YYYY-MM..YYYY-MM");
    }
    if (leads < 1 || leads > 24) {
        throw UsageError("--leads must be between 1 and 24");
    }
    if (!common.from.empty() || !common.to.empty()) {
        throw UsageError(
            "backtest sets the months itself: use --origins and --leads, not "
            "--from/--to");
    }
    BacktestConfig config;
    config.origins = parse_origins(origins_text);
    config.max_lead = leads;
    const Scenario scenario = load_scenario(common.path, parse_overrides(sets));
    for (MonthIndex o : config.origins) {
        if (o < scenario.first_month() || o >= scenario.last_month()) {
            throw UsageError("origin " + format_month(o) + " is outside the scenario (" +
                             format_month(scenario.first_month()) + " to " +
                             format_month(scenario.last_month() - 1) + ")");
        }
    }
    const auto rows = common.apply(scenario, config.compare, scenario.trials);
    const std::filesystem::path dir = output_dir(common.output, scenario.name + "-backtest");
    require_result_dir(dir, ResultKind::backtest);
    Progress progress(!common.quiet && ::isatty(STDERR_FILENO), "origins");
    config.on_origin = [&](int done, int total) { progress(done, total); };
    const Backtest b = run_backtest(scenario, rows, config);
    StagedDirectory staged(dir);
    write_backtest_data(staged.path(), b);
    const std::size_t chart_files = draw_charts(staged.path(), no_charts, [&] {
        return write_backtest_charts(staged.path(), b, scenario);
    });
    staged.commit();
    if (common.quiet) {  // the files only: no tables
        std::cout << "Results written to " << dir.string() << "/ (backtest.csv, figures.csv)\n";
        return EXIT_OK;
    }

    print_backtest(std::cout, b, scenario, config);
    for (const auto& v : verdicts(b.overall)) {
        std::cout << "\n" << v;
    }
    std::cout << "\n\n";
    if (chart_files > 0) {
        std::cout << "Charts: " << (dir / "index.html").string() << "\n";
    }
    std::cout << "Results written to " << dir.string() << "/ (backtest.csv, figures.csv)\n";
    return EXIT_OK;
}

}  // namespace chokepoint::cli
