// `simulate sweep`: runs a sweep file's points (resumable; on MPI ranks when mpirun starts it)
// and writes its report (docs/sweeps.md).
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "chokepoint/core/text.hpp"
#include "chokepoint/io/files.hpp"
#include "chokepoint/io/result_dir.hpp"
#include "chokepoint/report/sweep_report.hpp"
#include "chokepoint/scenario/sweep_file.hpp"
#include "chokepoint/scenario/uncertain.hpp"
#include "chokepoint/sweep/plan.hpp"
#include "chokepoint/sweep/run.hpp"
#include "cli_common.hpp"
#include "mpi_communicator.hpp"

namespace chokepoint::cli {

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
        std::cout.setstate(std::ios::failbit);
        std::cerr.setstate(std::ios::failbit);
        spdlog::set_level(spdlog::level::off);
    }
    return mpi;
}

// mpirun ends every rank as soon as one exits non-zero. The ranks of a sweep share its errors
// (run_sweep passes them on) and rank 0 alone prints them, so when an error leaves cmd_sweep in
// another rank, this finalises MPI there and waits two seconds before the rank exits: rank 0's
// message is not cut off. Bounded: a rank whose error rank 0 does not share only exits later.
class SecondaryRankExit {
  public:
    explicit SecondaryRankExit(std::unique_ptr<Communicator>& mpi)
        : mpi_(mpi), exceptions_(std::uncaught_exceptions()) {}
    SecondaryRankExit(const SecondaryRankExit&) = delete;
    SecondaryRankExit& operator=(const SecondaryRankExit&) = delete;
    ~SecondaryRankExit() {
        if (mpi_ != nullptr && mpi_->rank() != 0 && std::uncaught_exceptions() > exceptions_) {
            mpi_.reset();
            std::this_thread::sleep_for(std::chrono::seconds(2));
        }
    }

  private:
    std::unique_ptr<Communicator>& mpi_;
    int exceptions_;
};

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

/// What `simulate sweep` is asked to do.
struct SweepOptions {
    std::string path;
    std::string output;
    int threads = 0;
    int trials = 0;
    long long seed = 0;
    std::vector<std::string> sets;
    bool restart = false;
    bool quiet = false;
    bool no_charts = false;
    long long max_points = static_cast<long long>(DEFAULT_MAX_POINTS);
};

/// The options of `simulate sweep`, bound to `o`.
po::options_description sweep_options(SweepOptions& o) {
    po::options_description opts("sweep options");
    opts.add_options()("sweep", po::value<std::string>(&o.path), "sweep file")(
        "output,o", po::value<std::string>(&o.output),
        "output directory (default: results/<sweep name>)")(
        "threads", po::value<int>(&o.threads), "worker threads per process (default: all cores)")(
        "trials", po::value<int>(&o.trials), "trials per point (default: the sweep file's)")(
        "seed", po::value<long long>(&o.seed),
        "master seed of the points' trials (default: the sweep file's, else the scenario's)")(
        "set", po::value<std::vector<std::string>>(&o.sets)->composing(),
        "override path=value in the base scenario at every point, after the sweep file's set: "
        "(repeatable)")("restart", po::bool_switch(&o.restart),
                        "discard earlier results in the directory")(
        "no-charts", po::bool_switch(&o.no_charts), "skip the charts")(
        "max-points", po::value<long long>(&o.max_points),
        "run a design of up to this many points (default: 100000; more is refused, naming the "
        "count)")("quiet,q", po::bool_switch(&o.quiet), "no progress line and no summary");
    return opts;
}

/// How run_sweep runs: where, on how many threads, over which ranks, stopped by an interrupt
/// (and, in test builds, where to crash on purpose).
SweepRunConfig sweep_run_config(const std::filesystem::path& dir, const SweepOptions& o,
                                Communicator* mpi) {
    SweepRunConfig config;
    config.dir = dir;
    config.threads = o.threads;
    config.restart = o.restart;
    config.comm = mpi;
    config.cancel = &g_interrupted;
#ifdef CHOKEPOINT_TEST_HOOKS
    if (const char* crash = std::getenv("CHOKEPOINT_TEST_CRASH_IN_POINT")) {
        // N: die halfway through point N's row of points.csv; N:trials: through its trials.
        config.crash_in_point_write = std::atoll(crash);
        config.crash_in_trials_write = std::string(crash).find(":trials") != std::string::npos;
    }
#endif
    return config;
}

/// "about 3 h 20 min": how long `seconds` is, for people.
std::string duration_text(double seconds) {
    if (seconds < 90.0) {
        return "about " + std::to_string(std::max(1L, std::lround(seconds))) + " s";
    }
    const long minutes = std::lround(seconds / 60.0);
    if (minutes < 90) {
        return "about " + std::to_string(minutes) + " min";
    }
    return "about " + std::to_string(minutes / 60) + " h " + std::to_string(minutes % 60) + " min";
}

/// `points` of the sweep's points on this machine, from pilot runs of its first point (a small
/// one and one that takes about 0.3 s: the difference is the cost of a trial, the rest the cost
/// of a point): a guide printed before a long sweep starts, not a promise (other points may run
/// slower or faster).
std::string estimate_sweep_time(const SweepPlan& plan, std::size_t points, int threads, int ranks) {
    using Clock = std::chrono::steady_clock;
    auto time_of = [&](int trials) {
        const auto start = Clock::now();
        (void)run_point(plan, 0, threads, 0, trials);
        return std::chrono::duration<double>(Clock::now() - start).count();
    };
    // A first run warms up (threads, caches) and is not counted; the second pilot doubles until it
    // runs about 0.3 s (or reaches the point's trials), so the clock's noise is small against it
    // whatever the number of threads. Pilots of 8 and 40 trials were off by 2-7 times on the
    // small test sweep (3 s estimated, 6.6 s taken).
    (void)time_of(4);
    constexpr int first = 16;
    const double small = time_of(first);
    const int most = std::max(4 * first, plan.trials);
    int second = 4 * first;
    double large = time_of(second);
    while (large < 0.3 && second < most) {
        second = std::min(most, 2 * second);
        large = time_of(second);
    }
    const double per_trial = std::max(0.0, (large - small) / (second - first));
    const double per_point = std::max(0.0, small - first * per_trial);
    const double total = static_cast<double>(points) *
                         (per_point + per_trial * static_cast<double>(plan.trials)) /
                         static_cast<double>(std::max(1, ranks));
    return duration_text(total);
}

}  // namespace

int cmd_sweep(const std::vector<std::string>& args) {
    SweepOptions o;
    const po::options_description opts = sweep_options(o);
    const po::variables_map vm = parse_args(args, opts, {"sweep"});
    if (o.path.empty()) {
        throw UsageError("sweep needs a sweep file (see scenarios/sweeps/ and docs/sweeps.md)");
    }
    check_run_options(vm, o.trials, o.threads, o.seed, 2);
    std::unique_ptr<Communicator> mpi = start_mpi();
    const SecondaryRankExit secondary_exit(mpi);
    const bool root = mpi == nullptr || mpi->rank() == 0;
    SweepSpec spec = load_sweep_file(o.path);
    if (vm.count("seed")) {
        spec.seed = static_cast<std::uint64_t>(o.seed);
    }
    for (auto& ov : parse_overrides(o.sets)) {
        spec.set.push_back(std::move(ov));
    }
    if (o.max_points < 1) {
        throw UsageError("--max-points must be at least 1");
    }
    const SweepPlan plan =
        plan_sweep(spec, vm.count("trials") ? std::optional<int>(o.trials) : std::nullopt,
                   static_cast<std::size_t>(o.max_points));
    if (mpi != nullptr) {
        check_message_size(plan, mpi->size());
    }
    const std::filesystem::path dir = output_dir(o.output, spec.name);
    SweepRunConfig config = sweep_run_config(dir, o, mpi.get());
    Progress progress(root && !o.quiet && ::isatty(STDERR_FILENO), "points");
    config.progress = [&](std::size_t done, std::size_t total, std::size_t resumed) {
        progress(static_cast<long>(done), static_cast<long>(total), static_cast<long>(resumed));
    };
    if (root && !o.quiet) {
        std::cerr << "sweep " << spec.name << ": " << plan.points() << " points x " << plan.trials
                  << " trials (" << to_string(spec.design) << ")"
                  << (mpi ? " on " + std::to_string(mpi->size()) + " ranks" : "") << ", into "
                  << dir.string() << "/\n";
    }
    // How long, once the directory is checked and before the first point: pilot runs of point 0
    // (about half a second), for sweeps of more than
    // 100,000 trials left to run (a minute or more here). A point that fails here fails again in
    // the run, where every rank hears of it: never here, where the other ranks wait.
    if (root && !o.quiet) {
        config.on_start = [&](std::size_t resumed) {
            const std::size_t left = plan.points() - std::min(resumed, plan.points());
            if (left * static_cast<std::size_t>(plan.trials) < 100'000) {
                return;
            }
            std::string estimate;
            try {
                estimate = estimate_sweep_time(plan, left, o.threads, mpi ? mpi->size() : 1);
            } catch (const std::exception&) {
                return;
            }
            std::cerr << "  estimated time: " << estimate << " on this machine for the " << left
                      << " points left (Ctrl-C stops it; the same command resumes)\n";
        };
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
    report_sweep(plan, run, dir, o.quiet, o.no_charts);
    return EXIT_OK;
}

}  // namespace chokepoint::cli
