#include "chokepoint/kernel/trial.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <stdexcept>

#include "chokepoint/core/units.hpp"
#include "chokepoint/random/rng.hpp"

#include "compiled_scenario.hpp"
#include "policy.hpp"

namespace chokepoint {

using detail::Policy;
using detail::recompute_policy;

namespace {
// Figures kept per lane: tonnes that left (exports), arrived (imports), and were refused a
// licence; `shipped` (left the free stock, including tonnes held for a licence) is per trial only.
// Controls that may cover one lane at once (2^n - 1 application kinds per shipment); the loader
// refuses scenarios with more export controls per exporter than this.
constexpr std::size_t MAX_CONTROLS_PER_LANE = 8;
/// One licence application, logged only when some event decides pending applications again.
struct Application {
    Day filed = 0;
    Day when = 0;  ///< the day its decision is queued for (may lie after the horizon)
    double tonnes = 0.0;
    bool approved = false;  ///< every covering control approves
    bool lapsed = false;    ///< undecided after the buyer's patience: `when` is the lapse day
    std::size_t count = 0;  ///< covering controls (slots)
    // Only [0, count) is set: the common one-control application writes a single entry.
    std::array<std::size_t, MAX_CONTROLS_PER_LANE> slot;
    std::array<Day, MAX_CONTROLS_PER_LANE> decided;  ///< each control's decision day
    std::array<bool, MAX_CONTROLS_PER_LANE> ok;      ///< each control's approval
};
enum LaneFigure : std::size_t {
    DEPARTED = 0,
    ARRIVED = 1,
    REFUSED = 2,
    SHIPPED = 3,
    LAPSED = 4,
    LANE_FIGURES = 5
};
}  // namespace

namespace {

/// One MonthlyNoise process over `members`: advance() once a month sets factor(i) to
/// exp(sd z_i - sd^2 / 2). Draws, in order: the common part, then each member's own part.
class NoiseProcess {
  public:
    void reset(const MonthlyNoise& p, std::size_t members, std::uint64_t seed) {
        p_ = p;
        own_.assign(members, 0.0);
        factor_.assign(members, 1.0);
        common_ = 0.0;
        rng_ = Rng(seed);
        innovation_ = std::sqrt(1.0 - p.monthly_correlation * p.monthly_correlation);
        w_common_ = std::sqrt(p.common_share);
        w_own_ = std::sqrt(1.0 - p.common_share);
    }
    bool on() const { return p_.sd > 0.0; }
    /// The next month (`first`: a draw from the stationary distribution).
    void advance(bool first) {
        const double rho = p_.monthly_correlation;
        common_ = first ? rng_.normal() : rho * common_ + innovation_ * rng_.normal();
        for (std::size_t i = 0; i < own_.size(); ++i) {
            own_[i] = first ? rng_.normal() : rho * own_[i] + innovation_ * rng_.normal();
            const double z = w_common_ * common_ + w_own_ * own_[i];
            factor_[i] = std::exp(p_.sd * z - 0.5 * p_.sd * p_.sd);
        }
    }
    double factor(std::size_t i) const { return factor_[i]; }

  private:
    MonthlyNoise p_;
    Rng rng_{0};
    double common_ = 0.0, innovation_ = 1.0, w_common_ = 0.0, w_own_ = 1.0;
    std::vector<double> own_, factor_;
};

}  // namespace

namespace {

constexpr std::size_t W = Kernel::BATCH;
/// One double per trial of a batch (GCC/Clang vector extension). Its arithmetic is element-wise
/// IEEE arithmetic, so each trial's numbers are exactly those of a trial run on its own; the
/// library is built with -ffp-contract=off (engine/CMakeLists.txt) so no compiler fuses them.
typedef double PerTrial __attribute__((vector_size(W * sizeof(double))));

[[gnu::always_inline]] inline PerTrial splat(double x) {
    PerTrial v;
    for (std::size_t w = 0; w < W; ++w) {
        v[w] = x;
    }
    return v;
}
/// Trial w's element. Through a double*, which GCC allows for a vector's elements: a variable
/// index into the vector type itself makes GCC copy the whole vector through the stack.
[[gnu::always_inline]] inline double& at(PerTrial& v, std::size_t w) {
    return reinterpret_cast<double*>(&v)[w];
}
[[gnu::always_inline]] inline double at(const PerTrial& v, std::size_t w) {
    return reinterpret_cast<const double*>(&v)[w];
}
/// std::max(a, b) and std::min(a, b), trial by trial (same comparison, same result).
[[gnu::always_inline]] inline PerTrial max_of(PerTrial a, PerTrial b) {
    return a < b ? b : a;
}
[[gnu::always_inline]] inline PerTrial min_of(PerTrial a, PerTrial b) {
    return b < a ? b : a;
}

/// What one trial of a batch holds on its own: its resolved inputs, policy, licence
/// applications and random streams.
struct TrialState {
    std::vector<double> params;
    std::vector<double> product_share;  // controlled share per product
    std::vector<ResolvedEvent> events;
    std::vector<double> line_capacity;  // t/day
    std::vector<double> group_demand;   // t/day (buyers)
    std::vector<double> trend_rate;     // per demand_trend product: log(1 + growth) per day
    double precaution = 0.0;            // StockPolicy shares, drawn per trial
    double catch_up = 0.0;
    int patience = 0;  // whole calendar days (has_patience only)
    Policy policy;     // recomputed at event boundaries
    std::vector<double> licence_share_before;
    // Per event, its approval delay in whole working days, tabulated when first needed.
    std::vector<CeilingSampler> delay_sampler;
    std::vector<char> delay_ready;
    // Per licensed lane, its applications (only with CompiledScenario::keep_applications), and
    // per event, whether its re-decision of pending applications has been done this trial.
    std::vector<std::vector<Application>> applications;
    std::vector<char> redecided;
    std::vector<Day> boundaries;
    std::size_t next_boundary = 0;
    bool policy_dirty = true;
    std::vector<Rng> licence_rng;  // one sub-stream per licensed lane
    // Monthly noise: buyers' demand (a member per buyer group) and shipments out of sources (a
    // member per source lane).
    NoiseProcess demand_noise, supply_noise;
    bool licences_filed = false;  // skip the decision sweep until the first application
    double check_mass = 0.0;      // CHOKEPOINT_CHECK_INVARIANTS only
};

}  // namespace

/// The state of a batch of W trials run in lock step: per-trial inputs apart, and every stock,
/// pipeline and flow as one PerTrial value per line, group or lane, so each update of the tick
/// loop is one vector operation over the batch.
struct Kernel::State {
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
    std::vector<PerTrial> queue_ok, queue_no;  // [queue edge * days + day offset]
    std::vector<PerTrial> queue_lapse;         // same, applications that lapse (has_patience)
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
};

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
    const detail::CompiledScenario& c = *compiled_;
    const Scenario& s = *c.scenario;
    const OutputLayout& layout = *c.layout;
    State& st = *state_;
    const std::size_t nl = c.lines.size();
    const std::size_t ng = c.groups.size();
    const std::size_t ned = c.edges.size();
    const std::size_t nq = c.queue_edges.size();
    const std::size_t nodes = s.network.nodes().size();
    const auto days = static_cast<std::size_t>(c.days);
    const int months = layout.months;
    const double inv_adjust = 1.0 / s.adjust_days;
    const PerTrial zero = splat(0.0);

    // Column w runs trial first_trial + w; the padding columns of a short batch run the last
    // trial again into spare results.
    std::array<TrialResult*, W> outs{};
    for (std::size_t w = 0; w < W; ++w) {
        outs[w] = w < count ? &results[w] : &st.spare[w];
    }
    auto record = [&](TrialResult& out, int series, int month, double x) {
        if (series >= 0) {
            out.monthly[static_cast<std::size_t>(series) * static_cast<std::size_t>(months) +
                        static_cast<std::size_t>(month)] += x;
        }
    };
    const auto& products = s.network.products();
    for (std::size_t w = 0; w < W; ++w) {
        TrialState& t = st.trial[w];
        TrialResult& out = *outs[w];
        const std::uint64_t trial = first_trial + std::min<std::uint64_t>(w, count - 1);
        out.monthly.assign(layout.monthly_size(), 0.0);
        out.buyers.assign(layout.buyer_size(), 0.0);
        for (std::size_t b = 0; b < layout.buyers.size(); ++b) {
            out.buyers[b * BUYER_FIGURE_COUNT + TIME_TO_SHORTAGE] = -1.0;
        }
        out.balance.assign(nodes, NodeBalance{});
        out.trace.clear();
        if (options.trace) {
            out.trace.assign(days, std::vector<EdgeDay>(ned));
        }
        // --- Resolve the trial's uncertain inputs: parameters, then model numbers, then events.
        Rng prng(derive_seed(seed, sweep_point, trial, Stream::parameters));
        t.params.resize(s.parameters.size());
        for (std::size_t i = 0; i < s.parameters.size(); ++i) {
            t.params[i] = s.parameters[i].distribution.sample(prng);
        }
        t.product_share.resize(products.size());
        for (std::size_t p = 0; p < products.size(); ++p) {
            t.product_share[p] =
                std::clamp(products[p].controlled_share.resolve(t.params, prng), 0.0, 1.0);
        }
        t.line_capacity.resize(nl);
        for (std::size_t l = 0; l < nl; ++l) {
            t.line_capacity[l] =
                std::max(0.0, c.lines[l].capacity->resolve(t.params, prng)) / DAYS_PER_MONTH;
        }
        t.group_demand.assign(ng, 0.0);
        for (std::size_t g = 0; g < ng; ++g) {
            if (c.groups[g].buyer) {
                t.group_demand[g] =
                    std::max(0.0, c.groups[g].demand->resolve(t.params, prng)) / DAYS_PER_MONTH;
            }
        }
        // The demand trend's annual rates (after every other draw of this stream, so a model
        // without a trend draws exactly as before).
        t.trend_rate.resize(s.demand_trend.growth.size());
        for (std::size_t i = 0; i < s.demand_trend.growth.size(); ++i) {
            t.trend_rate[i] =
                std::log1p(std::max(-0.5, s.demand_trend.growth[i].resolve(t.params, prng))) /
                365.25;
        }
        t.precaution =
            c.has_precaution
                ? std::clamp(s.stock_policy.precautionary_share.resolve(t.params, prng), 0.0, 1.0)
                : 0.0;
        t.catch_up =
            c.has_catch_up
                ? std::clamp(s.stock_policy.catch_up_share.resolve(t.params, prng), 0.0, 1.0)
                : 0.0;
        t.patience =
            c.has_patience
                ? static_cast<int>(std::clamp(
                      std::ceil(s.stock_policy.patience_days.resolve(t.params, prng)), 1.0, 3650.0))
                : 0;
        t.events = resolve_events(s.events, t.params,
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
        t.policy.reset(nl, ng, ned, static_cast<std::size_t>(c.slot_total));
        t.delay_sampler.resize(t.events.size());
        t.delay_ready.assign(t.events.size(), 0);
        // Month-to-month noise: stationary start, redrawn at each month's first tick.
        t.demand_noise.reset(s.demand_noise, c.buyer_groups.size(),
                             derive_seed(seed, sweep_point, trial, Stream::noise));
        t.supply_noise.reset(s.supply_noise, c.source_lanes.size(),
                             derive_seed(seed, sweep_point, trial, Stream::supply_noise));
        t.licences_filed = false;
        t.applications.resize(nq);
        for (auto& log : t.applications) {
            log.clear();
        }
        t.redecided.assign(t.events.size(), 0);
        t.licence_rng.clear();
        const std::uint64_t licence_seed = derive_seed(seed, sweep_point, trial, Stream::licences);
        for (std::size_t q = 0; q < nq; ++q) {
            // One sub-stream per lane: more applications on one lane shift no other lane's draws.
            t.licence_rng.emplace_back(mix64(licence_seed ^ mix64(q + 1)));
        }
    }

    // --- Initial state: every stock at target, every pipeline full at the baseline flow.
    st.out_stock.resize(nl);
    st.expected_out.resize(nl);
    for (std::size_t l = 0; l < nl; ++l) {
        st.out_stock[l] = splat(c.lines[l].cover_days * c.lines[l].base_out);
        st.expected_out[l] = splat(c.lines[l].base_out);
    }
    st.noise_factor.assign(ng, splat(1.0));
    st.trend_factor.assign(ng, splat(1.0));
    st.deferred.assign(ng, zero);
    for (std::size_t w = 0; w < W; ++w) {
        at(st.catch_up_share, w) = st.trial[w].catch_up;
    }
    st.lane_noise.assign(ned, splat(1.0));
    st.lane_weight.assign(ned, zero);
    st.group_use.assign(ng, zero);
    st.group_desired.assign(ng, zero);
    st.group_inv_weight.assign(ng, zero);
    st.line_cap.assign(nl, zero);
    st.edge_share.assign(ned, zero);
    auto usage = [&](std::size_t w, std::size_t g) {
        const auto& gi = c.groups[g];
        if (!gi.buyer) {
            return gi.base_in;
        }
        const Policy& pol = st.trial[w].policy;
        return std::max(0.0, st.trial[w].group_demand[g] + pol.group_delta[g]) *
               pol.group_factor[g] * pol.group_tariff[g] * at(st.noise_factor[g], w) *
               at(st.trend_factor[g], w);
    };
    // Month `month`'s demand trend for trial w: the model's figure grows from the trend's base
    // day to the month's middle. The figure is what the buyer imported at the base; while use
    // grows at rate r (per day), imports are use plus the growth of its position (cover and
    // pipeline, c days of use): imports = use x (1 + r c). So use at the base is the figure
    // / (1 + r c), and a trend leaves the base year's imports where the model put them.
    auto set_trend = [&](std::size_t w, int month) {
        const double days_from_base =
            static_cast<double>(c.month_mid[static_cast<std::size_t>(month)] - s.demand_trend.base);
        for (std::size_t g = 0; g < ng; ++g) {
            const auto& gi = c.groups[g];
            if (gi.trend >= 0) {
                const double r = st.trial[w].trend_rate[static_cast<std::size_t>(gi.trend)];
                at(st.trend_factor[g], w) =
                    std::exp(r * days_from_base) / (1.0 + r * (gi.cover_days + gi.lead_avg));
            }
        }
    };
    if (c.has_trend) {
        for (std::size_t w = 0; w < W; ++w) {
            set_trend(w, 0);
        }
    }
    // Recomputes trial w's cached use, desired position and capacity; called whenever its
    // policy or noise changes, so the tick loop reads them instead of recomputing them daily.
    auto refresh_cached = [&](std::size_t w) {
        const Policy& pol = st.trial[w].policy;
        for (std::size_t g = 0; g < ng; ++g) {
            const auto& gi = c.groups[g];
            const double u = usage(w, g);
            at(st.group_use[g], w) = u;
            // Order up to cover plus pipeline; stockpiling raises the cover, not the use.
            // Precautionary stock: a share of the licence wait the buyer faces (0 when off).
            at(st.group_desired[g], w) =
                u * (gi.cover_days * pol.group_cover_factor[g] + gi.lead_avg +
                     st.trial[w].precaution * pol.group_wait[g]);
        }
        for (std::size_t l = 0; l < nl; ++l) {
            at(st.line_cap[l], w) =
                std::max(0.0, st.trial[w].line_capacity[l] + pol.line_delta[l]) *
                pol.line_factor[l];
        }
        // A source's shipments are its orders times the month's factor; the split between
        // lanes is normalised without it, so the factor moves the tonnes, not the split.
        for (std::size_t e = 0; e < ned; ++e) {
            at(st.lane_weight[e], w) = pol.edge_order_weight[e] * at(st.lane_noise[e], w);
        }
    };
    auto advance_noise = [&](std::size_t w, bool first) {
        TrialState& t = st.trial[w];
        if (t.demand_noise.on()) {
            t.demand_noise.advance(first);
            for (std::size_t i = 0; i < c.buyer_groups.size(); ++i) {
                at(st.noise_factor[static_cast<std::size_t>(c.buyer_groups[i])], w) =
                    t.demand_noise.factor(i);
            }
        }
        if (t.supply_noise.on()) {
            t.supply_noise.advance(first);
            for (std::size_t i = 0; i < c.source_lanes.size(); ++i) {
                at(st.lane_noise[static_cast<std::size_t>(c.source_lanes[i])], w) =
                    t.supply_noise.factor(i);
            }
        }
    };
    st.in_stock.resize(ng);
    for (std::size_t g = 0; g < ng; ++g) {
        for (std::size_t w = 0; w < W; ++w) {
            at(st.in_stock[g], w) = c.groups[g].initial_stock >= 0.0
                                        ? c.groups[g].initial_stock
                                        : c.groups[g].cover_days * usage(w, g);
        }
    }
    st.ring.assign(static_cast<std::size_t>(c.ring_total), zero);
    st.in_transit.assign(ned, zero);
    st.held.assign(ned, zero);
    st.cursor.assign(ned, 0);
    for (std::size_t e = 0; e < ned; ++e) {
        const auto& ei = c.edges[e];
        for (int d = 0; d < ei.lead; ++d) {
            st.ring[static_cast<std::size_t>(ei.ring_offset + d % ei.ring_size)] +=
                splat(ei.flow_day);
        }
        st.in_transit[e] = splat(ei.flow_day * ei.lead);
    }
    st.queue_ok.assign(nq * days, zero);
    st.queue_no.assign(nq * days, zero);
    st.queue_lapse.assign(c.has_patience ? nq * days : 0, zero);
    st.lane_month.assign(ned * LANE_FIGURES, zero);
    st.lane_trial.assign(ned * LANE_FIGURES, zero);
    for (auto* v : {&st.arrivals, &st.request, &st.shipment, &st.release, &st.approved_due,
                    &st.refused_due, &st.lapsed_due}) {
        v->assign(ned, zero);
    }
    st.produce.assign(nl, zero);
    for (auto* v : {&st.draw, &st.consume, &st.shortfall}) {
        v->assign(ng, zero);
    }
    st.node_produced.assign(nodes, zero);
    st.node_consumed.assign(nodes, zero);
    // Trial w's stocks at node n (output stocks, then input stocks) added to `total`, and its
    // sum over all of v; for the node balances at the start and the end.
    auto add_node_stock = [&](std::size_t w, std::size_t n, double& total) {
        for (int l : c.node_lines[n]) {
            total += at(st.out_stock[static_cast<std::size_t>(l)], w);
        }
        for (int g : c.node_groups[n]) {
            total += at(st.in_stock[static_cast<std::size_t>(g)], w);
        }
    };
    auto trial_total = [](const std::vector<PerTrial>& v, std::size_t w) {
        double total = 0.0;
        for (const PerTrial& x : v) {
            total += at(x, w);
        }
        return total;
    };
    for (std::size_t w = 0; w < W; ++w) {
        TrialResult& out = *outs[w];
        for (std::size_t n = 0; n < nodes; ++n) {
            add_node_stock(w, n, out.balance[n].start_stock);
        }
        out.in_transit_start = trial_total(st.in_transit, w);
    }

    // One control's decision on an application filed on `filed`: its approval delay in whole
    // working days, then approval with the control's rate (two draws, always in this order).
    // Inlined by force: it is called per application from three places, and GCC otherwise
    // keeps it out of line at ~60 instructions a call (callgrind).
    auto decide = [&](TrialState & t, std::size_t slot, Rng & rng, Day filed, Day & decision,
                      bool& approved) __attribute__((always_inline)) {
        const auto regime = static_cast<std::size_t>(t.policy.slot_delay[slot]);
        if (!t.delay_ready[regime]) {
            // Decisions later than the working-day table fall after the horizon.
            t.delay_sampler[regime] =
                CeilingSampler(t.events[regime].approval_delay, c.table_working_days(regime));
            t.delay_ready[regime] = 1;
        }
        const int delay = t.delay_sampler[regime].sample(rng);
        approved = rng.uniform() < t.policy.slot_rate[slot];
        decision = c.decision_day(regime, filed, delay);
    };
    // Adds or removes (sign -1) `tonnes` of trial w decided on `when`; decisions after the
    // horizon stay held and are not queued.
    auto queue = [&](std::size_t w, std::size_t q, Day when, bool approved, double tonnes,
                     double sign = 1.0, bool lapsed = false) __attribute__((always_inline)) {
        if (when <= s.end) {
            PerTrial& cell =
                (lapsed     ? st.queue_lapse
                 : approved ? st.queue_ok
                            : st.queue_no)[q * days + static_cast<std::size_t>(when - s.start)];
            double& x = at(cell, w);
            x += sign * tonnes;
            if (sign < 0.0 && std::abs(x) < 1e-9 * std::max(1.0, tonnes)) {
                x = 0.0;  // what was added is taken out again, up to rounding
            }
        }
    };
    // Files one application of trial w of `tonnes` on lane `e` covered by the `n` controls in
    // `slots`: a decision per control; the tonnes wait for the last and ship only if all
    // approve. A decision on the application day would be "no licence needed": at least one
    // tick later.
    auto file = [&](std::size_t w, std::size_t e, const std::size_t* slots, std::size_t n, Day day,
                    int dt, double tonnes) {
        TrialState& t = st.trial[w];
        const auto q = static_cast<std::size_t>(c.edges[e].queue);
        Rng& rng = t.licence_rng[q];
        Application a;
        a.filed = day;
        a.tonnes = tonnes;
        a.approved = true;
        a.count = n;
        Day decision = day;
        for (std::size_t i = 0; i < n; ++i) {
            decide(t, slots[i], rng, day, a.decided[i], a.ok[i]);
            a.slot[i] = slots[i];
            decision = std::max(decision, a.decided[i]);
            a.approved = a.approved && a.ok[i];
        }
        a.when = std::max(decision, day + dt);
        if (c.has_patience && a.when > day + std::max(t.patience, dt)) {
            a.lapsed = true;  // the buyer cancels before the decision comes
            a.when = day + std::max(t.patience, dt);
        }
        queue(w, q, a.when, a.approved, tonnes, 1.0, a.lapsed);
        if (c.keep_applications) {
            t.applications[q].push_back(a);
        }
    };
    // Several controls on lane `e`: each covers its share of the tonnes independently, so the
    // shipment splits into one application per non-empty set of covering controls. Returns the
    // tonnes held.
    auto file_overlapping = [&](std::size_t w, std::size_t e, Day day, int dt, double shipped) {
        const Policy& pol = st.trial[w].policy;
        const auto& ei = c.edges[e];
        std::array<std::size_t, MAX_CONTROLS_PER_LANE> active;
        std::size_t n = 0;
        for (int k = 0; k < ei.slot_count; ++k) {
            const auto slot = static_cast<std::size_t>(ei.slot_offset + k);
            if (pol.slot_share[slot] > 0.0) {
                active[n++] = slot;
            }
        }
        double held = 0.0;
        std::array<std::size_t, MAX_CONTROLS_PER_LANE> covering;
        for (std::uint32_t mask = 1; mask < (1u << n); ++mask) {
            double tonnes = shipped;
            std::size_t m = 0;
            for (std::size_t i = 0; i < n; ++i) {
                const double share = pol.slot_share[active[i]];
                const bool in = (mask >> i) & 1u;
                tonnes *= in ? share : 1.0 - share;
                if (in) {
                    covering[m++] = active[i];
                }
            }
            if (!(tonnes > 0.0)) {
                continue;
            }
            file(w, e, covering.data(), m, day, dt, tonnes);
            held += tonnes;
        }
        return held;
    };
    // `pending: redecide` (event j, from `day`): every application of trial w still waiting on
    // the lanes of j is decided again by the regime now in force for j's control, its delay
    // counted from the day it was filed; a decision that falls on or before `day` is taken
    // today. Other controls' decisions on the same application stand.
    auto redecide = [&](std::size_t w, std::size_t j, Day day) {
        TrialState& t = st.trial[w];
        for (std::size_t k = 0; k < c.event_edges[j].size(); ++k) {
            const auto e = static_cast<std::size_t>(c.event_edges[j][k]);
            const auto slot = static_cast<std::size_t>(c.event_edge_slot[j][k]);
            const auto q = static_cast<std::size_t>(c.edges[e].queue);
            Rng& rng = t.licence_rng[q];
            for (Application& a : t.applications[q]) {
                const auto i = static_cast<std::size_t>(
                    std::find(a.slot.begin(), a.slot.begin() + a.count, slot) - a.slot.begin());
                if (a.when < day || i == a.count) {
                    continue;  // decided already, or not under this control
                }
                queue(w, q, a.when, a.approved, a.tonnes, -1.0, a.lapsed);
                if (t.policy.slot_share[slot] > 0.0) {
                    decide(t, slot, rng, a.filed, a.decided[i], a.ok[i]);
                } else {
                    a.decided[i] = day;  // the control no longer asks for a licence
                    a.ok[i] = true;
                }
                Day decision = day;
                a.approved = true;
                for (std::size_t m = 0; m < a.count; ++m) {
                    decision = std::max(decision, a.decided[m]);
                    a.approved = a.approved && a.ok[m];
                }
                a.when = decision;
                a.lapsed = false;
                // The same rule as at filing: the patience, at least one tick.
                const Day lapse = a.filed + std::max(t.patience, s.step_days);
                if (c.has_patience && a.when > lapse) {
                    a.lapsed = true;
                    a.when = std::max(day, lapse);
                }
                queue(w, q, a.when, a.approved, a.tonnes, 1.0, a.lapsed);
            }
        }
    };
    // Trial w's events active on `day`: a new policy, its consequences for waiting applications,
    // and its per-lane and per-group numbers copied into the batch's vectors.
    auto change_policy = [&](std::size_t w, Day day, int offset) {
        TrialState& t = st.trial[w];
        Policy& pol = t.policy;
        t.licence_share_before = pol.edge_share;
        recompute_policy(c, day, t.events, t.product_share, pol);
        const std::vector<double>& before = t.licence_share_before;
        // A control that ended or was lifted releases every application still waiting.
        for (std::size_t e = 0; e < ned; ++e) {
            const int q = c.edges[e].queue;
            if (q >= 0 && before[e] > 0.0 && pol.edge_share[e] == 0.0) {
                const std::size_t base = static_cast<std::size_t>(q) * days;
                for (std::size_t d = static_cast<std::size_t>(offset); d < days; ++d) {
                    at(st.queue_ok[base + d], w) = at(st.queue_no[base + d], w) = 0.0;
                    if (c.has_patience) {
                        at(st.queue_lapse[base + d], w) = 0.0;
                    }
                }
                at(st.release[e], w) = at(st.held[e], w);  // includes decisions beyond the horizon
                t.applications[static_cast<std::size_t>(q)].clear();
            }
        }
        // Easing events that decide pending applications again, once, from their start.
        for (std::size_t j = 0; c.keep_applications && j < t.events.size(); ++j) {
            if (s.events[j].redecide_pending && !t.redecided[j] && t.events[j].active(day)) {
                t.redecided[j] = 1;
                redecide(w, j, day);
            }
        }
        for (std::size_t e = 0; e < ned; ++e) {
            at(st.edge_share[e], w) = pol.edge_share[e];
        }
        for (std::size_t g = 0; g < ng; ++g) {
            at(st.group_inv_weight[g], w) = pol.group_inv_weight[g];
        }
    };

    const int step = s.step_days;
    for (Day day = s.start; day <= s.end; day += step) {
        const int dt = std::min(step, s.end - day + 1);
        const auto dt_real = static_cast<double>(dt);
        const int offset = day - s.start;
        const int month = c.month_of_offset[static_cast<std::size_t>(offset)];
        const bool month_end = offset + dt > c.days - 1 ||
                               c.month_of_offset[static_cast<std::size_t>(offset + dt)] != month;
        const bool new_month =
            offset == 0 ||
            c.month_of_offset[static_cast<std::size_t>(offset)] !=
                c.month_of_offset[static_cast<std::size_t>(std::max(0, offset - step))];

        // --- Per trial: a new month's noise, and at event boundaries a new policy.
        bool any_filed = false;
        for (std::size_t w = 0; w < W; ++w) {
            TrialState& t = st.trial[w];
            bool refresh = false;
            if ((t.demand_noise.on() || t.supply_noise.on()) && new_month) {
                advance_noise(w, offset == 0);
                refresh = true;
            }
            if (c.has_trend && new_month) {
                set_trend(w, month);
                refresh = true;
            }
            while (t.next_boundary < t.boundaries.size() && t.boundaries[t.next_boundary] <= day) {
                ++t.next_boundary;
                t.policy_dirty = true;
            }
            if (t.policy_dirty) {
                change_policy(w, day, offset);
                t.policy_dirty = false;
                refresh = true;
            }
            if (refresh) {
                refresh_cached(w);
            }
            any_filed = any_filed || t.licences_filed;
        }

        // ================= Phase 1: collect from the frozen state. =================
        for (std::size_t e = 0; e < ned; ++e) {
            const auto& ei = c.edges[e];
            PerTrial a = zero;
            int slot = st.cursor[e];
            for (int d = 0; d < dt; ++d) {
                PerTrial& cell = st.ring[static_cast<std::size_t>(ei.ring_offset + slot)];
                a += cell;
                cell = zero;  // the slot is read exactly once; clearing is part of the read
                slot = slot + 1 == ei.ring_size ? 0 : slot + 1;
            }
            st.cursor[e] = slot;  // now the slot of the next tick's first day
            st.arrivals[e] = a;
        }
        const double expected_weight_day = std::min(1.0, dt * inv_adjust);
        for (std::size_t g = 0; g < ng; ++g) {
            const auto in_begin = static_cast<std::size_t>(c.group_in_begin[g]);
            const auto in_end = static_cast<std::size_t>(c.group_in_begin[g + 1]);
            const PerTrial u = st.group_use[g];
            PerTrial position = st.in_stock[g];
            for (std::size_t k = in_begin; k < in_end; ++k) {
                const auto ue = static_cast<std::size_t>(c.group_in[k]);
                position += st.in_transit[ue] + st.held[ue];
            }
            const PerTrial order =
                max_of(zero, u + (st.group_desired[g] + st.deferred[g] - position) * inv_adjust) *
                dt_real;
            const PerTrial per_weight = order * st.group_inv_weight[g];
            for (std::size_t k = in_begin; k < in_end; ++k) {
                const auto ue = static_cast<std::size_t>(c.group_in[k]);
                st.request[ue] = per_weight * st.lane_weight[ue];
            }
            if (c.groups[g].buyer) {
                PerTrial arriving = zero;
                for (std::size_t k = in_begin; k < in_end; ++k) {
                    arriving += st.arrivals[static_cast<std::size_t>(c.group_in[k])];
                }
                const PerTrial need = u * dt_real;
                const PerTrial available = st.in_stock[g] + arriving;
                st.consume[g] = min_of(need, available);
                st.shortfall[g] = need - st.consume[g];
                if (c.has_catch_up) {
                    // Restocking: unmet use is made up later, at most 1 / adjust_days of what
                    // is outstanding a day and only from stock left after today's use; at most
                    // cover_days of use stays outstanding.
                    const PerTrial extra = min_of(st.deferred[g] * splat(expected_weight_day),
                                                  available - st.consume[g]);
                    st.consume[g] += extra;
                    st.deferred[g] =
                        min_of(st.deferred[g] - extra + st.catch_up_share * st.shortfall[g],
                               u * splat(c.groups[g].cover_days));
                }
            }
        }
        const double expected_weight = std::min(1.0, dt * inv_adjust);
        for (std::size_t l = 0; l < nl; ++l) {
            const auto& li = c.lines[l];
            const auto out_begin = static_cast<std::size_t>(c.line_out_begin[l]);
            const auto out_end = static_cast<std::size_t>(c.line_out_begin[l + 1]);
            PerTrial requested = zero;
            for (std::size_t k = out_begin; k < out_end; ++k) {
                requested += st.request[static_cast<std::size_t>(c.line_out[k])];
            }
            // Where nothing is short the quotient is not used (and may be 0/0).
            const PerTrial fraction =
                requested > st.out_stock[l] ? st.out_stock[l] / requested : splat(1.0);
            for (std::size_t k = out_begin; k < out_end; ++k) {
                const auto ue = static_cast<std::size_t>(c.line_out[k]);
                st.shipment[ue] = st.request[ue] * fraction;
            }
            const PerTrial target = splat(li.cover_days * li.base_out);
            const PerTrial want =
                max_of(zero, st.expected_out[l] + (target - st.out_stock[l]) * inv_adjust);
            st.produce[l] = min_of(want, st.line_cap[l]) * dt_real;
            // Smoothed outflow demand (first-order, time constant adjust_days).
            st.expected_out[l] += (requested / dt_real - st.expected_out[l]) * expected_weight;
        }
        for (const auto& p : c.processors) {
            const auto lb = static_cast<std::size_t>(p.line_begin);
            const auto le = static_cast<std::size_t>(p.line_end);
            const auto gb = static_cast<std::size_t>(p.group_begin);
            const auto ge = static_cast<std::size_t>(p.group_end);
            PerTrial pool = zero;
            for (std::size_t g = gb; g < ge; ++g) {
                pool += st.in_stock[g] * c.groups[g].feed_yield;
            }
            PerTrial need = zero;
            for (std::size_t l = lb; l < le; ++l) {
                need += st.produce[l] * c.lines[l].feed_per_tonne;
            }
            // Not enough feed: every line scales down to what the pool allows.
            const auto short_of_feed = need > pool;
            const PerTrial scale = need > zero ? pool / need : zero;
            for (std::size_t l = lb; l < le; ++l) {
                st.produce[l] = short_of_feed ? st.produce[l] * scale : st.produce[l];
            }
            need = short_of_feed ? pool : need;
            const PerTrial fraction = pool > zero ? need / pool : zero;
            for (std::size_t g = gb; g < ge; ++g) {
                st.draw[g] = st.in_stock[g] * fraction;
            }
        }
        for (std::size_t q = 0; any_filed && q < nq; ++q) {
            const auto e = static_cast<std::size_t>(c.queue_edges[q]);
            PerTrial ok = zero;
            PerTrial no = zero;
            const std::size_t base = q * days;
            for (int d = 0; d < dt; ++d) {
                const std::size_t i = base + static_cast<std::size_t>(offset + d);
                ok += st.queue_ok[i];
                no += st.queue_no[i];
                st.queue_ok[i] = st.queue_no[i] = zero;
            }
            st.approved_due[e] = ok;
            st.refused_due[e] = no;
            if (c.has_patience) {
                PerTrial lapsed = zero;
                for (int d = 0; d < dt; ++d) {
                    const std::size_t i = base + static_cast<std::size_t>(offset + d);
                    lapsed += st.queue_lapse[i];
                    st.queue_lapse[i] = zero;
                }
                st.lapsed_due[e] = lapsed;
            }
        }

        // ================= Phase 2: apply. =================
        for (std::size_t e = 0; e < ned; ++e) {
            const auto& ei = c.edges[e];
            const auto line = static_cast<std::size_t>(ei.line);
            const auto group = static_cast<std::size_t>(ei.group);
            PerTrial* lane = &st.lane_month[e * LANE_FIGURES];
            // Arrivals.
            const PerTrial arrived = st.arrivals[e];
            st.in_transit[e] -= arrived;
            st.in_stock[group] += arrived;
            lane[ARRIVED] += arrived;
            // Shipments: the controlled share becomes a licence application.
            const PerTrial shipped = st.shipment[e];
            st.out_stock[line] -= shipped;
            lane[SHIPPED] += shipped;
            PerTrial departing = shipped + st.approved_due[e] + st.release[e];
            if (ei.queue >= 0) {
                const PerTrial share = st.edge_share[e];
                PerTrial held_now = zero;
                bool any = false;
                for (std::size_t w = 0; w < W; ++w) {
                    const double shipped_w = at(shipped, w);
                    const double share_w = at(share, w);
                    if (!(share_w > 0.0 && shipped_w > 0.0)) {
                        continue;
                    }
                    TrialState& t = st.trial[w];
                    const int single = t.policy.edge_single_slot[e];
                    double held = 0.0;
                    if (single >= 0 && !c.keep_applications) {
                        // The common case, inline: one control, no application log.
                        const auto q = static_cast<std::size_t>(ei.queue);
                        Day decided = day;
                        bool ok = false;
                        decide(t, static_cast<std::size_t>(single), t.licence_rng[q], day, decided,
                               ok);
                        held = shipped_w * share_w;
                        const Day due = std::max({day, decided, day + dt});
                        const Day lapse = day + std::max(t.patience, dt);
                        if (c.has_patience && due > lapse) {
                            queue(w, q, lapse, ok, held, 1.0, true);
                        } else {
                            queue(w, q, due, ok, held);
                        }
                    } else if (single >= 0) {
                        const auto slot = static_cast<std::size_t>(single);
                        held = shipped_w * share_w;
                        file(w, e, &slot, 1, day, dt, held);
                    } else {
                        held = file_overlapping(w, e, day, dt, shipped_w);
                    }
                    at(held_now, w) = held;
                    t.licences_filed = true;
                    any = true;
                }
                if (any) {
                    // Only the trials that filed: the others' numbers stay exactly as they are.
                    const auto filed = (share > zero) & (shipped > zero);
                    st.held[e] = filed ? st.held[e] + held_now : st.held[e];
                    departing = filed ? departing - held_now : departing;
                }
            }
            PerTrial held = st.held[e] - (st.approved_due[e] + st.refused_due[e] + st.release[e]);
            if (c.has_patience) {
                // Lapsed orders: the tonnes go back to the exporter's stock, like refused ones,
                // and the buyer, no longer counting them as on order, orders again.
                held -= st.lapsed_due[e];
                st.out_stock[line] += st.lapsed_due[e];
                lane[LAPSED] += st.lapsed_due[e];
            }
            // Rounding of repeated subtraction.
            st.held[e] = held < zero && held > splat(-1e-6) ? zero : held;
            // Refused applications return to the exporter's stock; the buyer re-orders.
            st.out_stock[line] += st.refused_due[e];
            lane[REFUSED] += st.refused_due[e];
            {
                // The cursor already points at day + dt; arrival - (day + dt) < ring_size.
                // Nothing departs where `departing` is not positive (adding +0 changes nothing).
                const PerTrial go = departing > zero ? departing : zero;
                const int ahead = std::max(ei.lead - dt, 0);
                int slot = st.cursor[e] + ahead;
                slot = slot >= ei.ring_size ? slot - ei.ring_size : slot;
                st.ring[static_cast<std::size_t>(ei.ring_offset + slot)] += go;
                st.in_transit[e] += go;
                lane[DEPARTED] += go;
            }
            if (month_end) {
                for (std::size_t w = 0; w < W; ++w) {
                    TrialResult& o = *outs[w];
                    record(o, ei.export_series, month, at(lane[DEPARTED], w));
                    record(o, ei.export_world, month, at(lane[DEPARTED], w));
                    record(o, ei.import_series, month, at(lane[ARRIVED], w));
                    record(o, ei.import_world, month, at(lane[ARRIVED], w));
                    record(o, ei.refused_series, month, at(lane[REFUSED], w));
                    record(o, ei.refused_world, month, at(lane[REFUSED], w));
                    record(o, ei.lapsed_series, month, at(lane[LAPSED], w));
                    record(o, ei.lapsed_world, month, at(lane[LAPSED], w));
                    record(o, ei.backlog_series, month, at(st.held[e], w));
                    record(o, ei.backlog_world, month, at(st.held[e], w));
                }
                PerTrial* total = &st.lane_trial[e * LANE_FIGURES];
                for (std::size_t f = 0; f < LANE_FIGURES; ++f) {
                    total[f] += lane[f];
                    lane[f] = zero;
                }
            }
            if (options.trace) {
                for (std::size_t w = 0; w < W; ++w) {
                    for (int d = 0; d < dt; ++d) {
                        auto& rec = outs[w]->trace[static_cast<std::size_t>(offset + d)][e];
                        if (d == 0) {
                            rec.departed = at(departing, w);
                            rec.arrived = at(arrived, w);
                        }
                        rec.held = at(st.held[e], w);
                    }
                }
            }
            st.release[e] = zero;
        }
        for (std::size_t l = 0; l < nl; ++l) {
            st.out_stock[l] += st.produce[l];
            st.node_produced[static_cast<std::size_t>(c.lines[l].node)] += st.produce[l];
        }
        for (std::size_t g = 0; g < ng; ++g) {
            const auto& gi = c.groups[g];
            const auto n = static_cast<std::size_t>(gi.node);
            if (gi.buyer) {
                st.in_stock[g] -= st.consume[g];
                st.node_consumed[n] += st.consume[g];
                const PerTrial short_t = st.shortfall[g];
                for (std::size_t w = 0; w < W; ++w) {
                    if (at(short_t, w) > TONNES_EPSILON) {
                        TrialResult& o = *outs[w];
                        record(o, gi.shortage_series, month, at(short_t, w));
                        record(o, gi.days_series, month, dt);
                        double* fig = &o.buyers[static_cast<std::size_t>(gi.buyer_index) *
                                                BUYER_FIGURE_COUNT];
                        // The buyer's figures count from the reference day, as its
                        // shortage probability and time to shortage do.
                        if (day >= s.reference_day) {
                            fig[SHORTAGE_TONNES] += at(short_t, w);
                            fig[DAYS_SHORT] += dt;
                            if (fig[TIME_TO_SHORTAGE] < 0.0) {
                                fig[TIME_TO_SHORTAGE] = day - s.reference_day;
                            }
                        }
                    }
                    if (month_end) {
                        record(*outs[w], gi.stock_series, month, at(st.in_stock[g], w));
                    }
                }
            } else {
                st.in_stock[g] -= st.draw[g];
                st.node_consumed[n] += st.draw[g];
            }
        }
#ifdef CHOKEPOINT_CHECK_INVARIANTS
        // Debug builds: no stock below zero, and tonnes conserved over the whole system.
        for (std::size_t w = 0; w < W; ++w) {
            double mass = 0.0;
            double made = 0.0;
            double used = 0.0;
            for (std::size_t l = 0; l < nl; ++l) {
                if (at(st.out_stock[l], w) < -1e-6) {
                    throw std::logic_error("output stock below zero on " + format_date(day));
                }
                mass += at(st.out_stock[l], w);
                made += at(st.produce[l], w);
            }
            for (std::size_t g = 0; g < ng; ++g) {
                if (at(st.in_stock[g], w) < -1e-6) {
                    throw std::logic_error("input stock below zero on " + format_date(day));
                }
                mass += at(st.in_stock[g], w);
                used += c.groups[g].buyer ? at(st.consume[g], w) : at(st.draw[g], w);
            }
            for (std::size_t e = 0; e < ned; ++e) {
                mass += at(st.in_transit[e], w) + at(st.held[e], w);
            }
            double& check = st.trial[w].check_mass;
            if (day == s.start) {
                check = mass - made + used;
            }
            check += made - used;
            if (std::abs(mass - check) > 1e-6 * std::max(1.0, mass)) {
                throw std::logic_error("tonnes not conserved on " + format_date(day));
            }
        }
#endif
    }

    // The last tick always ends a month, so every lane's figures are in lane_trial.
    for (std::size_t w = 0; w < W; ++w) {
        TrialResult& out = *outs[w];
        for (std::size_t n = 0; n < nodes; ++n) {
            out.balance[n].produced = at(st.node_produced[n], w);
            out.balance[n].consumed = at(st.node_consumed[n], w);
        }
        for (std::size_t e = 0; e < ned; ++e) {
            const PerTrial* total = &st.lane_trial[e * LANE_FIGURES];
            const auto& ei = c.edges[e];
            NodeBalance& from = out.balance[static_cast<std::size_t>(
                c.lines[static_cast<std::size_t>(ei.line)].node)];
            NodeBalance& to = out.balance[static_cast<std::size_t>(
                c.groups[static_cast<std::size_t>(ei.group)].node)];
            to.received += at(total[ARRIVED], w);
            from.shipped += at(total[SHIPPED], w);
            from.refunded += at(total[REFUSED], w) + at(total[LAPSED], w);
        }
        for (std::size_t n = 0; n < nodes; ++n) {
            add_node_stock(w, n, out.balance[n].end_stock);
        }
        out.in_transit_end = trial_total(st.in_transit, w);
        out.held_end = trial_total(st.held, w);
    }
}

}  // namespace chokepoint
