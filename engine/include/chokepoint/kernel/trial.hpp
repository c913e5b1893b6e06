#pragma once
/// One trial, one tick at a time. No threads, no files, no YAML: the kernel reads a validated
/// Scenario and writes numbers into a TrialResult.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "chokepoint/kernel/output_layout.hpp"
#include "chokepoint/scenario/scenario.hpp"

namespace chokepoint {

/// Mass balance of one node over a trial, in tonnes (for conservation checks).
struct NodeBalance {
    double start_stock = 0.0;  ///< input + output stock at the start
    double produced = 0.0;     ///< made (sources: mined; processors: from feed)
    double received = 0.0;     ///< arrived from other nodes
    double refunded = 0.0;     ///< refused licence applications returned to stock
    double consumed = 0.0;     ///< used (buyers: demand met; processors: feed drawn)
    double shipped = 0.0;      ///< left the stock (departed, or held for a licence)
    double end_stock = 0.0;
};

/// Daily record of one edge (only with TrialOptions::trace).
struct EdgeDay {
    double departed = 0.0;  ///< left the origin for the destination (exports)
    double arrived = 0.0;   ///< reached the destination (imports)
    double held = 0.0;      ///< awaiting a licence decision at the end of the day
};

struct TrialResult {
    std::vector<double> monthly;       ///< OutputLayout::monthly_size(), series-major
    std::vector<double> buyers;        ///< OutputLayout::buyer_size()
    std::vector<NodeBalance> balance;  ///< per node
    double in_transit_start = 0.0;
    double in_transit_end = 0.0;
    double held_end = 0.0;
    /// trace[day][edge], filled only with TrialOptions::trace.
    std::vector<std::vector<EdgeDay>> trace;
};

struct TrialOptions {
    bool trace = false;
};

namespace detail {
struct CompiledScenario;
}

/// Runs trials of one scenario. Holds per-trial working memory, so one Kernel per thread;
/// the scenario itself is shared read-only. Deterministic: trial i's result depends only on the
/// scenario, the seed, the sweep point and i, not on the trials it is batched with.
class Kernel {
  public:
    /// Trials run in lock step by run_batch: every update of a stock or flow is one vector
    /// operation over them.
    static constexpr std::size_t BATCH = 4;

    Kernel(const Scenario& scenario, const OutputLayout& layout);
    ~Kernel();
    Kernel(Kernel&&) noexcept;
    Kernel& operator=(Kernel&&) = delete;
    Kernel(const Kernel&) = delete;

    /// Runs trial `trial` with the given master seed and sweep point. `out` is resized.
    void run(std::uint64_t seed, std::uint64_t sweep_point, std::uint64_t trial, TrialResult& out,
             const TrialOptions& options = {});
    /// Runs trials first_trial .. first_trial + count - 1 (count in 1 .. BATCH) into
    /// results[0 .. count), each exactly as run() would. A short batch costs as much as a full
    /// one.
    void run_batch(std::uint64_t seed, std::uint64_t sweep_point, std::uint64_t first_trial,
                   std::size_t count, TrialResult* results, const TrialOptions& options = {});

  private:
    struct State;
    std::shared_ptr<const detail::CompiledScenario> compiled_;
    std::unique_ptr<State> state_;
};

}  // namespace chokepoint
