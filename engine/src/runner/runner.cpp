#include "chokepoint/runner/runner.hpp"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

#include "chokepoint/core/units.hpp"
#include "chokepoint/kernel/trial.hpp"

namespace chokepoint {

namespace {

// ThreadSanitizer cannot see the synchronisation inside Debian's libtbb (it is not built with
// TSan), so under -fsanitize=thread the fork and join of each parallel_for are declared to it:
// everything before the loop happens before every task, every task before what follows the
// loop. Races between two tasks stay visible. In other builds these are empty.
#if defined(__SANITIZE_THREAD__)
extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);
inline void tsan_acquire(void* addr) {
    __tsan_acquire(addr);
}
inline void tsan_release(void* addr) {
    __tsan_release(addr);
}
#else
inline void tsan_acquire(void*) {}
inline void tsan_release(void*) {}
#endif

// The synchronisation objects TSan tracks (only their addresses matter).
char fork_token = 0;
char join_token = 0;

/// A loop body as oneTBB holds it, with every copy made visible to ThreadSanitizer. oneTBB copies
/// the body into its tasks (on the calling thread, and on a worker when a range is split) in
/// header code that TSan instruments, and hands the task over inside the uninstrumented library:
/// a copy therefore releases the fork token after writing, and every reader acquires it first
/// (without this, a task's copy written by the main thread and read by a worker was reported as a
/// race, once in a while, when oneTBB reused the task's memory).
template <typename Range, typename Body>
class VisibleBody {
  public:
    explicit VisibleBody(const Body& body) : body_(&body) { tsan_release(&fork_token); }
    VisibleBody(const VisibleBody& other) : body_(body_of(other)) { tsan_release(&fork_token); }
    VisibleBody& operator=(const VisibleBody&) = delete;
    ~VisibleBody() = default;

    void operator()(const Range& r) const {
        (*body_of(*this))(r);
        tsan_release(&join_token);
    }

  private:
    // Reads a copy's body after acquiring the fork token.
    static const Body* body_of(const VisibleBody& b) {
        tsan_acquire(&fork_token);
        return b.body_;
    }

    const Body* body_;
};

/// tbb::parallel_for with its fork and join made visible to ThreadSanitizer (a name of its own:
/// oneTBB's constrained parallel_for would win overload resolution against a same-named one).
template <typename Range, typename Body>
void parallel_loop(const Range& range, const Body& body) {
    tbb::parallel_for(range, VisibleBody<Range, Body>(body));
    tsan_acquire(&join_token);
}

// The monthly columns to summarise when the caller chose some series only; nullopt for all.
std::optional<std::vector<std::size_t>> selected_columns(const RunConfig& config,
                                                         const OutputLayout& layout) {
    if (!config.only_series) {
        return std::nullopt;
    }
    std::vector<std::size_t> selected;
    const auto months = static_cast<std::size_t>(layout.months);
    for (std::size_t s : *config.only_series) {
        if (s >= layout.series.size()) {
            throw std::invalid_argument("run_scenario: no series " + std::to_string(s));
        }
        for (std::size_t m = 0; m < months; ++m) {
            selected.push_back(s * months + m);
        }
    }
    return selected;
}

// The trials' figures reduced into summaries, in trial order: one accumulator (a quantile sketch)
// per summarised monthly column, and each buyer's shortage, days short and time to shortage.
class Reduction {
  public:
    Reduction(const OutputLayout& layout, std::optional<std::vector<std::size_t>> selected)
        : selected_(std::move(selected)),
          monthly_cols_(layout.monthly_size()),
          buyer_count_(layout.buyers.size()),
          monthly_(summarised()),
          shortage_(buyer_count_),
          days_(buyer_count_),
          tts_(buyer_count_),
          short_trials_(buyer_count_, 0) {}

    /// Adds the first `n` trials of `slots`. Columns are independent, so they are reduced in
    /// parallel; trial by trial across a range of columns, consecutive adds go to different
    /// accumulators, so they overlap in the processor instead of waiting for each other.
    void add(const std::vector<TrialResult>& slots, int n) {
        parallel_loop(tbb::blocked_range<std::size_t>(0, summarised(), 64),
                      [&](const tbb::blocked_range<std::size_t>& r) {
                          if (!selected_) {
                              add_columns(slots, n, r, [](std::size_t c) { return c; });
                          } else {
                              add_columns(slots, n, r,
                                          [this](std::size_t c) { return (*selected_)[c]; });
                          }
                      });
        for (int i = 0; i < n; ++i) {
            const auto& figures = slots[static_cast<std::size_t>(i)].buyers;
            for (std::size_t b = 0; b < buyer_count_; ++b) {
                const double* f = &figures[b * BUYER_FIGURE_COUNT];
                shortage_[b].add(f[SHORTAGE_MASS]);
                days_[b].add(f[DAYS_SHORT]);
                if (f[TIME_TO_SHORTAGE] >= 0.0) {
                    tts_[b].add(f[TIME_TO_SHORTAGE]);
                    ++short_trials_[b];
                }
            }
        }
    }

    /// The summaries of `done` trials into `result`.
    void finish(int done, RunResult& result) {
        result.monthly.resize(monthly_cols_);
        // Columns are independent, so their summaries (a final sketch merge each) run in
        // parallel.
        parallel_loop(tbb::blocked_range<std::size_t>(0, summarised(), 64),
                      [&](const tbb::blocked_range<std::size_t>& r) {
                          for (std::size_t c = r.begin(); c != r.end(); ++c) {
                              const std::size_t col = selected_ ? (*selected_)[c] : c;
                              result.monthly[col] = monthly_[c].summary();
                          }
                      });
        result.buyers.resize(buyer_count_);
        for (std::size_t b = 0; b < buyer_count_; ++b) {
            BuyerSummary& s = result.buyers[b];
            s.shortage_probability =
                done > 0 ? static_cast<double>(short_trials_[b]) / static_cast<double>(done) : 0.0;
            s.shortage_mass = shortage_[b].summary();
            s.days_short = days_[b].summary();
            s.time_to_shortage = tts_[b].summary();
        }
    }

  private:
    /// The columns summarised: the selected ones, else all.
    std::size_t summarised() const { return selected_ ? selected_->size() : monthly_cols_; }

    /// Trials [0, n) into accumulators r, accumulator c reading a trial's column `column(c)`.
    template <class Column>
    void add_columns(const std::vector<TrialResult>& slots, int n,
                     const tbb::blocked_range<std::size_t>& r, Column column) {
        for (int i = 0; i < n; ++i) {
            const double* values = slots[static_cast<std::size_t>(i)].monthly.data();
            for (std::size_t c = r.begin(); c != r.end(); ++c) {
                monthly_[c].add(values[column(c)]);
            }
        }
    }

    std::optional<std::vector<std::size_t>> selected_;
    std::size_t monthly_cols_;
    std::size_t buyer_count_;
    std::vector<Accumulator> monthly_;
    std::vector<Accumulator> shortage_, days_, tts_;
    std::vector<std::uint64_t> short_trials_;
};

}  // namespace

RunResult run_scenario(const Scenario& scenario, const RunConfig& config) {
    const auto t0 = std::chrono::steady_clock::now();
    RunResult result;
    result.layout = OutputLayout::build(scenario);
    result.trials_requested = config.trials;
    const int threads = config.threads > 0 ? config.threads : tbb::info::default_concurrency();
    result.threads = threads;
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism,
                              static_cast<std::size_t>(threads));
    Reduction reduction(result.layout, selected_columns(config, result.layout));
    tbb::enumerable_thread_specific<Kernel> kernels(
        [&] { return Kernel(scenario, result.layout); });
    const int block = std::max(1, config.block_size);
    std::vector<TrialResult> slots(static_cast<std::size_t>(std::min(block, config.trials)));

    int done = 0;
    while (done < config.trials) {
        if (config.cancel != nullptr && config.cancel->load()) {
            result.partial = true;
            break;
        }
        const int n = std::min(block, config.trials - done);
        // Trials in batches of Kernel::BATCH, run in lock step.
        const int batch = static_cast<int>(Kernel::BATCH);
        const int batches = (n + batch - 1) / batch;
        parallel_loop(
            tbb::blocked_range<int>(0, batches, 1), [&](const tbb::blocked_range<int>& r) {
                Kernel& kernel = kernels.local();
                for (int b = r.begin(); b != r.end(); ++b) {
                    const int first = b * batch;
                    kernel.run_batch(config.seed, config.sweep_point,
                                     config.first_trial + static_cast<std::uint64_t>(done + first),
                                     static_cast<std::size_t>(std::min(batch, n - first)),
                                     &slots[static_cast<std::size_t>(first)]);
                }
            });
        reduction.add(slots, n);
        if (config.observer) {
            for (int i = 0; i < n; ++i) {
                config.observer(config.first_trial + static_cast<std::uint64_t>(done + i),
                                slots[static_cast<std::size_t>(i)]);
            }
        }
        done += n;
        if (config.progress) {
            config.progress(done, config.trials);
        }
    }
    result.trials_completed = done;
    reduction.finish(done, result);
    result.wall_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return result;
}

}  // namespace chokepoint
