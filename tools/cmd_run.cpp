// `simulate run` (the default command): runs a scenario's trials, writes summary.csv, buyers.csv,
// run.json and the run page, and prints the headline, a table and the buyers.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <filesystem>
#include <iostream>

#include "chokepoint/compare/compare.hpp"
#include "chokepoint/core/diagnostics.hpp"
#include "chokepoint/core/text.hpp"
#include "chokepoint/io/files.hpp"
#include "chokepoint/io/gnuplot.hpp"
#include "chokepoint/io/result_dir.hpp"
#include "chokepoint/io/results.hpp"
#include "chokepoint/report/run_report.hpp"
#include "chokepoint/report/run_screen.hpp"
#include "chokepoint/runner/runner.hpp"
#include "chokepoint/scenario/scenario.hpp"
#include "cli_common.hpp"

namespace chokepoint::cli {

namespace po = boost::program_options;

namespace {

// --months FROM..TO (either end may be left out: "2026-01.." or "..2025-12") as months of the
// layout; the whole horizon without it. A bad or outside range is a usage error.
TableMonths table_months(const std::string& text, const OutputLayout& layout) {
    TableMonths out{0, layout.months - 1};
    if (text.empty()) {
        return out;
    }
    const auto dots = text.find("..");
    const std::string from = dots == std::string::npos ? text : text.substr(0, dots);
    const std::string to = dots == std::string::npos ? text : text.substr(dots + 2);
    const MonthIndex first = layout.first_month;
    const MonthIndex last = layout.first_month + layout.months - 1;
    auto month = [&](const std::string& m, MonthIndex fallback) -> MonthIndex {
        if (m.empty()) {
            return fallback;
        }
        const auto parsed = parse_month(m);
        if (!parsed) {
            throw UsageError("--months needs YYYY-MM..YYYY-MM (either end may be left out): '" +
                             terminal_safe(m) +
                             "' is not a month YYYY-MM (month 01 to 12, with its leading zero)");
        }
        return *parsed;
    };
    const MonthIndex a = month(from, first);
    const MonthIndex b = month(to, last);
    if (a > last || b < first) {
        throw UsageError("--months " + terminal_safe(text) + " holds no month of the scenario (" +
                         format_month(first) + ".." + format_month(last) + ")");
    }
    if (a > b) {
        throw UsageError("--months " + terminal_safe(text) + ": " + format_month(a) + " is after " +
                         format_month(b));
    }
    out.first = std::max(a, first) - first;
    out.last = std::min(b, last) - first;
    return out;
}

/// "exports" or "exports/oxide" into a metric and product.
std::pair<std::string, std::string> split_report(const std::string& text) {
    const auto slash = text.find('/');
    return slash == std::string::npos
               ? std::pair<std::string, std::string>{text, ""}
               : std::pair<std::string, std::string>{text.substr(0, slash), text.substr(slash + 1)};
}

/// The reported figures beside the model, for the charts; none (with a warning) when they
/// cannot be read.
std::vector<ReportedRow> shipped_reported(const Scenario& scenario) {
    const auto dir = std::filesystem::path(scenario.model_path).parent_path() / "reported";
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
        return {};
    }
    try {
        return load_reported(dir.string(), scenario.material.unit);
    } catch (const InputError& e) {
        spdlog::warn("reported figures not drawn: {}",
                     terminal_safe(e.diagnostics().empty() ? std::string(e.what())
                                                           : e.diagnostics()[0].format()));
    } catch (const std::exception& e) {
        spdlog::warn("reported figures not drawn: {}", terminal_safe(e.what()));
    }
    return {};
}

/// The day --from names, checked against the scenario's span.
Day from_option(const std::string& from, const Scenario& scenario) {
    const auto day = parse_date(from);
    if (!day) {
        throw UsageError("--from must be a date YYYY-MM-DD, found '" + from + "'");
    }
    if (*day < scenario.start || *day > scenario.end) {
        throw UsageError("--from " + from + " is outside the scenario (" +
                         format_date(scenario.start) + " to " + format_date(scenario.end) + ")");
    }
    return *day;
}

/// The series --report names (exports/magnet by default). A model without them has no table when
/// the report was not asked for; one that was asked for and is not there is a usage error.
ReportSeries table_series(const Scenario& scenario, const std::string& report, bool asked) {
    const auto [metric, product] = split_report(report);
    try {
        return report_series(OutputLayout::build(scenario), metric, product);
    } catch (const std::invalid_argument& e) {
        if (asked) {
            throw UsageError(std::string("--report: ") + terminal_safe(e.what()));
        }
        return ReportSeries{};  // a model without exports: no table, the rest as usual
    }
}

/// What `simulate run` is asked to do.
struct RunOptions {
    std::string path;
    int trials = 0;
    long long seed = -1;
    int threads = 0;
    std::string output;
    std::vector<std::string> sets;
    bool quiet = false;
    bool no_charts = false;
    std::string report = "exports";
    std::string from;
    std::string months;
};

/// The options of `simulate run`, bound to `o`.
po::options_description run_options(RunOptions& o) {
    po::options_description opts("options");
    opts.add_options()("scenario", po::value<std::string>(&o.path), "scenario file")(
        "trials", po::value<int>(&o.trials), "number of trials (default: the scenario's)")(
        "seed", po::value<long long>(&o.seed), "master seed (default: the scenario's)")(
        "threads", po::value<int>(&o.threads), "worker threads (default: all cores)")(
        "output,o", po::value<std::string>(&o.output),
        "output directory (default: results/<scenario name>)")(
        "set", po::value<std::vector<std::string>>(&o.sets)->composing(),
        "override path=value in the scenario (repeatable)")("quiet,q", po::bool_switch(&o.quiet),
                                                            "no progress line and no report")(
        "no-charts", po::bool_switch(&o.no_charts), "skip charts/ and index.html")(
        "report", po::value<std::string>(&o.report),
        "what the table shows: exports, imports, licence_backlog, licence_refused, licence_lapsed, "
        "shortage, stock or days_short (default: exports/magnet)")(
        "from", po::value<std::string>(&o.from),
        "count shortages from this date, YYYY-MM-DD (default: the first export control the "
        "scenario's own file defines)")(
        "months", po::value<std::string>(&o.months),
        "the table's months, YYYY-MM..YYYY-MM; either end may be left out (default: the whole "
        "horizon; the files always hold every month)");
    return opts;
}

/// Writes the run's files into `dir` as one set: summary.csv, buyers.csv, run.json and, unless
/// --no-charts or without gnuplot, the run page and its charts. The number of chart files.
std::size_t write_run(const std::filesystem::path& dir, const RunOptions& o,
                      const Scenario& scenario, const RunConfig& config, const RunResult& result,
                      const RunMetadata& meta) {
    std::size_t chart_files = 0;
    const ExtraFiles charts = [&](const std::filesystem::path& staged) {
        const Provenance prov{o.path,
                              meta.scenario_sha256,
                              config.seed,
                              result.trials_completed,
                              result.trials_requested,
                              result.partial,
                              utc_now()};
        chart_files = draw_charts(staged, o.no_charts, [&] {
            return write_run_page(staged, scenario, result, shipped_reported(scenario), prov)
                .size();
        });
        return chart_files > 0 ? std::vector<std::string>{"index.html", "charts/"}
                               : std::vector<std::string>{};
    };
    write_results(dir, scenario, config, result, meta, charts);
    return chart_files;
}

}  // namespace

int cmd_run(const std::vector<std::string>& args, const std::string& command_line) {
    RunOptions o;
    const po::options_description opts = run_options(o);
    const po::variables_map vm = parse_args(args, opts, {"scenario"});
    if (o.path.empty()) {
        throw UsageError("no scenario file given");
    }
    check_run_options(vm, o.trials, o.threads, o.seed);
    Scenario scenario = load_scenario(o.path, parse_overrides(o.sets));
    if (!o.from.empty()) {
        scenario.reference_day = from_option(o.from, scenario);
        scenario.reference_reason = "--from";
    }
    const ReportSeries table = table_series(scenario, o.report, vm.count("report") > 0);
    // Checked before the first trial: a bad range costs nothing.
    const TableMonths months = table_months(o.months, OutputLayout::build(scenario));
    std::filesystem::path dir = output_dir(o.output, scenario.name);
    require_result_dir(dir, ResultKind::run);  // before the first trial, not after the last
    RunConfig config = run_config(scenario, o.trials, o.seed, o.threads);
    Progress progress(!o.quiet && ::isatty(STDERR_FILENO));
    config.progress = [&](int done, int total) { progress(done, total); };

    const RunResult result = [&] {
        const InterruptHandlers interrupts;
        return run_scenario(scenario, config);
    }();
    if (result.partial) {
        progress.finish();
    }

    if (result.partial && holds_complete_result(dir)) {
        // Keep the complete result; the partial one goes beside it.
        dir = dir.string() + ".partial";
        require_result_dir(dir, ResultKind::run);
    }
    RunMetadata meta;
    meta.command_line = command_line;
    meta.scenario_path = o.path;
    meta.scenario_sha256 = sha256_hex(read_file(o.path));
    meta.model_path = scenario.model_path;
    meta.model_sha256 = sha256_hex(read_file(scenario.model_path));
    if (result.trials_completed == 0) {
        spdlog::error("interrupted before any trial finished; nothing written");
        return EXIT_INTERRUPTED;
    }
    const std::size_t chart_files = write_run(dir, o, scenario, config, result, meta);
    if (!o.quiet) {
        print_run(std::cout, scenario, result, table, months);
    }
    std::cout << "\n"
              << (result.partial ? "Partial results (interrupted) written to "
                                 : "Results written to ")
              << dir.string() << "/ (summary.csv, buyers.csv, run.json"
              << (chart_files > 0 ? ", index.html, charts/" : "") << ")\n";
    if (chart_files > 0 && !o.quiet) {
        std::cout << "Charts: " << (dir / "index.html").string() << "\n";
    }
    return result.partial ? EXIT_INTERRUPTED : EXIT_OK;
}

}  // namespace chokepoint::cli
