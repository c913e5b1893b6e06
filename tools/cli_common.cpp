#include "cli_common.hpp"

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <ctime>

#include <spdlog/spdlog.h>

#include "chokepoint/core/diagnostics.hpp"
#include "chokepoint/core/text.hpp"
#include "chokepoint/io/files.hpp"
#include "chokepoint/io/gnuplot.hpp"
#include "chokepoint/io/result_dir.hpp"

namespace chokepoint::cli {

std::atomic<bool> g_interrupted{false};

extern "C" void on_signal(int) {
    g_interrupted.store(true);
}

std::string utc_now() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
    return buf;
}

std::filesystem::path output_dir(const std::string& output, const std::string& default_name) {
    if (output.empty()) {
        return std::filesystem::path("results") / default_name;
    }
    std::filesystem::path dir = std::filesystem::path(output).lexically_normal();
    if (!dir.has_filename() && dir.has_parent_path() && dir != dir.root_path()) {
        dir = dir.parent_path();
    }
    return dir;
}

namespace {
const CommandHelp* g_command = nullptr;
}

const std::vector<CommandHelp>& commands() {
    static const std::vector<CommandHelp> table = {
        {"run", "run a scenario: projection table, charts, buyers at risk",
         "simulate [run] SCENARIO.yaml [options]",
         "Runs a scenario's trials and writes summary.csv, buyers.csv, run.json, charts/ and "
         "index.html; the terminal shows the headline, a table and each buyer's shortage risk.",
         "simulate scenarios/april_controls.yaml --trials 4000 --report stock"},
        {"validate", "check a scenario, model or sweep file; show overrides",
         "simulate validate FILE.yaml [options]",
         "Checks a scenario, a model or a sweep file and reports every error with its file, line "
         "and "
         "column; prints each value a scenario overrides from the file it extends.",
         "simulate validate scenarios/october_measures_return.yaml --resolved"},
        {"graph", "write or draw the supply network (DOT, GraphML, SVG, PNG)",
         "simulate graph FILE.yaml [options]",
         "Writes the supply network of a model (or a scenario's model) as Graphviz DOT or "
         "GraphML, or draws it for a slide as SVG or PNG.",
         "simulate graph models/rare_earths_2024.yaml --format svg --output network.svg"},
        {"compare", "score a scenario against reported customs figures",
         "simulate compare SCENARIO.yaml [options]",
         "Runs a scenario and scores it against reported customs figures (MAPE, bias, coverage, "
         "CRPS, skill against naive forecasts); writes comparison.csv, scores.json and charts.",
         "simulate compare scenarios/known_2025-03.yaml --origin 2025-03"},
        {"backtest", "judge the model out of sample, origin by origin",
         "simulate backtest SCENARIO.yaml --origins YYYY-MM..YYYY-MM [options]",
         "For each origin month, runs the scenario with only the events announced by then and "
         "scores the reported figures 1 to 6 months ahead: MAPE, bias, coverage, CRPS and skill "
         "against persistence and seasonal naive, by origin and by lead, with how far the "
         "pooled coverage and skill could move on other origins (origins resampled in blocks); a "
         "PIT histogram. An "
         "event whose end was announced later (end_announced:) lasts its expected_duration_days "
         "before then, or else to the horizon.",
         "simulate backtest scenarios/april_controls.yaml --origins 2024-06..2025-05"},
        {"calibrate", "fit uncertain parameters to reported figures",
         "simulate calibrate SCENARIO.yaml --fit PARAM[,PARAM...] [options]",
         "Fits uncertain parameters to the reported figures and writes a small scenario that "
         "extends the original with the fitted values. There is no --set: the written file "
         "extends the scenario on disk, so to fit under other assumptions write a scenario that "
         "extends it with them and calibrate that.",
         "simulate calibrate scenarios/april_controls.yaml --fit approval_rate_initial --to "
         "2025-06"},
        {"parameters", "list what a sweep or --set can vary",
         "simulate parameters SCENARIO.yaml [options]",
         "Lists every quantity a sweep or --set can vary, with its distribution, range and use.",
         "simulate parameters scenarios/april_controls.yaml --format csv"},
        {"sweep", "sensitivity sweep: which assumptions move the answer",
         "simulate sweep SWEEP.yaml [options]   (also under mpirun -np K)",
         "Runs a sensitivity sweep (oat, grid, lhs, morris, sobol) with common random numbers; "
         "resumes where it stopped; writes points, trials, indices and charts.",
         "simulate sweep scenarios/sweeps/april_controls_oat.yaml"},
        {"diff", "two scenarios on the same trials: the difference",
         "simulate diff BASE.yaml [WHATIF.yaml] [options]",
         "Runs two scenarios on the same trials and reports the per-trial difference.",
         "simulate diff scenarios/april_controls.yaml --base-set "
         "events.announcement_18.probability=0"},
        {"schema", "JSON Schema of scenario, model or sweep files, for editors",
         "simulate schema scenario|model|sweep [options]",
         "Prints the JSON Schema (draft-07) of a kind of input file, built from the keys the "
         "loader accepts; editors with yaml-language-server use it for completion and checks "
         "(docs/scenario-reference.md, 'Editors').",
         "simulate schema scenario --output scenario.schema.json"},
        {"help", "show the commands, or one command's options", "simulate help [COMMAND]",
         "Shows the commands, or one command's options.", "simulate help compare"},
    };
    return table;
}

const CommandHelp* find_command(const std::string& name) {
    for (const auto& c : commands()) {
        if (name == c.name) {
            return &c;
        }
    }
    return nullptr;
}

void set_current_command(const CommandHelp* command) {
    g_command = command;
}

std::string general_usage() {
    std::string out =
        "Usage: simulate COMMAND [ARGS...]   (simulate SCENARIO.yaml is simulate run)\n\n"
        "Commands:\n";
    for (const auto& c : commands()) {
        std::string line = "  " + std::string(c.name);
        line.resize(14, ' ');
        out += line + c.brief + "\n";
    }
    out +=
        "\nsimulate help COMMAND (or simulate COMMAND --help) shows a command's options and an "
        "example.\nsimulate --version shows the version.\n\n"
        "Exit codes: 0 success, 1 failure, 2 bad usage or invalid input, 130 interrupted.\n"
        "Environment: NO_COLOR turns colour off; CHOKEPOINT_LOG_LEVEL sets the log level "
        "(as --log-level).\n";
    return out;
}

namespace {

// `text` in lines of at most `width` characters, starting at column `start`; each line after
// the first is indented by `indent`.
std::string wrap(const std::string& text, std::size_t width, std::size_t indent,
                 std::size_t start) {
    std::string out;
    std::size_t column = start;
    bool line_empty = true;
    std::size_t i = 0;
    while (i <= text.size()) {
        const std::size_t end = std::min(text.find(' ', i), text.size());
        const std::string word = text.substr(i, end - i);
        i = end + 1;
        if (word.empty()) {
            continue;
        }
        if (!line_empty && column + 1 + word.size() > width) {
            out += "\n" + std::string(indent, ' ');
            column = indent;
            line_empty = true;
        }
        if (!line_empty) {
            out += ' ';
            ++column;
        }
        out += word;
        column += word.size();
        line_empty = false;
    }
    return out;
}

// The value an option takes, by its name (program_options would print "arg").
std::string metavar(const std::string& name) {
    static const std::vector<std::pair<std::string, std::string>> names = {
        {"trials", "N"},          {"seed", "S"},
        {"threads", "T"},         {"output", "DIR"},
        {"set", "PATH=VALUE"},    {"base-set", "PATH=VALUE"},
        {"from", "DATE"},         {"to", "YYYY-MM"},
        {"origin", "YYYY-MM"},    {"reported", "FILE_OR_DIR"},
        {"origins", "FROM..TO"},  {"leads", "N"},
        {"format", "FORMAT"},     {"report", "METRIC[/PRODUCT]"},
        {"fit", "PARAM[,PARAM]"}, {"max-evaluations", "N"},
        {"write", "FILE.yaml"},   {"months", "FROM..TO"},
    };
    for (const auto& [n, v] : names) {
        if (n == name) {
            return v;
        }
    }
    return "VALUE";
}

// An option's value as its description names it: "output file" takes a FILE, not a DIR.
std::string metavar(const std::string& name, const std::string& description) {
    if (name == "output" && description.rfind("output file", 0) == 0) {
        return "FILE";
    }
    return metavar(name);
}

}  // namespace

std::string command_help(const CommandHelp& c, const po::options_description& opts,
                         const std::vector<std::string>& positionals) {
    std::string out =
        "Usage: " + std::string(c.synopsis) + "\n\n" + wrap(c.summary, 78, 0, 0) + "\n\nOptions:\n";
    std::vector<std::pair<std::string, std::string>> rows;
    for (const auto& o : opts.options()) {
        const std::string& name = o->long_name();
        if (std::find(positionals.begin(), positionals.end(), name) != positionals.end()) {
            continue;
        }
        std::string flag = "--" + name;
        const std::string shorter =
            o->canonical_display_name(po::command_line_style::allow_dash_for_short);
        if (shorter.size() == 2 && shorter[0] == '-') {
            flag = shorter + ", " + flag;
        } else {
            flag = "    " + flag;
        }
        if (!o->semantic()->is_required() && o->semantic()->max_tokens() > 0) {
            flag += " " + metavar(name, o->description());
        }
        rows.push_back({flag, o->description()});
    }
    rows.push_back(
        {"    --log-level LEVEL", "trace, debug, info, warn, error or off (default: info)"});
    rows.push_back({"-h, --help", "show this help"});
    std::size_t width = 0;
    for (const auto& r : rows) {
        width = std::max(width, r.first.size());
    }
    for (const auto& r : rows) {
        const std::string head = "  " + r.first + std::string(width - r.first.size() + 2, ' ');
        out += head + wrap(r.second, 78, head.size(), head.size()) + "\n";
    }
    out += "\nExample:\n  " + std::string(c.example) + "\n";
    return out;
}

po::variables_map parse_args(const std::vector<std::string>& args,
                             const po::options_description& opts,
                             const std::vector<std::string>& positionals) {
    for (const auto& a : args) {
        if (a == "--help" || a == "-h") {
            if (g_command != nullptr) {
                std::fputs(command_help(*g_command, opts, positionals).c_str(), stdout);
            } else {
                std::fputs(general_usage().c_str(), stdout);
            }
            throw HelpShown{};
        }
    }
    po::positional_options_description pos;
    for (const auto& p : positionals) {
        pos.add(p.c_str(), 1);
    }
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(opts).positional(pos).run(), vm);
    } catch (const po::unknown_option& e) {
        // A guess among this command's long options, as for a misspelt key in a file.
        std::vector<std::string> names;
        for (const auto& o : opts.options()) {
            names.push_back("--" + o->long_name());
        }
        const std::string given = e.get_option_name();
        const std::string guess = closest_match(given.substr(0, given.find('=')), names);
        throw UsageError("unrecognised option '" + given + "'" +
                         (guess.empty() ? "" : " (did you mean '" + guess + "'?)"));
    }
    po::notify(vm);
    return vm;
}

std::vector<Override> parse_overrides(const std::vector<std::string>& sets) {
    std::vector<Override> out;
    for (const auto& s : sets) {
        const auto eq = s.find('=');
        if (eq == std::string::npos || eq == 0) {
            throw UsageError("--set needs path=value, found '" + s + "'");
        }
        out.push_back(Override{s.substr(0, eq), s.substr(eq + 1)});
    }
    return out;
}

void check_run_options(const po::variables_map& vm, int trials, int threads, long long seed,
                       int min_trials) {
    if (vm.count("trials") && trials < min_trials) {
        throw UsageError("--trials must be at least " + std::to_string(min_trials));
    }
    if (vm.count("threads") && threads < 1) {
        throw UsageError("--threads must be at least 1");
    }
    if (vm.count("seed") && seed < 0) {
        throw UsageError("--seed must be >= 0");
    }
}

void require_result_dir(const std::filesystem::path& dir, ResultKind kind) {
    try {
        check_result_dir(dir, kind);
    } catch (const std::runtime_error& e) {
        throw UsageError(e.what());
    }
}

std::filesystem::path require_user_file(const std::string& option, const std::string& path) {
    try {
        return user_file_target(path);
    } catch (const std::runtime_error& e) {
        throw UsageError(option + " " + e.what());
    }
}

MonthIndex month_option(const std::string& name, const std::string& value) {
    auto m = parse_month(value);
    if (!m) {
        throw UsageError("--" + name + " needs a month YYYY-MM, found '" + value + "'");
    }
    return *m;
}

std::size_t draw_charts(const std::filesystem::path& dir, bool no_charts,
                        const std::function<std::size_t()>& draw) {
    if (no_charts) {
        return 0;
    }
    if (!gnuplot_available()) {
        spdlog::warn("gnuplot not found: no charts (install the Debian package gnuplot-nox)");
        return 0;
    }
    try {
        return draw();
    } catch (const std::exception& e) {
        drop_charts(dir, e);
        return 0;
    }
}

InterruptHandlers::InterruptHandlers() {
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
}

InterruptHandlers::~InterruptHandlers() {
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
}

RunConfig run_config(const Scenario& scenario, int trials, long long seed, int threads) {
    RunConfig config;
    config.trials = trials > 0 ? trials : scenario.trials;
    config.seed = seed >= 0 ? static_cast<std::uint64_t>(seed) : scenario.seed;
    config.threads = threads;
    config.cancel = &g_interrupted;
    return config;
}

void drop_charts(const std::filesystem::path& dir, const std::exception& e) {
    if (is_no_space(e)) {
        throw;  // a full disk ends the command: nothing is committed
    }
    std::error_code ec;
    std::filesystem::remove_all(dir / "charts", ec);
    std::filesystem::remove(dir / "index.html", ec);
    spdlog::warn("no charts: {}", terminal_safe(e.what()));
}

}  // namespace chokepoint::cli
