#include "chokepoint/kernel/trial.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "batch_run.hpp"

// The tick loop. A Batch runs Kernel::BATCH trials in lock step: each trial's inputs are drawn
// (start_trial), every stock starts at its target (start), and each tick runs its phases in order
// (run_tick): first every flow is collected from the frozen state (arrivals, buyers' orders and
// use, what exporters withhold from a backlogged lane, shipments and production, processors'
// feed, licence decisions due), then applied (lanes, production and use). After the last tick,
// each trial's node balances (finish). batch_run.hpp names the file of each phase.

namespace chokepoint::detail::batch_run {

void Batch::run() {
    const int step = s_.step_days;
    for (Day day = s_.start; day <= s_.end; day += step) {
        Tick tick;
        tick.day = day;
        tick.dt = std::min(step, s_.end - day + 1);
        tick.dt_real = static_cast<double>(tick.dt);
        tick.offset = day - s_.start;
        tick.month = c_.month_of_offset[static_cast<std::size_t>(tick.offset)];
        tick.month_end =
            tick.offset + tick.dt > c_.days - 1 ||
            c_.month_of_offset[static_cast<std::size_t>(tick.offset + tick.dt)] != tick.month;
        tick.new_month =
            tick.offset == 0 ||
            c_.month_of_offset[static_cast<std::size_t>(tick.offset)] !=
                c_.month_of_offset[static_cast<std::size_t>(std::max(0, tick.offset - step))];
        run_tick(tick);
    }
}

void Batch::finish() {
    // The last tick always ends a month, so every lane's figures are in lane_trial.
    for (std::size_t w = 0; w < W; ++w) {
        TrialResult& out = *outs_[w];
        for (std::size_t n = 0; n < nodes_; ++n) {
            out.balance[n].produced = at(st_.node_produced[n], w);
            out.balance[n].consumed = at(st_.node_consumed[n], w);
        }
        for (std::size_t e = 0; e < ned_; ++e) {
            const PerTrial* total = &st_.lane_trial[e * LANE_FIGURES];
            const auto& ei = c_.edges[e];
            NodeBalance& from = out.balance[static_cast<std::size_t>(
                c_.lines[static_cast<std::size_t>(ei.line)].node)];
            NodeBalance& to = out.balance[static_cast<std::size_t>(
                c_.groups[static_cast<std::size_t>(ei.group)].node)];
            to.received += at(total[ARRIVED], w);
            from.shipped += at(total[SHIPPED], w);
            from.refunded += at(total[REFUSED], w) + at(total[LAPSED], w);
        }
        for (std::size_t n = 0; n < nodes_; ++n) {
            add_node_stock(w, n, out.balance[n].end_stock);
        }
        out.in_transit_end = trial_total(st_.in_transit, w);
        out.held_end = trial_total(st_.held, w);
    }
}

#ifdef CHOKEPOINT_CHECK_INVARIANTS
void Batch::check_invariants(Day day) {
    for (std::size_t w = 0; w < W; ++w) {
        double mass = 0.0;
        double made = 0.0;
        double used = 0.0;
        for (std::size_t l = 0; l < nl_; ++l) {
            if (at(st_.out_stock[l], w) < -1e-6) {
                throw std::logic_error("output stock below zero on " + format_date(day));
            }
            mass += at(st_.out_stock[l], w);
            made += at(st_.produce[l], w);
        }
        for (std::size_t g = 0; g < ng_; ++g) {
            if (at(st_.in_stock[g], w) < -1e-6) {
                throw std::logic_error("input stock below zero on " + format_date(day));
            }
            mass += at(st_.in_stock[g], w);
            used += c_.groups[g].buyer ? at(st_.consume[g], w) : at(st_.draw[g], w);
        }
        for (std::size_t e = 0; e < ned_; ++e) {
            mass += at(st_.in_transit[e], w) + at(st_.held[e], w);
        }
        double& check = st_.trial[w].check_mass;
        if (day == s_.start) {
            check = mass - made + used;
        }
        check += made - used;
        if (std::abs(mass - check) > 1e-6 * std::max(1.0, mass)) {
            throw std::logic_error("tonnes not conserved on " + format_date(day));
        }
    }
}
#endif

}  // namespace chokepoint::detail::batch_run

namespace chokepoint {

struct Kernel::State : detail::batch_run::BatchState {};

Kernel::Kernel(const Scenario& scenario, const OutputLayout& layout)
    : compiled_(detail::compile(scenario, layout)), state_(std::make_unique<State>()) {}
Kernel::~Kernel() = default;
Kernel::Kernel(Kernel&&) noexcept = default;

void Kernel::run(std::uint64_t seed, std::uint64_t sweep_point, std::uint64_t trial,
                 TrialResult& out, const TrialOptions& options) {
    run_batch(seed, sweep_point, trial, 1, &out, options);
}

void Kernel::run_batch(std::uint64_t seed, std::uint64_t sweep_point, std::uint64_t first_trial,
                       std::size_t count, TrialResult* results, const TrialOptions& options) {
    if (count == 0 || count > BATCH) {
        throw std::invalid_argument("Kernel::run_batch: between 1 and BATCH trials");
    }
    detail::batch_run::Batch batch(*compiled_, *state_, results, count, options);
    for (std::size_t w = 0; w < BATCH; ++w) {
        batch.start_trial(w, seed, sweep_point,
                          first_trial + std::min<std::uint64_t>(w, count - 1));
    }
    batch.start();
    batch.run();
    batch.finish();
}

}  // namespace chokepoint
