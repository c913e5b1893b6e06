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
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

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
