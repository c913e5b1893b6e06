// `simulate parameters` (what a sweep may vary) and `simulate sweep` (run a sweep file).
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cmath>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "chokepoint/core/text.hpp"
#include "chokepoint/io/files.hpp"
#include "chokepoint/io/result_dir.hpp"
#include "chokepoint/scenario/sweep_file.hpp"
#include "chokepoint/scenario/uncertain.hpp"
#include "chokepoint/sweep/plan.hpp"
#include "chokepoint/sweep/report.hpp"
#include "chokepoint/sweep/run.hpp"
#include "cli_common.hpp"
#include "mpi_communicator.hpp"

namespace chokepoint::cli {

namespace {

std::string value_text(const UncertainQuantity& q, double v) {
    if (!std::isfinite(v)) {
        return "?";
    }
    return q.is_date ? format_date(static_cast<Day>(std::lround(v))) : format_number(v, 6);
}

std::string range_text(const UncertainQuantity& q) {
    if (!std::isfinite(q.low)) {
        return "(depends on other parameters)";
    }
    if (!q.uncertain) {
        return value_text(q, q.low);
    }
    return value_text(q, q.low) + " .. " + value_text(q, q.high) +
           (q.central_98 ? " (P1..P99)" : "");
}

}  // namespace

int cmd_parameters(const std::vector<std::string>& args) {
    po::options_description opts("parameters options");
    std::string path;
    std::string format = "text";
    std::vector<std::string> sets;
    bool all = false;
    opts.add_options()("scenario", po::value<std::string>(&path), "scenario file")(
        "format", po::value<std::string>(&format), "text, csv or json")(
        "all", po::bool_switch(&all), "also list fixed numbers and dates inside events")(
        "set", po::value<std::vector<std::string>>(&sets)->composing(), "override path=value");
    parse_args(args, opts, {"scenario"});
    if (path.empty()) {
        throw UsageError("parameters needs a scenario file");
    }
    if (format != "text" && format != "csv" && format != "json") {
        throw UsageError("--format must be text, csv or json, found '" + format + "'");
    }
    const auto list = list_uncertain(path, parse_overrides(sets), all);
    auto used = [](const UncertainQuantity& q) {
        std::string out;
        for (const auto& u : q.used_by) {
            out += (out.empty() ? "" : " ") + u;
        }
        return out;
    };
    if (format == "csv") {
        std::cout << "path,section,uncertain,written,low,high,central_98,used_by,description\n";
        for (const auto& q : list) {
            std::cout << csv_field(q.path) << ',' << q.section << ','
                      << (q.uncertain ? "true" : "false") << ',' << csv_field(q.written) << ','
                      << (std::isfinite(q.low) ? value_text(q, q.low) : "") << ','
                      << (std::isfinite(q.high) ? value_text(q, q.high) : "") << ','
                      << (q.central_98 ? "true" : "false") << ',' << csv_field(used(q)) << ','
                      << csv_field(q.description) << '\n';
        }
        return EXIT_OK;
    }
    if (format == "json") {
        nlohmann::ordered_json j = nlohmann::ordered_json::array();
        for (const auto& q : list) {
            nlohmann::ordered_json e;
            e["path"] = q.path;
            e["section"] = q.section;
            e["uncertain"] = q.uncertain;
            e["written"] = q.written;
            e["description"] = q.description;
            e["low"] = std::isfinite(q.low) ? nlohmann::ordered_json(value_text(q, q.low))
                                            : nlohmann::ordered_json(nullptr);
            e["high"] = std::isfinite(q.high) ? nlohmann::ordered_json(value_text(q, q.high))
                                              : nlohmann::ordered_json(nullptr);
            e["central_98"] = q.central_98;
            e["used_by"] = q.used_by;
            e["where"] = q.where.format();
            j.push_back(e);
        }
        std::cout << j.dump(2) << "\n";
        return EXIT_OK;
    }
    std::size_t w = 4;
    for (const auto& q : list) {
        w = std::max(w, q.path.size());
    }
    std::cout << list.size() << " quantities a sweep can vary in " << terminal_safe(path)
              << " (factor paths, as --set takes them):\n";
    std::string section;
    for (const auto& q : list) {
        if (q.section != section) {
            section = q.section;
            std::cout << "\n" << section << ":\n";
        }
        char line[256];
        std::snprintf(line, sizeof line, "  %-*s  %s\n", static_cast<int>(w),
                      terminal_safe(q.path).c_str(), terminal_safe(range_text(q)).c_str());
        std::cout << line;
        if (!q.description.empty()) {
            std::cout << std::string(w + 4, ' ') << terminal_safe(q.description) << "\n";
        }
        std::cout << std::string(w + 4, ' ') << terminal_safe(q.written) << "\n";
        if (!q.used_by.empty()) {
            std::cout << std::string(w + 4, ' ') << "used by: " << terminal_safe(used(q)) << "\n";
        }
    }
    std::cout << "\nRanges are bounds, or P1..P99 for unbounded distributions. Use a path in a "
                 "sweep file's factors: (docs/sweeps.md) or with --set.\n";
    return EXIT_OK;
}

namespace {

// The communicator of an MPI launch (nullptr otherwise, with a warning when this build has no
// MPI). Ranks other than 0 are silenced: rank 0 reports, the others would only repeat it.
std::unique_ptr<Communicator> start_mpi() {
    if (!launched_by_mpi()) {
        return nullptr;
    }
    std::unique_ptr<Communicator> mpi = make_mpi_communicator();
    if (mpi == nullptr) {
        spdlog::warn(
            "started by an MPI launcher, but this build has no MPI support: each "
            "process runs the whole sweep (rebuild with libopenmpi-dev installed)");
    } else if (mpi->rank() != 0) {
        g_secondary_rank = true;
        std::cout.setstate(std::ios::failbit);
        std::cerr.setstate(std::ios::failbit);
        spdlog::set_level(spdlog::level::off);
    }
    return mpi;
}

// One point's per-trial values travel in one MPI message (an int count of bytes).
void check_message_size(const SweepPlan& plan, int ranks) {
    const double bytes =
        8.0 * plan.trials * static_cast<double>(plan.outputs.size()) * static_cast<double>(ranks);
    if (bytes > 2.0e9) {
        throw UsageError("trials x outputs x ranks is too large for MPI messages (" +
                         format_number(bytes / 1e9, 1) + " GB); use fewer trials per point");
    }
}

// Rank 0 after every point has run: the indices, the report's files and the screen.
void report_sweep(const SweepPlan& plan, const SweepRun& run, const std::filesystem::path& dir,
                  bool quiet, bool no_charts) {
    const auto indices = sweep_indices(plan, run.values);
    for (const auto& w : write_sweep_report(plan, indices, dir, !no_charts)) {
        spdlog::warn("{}", terminal_safe(w));
    }
    if (!quiet) {
        std::cout << format_sweep_summary(plan, indices);
    }
    std::cout
        << "\nResults written to " << dir.string()
        << "/ (points.csv, trials.csv, indices.csv, indices.json, problem.json, index.html)\n";
}

}  // namespace

int cmd_sweep(const std::vector<std::string>& args, const std::string& command_line) {
    (void)command_line;
    po::options_description opts("sweep options");
    std::string path;
    std::string output;
    int threads = 0;
    int trials = 0;
    long long seed = 0;
    std::vector<std::string> sets;
    bool restart = false;
    bool quiet = false;
    bool no_charts = false;
    opts.add_options()("sweep", po::value<std::string>(&path), "sweep file")(
        "output,o", po::value<std::string>(&output),
        "output directory (default: results/<sweep name>)")(
        "threads", po::value<int>(&threads), "worker threads per process (default: all cores)")(
        "trials", po::value<int>(&trials), "trials per point (default: the sweep file's)")(
        "seed", po::value<long long>(&seed),
        "master seed of the points' trials (default: the sweep file's, else the scenario's)")(
        "set", po::value<std::vector<std::string>>(&sets)->composing(),
        "override path=value in the base scenario at every point, after the sweep file's set: "
        "(repeatable)")("restart", po::bool_switch(&restart),
                        "discard earlier results in the directory")(
        "no-charts", po::bool_switch(&no_charts), "skip the charts")(
        "quiet,q", po::bool_switch(&quiet), "no progress line and no summary");
    const po::variables_map vm = parse_args(args, opts, {"sweep"});
    if (path.empty()) {
        throw UsageError("sweep needs a sweep file (see scenarios/sweeps/ and docs/sweeps.md)");
    }
    check_run_options(vm, trials, threads, seed, 2);
    const std::unique_ptr<Communicator> mpi = start_mpi();
    const bool root = mpi == nullptr || mpi->rank() == 0;
    SweepSpec spec = load_sweep_file(path);
    if (vm.count("seed")) {
        spec.seed = static_cast<std::uint64_t>(seed);
    }
    for (auto& o : parse_overrides(sets)) {
        spec.set.push_back(std::move(o));
    }
    const SweepPlan plan =
        plan_sweep(spec, vm.count("trials") ? std::optional<int>(trials) : std::nullopt);
    if (mpi != nullptr) {
        check_message_size(plan, mpi->size());
    }
    const std::filesystem::path dir = output_dir(output, spec.name);
    SweepRunConfig config;
    config.dir = dir;
    config.threads = threads;
    config.restart = restart;
    config.comm = mpi.get();
    config.cancel = &g_interrupted;
#ifdef CHOKEPOINT_TEST_HOOKS
    if (const char* crash = std::getenv("CHOKEPOINT_TEST_CRASH_IN_POINT")) {
        // N: die halfway through point N's row of points.csv; N:trials: through its trials.
        config.crash_in_point_write = std::atoll(crash);
        config.crash_in_trials_write = std::string(crash).find(":trials") != std::string::npos;
    }
#endif
    Progress progress(root && !quiet && ::isatty(STDERR_FILENO), "points");
    config.progress = [&](std::size_t done, std::size_t total, std::size_t resumed) {
        progress(static_cast<long>(done), static_cast<long>(total), static_cast<long>(resumed));
    };
    if (root && !quiet) {
        std::cerr << "sweep " << spec.name << ": " << plan.points() << " points x " << plan.trials
                  << " trials (" << to_string(spec.design) << ")"
                  << (mpi ? " on " + std::to_string(mpi->size()) + " ranks" : "") << ", into "
                  << dir.string() << "/\n";
    }
    // Every rank stops with the same error (run_sweep passes failures between ranks), so none
    // is left waiting in a collective call.
    const SweepRun run = [&] {
        const InterruptHandlers interrupts;
        return run_sweep(plan, config);
    }();
    if (!root) {
        return EXIT_OK;
    }
    if (run.resumed > 0) {
        std::cerr << "resumed: " << run.resumed << " of " << plan.points()
                  << " points were already done\n";
    }
    if (run.interrupted) {
        progress.finish();
        std::cerr << "interrupted: the finished points are in " << dir.string()
                  << "/points.csv; run the same command again to continue\n";
        return EXIT_INTERRUPTED;
    }
    report_sweep(plan, run, dir, quiet, no_charts);
    return EXIT_OK;
}

}  // namespace chokepoint::cli
