#pragma once
// What the `simulate` commands share: exit codes, the interrupt flag, argument helpers and the
// progress line. Each command lives in its own file (cmd_*.cpp, simulate.cpp).
#include <boost/program_options.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "chokepoint/core/calendar.hpp"
#include "chokepoint/io/result_dir.hpp"
#include "chokepoint/kernel/output_layout.hpp"
#include "chokepoint/runner/runner.hpp"
#include "chokepoint/scenario/scenario.hpp"

namespace chokepoint::cli {

namespace po = boost::program_options;

constexpr int EXIT_OK = 0;
constexpr int EXIT_FAILURE_ = 1;
constexpr int EXIT_USAGE = 2;
constexpr int EXIT_INTERRUPTED = 130;

/// Set by the SIGINT/SIGTERM handler only.
extern std::atomic<bool> g_interrupted;
extern "C" void on_signal(int);

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// The time now in UTC, "YYYY-MM-DD HH:MM" (for provenance and written files).
std::string utc_now();
/// Where a command writes: --output DIR as given (without a trailing '/', so messages do not
/// print "out//"), or results/<default_name>.
std::filesystem::path output_dir(const std::string& output, const std::string& default_name);
/// A command's help: its synopsis, what it does and one example. The options come from the
/// command's own program_options table, so help and parsing cannot disagree.
struct CommandHelp {
    const char* name;
    const char* brief;  ///< one line for `simulate --help`
    const char* synopsis;
    const char* summary;
    const char* example;
};
const std::vector<CommandHelp>& commands();
const CommandHelp* find_command(const std::string& name);
/// The command whose options parse_args() is about to see (for --help).
void set_current_command(const CommandHelp* command);
/// `simulate --help`: every command with its summary.
std::string general_usage();
/// `simulate COMMAND --help`: usage, summary, each option with its description, an example.
std::string command_help(const CommandHelp& c, const po::options_description& opts,
                         const std::vector<std::string>& positionals);
/// Thrown by parse_args() after it printed help: the command exits 0.
struct HelpShown {};

/// Parses `args`; `positionals` name the positional arguments in order. With --help or -h
/// anywhere, prints the current command's help and throws HelpShown.
po::variables_map parse_args(const std::vector<std::string>& args,
                             const po::options_description& opts,
                             const std::vector<std::string>& positionals);
/// `--set path=value` arguments.
std::vector<Override> parse_overrides(const std::vector<std::string>& sets);
/// The checks every command that runs trials makes on --trials, --threads and --seed (each only
/// when given): at least `min_trials` trials, at least one thread, a seed >= 0.
void check_run_options(const po::variables_map& vm, int trials, int threads, long long seed,
                       int min_trials = 1);
/// A run's settings from --trials, --seed and --threads (0, -1 and 0 when not given: the
/// scenario's trials and seed, all cores), cancelled by g_interrupted.
RunConfig run_config(const Scenario& scenario, int trials, long long seed, int threads);
/// check_result_dir() as a usage error (exit 2): the output directory cannot take results.
void require_result_dir(const std::filesystem::path& dir, ResultKind kind);
/// user_file_target() as a usage error (exit 2): where the file `option` names is written
/// (through links), refused when it is a directory, FIFO, device or socket.
std::filesystem::path require_user_file(const std::string& option, const std::string& path);
/// A --from/--to/--origin month.
MonthIndex month_option(const std::string& name, const std::string& value);

/// The progress line on standard error: bar, done/total `unit`, time left.
class Progress {
  public:
    explicit Progress(bool enabled, const char* unit = "trials")
        : enabled_(enabled), unit_(unit), start_(Clock::now()) {}
    /// `skipped` items were done before this run started (a resumed sweep) and do not count
    /// towards the speed.
    void operator()(long done, long total, long skipped = 0) {
        if (!enabled_) {
            return;
        }
        const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
        const long fresh = done - skipped;
        const double left =
            fresh > 0 ? elapsed * static_cast<double>(total - done) / static_cast<double>(fresh)
                      : 0.0;
        const long bar = 30;
        const long filled = total > 0 ? bar * done / total : bar;
        std::fprintf(stderr, "\r[%s%s] %3ld%% %ld/%ld %s, %ld left, %.1f s left   ",
                     std::string(static_cast<std::size_t>(filled), '=').c_str(),
                     std::string(static_cast<std::size_t>(bar - filled), ' ').c_str(),
                     total > 0 ? 100 * done / total : 100, done, total, unit_, total - done, left);
        if (done >= total) {
            std::fprintf(stderr, "\n");
        }
        std::fflush(stderr);
    }
    void finish() {
        if (enabled_) {
            std::fprintf(stderr, "\n");
        }
    }

  private:
    using Clock = std::chrono::steady_clock;
    bool enabled_;
    const char* unit_;
    Clock::time_point start_;
};

int cmd_run(const std::vector<std::string>& args, const std::string& command_line);
int cmd_validate(const std::vector<std::string>& args);
int cmd_graph(const std::vector<std::string>& args);
int cmd_parameters(const std::vector<std::string>& args);
int cmd_compare(const std::vector<std::string>& args);
int cmd_backtest(const std::vector<std::string>& args);
int cmd_calibrate(const std::vector<std::string>& args);
int cmd_sweep(const std::vector<std::string>& args);
int cmd_diff(const std::vector<std::string>& args, const std::string& command_line);
int cmd_schema(const std::vector<std::string>& args);

/// Called from a catch block around a command's chart step: a full disk (is_no_space) is
/// rethrown, so the command fails with nothing committed; any other failure removes the charts
/// drawn so far (`dir`/charts and `dir`/index.html: no half set) and is a warning.
void drop_charts(const std::filesystem::path& dir, const std::exception& e);

/// Draws a command's charts into the staged directory `dir` through `draw` (which returns how
/// many files it wrote), unless `no_charts`. Without gnuplot it warns and draws nothing; a
/// failure other than a full disk goes through drop_charts. Returns the files written.
std::size_t draw_charts(const std::filesystem::path& dir, bool no_charts,
                        const std::function<std::size_t()>& draw);

/// While it lives, SIGINT and SIGTERM set g_interrupted (the run stops after the trials under way
/// and the command decides what to keep); the default handlers after.
class InterruptHandlers {
  public:
    InterruptHandlers();
    ~InterruptHandlers();
    InterruptHandlers(const InterruptHandlers&) = delete;
    InterruptHandlers& operator=(const InterruptHandlers&) = delete;
};

}  // namespace chokepoint::cli
