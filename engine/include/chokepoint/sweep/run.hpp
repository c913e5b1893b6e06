#pragma once
/// Running a sweep's points, durably and resumably, on one process or many (MPI ranks through a
/// Communicator the caller provides; the engine itself never links MPI).
///
/// Files in the output directory while it runs: sweep.json (what was run: input hashes,
/// version, trials, seed; checked before resuming), trials.csv (every trial's outputs) and
/// points.csv (one row per point). A point is appended, trials first, as soon as it and every
/// point before it are done: write, fsync of the file and of the directory, so the files are
/// always in design order. Running again continues after the last whole point and ends with the
/// same bytes as an uninterrupted run.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "chokepoint/sweep/plan.hpp"

namespace chokepoint {

/// How ranks talk. Every call is collective: all ranks make it, in the same order.
class Communicator {
  public:
    virtual ~Communicator() = default;
    virtual int rank() const = 0;
    virtual int size() const = 0;
    /// Rank 0 receives every rank's bytes in rank order; other ranks receive nothing.
    virtual std::vector<std::string> gather(const std::string& mine) = 0;
    /// Every rank receives rank 0's bytes.
    virtual std::string broadcast(const std::string& from_root) = 0;
};

/// One process.
class SerialCommunicator final : public Communicator {
  public:
    int rank() const override { return 0; }
    int size() const override { return 1; }
    std::vector<std::string> gather(const std::string& mine) override { return {mine}; }
    std::string broadcast(const std::string& from_root) override { return from_root; }
};

struct SweepRunConfig {
    std::filesystem::path dir;  ///< output directory
    int threads = 0;            ///< oneTBB threads per rank (0: all cores)
    bool restart = false;       ///< discard earlier results in `dir` instead of resuming
    /// Set (on rank 0) to stop after the current wave of points.
    const std::atomic<bool>* cancel = nullptr;
    /// Rank 0, after each wave: (points done, points in all, points found done at the start).
    std::function<void(std::size_t, std::size_t, std::size_t)> progress;
    /// Rank 0, once the directory is checked and locked and before the first point runs: (points
    /// found done). Must not throw (the other ranks wait for rank 0 meanwhile).
    std::function<void(std::size_t)> on_start;
    Communicator* comm = nullptr;  ///< null: one process
    /// Tests only: kill this process (SIGKILL) halfway through writing this point's row of
    /// points.csv, or (crash_in_trials_write) its rows of trials.csv.
    long long crash_in_point_write = -1;
    bool crash_in_trials_write = false;
};

struct SweepRun {
    /// values[point][output][trial], complete on rank 0 (empty elsewhere).
    std::vector<std::vector<std::vector<double>>> values;
    std::size_t resumed = 0;  ///< points already done when the run started
    bool interrupted = false;
};

/// What identifies a sweep's results: version, input hashes, trials and seed (JSON text).
std::string sweep_identity(const SweepPlan& plan);

/// Runs (or resumes) every point. Throws InputError when `dir` holds results of a different
/// sweep (unless config.restart), std::runtime_error on a write failure.
SweepRun run_sweep(const SweepPlan& plan, const SweepRunConfig& config);

}  // namespace chokepoint
