// The `simulate` command line: parses arguments, configures logging, calls the library, writes
// results and maps errors to exit codes (0 success, 1 failure, 2 bad usage or invalid input,
// 130 interrupted). All modelling lives in the engine library.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/program_options.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <tuple>

#include "chokepoint/compare/backtest.hpp"
#include "chokepoint/compare/calibrate.hpp"
#include "chokepoint/compare/charts.hpp"
#include "chokepoint/compare/compare.hpp"
#include "chokepoint/core/diagnostics.hpp"
#include "chokepoint/core/text.hpp"
#include "chokepoint/io/files.hpp"
#include "chokepoint/io/gnuplot.hpp"
#include "chokepoint/io/process.hpp"
#include "chokepoint/io/result_dir.hpp"
#include "chokepoint/io/results.hpp"
#include "chokepoint/report/run_report.hpp"
#include "chokepoint/runner/runner.hpp"
#include "chokepoint/scenario/scenario.hpp"
#include "chokepoint/scenario/sweep_file.hpp"
#include "chokepoint/sweep/plan.hpp"
#include "cli_common.hpp"

namespace po = boost::program_options;
using namespace chokepoint;
using namespace chokepoint::cli;

namespace {

std::string join_args(int argc, char** argv) {
    std::string out;
    for (int i = 0; i < argc; ++i) {
        out += (i ? " " : "") + std::string(argv[i]);
    }
    return out;
}

// The table of `series` month by month, P50 [P5-P95], five columns at a time.
void print_table(const Scenario& scenario, const RunResult& result, const ReportSeries& series,
                 std::ostream& out) {
    const OutputLayout& layout = result.layout;
    std::vector<std::size_t> columns = series.parts;
    columns.insert(columns.end(), series.totals.begin(), series.totals.end());
    out << "\n"
        << scenario.name << ": " << series.describe() << ", "
        << (series.unit() == "days" ? "days per month"
            : series.unit() == "t"  ? "tonnes at month end"
                                    : "tonnes per month")
        << ", P50 [P5-P95] over " << result.trials_completed << " trials"
        << (result.partial ? " (PARTIAL: interrupted)" : "") << "\n";
    constexpr std::size_t PER_TABLE = 5;
    for (std::size_t first = 0; first < columns.size(); first += PER_TABLE) {
        const std::size_t last = std::min(columns.size(), first + PER_TABLE);
        std::vector<std::vector<std::string>> cells(static_cast<std::size_t>(layout.months) + 1);
        cells[0].push_back("month");
        for (std::size_t c = first; c < last; ++c) {
            cells[0].push_back(layout.series[columns[c]].to);
        }
        for (int m = 0; m < layout.months; ++m) {
            auto& row = cells[static_cast<std::size_t>(m) + 1];
            row.push_back(format_month(layout.first_month + m));
            for (std::size_t c = first; c < last; ++c) {
                const Summary& s = result.at(columns[c], m);
                row.push_back(compact(s.p50) + " [" + compact(s.p05) + "-" + compact(s.p95) + "]");
            }
        }
        std::vector<std::size_t> width(cells[0].size(), 0);
        for (const auto& row : cells) {
            for (std::size_t i = 0; i < row.size(); ++i) {
                width[i] = std::max(width[i], row[i].size());
            }
        }
        out << "\n";
        for (const auto& row : cells) {
            for (std::size_t i = 0; i < row.size(); ++i) {
                const std::string pad(width[i] - row[i].size(), ' ');
                out << (i == 0 ? row[i] + pad : "  " + pad + row[i]);
            }
            out << "\n";
        }
    }
}

void print_buyers(const Scenario& scenario, const RunResult& result, std::ostream& out) {
    const OutputLayout& layout = result.layout;
    out << "\nBuyers: probability of a shortage on or after " << format_date(scenario.reference_day)
        << ", and days to the first shortage (P50 of trials with one)\n\n";
    // Buyers by country; by country and node id where a country has more than one buyer node.
    auto buyer_name = [&](const BuyerKey& key) {
        const bool shared =
            std::any_of(layout.buyers.begin(), layout.buyers.end(), [&](const BuyerKey& other) {
                return other.country == key.country && other.buyer != key.buyer;
            });
        return (shared ? key.country + " " + key.buyer : key.country) + " (" + key.product_id + ")";
    };
    std::size_t wb = 5;
    for (const auto& b : layout.buyers) {
        wb = std::max(wb, buyer_name(b).size());
    }
    for (std::size_t b = 0; b < layout.buyers.size(); ++b) {
        const auto& key = layout.buyers[b];
        const auto& s = result.buyers[b];
        const std::string name = buyer_name(key);
        char line[160];
        std::snprintf(line, sizeof line, "  %-*s  %5.1f%%  ", static_cast<int>(wb), name.c_str(),
                      100.0 * s.shortage_probability);
        out << line;
        if (s.time_to_shortage.count > 0) {
            out << (s.time_to_shortage.p50 < 1.0
                        ? std::string("already short when the count starts")
                        : "first shortage after " + compact(s.time_to_shortage.p50) + " days")
                << "; " << compact(s.shortage_tonnes.mean) << " t short on average";
        } else {
            out << "no shortage";
        }
        out << "\n";
    }
}

/// "exports" or "exports/oxide" into a metric and product.
std::pair<std::string, std::string> split_report(const std::string& text) {
    const auto slash = text.find('/');
    return slash == std::string::npos
               ? std::pair<std::string, std::string>{text, ""}
               : std::pair<std::string, std::string>{text.substr(0, slash), text.substr(slash + 1)};
}

std::string utc_now() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
    return buf;
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
        return load_reported(dir.string());
    } catch (const InputError& e) {
        spdlog::warn("reported figures not drawn: {}",
                     terminal_safe(e.diagnostics().empty() ? std::string(e.what())
                                                           : e.diagnostics()[0].format()));
    } catch (const std::exception& e) {
        spdlog::warn("reported figures not drawn: {}", terminal_safe(e.what()));
    }
    return {};
}

int cmd_validate(const std::vector<std::string>& args) {
    po::options_description opts("validate options");
    std::string path;
    std::vector<std::string> sets;
    bool resolved = false;
    opts.add_options()("scenario", po::value<std::string>(&path), "scenario, model or sweep file")(
        "set", po::value<std::vector<std::string>>(&sets)->composing(),
        "override path=value (repeatable)")(
        "resolved", po::bool_switch(&resolved),
        "print the merged scenario (after extends: and --set) as YAML");
    const po::variables_map vm = parse_args(args, opts, {"scenario"});
    if (path.empty()) {
        throw UsageError("validate needs a scenario, model or sweep file");
    }
    if (is_sweep_file(path)) {
        if (!sets.empty() || resolved) {
            throw UsageError(path + " is a sweep file: --set and --resolved apply to scenarios");
        }
        // The sweep and its plan: factor paths, ranges and outputs checked against the scenario.
        const SweepPlan plan = plan_sweep(load_sweep_file(path));
        for (const auto& w : plan.warnings) {
            std::cerr << "warning: " << terminal_safe(w) << "\n";
        }
        std::cout << path << ": valid sweep '" << terminal_safe(plan.spec.name)
                  << "': " << plan.factors.size() << " factors, " << to_string(plan.spec.design)
                  << " design, " << plan.points() << " points of " << plan.trials << " trials, "
                  << plan.outputs.size() << " outputs, on "
                  << terminal_safe(plan.spec.scenario_path) << "\n";
        return EXIT_OK;
    }
    if (is_model_file(path)) {
        if (!sets.empty() || resolved) {
            throw UsageError(path + " is a model file: --set and --resolved apply to scenarios");
        }
        const Network net = load_model(path);
        std::cout << path << ": valid model: " << net.products().size() << " products, "
                  << net.nodes().size() << " nodes, " << net.edges().size() << " edges\n";
        return EXIT_OK;
    }
    const Scenario s = load_scenario(path, parse_overrides(sets));
    for (const auto& n : s.notices) {
        std::cerr << terminal_safe(n) << "\n";
    }
    if (resolved) {
        std::cout << s.resolved_yaml;
        return EXIT_OK;
    }
    std::cout << path << ": valid scenario '" << s.name << "': " << s.network.nodes().size()
              << " nodes, " << s.network.edges().size() << " edges, " << s.parameters.size()
              << " parameters, " << s.events.size() << " events, " << format_date(s.start) << " to "
              << format_date(s.end);
    if (!s.notices.empty()) {
        std::cout << "; " << s.notices.size() << (s.notices.size() == 1 ? " notice" : " notices")
                  << " above";
    }
    std::cout << "\n";
    return EXIT_OK;
}

int cmd_graph(const std::vector<std::string>& args) {
    po::options_description opts("graph options");
    std::string path;
    std::string format = "dot";
    std::string output;
    opts.add_options()("file", po::value<std::string>(&path), "model or scenario file")(
        "format", po::value<std::string>(&format),
        "dot or graphml (the graph's data), or svg or png (a drawing for a slide, by Graphviz's "
        "dot; Debian package graphviz) (default: dot)")(
        "output,o", po::value<std::string>(&output),
        "output file (default: standard output; required for png)");
    const po::variables_map vm = parse_args(args, opts, {"file"});
    if (path.empty()) {
        throw UsageError("graph needs a model or scenario file");
    }
    if (format != "dot" && format != "graphml" && format != "svg" && format != "png") {
        throw UsageError("--format must be dot, graphml, svg or png, found '" +
                         terminal_safe(format) + "'");
    }
    if (format == "png" && output.empty()) {
        throw UsageError("--format png needs --output FILE.png");
    }
    const Network net = load_network(path);
    std::ostringstream text;
    if (format == "dot") {
        net.write_dot(text);
    } else if (format == "graphml") {
        net.write_graphml(text);
    } else {
        // A drawing: the styled DOT through Graphviz, started without a shell in a private
        // directory; only file names made here reach its command line.
        if (!program_on_path("dot")) {
            throw UsageError("--format " + format +
                             " draws with Graphviz's dot: install the Debian package graphviz, "
                             "or write --format dot");
        }
        namespace fs = std::filesystem;
        const fs::path work =
            fs::temp_directory_path() / ("chokepoint-graph-" + std::to_string(::getpid()));
        fs::create_directories(work);
        struct Cleanup {
            fs::path dir;
            ~Cleanup() {
                std::error_code ec;
                fs::remove_all(dir, ec);
            }
        } cleanup{work};
        std::ostringstream drawing;
        net.write_drawing(drawing);
        write_file_atomic(work / "network.dot", drawing.str());
        const int rc = run_program({"dot", "-T" + format, "-o", "network." + format, "network.dot"},
                                   work, work / "dot.log");
        if (rc != 0 || !fs::is_regular_file(work / ("network." + format))) {
            throw std::runtime_error("Graphviz's dot failed (exit " + std::to_string(rc) +
                                     "); its messages: " + (work / "dot.log").string());
        }
        text << read_file((work / ("network." + format)).string());
    }
    if (output.empty()) {
        std::cout << text.str();
    } else {
        write_file_atomic(output, text.str());
    }
    return EXIT_OK;
}

// Options shared by `compare` and `calibrate`.
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
            return load_reported(shipped);
        }
        const std::string user = reported;
        if (have_shipped && !reported_only &&
            std::filesystem::weakly_canonical(shipped, ec) !=
                std::filesystem::weakly_canonical(user, ec)) {
            rows = load_reported(shipped);
            reported = shipped + " + " + user;
        }
        auto mine = load_reported(user);
        rows.insert(rows.end(), mine.begin(), mine.end());
        return rows;
    }
};

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
    std::signal(SIGINT, on_signal);
    const Comparison c = compare_with_reported(scenario, std::move(rows), config);
    std::signal(SIGINT, SIG_DFL);
    if (c.run.partial) {
        progress.finish();
        spdlog::error("interrupted: nothing written");
        return EXIT_INTERRUPTED;
    }
    const std::filesystem::path dir = output_dir(output, scenario.name + "-compare");
    StagedDirectory staged(dir);
    write_file_atomic(staged.path() / "comparison.csv", format_comparison_csv(c, scenario));
    write_file_atomic(staged.path() / "scores.json", format_scores_json(c, scenario, config));
    std::size_t chart_files = 0;
    try {
        if (!no_charts) {
            chart_files = write_fan_charts(staged.path(), c, scenario, config.origin).size();
        }
    } catch (const std::exception& e) {
        drop_charts(staged.path(), e);
        chart_files = 0;
    }
    staged.commit();
    if (common.quiet) {  // the files only: no tables
        std::cout << "Results written to " << dir.string() << "/ (comparison.csv, scores.json)\n";
        return EXIT_OK;
    }

    // The table: series, period, reported, P50, P5-P95, inside the 90% band, error.
    std::cout << "\n"
              << scenario.name << " against reported figures (" << c.run.trials_completed
              << " trials" << (config.origin ? ", out of sample after " + origin : "") << ")\n\n";
    std::size_t wl = 6;
    for (const auto& f : c.figures) {
        wl = std::max(wl, f.label.size());
    }
    char line[400];
    std::snprintf(line, sizeof line, "%-*s  %-15s  %9s  %9s  %-19s  %-4s  %7s\n",
                  static_cast<int>(wl), "series", "period", "reported", "P50", "P5-P95", "in90",
                  "error");
    std::cout << line;
    // Sorted by series and period (the files' order is the publishers').
    std::vector<const ComparedFigure*> sorted;
    for (const auto& f : c.figures) {
        sorted.push_back(&f);
    }
    std::stable_sort(sorted.begin(), sorted.end(), [&](const auto* a, const auto* b) {
        const ReportedRow& ra = c.rows[a->row];
        const ReportedRow& rb = c.rows[b->row];
        return std::tie(a->label, ra.first, ra.last) < std::tie(b->label, rb.first, rb.last);
    });
    for (const ComparedFigure* fp : sorted) {
        const ComparedFigure& f = *fp;
        const ReportedRow& r = c.rows[f.row];
        const std::string period = r.first == r.last
                                       ? format_month(r.first)
                                       : format_month(r.first) + ".." + format_month(r.last);
        const std::string band = compact(f.p05) + "-" + compact(f.p95);
        std::snprintf(
            line, sizeof line, "%-*s  %-15s  %9.0f  %9.0f  %-19s  %-4s  %+6.1f%%%s\n",
            static_cast<int>(wl), terminal_safe(f.label).c_str(), period.c_str(), f.reported, f.p50,
            band.c_str(), f.inside90 ? "yes" : "NO", f.error_pct,
            f.duplicates.empty()
                ? ""
                : (f.conflict
                       ? "  (" + std::to_string(f.duplicates.size() + 1) + " sources, disagree)"
                       : "  (" + std::to_string(f.duplicates.size() + 1) + " sources)")
                      .c_str());
        std::cout << line;
    }
    std::cout << "\nScores (MAPE and bias of the P50; coverage of the 50% and 90% bands; CRPS "
                 "from the trials)\n\n";
    auto print_group = [&](const GroupScores& g) {
        std::snprintf(line, sizeof line,
                      "%-*s  n=%-3d MAPE %6.1f%%  bias %+6.1f%%  cover50 %3.0f%%  cover90 %3.0f%%  "
                      "CRPS %8.0f t\n",
                      static_cast<int>(wl), g.label.c_str(), g.model.count, g.model.mape(),
                      g.model.bias(), 100 * g.model.coverage50(), 100 * g.model.coverage90(),
                      g.model.crps());
        std::cout << line;
        for (const auto& v : verdicts(g)) {
            std::cout << std::string(wl + 2, ' ') << v << "\n";
        }
    };
    for (const auto& g : c.groups) {
        print_group(g);
    }
    std::cout << "\n";
    print_group(c.overall);
    if (!c.unmapped.empty()) {
        std::cout << "\n"
                  << c.unmapped.size()
                  << (c.unmapped.size() == 1 ? " reported row was" : " reported rows were")
                  << " not compared (listed with reasons in scores.json), for example:\n";
        for (std::size_t i = 0; i < std::min<std::size_t>(5, c.unmapped.size()); ++i) {
            const ReportedRow& r = c.rows[c.unmapped[i].row];
            std::cout << "  " << terminal_safe(r.file) << ":" << r.line << ": "
                      << terminal_safe(r.series) << ": " << terminal_safe(c.unmapped[i].reason)
                      << "\n";
        }
    }
    if (chart_files > 0) {
        std::cout << "\nCharts: " << (dir / "index.html").string() << " (" << chart_files - 1
                  << " files)\n";
    }
    std::cout << "Results written to " << dir.string() << "/ (comparison.csv, scores.json)\n";
    return EXIT_OK;
}

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

// Charts of a backtest: coverage and CRPS skill by lead, and the PIT histogram.
std::size_t backtest_charts(const std::filesystem::path& dir, const Backtest& b,
                            const std::string& name) {
    namespace fs = std::filesystem;
    const fs::path charts = dir / "charts";
    fs::create_directories(charts);
    std::ostringstream leads;
    leads << "# lead coverage_50 coverage_90 crps_skill_persistence crps_skill_seasonal figures\n";
    for (const auto& ls : b.by_lead) {
        const GroupScores& g = ls.scores;
        if (g.model.count == 0) {
            continue;
        }
        auto sk = [](std::optional<double> skill) {
            return skill ? format_exact(*skill) : std::string("NaN");
        };
        leads << ls.lead << ' ' << format_exact(100 * g.model.coverage50()) << ' '
              << format_exact(100 * g.model.coverage90()) << ' ' << sk(g.persistence_skill()) << ' '
              << sk(g.seasonal_skill()) << ' ' << g.model.count << '\n';
    }
    write_file_atomic(charts / "leads.dat", leads.str());
    std::vector<int> bins(10, 0);
    for (double p : b.pit) {
        bins[static_cast<std::size_t>(std::clamp(static_cast<int>(p * 10), 0, 9))]++;
    }
    std::ostringstream pit;
    for (int i = 0; i < 10; ++i) {
        pit << (i + 0.5) / 10 << ' ' << bins[static_cast<std::size_t>(i)] << '\n';
    }
    write_file_atomic(charts / "pit.dat", pit.str());
    std::size_t n = 0;
    const std::string title = gnuplot_quote(name + ": out-of-sample coverage by lead");
    n += draw_chart(charts, "coverage_by_lead",
                    "set title " + title +
                        " noenhanced\nset xlabel 'months after the origin'\nset ylabel "
                        "'figures inside the band (%)'\nset yrange [0:100]\nset xrange [0.5:" +
                        std::to_string(b.by_lead.size()) +
                        ".5]\nset xtics 1\nset grid ytics lc rgb '#dddddd'\nset key outside "
                        "below horizontal\nplot 'leads.dat' using 1:3 with linespoints lw 2 pt 7 "
                        "lc rgb '#08519c' title '90% band', 90 with lines dt 2 lc rgb '#08519c' "
                        "title 'nominal 90%', 'leads.dat' using 1:2 with linespoints lw 2 pt 5 lc "
                        "rgb '#6baed6' title '50% band', 50 with lines dt 2 lc rgb '#6baed6' title "
                        "'nominal 50%'\n")
             .size();
    n += draw_chart(charts, "crps_skill_by_lead",
                    "set title " + gnuplot_quote(name + ": CRPS skill by lead") +
                        " noenhanced\nset xlabel 'months after the origin'\nset ylabel 'CRPS "
                        "skill (1 - CRPS / naive absolute error)'\nset xrange [0.5:" +
                        std::to_string(b.by_lead.size()) +
                        ".5]\nset xtics 1\nset grid ytics lc rgb '#dddddd'\nset xzeroaxis lt -1\n"
                        "set key outside below horizontal\nset datafile missing 'NaN'\nplot "
                        "'leads.dat' using 1:4 with linespoints lw 2 pt 7 lc rgb '#d94801' title "
                        "'against persistence', '' using 1:5 with linespoints lw 2 pt 5 lc rgb "
                        "'#31a354' title 'against seasonal naive'\n")
             .size();
    n += draw_chart(charts, "pit_histogram",
                    "set title " + gnuplot_quote(name + ": PIT of the reported figures") +
                        " noenhanced\nset xlabel 'share of trials below the reported figure'\n"
                        "set ylabel 'figures'\nset xrange [0:1]\nset yrange [0:*]\nset style fill "
                        "solid 0.7\nset boxwidth 0.09\nset key off\nset grid ytics lc rgb "
                        "'#dddddd'\nplot 'pit.dat' using 1:2 with boxes lc rgb '#6baed6', " +
                        std::to_string(static_cast<double>(b.pit.size()) / 10.0) +
                        " with lines dt 2 lc rgb '#08519c'\n")
             .size();
    std::ostringstream html;
    html << page_head(name + ": backtest") << "<h1>" << html_escape(name)
         << ": rolling-origin backtest</h1>\n<p>For each origin the scenario runs with only the "
            "events announced by the origin's last day, and is scored on the reported figures 1 "
            "to "
         << b.by_lead.size()
         << " months after it. Coverage should sit at the dashed nominal lines; a U-shaped PIT "
            "histogram means bands too narrow, a slope means bias.</p>\n"
         << "<img src=\"charts/coverage_by_lead.png\" alt=\"coverage by lead\">\n"
         << "<img src=\"charts/crps_skill_by_lead.png\" alt=\"CRPS skill by lead\">\n"
         << "<img src=\"charts/pit_histogram.png\" alt=\"PIT histogram\">\n"
         << "<p>Data: backtest.csv (by origin and lead), figures.csv (every figure).</p>\n"
         << "</body></html>\n";
    write_file_atomic(dir / "index.html", html.str());
    return n + 1;
}

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
    write_file_atomic(staged.path() / "backtest.csv", format_backtest_csv(b));
    write_file_atomic(staged.path() / "figures.csv", format_backtest_figures_csv(b));
    std::size_t chart_files = 0;
    if (!no_charts) {
        if (!gnuplot_available()) {
            spdlog::warn("gnuplot not found: no charts (install the Debian package gnuplot-nox)");
        } else {
            try {
                chart_files = backtest_charts(staged.path(), b, scenario.name);
            } catch (const std::exception& e) {
                drop_charts(staged.path(), e);
                chart_files = 0;
            }
        }
    }
    staged.commit();
    if (common.quiet) {  // the files only: no tables
        std::cout << "Results written to " << dir.string() << "/ (backtest.csv, figures.csv)\n";
        return EXIT_OK;
    }

    std::cout << "\n"
              << scenario.name << ": rolling-origin backtest, " << config.origins.size()
              << " origins " << format_month(config.origins.front()) << ".."
              << format_month(config.origins.back()) << ", leads 1-" << leads << ", "
              << config.compare.run.trials << " trials each\n\n";
    char line[300];
    std::snprintf(line, sizeof line, "  %-5s %7s %8s %8s %8s %8s %10s %11s %11s\n", "lead",
                  "figures", "MAPE", "bias", "cover50", "cover90", "CRPS (t)", "skill pers.",
                  "skill seas.");
    std::cout << line;
    auto print = [&](const std::string& label, const GroupScores& g) {
        auto sk = [](std::optional<double> skill, int n) {
            if (!skill) {
                return std::string("-");
            }
            char buf[32];
            std::snprintf(buf, sizeof buf, "%+.2f (%d)", *skill, n);
            return std::string(buf);
        };
        std::snprintf(line, sizeof line,
                      "  %-5s %7d %7.1f%% %+7.1f%% %7.0f%% %7.0f%% %10.0f %11s %11s\n",
                      label.c_str(), g.model.count, g.model.mape(), g.model.bias(),
                      100 * g.model.coverage50(), 100 * g.model.coverage90(), g.model.crps(),
                      sk(g.persistence_skill(), g.persistence_count).c_str(),
                      sk(g.seasonal_skill(), g.seasonal_count).c_str());
        std::cout << line;
    };
    for (const auto& ls : b.by_lead) {
        if (ls.scores.model.count > 0) {
            print(std::to_string(ls.lead), ls.scores);
        }
    }
    print("all", b.overall);
    std::cout << "\nBy origin (events announced by then / switched off, figures scored):\n";
    for (const auto& o : b.origins) {
        std::cout << "  " << format_month(o.origin) << ": " << o.events_known << " / "
                  << o.events_dropped << " events, " << o.figures.size() << " figures";
        if (!o.open_events.empty()) {
            // An id is the user's text: escaped for the terminal. An event with an expected
            // duration ends after a draw from it; one without runs to the horizon.
            std::cout << "; end announced later: ";
            for (std::size_t i = 0; i < o.open_events.size(); ++i) {
                bool expected = false;
                for (const auto& ev : scenario.events) {
                    expected = expected || (ev.id == o.open_events[i] && ev.has_expected_duration);
                }
                std::cout << (i > 0 ? ", " : "") << terminal_safe(o.open_events[i])
                          << (expected ? " (expected duration drawn)"
                                       : " (in force to the horizon)");
            }
        }
        std::cout << "\n";
    }
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

int cmd_calibrate(const std::vector<std::string>& args) {
    po::options_description opts("calibrate options");
    ComparisonOptions common;
    std::string fit;
    std::string write;
    int max_evaluations = 60;
    common.add_to(opts);
    opts.add_options()("fit", po::value<std::string>(&fit),
                       "uncertain parameters to fit, comma-separated (see simulate parameters)")(
        "max-evaluations", po::value<int>(&max_evaluations),
        "optimiser budget: runs of the scenario the search may make (default: 60); the range of "
        "each fitted value takes up to 20 more runs per parameter")(
        "write", po::value<std::string>(&write),
        "calibrated scenario file to write (default: calibrated.yaml in the output directory)");
    common.parse(args, opts, "calibrate");
    if (fit.empty()) {
        throw UsageError("calibrate needs --fit PARAM[,PARAM...]");
    }
    if (max_evaluations < 5) {
        throw UsageError("--max-evaluations must be at least 5");
    }
    const std::string& path = common.path;
    const std::string& output = common.output;
    // No --set here: the calibrated file extends the scenario as it is on disk, so a fit made
    // under command-line overrides would be written without them. Write a small scenario that
    // extends the original with the overrides, and calibrate that.
    const Scenario scenario = load_scenario(path);
    CalibrationConfig config;
    std::stringstream names(fit);
    for (std::string name; std::getline(names, name, ',');) {
        if (!name.empty()) {
            config.fit.push_back(name);
        }
    }
    config.max_evaluations = max_evaluations;
    // Calibration runs the scenario many times: at most 400 trials each unless --trials says.
    const auto rows = common.apply(scenario, config.compare, std::min(scenario.trials, 400));
    const std::string& reported = common.reported;
    namespace fs = std::filesystem;
    const fs::path dir = output_dir(output, scenario.name + "-calibrate");
    require_result_dir(dir, ResultKind::calibrate);  // before the first evaluation
    if (!common.quiet) {
        std::cerr << "calibrating " << fit << " on " << reported << " with "
                  << config.compare.run.trials << " trials per evaluation, at most "
                  << max_evaluations << " evaluations\n";
        config.on_evaluation = [&](int n, double objective, const std::vector<double>& x) {
            std::string values;
            for (std::size_t k = 0; k < x.size() && k < config.fit.size(); ++k) {
                values += (k ? ", " : "") + config.fit[k] + "=" + format_number(x[k], 4);
            }
            std::fprintf(stderr, "  evaluation %d: objective %.4f (%s)\n", n, objective,
                         values.c_str());
        };
    }
    const Calibration cal = calibrate(scenario, rows, config);

    // The calibrated scenario: a small file that extends the original and sets only the fitted
    // parameters, so the original's comments, sources and ASSUMPTION notes stay where they are.
    // It goes into the result directory unless --write names a file.
    const fs::path target = write.empty() ? dir / "calibrated.yaml" : fs::path(write);
    const fs::path target_dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    std::error_code ec;
    const fs::path original = fs::absolute(path).lexically_normal();
    fs::path extends = fs::absolute(target_dir).lexically_normal();
    extends = original.lexically_relative(extends);
    if (extends.empty()) {
        extends = original;
    }
    // Text from the command line goes into a comment and a quoted scalar: no control
    // characters in the one, quotes doubled in the other.
    auto comment_safe = [](std::string t) {
        for (char& ch : t) {
            if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) {
                ch = ' ';
            }
        }
        return t;
    };
    auto single_quoted = [](const std::string& t) {
        std::string out = "'";
        for (char ch : t) {
            out += ch == '\'' ? std::string("''") : std::string(1, ch);
        }
        return out + "'";
    };
    std::string yaml = "# Written by simulate calibrate on " + utc_now() +
                       " UTC: the fitted parameters of " + scenario.name + " (" +
                       comment_safe(fit) + ") on " + comment_safe(reported) +
                       ", each triangular over the range where the objective stays within 5% of "
                       "its minimum. Everything else comes from the extended file.\n";
    yaml += "name: " + scenario.name.substr(0, 88) + "_calibrated\n";
    yaml += "description: " + scenario.name + " with " + fit + " fitted by simulate calibrate\n";
    yaml += "extends: " + single_quoted(extends.string()) + "\n";
    yaml += "parameters:\n";
    for (const auto& o : cal.overrides) {
        yaml += "  " + o.path.substr(std::string("parameters.").size()) + ": " + o.value + "\n";
    }
    auto check_written = [&](const fs::path& file) {
        (void)load_scenario(file.string());  // what we wrote must load
    };
    if (write.empty()) {
        StagedDirectory staged(dir);
        write_file_atomic(staged.path() / "calibrated.yaml", yaml);
        write_file_atomic(staged.path() / "calibration.json",
                          format_calibration_json(cal, scenario, target.string(), yaml));
        // The staging directory sits beside the target: the relative extends: resolves alike.
        check_written(staged.path() / "calibrated.yaml");
        staged.commit();
    } else {
        // The file --write names lies outside the result directory, so the two cannot appear in
        // one rename. Whatever can fail comes before either is touched: the file is written
        // beside its target under a temporary name (its relative extends: resolves alike) and
        // loaded, and calibration.json is staged; then the file is renamed into place and the
        // result directory committed (two renames).
        const std::string stem = "." + target.filename().string() + ".calibrating.";
        const fs::path pending = target_dir / (stem + std::to_string(::getpid()) + ".yaml");
        // A calibrate killed before its rename left `.FILE.calibrating.PID.yaml`: removed once
        // its process is gone (a live one holds a lock on its file).
        remove_stale_files(target_dir, stem, ".yaml");
        struct RemoveOnExit {
            fs::path path;
            ~RemoveOnExit() {
                std::error_code e;
                fs::remove(path, e);
            }
        } cleanup{pending};
        write_file_atomic(pending, yaml);
        const FileLock lock(pending);  // until the rename: another calibrate leaves it alone
        check_written(pending);
        StagedDirectory staged(dir);
        write_file_atomic(staged.path() / "calibration.json",
                          format_calibration_json(cal, scenario, target.string(), yaml));
        fs::rename(pending, target);
        sync_directory(target_dir);
        staged.commit();
    }
    for (const auto& p : cal.parameters) {
        if (p.at_bound()) {
            spdlog::warn(
                "{} was fitted at a bound of its search range ({} .. {}): the reported "
                "figures may want a value the scenario's distribution does not allow",
                p.name, format_number(p.lower, 4), format_number(p.upper, 4));
        }
    }

    std::cout << "\nCalibration of " << scenario.name << " on " << cal.figures
              << " reported figures (" << cal.evaluations << " evaluations)\n\n";
    char line[300];
    std::snprintf(line, sizeof line, "  %-32s %10s %10s  %-21s %-21s\n", "parameter", "start",
                  "fitted", "range (within 5%)", "search bounds");
    std::cout << line;
    for (const auto& p : cal.parameters) {
        const std::string range =
            format_number(p.range_low, 3) + " .. " + format_number(p.range_high, 3);
        const std::string bounds = format_number(p.lower, 3) + " .. " + format_number(p.upper, 3);
        std::snprintf(line, sizeof line, "  %-32s %10.4g %10.4g  %-21s %-21s\n", p.name.c_str(),
                      p.prior_mean, p.fitted, range.c_str(), bounds.c_str());
        std::cout << line;
    }
    std::snprintf(line, sizeof line,
                  "\n  objective (mean CRPS / reported): %.4f as written, %.4f at the start, "
                  "%.4f fitted\n  MAPE %.1f%% -> %.1f%%; 90%% coverage %.0f%% -> %.0f%%; "
                  "CRPS %.0f t -> %.0f t\n",
                  cal.objective_before, cal.objective_at_prior_mean, cal.objective_after,
                  cal.before.model.mape(), cal.after.model.mape(),
                  100 * cal.before.model.coverage90(), 100 * cal.after.model.coverage90(),
                  cal.before.model.crps(), cal.after.model.crps());
    std::cout << line << "\nCalibrated scenario: " << target.string()
              << "\nReport: " << (dir / "calibration.json").string() << "\n";
    return EXIT_OK;
}

int cmd_run(const std::vector<std::string>& args, const std::string& command_line) {
    po::options_description opts("options");
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
    opts.add_options()("scenario", po::value<std::string>(&path), "scenario file")(
        "trials", po::value<int>(&trials), "number of trials (default: the scenario's)")(
        "seed", po::value<long long>(&seed), "master seed (default: the scenario's)")(
        "threads", po::value<int>(&threads), "worker threads (default: all cores)")(
        "output,o", po::value<std::string>(&output),
        "output directory (default: results/<scenario name>)")(
        "set", po::value<std::vector<std::string>>(&sets)->composing(),
        "override path=value in the scenario (repeatable)")("quiet,q", po::bool_switch(&quiet),
                                                            "no progress line and no report")(
        "no-charts", po::bool_switch(&no_charts), "skip charts/ and index.html")(
        "report", po::value<std::string>(&report),
        "what the table shows: exports, imports, licence_backlog, licence_refused, licence_lapsed, "
        "shortage, stock or days_short (default: exports/magnet)")(
        "from", po::value<std::string>(&from),
        "count shortages from this date, YYYY-MM-DD (default: the first export control the "
        "scenario's own file defines)");
    const po::variables_map vm = parse_args(args, opts, {"scenario"});
    if (path.empty()) {
        throw UsageError("no scenario file given");
    }
    check_run_options(vm, trials, threads, seed);
    Scenario scenario = load_scenario(path, parse_overrides(sets));
    if (!from.empty()) {
        const auto day = parse_date(from);
        if (!day) {
            throw UsageError("--from must be a date YYYY-MM-DD, found '" + from + "'");
        }
        if (*day < scenario.start || *day > scenario.end) {
            throw UsageError("--from " + from + " is outside the scenario (" +
                             format_date(scenario.start) + " to " + format_date(scenario.end) +
                             ")");
        }
        scenario.reference_day = *day;
    }
    ReportSeries table;
    {
        const auto [metric, product] = split_report(report);
        try {
            table = report_series(OutputLayout::build(scenario), metric, product);
        } catch (const std::invalid_argument& e) {
            if (vm.count("report")) {
                throw UsageError(std::string("--report: ") + terminal_safe(e.what()));
            }
            table = ReportSeries{};  // a model without exports: no table, the rest as usual
        }
    }
    std::filesystem::path dir = output_dir(output, scenario.name);
    require_result_dir(dir, ResultKind::run);  // before the first trial, not after the last
    RunConfig config;
    config.trials = trials > 0 ? trials : scenario.trials;
    config.seed = seed >= 0 ? static_cast<std::uint64_t>(seed) : scenario.seed;
    config.threads = threads;
    config.cancel = &g_interrupted;
    Progress progress(!quiet && ::isatty(STDERR_FILENO));
    config.progress = [&](int done, int total) { progress(done, total); };

    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    const RunResult result = run_scenario(scenario, config);
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
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
    meta.scenario_path = path;
    meta.scenario_sha256 = sha256_hex(read_file(path));
    meta.model_path = scenario.model_path;
    meta.model_sha256 = sha256_hex(read_file(scenario.model_path));
    if (result.trials_completed == 0) {
        spdlog::error("interrupted before any trial finished; nothing written");
        return EXIT_INTERRUPTED;
    }
    std::size_t chart_files = 0;
    ExtraFiles charts;
    if (!no_charts) {
        if (!gnuplot_available()) {
            spdlog::warn("gnuplot not found: no charts (install the Debian package gnuplot-nox)");
        } else {
            charts = [&](const std::filesystem::path& staged) {
                Provenance prov{path,
                                meta.scenario_sha256,
                                config.seed,
                                result.trials_completed,
                                result.trials_requested,
                                result.partial,
                                utc_now()};
                try {
                    chart_files =
                        write_run_page(staged, scenario, result, shipped_reported(scenario), prov)
                            .size();
                    return std::vector<std::string>{"index.html", "charts/"};
                } catch (const std::exception& e) {
                    drop_charts(staged, e);
                    chart_files = 0;
                    return std::vector<std::string>{};
                }
            };
        }
    }
    write_results(dir, scenario, config, result, meta, charts);
    if (!quiet) {
        const Headline headline =
            compute_headline(scenario, result, headline_series(result.layout));
        std::cout << "\n";
        for (const auto& line : headline.lines()) {
            std::cout << terminal_safe(line) << "\n";
        }
        if (!table.parts.empty() || !table.totals.empty()) {
            print_table(scenario, result, table, std::cout);
        }
        print_buyers(scenario, result, std::cout);
    }
    std::cout << "\n"
              << (result.partial ? "Partial results (interrupted) written to "
                                 : "Results written to ")
              << dir.string() << "/ (summary.csv, buyers.csv, run.json"
              << (chart_files > 0 ? ", index.html, charts/" : "") << ")\n";
    if (chart_files > 0 && !quiet) {
        std::cout << "Charts: " << (dir / "index.html").string() << "\n";
    }
    return result.partial ? EXIT_INTERRUPTED : EXIT_OK;
}

}  // namespace

namespace {

// The directory of installed scenarios: <prefix>/share/chokepoint/scenarios beside
// <prefix>/bin/simulate.
std::filesystem::path installed_scenarios() {
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) {
        return {};
    }
    return exe.parent_path().parent_path() / "share" / "chokepoint" / "scenarios";
}

// A first argument that is neither a command nor an existing file: a scenario's name (found in
// ./scenarios or the installed scenarios), else a usage error that lists the commands.
std::string resolve_scenario_argument(const std::string& arg) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (arg.empty() || arg[0] == '-' || fs::exists(arg, ec)) {
        return arg;
    }
    const bool bare = arg.find('/') == std::string::npos;
    const bool yaml = arg.size() > 5 && (arg.ends_with(".yaml") || arg.ends_with(".yml"));
    if (bare) {
        const std::string file = yaml ? arg : arg + ".yaml";
        for (const fs::path& dir : {fs::path("scenarios"), installed_scenarios()}) {
            if (!dir.empty() && fs::is_regular_file(dir / file, ec)) {
                spdlog::info("running {}", terminal_safe((dir / file).string()));
                return (dir / file).string();
            }
        }
    }
    if (yaml || !bare) {
        return arg;  // a path: the loader says it cannot be opened, with the path
    }
    std::string names;
    for (const auto& c : commands()) {
        names += (names.empty() ? "" : ", ") + std::string(c.name);
    }
    const fs::path installed = installed_scenarios();
    throw UsageError("unknown command or scenario '" + arg + "'. Commands: " + names +
                     ". A scenario is a YAML file" +
                     (fs::is_directory(installed, ec)
                          ? "; the installed ones are in " + installed.string()
                          : std::string("")) +
                     " (simulate help shows the commands)");
}

// Sets spdlog's level from --log-level (removed from args) or CHOKEPOINT_LOG_LEVEL.
void configure_log_level(std::vector<std::string>& args) {
    std::string level;
    if (const char* env = std::getenv("CHOKEPOINT_LOG_LEVEL"); env != nullptr) {
        level = env;
    }
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--log-level" && i + 1 < args.size()) {
            level = args[i + 1];
            args.erase(args.begin() + static_cast<long>(i),
                       args.begin() + static_cast<long>(i) + 2);
            break;
        }
        if (args[i].rfind("--log-level=", 0) == 0) {
            level = args[i].substr(12);
            args.erase(args.begin() + static_cast<long>(i));
            break;
        }
        if (args[i] == "--log-level") {
            throw UsageError("--log-level needs a level: trace, debug, info, warn, error or off");
        }
    }
    if (level.empty()) {
        return;
    }
    const auto parsed = spdlog::level::from_str(level);
    if (parsed == spdlog::level::off && level != "off") {
        throw UsageError("unknown log level '" + level +
                         "': use trace, debug, info, warn, error or off");
    }
    spdlog::set_level(parsed);
}

}  // namespace

int main(int argc, char** argv) {
    // NO_COLOR (https://no-color.org): any non-empty value turns colour off.
    const char* no_color = std::getenv("NO_COLOR");
    auto logger = spdlog::stderr_color_mt("simulate", no_color != nullptr && *no_color != '\0'
                                                          ? spdlog::color_mode::never
                                                          : spdlog::color_mode::automatic);
    logger->set_pattern("%^%l%$: %v");
    spdlog::set_default_logger(logger);
    std::vector<std::string> args(argv + 1, argv + argc);
    std::string command;
    try {
        configure_log_level(args);
        if (args.empty()) {
            std::cerr << general_usage();
            return EXIT_USAGE;
        }
        if (args[0] == "--help" || args[0] == "-h" || (args[0] == "help" && args.size() == 1)) {
            std::cout << general_usage();
            return EXIT_OK;
        }
        if (args[0] == "--version") {
            std::cout << "simulate (chokepoint) " << version() << " (" << git_revision() << ")\n";
            return EXIT_OK;
        }
        if (args[0] == "help") {
            // simulate help COMMAND is simulate COMMAND --help.
            if (find_command(args[1]) == nullptr) {
                throw UsageError("no command '" + args[1] + "'");
            }
            args = {args[1], "--help"};
        }
        const CommandHelp* known = find_command(args[0]);
        if (known == nullptr || args[0] == "help") {
            args[0] = resolve_scenario_argument(args[0]);
            command = "run";
        } else if ((command = args[0]) == "run") {
            args.erase(args.begin());
            if (!args.empty()) {
                args[0] = resolve_scenario_argument(args[0]);
            }
        }
        set_current_command(find_command(command));
        std::vector<std::string> rest = args;
        if (command != "run") {
            rest.erase(rest.begin());
        }
        const std::string line = join_args(argc, argv);
        if (command == "calibrate") {
            return cmd_calibrate(rest);
        }
        if (command == "compare") {
            return cmd_compare(rest);
        }
        if (command == "backtest") {
            return cmd_backtest(rest);
        }
        if (command == "sweep") {
            return cmd_sweep(rest, line);
        }
        if (command == "diff") {
            return cmd_diff(rest, line);
        }
        if (command == "parameters") {
            return cmd_parameters(rest);
        }
        if (command == "validate") {
            return cmd_validate(rest);
        }
        if (command == "graph") {
            return cmd_graph(rest);
        }
        if (command == "schema") {
            return cmd_schema(rest);
        }
        return cmd_run(rest, line);
    } catch (const HelpShown&) {
        return EXIT_OK;
    } catch (const InputError& e) {
        for (const auto& d : e.diagnostics()) {
            std::cerr << terminal_safe(d.format()) << "\n";
        }
        std::cerr << e.diagnostics().size() << (e.diagnostics().size() == 1 ? " error" : " errors")
                  << "; nothing was run\n";
        return EXIT_USAGE;
    } catch (const po::error& e) {
        std::cerr << "error: " << terminal_safe(e.what()) << "\n"
                  << (command.empty() ? general_usage()
                                      : "(simulate help " + command + " shows its options)\n");
        return EXIT_USAGE;
    } catch (const UsageError& e) {
        std::cerr << "error: " << terminal_safe(e.what()) << "\n"
                  << (command.empty() ? std::string()
                                      : "(simulate help " + command + " shows its options)\n");
        return EXIT_USAGE;
    } catch (const std::exception& e) {
        spdlog::error("{}", terminal_safe(e.what()));
        return EXIT_FAILURE_;
    }
}
