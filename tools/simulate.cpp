// The `simulate` command line: parses arguments, configures logging, calls the library, writes
// results and maps errors to exit codes (0 success, 1 failure, 2 bad usage or invalid input,
// 130 interrupted). All modelling lives in the engine library.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "chokepoint/core/diagnostics.hpp"
#include "chokepoint/core/text.hpp"
#include "chokepoint/io/results.hpp"
#include "chokepoint/scenario/scenario.hpp"
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

namespace {

/// The logger every command writes its warnings and errors to, coloured unless NO_COLOR is set.
void set_up_logger() {
    // NO_COLOR (https://no-color.org): any non-empty value turns colour off.
    const char* no_color = std::getenv("NO_COLOR");
    auto logger = spdlog::stderr_color_mt("simulate", no_color != nullptr && *no_color != '\0'
                                                          ? spdlog::color_mode::never
                                                          : spdlog::color_mode::automatic);
    logger->set_pattern("%^%l%$: %v");
    spdlog::set_default_logger(logger);
}

/// Runs `command` with its arguments; `line` is the whole command line, for run.json.
int run_command(const std::string& command, const std::vector<std::string>& rest,
                const std::string& line) {
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
        return cmd_sweep(rest);
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
}

}  // namespace

int main(int argc, char** argv) {
    set_up_logger();
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
        return run_command(command, rest, line);
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
