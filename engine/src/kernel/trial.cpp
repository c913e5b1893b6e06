#include "chokepoint/kernel/trial.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <stdexcept>

#include "chokepoint/core/units.hpp"
#include "chokepoint/random/rng.hpp"

#include "batch.hpp"
#include "compiled_scenario.hpp"
#include "licence_queue.hpp"
#include "noise.hpp"
#include "policy.hpp"
#include "stock_policy.hpp"

// The tick loop. A Batch runs Kernel::BATCH trials in lock step: each trial's inputs are drawn
// (start_trial), every stock starts at its target (start), and each tick runs its phases in order
// (run_tick): first every flow is collected from the frozen state (arrivals, buyers' orders and
// use, what exporters withhold from a backlogged lane, shipments and production, processors'
// feed, licence decisions due), then applied (lanes, production and use). The licence queue
// (licence_queue.hpp), buyers' stock policy (stock_policy.hpp), the policy at a date (policy.hpp)
// and the compiled scenario (compiled_scenario.hpp) have files of their own.

namespace chokepoint {

namespace {

using detail::at;
using detail::LicenceQueue;
using detail::max_of;
using detail::min_of;
using detail::NoiseProcess;
using detail::PerTrial;
using detail::Policy;
using detail::splat;
using detail::W;

// Figures kept per lane: tonnes that left (exports), arrived (imports), and were refused a
// licence; `shipped` (left the free stock, including tonnes held for a licence) is per trial only.
enum LaneFigure : std::size_t {
    DEPARTED = 0,
    ARRIVED = 1,
    REFUSED = 2,
    SHIPPED = 3,
    LAPSED = 4,
    LANE_FIGURES = 5
};

/// What one trial of a batch holds on its own: its resolved inputs, policy and random streams
/// (its licence applications are in the batch's LicenceQueue).
struct TrialState {
    std::vector<double> params;
    std::vector<double> product_share;  // controlled share per product
    std::vector<ResolvedEvent> events;
    std::vector<double> line_capacity;  // t/day
    std::vector<double> group_demand;   // t/day (buyers)
    std::vector<double> trend_rate;     // per demand_trend product: log(1 + growth) per day
    double precaution = 0.0;            // StockPolicy shares, drawn per trial
    double catch_up = 0.0;
    int patience = 0;           // whole calendar days (has_patience only)
    double backlog_days = 0.0;  // ExporterPolicy, drawn per trial (has_backlog_cap only)
    Policy policy;              // recomputed at event boundaries
    std::vector<double> licence_share_before;
    std::vector<Day> boundaries;
    std::size_t next_boundary = 0;
    bool policy_dirty = true;
    // Monthly noise: buyers' demand (a member per buyer group) and shipments out of sources (a
    // member per source lane).
    NoiseProcess demand_noise, supply_noise;
    double check_mass = 0.0;  // CHOKEPOINT_CHECK_INVARIANTS only
};

/// The state of a batch of W trials run in lock step: per-trial inputs apart, and every stock,
/// pipeline and flow as one PerTrial value per line, group or lane, so each update of the tick
/// loop is one vector operation over the batch.
struct BatchState {
    std::array<TrialState, W> trial;
    std::array<TrialResult, W> spare;  // results of the padding columns of a short batch
    // Stocks and flows.
    std::vector<PerTrial> out_stock, expected_out;
    std::vector<PerTrial> in_stock;
    std::vector<PerTrial> ring;  // pipelines, flattened
    std::vector<int> cursor;     // per edge: ring slot of the current day (same for every trial)
    std::vector<PerTrial> in_transit, held;
    // Per lane, tonnes departed, arrived and refused this month (written to the series at the
    // month end), and over the trial (for the node balances).
    std::vector<PerTrial> lane_month, lane_trial;
    LicenceQueue licences;
    // Scratch for one tick.
    std::vector<PerTrial> arrivals, request, shipment, release, approved_due, refused_due,
        lapsed_due;
    std::vector<PerTrial> produce, draw, consume, shortfall;
    // Cached between policy changes and month starts (noise): each group's use (t/day), desired
    // position (cover + pipeline, t) and 1 / order weight, each line's capacity (t/day), each
    // lane's licensed share and order weight (policy weight x this month's lane noise).
    std::vector<PerTrial> group_use, group_desired, group_inv_weight, line_cap;
    std::vector<PerTrial> edge_share, lane_weight;
    // This month's noise factor per group (demand) and per lane (supply); 1 when off.
    std::vector<PerTrial> noise_factor, lane_noise;
    // This month's demand trend factor per group; 1 without a trend.
    std::vector<PerTrial> trend_factor;
    // Per buyer group: use a shortage left unmet, still to be made up (restocking), and the
    // trial's catch-up share.
    std::vector<PerTrial> deferred;
    PerTrial catch_up_share;
    // Per node, tonnes produced and consumed over the trial.
    std::vector<PerTrial> node_produced, node_consumed;
    // Per licensed lane (has_backlog_cap only): the tonnes its exporter lets wait for licences
    // (backlog_days of the lane's controlled flow, set with the policy), and this tick's share of
    // its shipment filed as applications (its licensed share, less what the exporter withholds).
    std::vector<PerTrial> backlog_cap, file_share;
    // Per lane (has_shipment_cut only): the tonnes a day that may leave under a disruption that
    // cuts shipments (its factor x the lane's baseline flow x this month's lane noise); infinite
    // where none is active.
    std::vector<PerTrial> shipment_cap;
};

/// The days of one tick: `dt` days from `day` (the last tick may be shorter), in month `month`.
struct Tick {
    Day day = 0;
    int dt = 1;
    double dt_real = 1.0;
    int offset = 0;  ///< days after the scenario's start
    int month = 0;   ///< index into the layout's months
    bool month_end = false;
    bool new_month = false;
    bool any_filed = false;  ///< some trial has filed a licence application
};

}  // namespace

struct Kernel::State : BatchState {};

namespace {
/// One call of Kernel::run_batch: the batch's trials from their first draw to their balances.
class Batch {
  public:
    Batch(const detail::CompiledScenario& c, BatchState& st, TrialResult* results,
          std::size_t count, const TrialOptions& options)
        : c_(c),
          s_(*c.scenario),
          layout_(*c.layout),
          st_(st),
          options_(options),
          nl_(c.lines.size()),
          ng_(c.groups.size()),
          ned_(c.edges.size()),
          nq_(c.queue_edges.size()),
          nodes_(s_.network.nodes().size()),
          days_(static_cast<std::size_t>(c.days)),
          months_(layout_.months),
          inv_adjust_(1.0 / s_.adjust_days) {
        // Column w runs trial first_trial + w; the padding columns of a short batch run the
        // last trial again into spare results.
        for (std::size_t w = 0; w < W; ++w) {
            outs_[w] = w < count ? &results[w] : &st.spare[w];
        }
        st_.licences.reset(c);
    }

    /// Trial w's result emptied and its uncertain inputs drawn: parameters, then model numbers,
    /// then events; its noise processes and licence streams seeded.
    void start_trial(std::size_t w, std::uint64_t seed, std::uint64_t sweep_point,
                     std::uint64_t trial) {
        TrialState& t = st_.trial[w];
        TrialResult& out = *outs_[w];
        const auto& products = s_.network.products();
        out.monthly.assign(layout_.monthly_size(), 0.0);
        out.buyers.assign(layout_.buyer_size(), 0.0);
        for (std::size_t b = 0; b < layout_.buyers.size(); ++b) {
            out.buyers[b * BUYER_FIGURE_COUNT + TIME_TO_SHORTAGE] = -1.0;
        }
        out.balance.assign(nodes_, NodeBalance{});
        out.trace.clear();
        if (options_.trace) {
            out.trace.assign(days_, std::vector<EdgeDay>(ned_));
        }
        // Each parameter draws from its own sub-stream keyed by its name, so adding, removing
        // or reordering parameters moves no other parameter's value; the model's own uncertain
        // numbers then draw in model order from the stream itself.
        const std::uint64_t parameter_seed =
            derive_seed(seed, sweep_point, trial, Stream::parameters);
        t.params.resize(s_.parameters.size());
        for (std::size_t i = 0; i < s_.parameters.size(); ++i) {
            Rng own(parameter_seed ^ c_.parameter_keys[i]);
            t.params[i] = s_.parameters[i].distribution.sample(own);
        }
        Rng prng(parameter_seed);
        t.product_share.resize(products.size());
        for (std::size_t p = 0; p < products.size(); ++p) {
            t.product_share[p] =
                std::clamp(products[p].controlled_share.resolve(t.params, prng), 0.0, 1.0);
        }
        t.line_capacity.resize(nl_);
        for (std::size_t l = 0; l < nl_; ++l) {
            t.line_capacity[l] =
                std::max(0.0, c_.lines[l].capacity->resolve(t.params, prng)) / DAYS_PER_MONTH;
        }
        t.group_demand.assign(ng_, 0.0);
        for (std::size_t g = 0; g < ng_; ++g) {
            if (c_.groups[g].buyer) {
                t.group_demand[g] =
                    std::max(0.0, c_.groups[g].demand->resolve(t.params, prng)) / DAYS_PER_MONTH;
            }
        }
        // The demand trend's annual rates (after every other draw of this stream, so a model
        // without a trend draws exactly as before).
        t.trend_rate.resize(s_.demand_trend.growth.size());
        for (std::size_t i = 0; i < s_.demand_trend.growth.size(); ++i) {
            t.trend_rate[i] =
                std::log1p(std::max(-0.5, s_.demand_trend.growth[i].resolve(t.params, prng))) /
                365.25;
        }
        const StockPolicy& sp = s_.stock_policy;
        t.precaution = c_.has_precaution
                           ? std::clamp(sp.precautionary_share.resolve(t.params, prng), 0.0, 1.0)
                           : 0.0;
        t.catch_up =
            c_.has_catch_up ? std::clamp(sp.catch_up_share.resolve(t.params, prng), 0.0, 1.0) : 0.0;
        t.patience = c_.has_patience
                         ? static_cast<int>(std::clamp(
                               std::ceil(sp.patience_days.resolve(t.params, prng)), 1.0, 3650.0))
                         : 0;
        t.backlog_days =
            c_.has_backlog_cap
                ? std::clamp(s_.exporter_policy.backlog_days.resolve(t.params, prng), 1.0, 3650.0)
                : 0.0;
        t.events = resolve_events(s_.events, t.params,
                                  derive_seed(seed, sweep_point, trial, Stream::events));
        t.boundaries.clear();
        for (const auto& r : t.events) {
            if (r.happens) {
                t.boundaries.push_back(r.start);
                if (r.end != NEVER) {
                    t.boundaries.push_back(r.end);
                }
            }
        }
        std::sort(t.boundaries.begin(), t.boundaries.end());
        t.next_boundary = 0;
        t.policy_dirty = true;
        t.policy.reset(nl_, ng_, ned_, static_cast<std::size_t>(c_.slot_total));
        // Month-to-month noise: stationary start, redrawn at each month's first tick.
        t.demand_noise.reset(s_.demand_noise, c_.buyer_groups.size(),
                             derive_seed(seed, sweep_point, trial, Stream::noise));
        t.supply_noise.reset(s_.supply_noise, c_.source_lanes.size(),
                             derive_seed(seed, sweep_point, trial, Stream::supply_noise));
        st_.licences.start_trial(w, t.policy, t.events, t.patience,
                                 derive_seed(seed, sweep_point, trial, Stream::licences));
    }

    /// The initial state: every stock at target, every pipeline full at the baseline flow.
    void start() {
        const PerTrial zero = splat(0.0);
        st_.out_stock.resize(nl_);
        st_.expected_out.resize(nl_);
        for (std::size_t l = 0; l < nl_; ++l) {
            st_.out_stock[l] = splat(c_.lines[l].cover_days * c_.lines[l].base_out);
            st_.expected_out[l] = splat(c_.lines[l].base_out);
        }
        st_.noise_factor.assign(ng_, splat(1.0));
        st_.trend_factor.assign(ng_, splat(1.0));
        st_.deferred.assign(ng_, zero);
        for (std::size_t w = 0; w < W; ++w) {
            at(st_.catch_up_share, w) = st_.trial[w].catch_up;
        }
        st_.lane_noise.assign(ned_, splat(1.0));
        st_.lane_weight.assign(ned_, zero);
        st_.group_use.assign(ng_, zero);
        st_.group_desired.assign(ng_, zero);
        st_.group_inv_weight.assign(ng_, zero);
        st_.line_cap.assign(nl_, zero);
        st_.edge_share.assign(ned_, zero);
        if (c_.has_trend) {
            for (std::size_t w = 0; w < W; ++w) {
                set_trend(w, 0);
            }
        }
        st_.in_stock.resize(ng_);
        for (std::size_t g = 0; g < ng_; ++g) {
            for (std::size_t w = 0; w < W; ++w) {
                at(st_.in_stock[g], w) = c_.groups[g].initial_stock >= 0.0
                                             ? c_.groups[g].initial_stock
                                             : c_.groups[g].cover_days * usage(w, g);
            }
        }
        st_.ring.assign(static_cast<std::size_t>(c_.ring_total), zero);
        st_.in_transit.assign(ned_, zero);
        st_.held.assign(ned_, zero);
        st_.cursor.assign(ned_, 0);
        for (std::size_t e = 0; e < ned_; ++e) {
            const auto& ei = c_.edges[e];
            for (int d = 0; d < ei.lead; ++d) {
                st_.ring[static_cast<std::size_t>(ei.ring_offset + d % ei.ring_size)] +=
                    splat(ei.flow_day);
            }
            st_.in_transit[e] = splat(ei.flow_day * ei.lead);
        }
        st_.lane_month.assign(ned_ * LANE_FIGURES, zero);
        st_.lane_trial.assign(ned_ * LANE_FIGURES, zero);
        for (auto* v : {&st_.arrivals, &st_.request, &st_.shipment, &st_.release, &st_.approved_due,
                        &st_.refused_due, &st_.lapsed_due}) {
            v->assign(ned_, zero);
        }
        st_.produce.assign(nl_, zero);
        for (auto* v : {&st_.draw, &st_.consume, &st_.shortfall}) {
            v->assign(ng_, zero);
        }
        st_.node_produced.assign(nodes_, zero);
        st_.node_consumed.assign(nodes_, zero);
        st_.backlog_cap.assign(c_.has_backlog_cap ? ned_ : 0, zero);
        st_.file_share.assign(c_.has_backlog_cap ? ned_ : 0, zero);
        st_.shipment_cap.assign(c_.has_shipment_cut ? ned_ : 0, splat(INFINITY));
        for (std::size_t w = 0; w < W; ++w) {
            TrialResult& out = *outs_[w];
            for (std::size_t n = 0; n < nodes_; ++n) {
                add_node_stock(w, n, out.balance[n].start_stock);
            }
            out.in_transit_start = trial_total(st_.in_transit, w);
        }
    }

    /// Every tick from the scenario's start to its end.
    void run() {
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

    /// Each trial's node balances and what is left in transit and held, after the last tick.
    void finish() {
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

  private:
    /// One tick's phases, in order. Phase 1 collects every flow from the frozen state; phase 2
    /// applies them.
    void run_tick(Tick& tick) {
        start_tick(tick);
        // Phase 1: collect from the frozen state.
        collect_arrivals(tick);
        buyers_order_and_use(tick);
        if (c_.has_backlog_cap) {
            exporters_withhold();
        }
        lines_ship_and_produce(tick);
        processors_draw_feed();
        if (tick.any_filed) {
            decisions_due(tick);
        }
        // Phase 2: apply.
        move_lanes(tick);
        produce_and_use(tick);
#ifdef CHOKEPOINT_CHECK_INVARIANTS
        check_invariants(tick.day);
#endif
    }

    /// Per trial: a new month's noise and trend, and at event boundaries a new policy.
    void start_tick(Tick& tick) {
        for (std::size_t w = 0; w < W; ++w) {
            TrialState& t = st_.trial[w];
            bool refresh = false;
            if ((t.demand_noise.on() || t.supply_noise.on()) && tick.new_month) {
                advance_noise(w, tick.offset == 0);
                refresh = true;
            }
            if (c_.has_trend && tick.new_month) {
                set_trend(w, tick.month);
                refresh = true;
            }
            while (t.next_boundary < t.boundaries.size() &&
                   t.boundaries[t.next_boundary] <= tick.day) {
                ++t.next_boundary;
                t.policy_dirty = true;
            }
            if (t.policy_dirty) {
                change_policy(w, tick.day, tick.offset);
                t.policy_dirty = false;
                refresh = true;
            }
            if (refresh) {
                refresh_cached(w);
            }
        }
        tick.any_filed = st_.licences.any_filed();
    }

    /// What each lane's pipeline delivers over the tick (each ring slot read once and cleared).
    void collect_arrivals(const Tick& tick) {
        const PerTrial zero = splat(0.0);
        for (std::size_t e = 0; e < ned_; ++e) {
            const auto& ei = c_.edges[e];
            PerTrial a = zero;
            int slot = st_.cursor[e];
            for (int d = 0; d < tick.dt; ++d) {
                PerTrial& cell = st_.ring[static_cast<std::size_t>(ei.ring_offset + slot)];
                a += cell;
                cell = zero;  // the slot is read exactly once; clearing is part of the read
                slot = slot + 1 == ei.ring_size ? 0 : slot + 1;
            }
            st_.cursor[e] = slot;  // now the slot of the next tick's first day
            st_.arrivals[e] = a;
        }
    }

    /// Each input group orders up to its desired position, split over its lanes by their
    /// weights; buyers use what they need from stock and today's arrivals (stock_policy.hpp).
    void buyers_order_and_use(const Tick& tick) {
        const PerTrial zero = splat(0.0);
        const double weight_day = std::min(1.0, tick.dt * inv_adjust_);
        for (std::size_t g = 0; g < ng_; ++g) {
            const auto in_begin = static_cast<std::size_t>(c_.group_in_begin[g]);
            const auto in_end = static_cast<std::size_t>(c_.group_in_begin[g + 1]);
            const PerTrial u = st_.group_use[g];
            PerTrial position = st_.in_stock[g];
            for (std::size_t k = in_begin; k < in_end; ++k) {
                const auto ue = static_cast<std::size_t>(c_.group_in[k]);
                position += st_.in_transit[ue] + st_.held[ue];
            }
            const PerTrial per_weight = detail::order(u, st_.group_desired[g], st_.deferred[g],
                                                      position, inv_adjust_, tick.dt_real) *
                                        st_.group_inv_weight[g];
            for (std::size_t k = in_begin; k < in_end; ++k) {
                const auto ue = static_cast<std::size_t>(c_.group_in[k]);
                st_.request[ue] = per_weight * st_.lane_weight[ue];
            }
            if (c_.groups[g].buyer) {
                PerTrial arriving = zero;
                for (std::size_t k = in_begin; k < in_end; ++k) {
                    arriving += st_.arrivals[static_cast<std::size_t>(c_.group_in[k])];
                }
                const PerTrial available = st_.in_stock[g] + arriving;
                detail::use_stock(u * tick.dt_real, available, st_.consume[g], st_.shortfall[g]);
                if (c_.has_catch_up) {
                    detail::restock(u, available, st_.shortfall[g], st_.catch_up_share, weight_day,
                                    c_.groups[g].cover_days, st_.consume[g], st_.deferred[g]);
                }
            }
        }
    }

    /// Exporters who stop making for a backlogged lane (ExporterPolicy): on a licensed lane the
    /// controlled share of the request is filed only while the tonnes waiting there stay under the
    /// lane's cap. The rest is neither shipped nor planned for (the line's expected outflow, and so
    /// its production, follow what it ships); the buyer, not counting it as on order, keeps
    /// ordering. The uncontrolled share ships as requested.
    void exporters_withhold() {
        const PerTrial zero = splat(0.0);
        for (std::size_t e = 0; e < ned_; ++e) {
            if (c_.edges[e].queue < 0) {
                continue;
            }
            const PerTrial r = st_.request[e];
            const PerTrial share = st_.edge_share[e];
            const PerTrial controlled = r * share;
            const PerTrial room = max_of(zero, st_.backlog_cap[e] - st_.held[e]);
            const PerTrial excess = max_of(zero, controlled - room);
            const PerTrial left = r - excess;
            // Filed: min(controlled, room) of what is left; unchanged where nothing is withheld.
            const auto cut = (excess > zero) & (left > zero);
            st_.file_share[e] = cut ? (controlled - excess) / left : share;
            st_.request[e] = left;
        }
    }

    /// Each line ships what its lanes request (scaled down when its stock is short) and plans
    /// its production towards its target stock, within its capacity.
    void lines_ship_and_produce(const Tick& tick) {
        const PerTrial zero = splat(0.0);
        const double expected_weight = std::min(1.0, tick.dt * inv_adjust_);
        for (std::size_t l = 0; l < nl_; ++l) {
            const auto& li = c_.lines[l];
            const auto out_begin = static_cast<std::size_t>(c_.line_out_begin[l]);
            const auto out_end = static_cast<std::size_t>(c_.line_out_begin[l + 1]);
            PerTrial requested = zero;
            for (std::size_t k = out_begin; k < out_end; ++k) {
                requested += st_.request[static_cast<std::size_t>(c_.line_out[k])];
            }
            // Where nothing is short the quotient is not used (and may be 0/0).
            const PerTrial fraction =
                requested > st_.out_stock[l] ? st_.out_stock[l] / requested : splat(1.0);
            for (std::size_t k = out_begin; k < out_end; ++k) {
                const auto ue = static_cast<std::size_t>(c_.line_out[k]);
                st_.shipment[ue] = st_.request[ue] * fraction;
                if (c_.has_shipment_cut) {
                    // A closed border or flooded road: what cannot leave stays in the line's
                    // stock, and production goes on towards the orders (a stockpile builds).
                    st_.shipment[ue] =
                        min_of(st_.shipment[ue], st_.shipment_cap[ue] * tick.dt_real);
                }
            }
            const PerTrial target = splat(li.cover_days * li.base_out);
            const PerTrial want =
                max_of(zero, st_.expected_out[l] + (target - st_.out_stock[l]) * inv_adjust_);
            st_.produce[l] = min_of(want, st_.line_cap[l]) * tick.dt_real;
            // Smoothed outflow demand (first-order, time constant adjust_days).
            st_.expected_out[l] +=
                (requested / tick.dt_real - st_.expected_out[l]) * expected_weight;
        }
    }

    /// Each processor draws the feed its lines' production needs from its input groups; short
    /// of feed, every line scales down to what the pool allows.
    void processors_draw_feed() {
        const PerTrial zero = splat(0.0);
        for (const auto& p : c_.processors) {
            const auto lb = static_cast<std::size_t>(p.line_begin);
            const auto le = static_cast<std::size_t>(p.line_end);
            const auto gb = static_cast<std::size_t>(p.group_begin);
            const auto ge = static_cast<std::size_t>(p.group_end);
            PerTrial pool = zero;
            for (std::size_t g = gb; g < ge; ++g) {
                pool += st_.in_stock[g] * c_.groups[g].feed_yield;
            }
            PerTrial need = zero;
            for (std::size_t l = lb; l < le; ++l) {
                need += st_.produce[l] * c_.lines[l].feed_per_tonne;
            }
            const auto short_of_feed = need > pool;
            const PerTrial scale = need > zero ? pool / need : zero;
            for (std::size_t l = lb; l < le; ++l) {
                st_.produce[l] = short_of_feed ? st_.produce[l] * scale : st_.produce[l];
            }
            need = short_of_feed ? pool : need;
            const PerTrial fraction = pool > zero ? need / pool : zero;
            for (std::size_t g = gb; g < ge; ++g) {
                st_.draw[g] = st_.in_stock[g] * fraction;
            }
        }
    }

    /// The licence decisions (and lapses) that fall in the tick, per licensed lane.
    void decisions_due(const Tick& tick) {
        for (std::size_t q = 0; q < nq_; ++q) {
            const auto e = static_cast<std::size_t>(c_.queue_edges[q]);
            st_.licences.take_due(q, tick.offset, tick.dt, st_.approved_due[e], st_.refused_due[e],
                                  st_.lapsed_due[e]);
        }
    }

    /// Every lane: arrivals into the buyer's stock, shipments out of the line's stock (the
    /// controlled share filed as licence applications and held), decisions and releases, what
    /// departs into the pipeline, and at a month's end the lane's figures into the series.
    void move_lanes(const Tick& tick) {
        const PerTrial zero = splat(0.0);
        for (std::size_t e = 0; e < ned_; ++e) {
            const auto& ei = c_.edges[e];
            const auto line = static_cast<std::size_t>(ei.line);
            const auto group = static_cast<std::size_t>(ei.group);
            PerTrial* lane = &st_.lane_month[e * LANE_FIGURES];
            // Arrivals.
            const PerTrial arrived = st_.arrivals[e];
            st_.in_transit[e] -= arrived;
            st_.in_stock[group] += arrived;
            lane[ARRIVED] += arrived;
            // Shipments: the controlled share becomes a licence application.
            const PerTrial shipped = st_.shipment[e];
            st_.out_stock[line] -= shipped;
            lane[SHIPPED] += shipped;
            PerTrial departing = shipped + st_.approved_due[e] + st_.release[e];
            if (ei.queue >= 0) {
                const PerTrial share = c_.has_backlog_cap ? st_.file_share[e] : st_.edge_share[e];
                PerTrial held_now = zero;
                bool any = false;
                for (std::size_t w = 0; w < W; ++w) {
                    const double shipped_w = at(shipped, w);
                    const double share_w = at(share, w);
                    if (!(share_w > 0.0 && shipped_w > 0.0)) {
                        continue;
                    }
                    at(held_now, w) =
                        st_.licences.file_shipment(w, e, tick.day, tick.dt, shipped_w, share_w);
                    any = true;
                }
                if (any) {
                    // Only the trials that filed: the others' numbers stay exactly as they are.
                    const auto filed = (share > zero) & (shipped > zero);
                    st_.held[e] = filed ? st_.held[e] + held_now : st_.held[e];
                    departing = filed ? departing - held_now : departing;
                }
            }
            PerTrial held =
                st_.held[e] - (st_.approved_due[e] + st_.refused_due[e] + st_.release[e]);
            if (c_.has_patience) {
                // Lapsed orders: the tonnes go back to the exporter's stock, like refused ones,
                // and the buyer, no longer counting them as on order, orders again.
                held -= st_.lapsed_due[e];
                st_.out_stock[line] += st_.lapsed_due[e];
                lane[LAPSED] += st_.lapsed_due[e];
            }
            // Rounding of repeated subtraction.
            st_.held[e] = held < zero && held > splat(-1e-6) ? zero : held;
            // Refused applications return to the exporter's stock; the buyer re-orders.
            st_.out_stock[line] += st_.refused_due[e];
            lane[REFUSED] += st_.refused_due[e];
            {
                // The cursor already points at day + dt; arrival - (day + dt) < ring_size.
                // Nothing departs where `departing` is not positive (adding +0 changes nothing).
                const PerTrial go = departing > zero ? departing : zero;
                const int ahead = std::max(ei.lead - tick.dt, 0);
                int slot = st_.cursor[e] + ahead;
                slot = slot >= ei.ring_size ? slot - ei.ring_size : slot;
                st_.ring[static_cast<std::size_t>(ei.ring_offset + slot)] += go;
                st_.in_transit[e] += go;
                lane[DEPARTED] += go;
            }
            if (tick.month_end) {
                for (std::size_t w = 0; w < W; ++w) {
                    TrialResult& o = *outs_[w];
                    const int m = tick.month;
                    record(o, ei.export_series, m, at(lane[DEPARTED], w));
                    record(o, ei.export_world, m, at(lane[DEPARTED], w));
                    record(o, ei.import_series, m, at(lane[ARRIVED], w));
                    record(o, ei.import_world, m, at(lane[ARRIVED], w));
                    record(o, ei.refused_series, m, at(lane[REFUSED], w));
                    record(o, ei.refused_world, m, at(lane[REFUSED], w));
                    record(o, ei.lapsed_series, m, at(lane[LAPSED], w));
                    record(o, ei.lapsed_world, m, at(lane[LAPSED], w));
                    record(o, ei.backlog_series, m, at(st_.held[e], w));
                    record(o, ei.backlog_world, m, at(st_.held[e], w));
                }
                PerTrial* total = &st_.lane_trial[e * LANE_FIGURES];
                for (std::size_t f = 0; f < LANE_FIGURES; ++f) {
                    total[f] += lane[f];
                    lane[f] = zero;
                }
            }
            if (options_.trace) {
                for (std::size_t w = 0; w < W; ++w) {
                    for (int d = 0; d < tick.dt; ++d) {
                        auto& rec = outs_[w]->trace[static_cast<std::size_t>(tick.offset + d)][e];
                        if (d == 0) {
                            rec.departed = at(departing, w);
                            rec.arrived = at(arrived, w);
                        }
                        rec.held = at(st_.held[e], w);
                    }
                }
            }
            st_.release[e] = zero;
        }
    }

    /// Lines add what they produced; buyers use and processors draw from their input stocks;
    /// a buyer's shortfall goes to its series and figures.
    void produce_and_use(const Tick& tick) {
        for (std::size_t l = 0; l < nl_; ++l) {
            st_.out_stock[l] += st_.produce[l];
            st_.node_produced[static_cast<std::size_t>(c_.lines[l].node)] += st_.produce[l];
        }
        for (std::size_t g = 0; g < ng_; ++g) {
            const auto& gi = c_.groups[g];
            const auto n = static_cast<std::size_t>(gi.node);
            if (gi.buyer) {
                st_.in_stock[g] -= st_.consume[g];
                st_.node_consumed[n] += st_.consume[g];
                const PerTrial short_t = st_.shortfall[g];
                for (std::size_t w = 0; w < W; ++w) {
                    if (at(short_t, w) > TONNES_EPSILON) {
                        TrialResult& o = *outs_[w];
                        record(o, gi.shortage_series, tick.month, at(short_t, w));
                        record(o, gi.days_series, tick.month, tick.dt);
                        double* fig = &o.buyers[static_cast<std::size_t>(gi.buyer_index) *
                                                BUYER_FIGURE_COUNT];
                        // The buyer's figures count from the reference day, as its
                        // shortage probability and time to shortage do.
                        if (tick.day >= s_.reference_day) {
                            fig[SHORTAGE_TONNES] += at(short_t, w);
                            fig[DAYS_SHORT] += tick.dt;
                            if (fig[TIME_TO_SHORTAGE] < 0.0) {
                                fig[TIME_TO_SHORTAGE] = tick.day - s_.reference_day;
                            }
                        }
                    }
                    if (tick.month_end) {
                        record(*outs_[w], gi.stock_series, tick.month, at(st_.in_stock[g], w));
                    }
                }
            } else {
                st_.in_stock[g] -= st_.draw[g];
                st_.node_consumed[n] += st_.draw[g];
            }
        }
    }

#ifdef CHOKEPOINT_CHECK_INVARIANTS
    /// Debug builds: no stock below zero, and tonnes conserved over the whole system.
    void check_invariants(Day day) {
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

    // --- Helpers of the phases.

    void record(TrialResult& out, int series, int month, double x) const {
        if (series >= 0) {
            out.monthly[static_cast<std::size_t>(series) * static_cast<std::size_t>(months_) +
                        static_cast<std::size_t>(month)] += x;
        }
    }
    /// Trial w's use by group g (t/day): a buyer's by its stock policy, a processor's baseline.
    double usage(std::size_t w, std::size_t g) const {
        const auto& gi = c_.groups[g];
        if (!gi.buyer) {
            return gi.base_in;
        }
        return detail::buyer_use(st_.trial[w].group_demand[g], st_.trial[w].policy, g,
                                 at(st_.noise_factor[g], w), at(st_.trend_factor[g], w));
    }
    /// Month `month`'s demand trend factors for trial w: the model's figure grows from the
    /// trend's base day to the month's middle.
    void set_trend(std::size_t w, int month) {
        const double days_from_base = static_cast<double>(
            c_.month_mid[static_cast<std::size_t>(month)] - s_.demand_trend.base);
        for (std::size_t g = 0; g < ng_; ++g) {
            const auto& gi = c_.groups[g];
            if (gi.trend >= 0) {
                at(st_.trend_factor[g], w) = detail::trend_factor(
                    st_.trial[w].trend_rate[static_cast<std::size_t>(gi.trend)], days_from_base,
                    gi.cover_days, gi.lead_avg);
            }
        }
    }
    /// Recomputes trial w's cached use, desired position and capacity; called whenever its
    /// policy or noise changes, so the tick loop reads them instead of recomputing them daily.
    void refresh_cached(std::size_t w) {
        const TrialState& t = st_.trial[w];
        const Policy& pol = t.policy;
        for (std::size_t g = 0; g < ng_; ++g) {
            const auto& gi = c_.groups[g];
            const double u = usage(w, g);
            at(st_.group_use[g], w) = u;
            at(st_.group_desired[g], w) =
                detail::desired_position(u, gi.cover_days, pol.group_cover_factor[g], gi.lead_avg,
                                         t.precaution, pol.group_wait[g]);
        }
        for (std::size_t l = 0; l < nl_; ++l) {
            at(st_.line_cap[l], w) =
                std::max(0.0, t.line_capacity[l] + pol.line_delta[l]) * pol.line_factor[l];
        }
        // A source's shipments are its orders times the month's factor; the split between
        // lanes is normalised without it, so the factor moves the tonnes, not the split.
        for (std::size_t e = 0; e < ned_; ++e) {
            at(st_.lane_weight[e], w) = pol.edge_order_weight[e] * at(st_.lane_noise[e], w);
        }
        for (std::size_t e = 0; c_.has_shipment_cut && e < ned_; ++e) {
            const double f = pol.edge_shipment_factor[e];
            at(st_.shipment_cap[e], w) =
                f < 0.0 ? INFINITY : f * c_.edges[e].flow_day * at(st_.lane_noise[e], w);
        }
        // The exporter's cap: backlog_days of the lane's controlled flow (its baseline flow x
        // the share that now needs a licence).
        for (std::size_t e = 0; c_.has_backlog_cap && e < ned_; ++e) {
            at(st_.backlog_cap[e], w) = t.backlog_days * c_.edges[e].flow_day * pol.edge_share[e];
        }
    }
    void advance_noise(std::size_t w, bool first) {
        TrialState& t = st_.trial[w];
        if (t.demand_noise.on()) {
            t.demand_noise.advance(first);
            for (std::size_t i = 0; i < c_.buyer_groups.size(); ++i) {
                at(st_.noise_factor[static_cast<std::size_t>(c_.buyer_groups[i])], w) =
                    t.demand_noise.factor(i);
            }
        }
        if (t.supply_noise.on()) {
            t.supply_noise.advance(first);
            for (std::size_t i = 0; i < c_.source_lanes.size(); ++i) {
                at(st_.lane_noise[static_cast<std::size_t>(c_.source_lanes[i])], w) =
                    t.supply_noise.factor(i);
            }
        }
    }
    /// Trial w's events active on `day`: a new policy, its consequences for waiting
    /// applications, and its per-lane and per-group numbers copied into the batch's vectors.
    void change_policy(std::size_t w, Day day, int offset) {
        TrialState& t = st_.trial[w];
        Policy& pol = t.policy;
        t.licence_share_before = pol.edge_share;
        detail::recompute_policy(c_, day, t.events, t.product_share,
                                 static_cast<double>(t.patience), pol);
        const std::vector<double>& before = t.licence_share_before;
        // A control that ended or was lifted releases every application still waiting
        // (including decisions beyond the horizon).
        for (std::size_t e = 0; e < ned_; ++e) {
            const int q = c_.edges[e].queue;
            if (q >= 0 && before[e] > 0.0 && pol.edge_share[e] == 0.0) {
                st_.licences.release(w, static_cast<std::size_t>(q), offset);
                at(st_.release[e], w) = at(st_.held[e], w);
            }
        }
        // Easing events that decide pending applications again, once, from their start.
        st_.licences.decide_again(w, day);
        for (std::size_t e = 0; e < ned_; ++e) {
            at(st_.edge_share[e], w) = pol.edge_share[e];
        }
        for (std::size_t g = 0; g < ng_; ++g) {
            at(st_.group_inv_weight[g], w) = pol.group_inv_weight[g];
        }
    }
    // Trial w's stocks at node n (output stocks, then input stocks) added to `total`; for the
    // node balances at the start and the end.
    void add_node_stock(std::size_t w, std::size_t n, double& total) const {
        for (int l : c_.node_lines[n]) {
            total += at(st_.out_stock[static_cast<std::size_t>(l)], w);
        }
        for (int g : c_.node_groups[n]) {
            total += at(st_.in_stock[static_cast<std::size_t>(g)], w);
        }
    }
    static double trial_total(const std::vector<PerTrial>& v, std::size_t w) {
        double total = 0.0;
        for (const PerTrial& x : v) {
            total += at(x, w);
        }
        return total;
    }

    const detail::CompiledScenario& c_;
    const Scenario& s_;
    const OutputLayout& layout_;
    BatchState& st_;
    const TrialOptions& options_;
    std::array<TrialResult*, W> outs_{};
    const std::size_t nl_, ng_, ned_, nq_, nodes_, days_;
    const int months_;
    const double inv_adjust_;
};

}  // namespace

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
    Batch batch(*compiled_, *state_, results, count, options);
    for (std::size_t w = 0; w < W; ++w) {
        batch.start_trial(w, seed, sweep_point,
                          first_trial + std::min<std::uint64_t>(w, count - 1));
    }
    batch.start();
    batch.run();
    batch.finish();
}

}  // namespace chokepoint
