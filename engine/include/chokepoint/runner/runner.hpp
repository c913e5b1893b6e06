#pragma once
/// Runs the trials of a scenario in parallel (oneTBB) and reduces them, in trial order, to
/// per-series, per-month summaries. Results are bit-identical for any number of threads.
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "chokepoint/kernel/output_layout.hpp"
#include "chokepoint/kernel/trial.hpp"
#include "chokepoint/scenario/scenario.hpp"
#include "chokepoint/stats/summary.hpp"

namespace chokepoint {

struct RunConfig {
    int trials = 1000;
    std::uint64_t seed = 1;
    std::uint64_t sweep_point = 0;
    /// Index of the first trial: trials first_trial .. first_trial + trials - 1 run, each
    /// exactly as in a run from 0 (callers that run a long series of trials in chunks).
    std::uint64_t first_trial = 0;
    int threads = 0;  ///< 0: all cores
    /// Trials run between reductions (and between progress reports and cancellation checks).
    /// Fixed, not derived from the thread count, so results never depend on it.
    int block_size = 256;
    /// Set from another thread (e.g. on Ctrl-C) to stop after the current block.
    const std::atomic<bool>* cancel = nullptr;
    /// Called on the calling thread after each block with (trials done, trials wanted).
    std::function<void(int, int)> progress;
    /// Optional: called on the calling thread with every trial's result, in trial order (for
    /// callers that keep per-trial values of a few series, such as `simulate compare`).
    std::function<void(std::uint64_t, const TrialResult&)> observer;
    /// Which series to summarise: all when unset; otherwise only these series indices (the
    /// others' Summaries stay empty). A sweep that measures a few outputs from the observer
    /// passes an empty list and pays for the trials only, not for 6,000 quantile sketches.
    std::optional<std::vector<std::size_t>> only_series;
};

/// Summary of one buyer and product over all trials.
struct BuyerSummary {
    double shortage_probability = 0.0;  ///< share of trials with any shortage after the start
    Summary shortage_mass;              ///< over all trials
    Summary days_short;                 ///< over all trials
    /// Days from the reference day to the first shortage, over the trials that had one.
    Summary time_to_shortage;
};

struct RunResult {
    OutputLayout layout;
    std::vector<Summary> monthly;  ///< layout.series.size() * layout.months, series-major
    std::vector<BuyerSummary> buyers;
    int trials_requested = 0;
    int trials_completed = 0;
    bool partial = false;  ///< stopped early by cancellation
    int threads = 1;
    double wall_seconds = 0.0;

    const Summary& at(std::size_t series, int month) const {
        return monthly[series * static_cast<std::size_t>(layout.months) +
                       static_cast<std::size_t>(month)];
    }
};

/// Runs `config.trials` trials. Throws std::runtime_error on internal failure.
RunResult run_scenario(const Scenario& scenario, const RunConfig& config);

}  // namespace chokepoint
