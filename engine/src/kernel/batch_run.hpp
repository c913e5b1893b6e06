#pragma once
// Internal to the kernel: a batch of Kernel::BATCH trials run in lock step, its state and the
// tick loop's phases, each defined in the file named after it:
//   trial_start.cpp   a trial's inputs drawn, and every stock at its target (start_trial, start)
//   tick_start.cpp    at a tick's start: a month's noise and trend, a new policy at event
//                     boundaries, and the cached numbers they move (start_tick)
//   tick.cpp          one tick (run_tick): phase 1 collects every flow from the frozen state,
//                     phase 2 applies them to lanes, lines and buyers
//   trial.cpp         the Kernel, the tick loop (run), the node balances (finish) and, in debug
//                     builds, check_invariants
// Its own namespace (detail::batch_run) keeps these names (Batch, Tick, DEPARTED, ...) apart from
// the rest of the kernel's.
// The licence queue (licence_queue.hpp), buyers' stock policy (stock_policy.hpp), the policy at
// a date (policy.hpp) and the compiled scenario (compiled_scenario.hpp) have files of their own.
#include <array>
#include <cstdint>
#include <vector>

#include "chokepoint/core/units.hpp"
#include "chokepoint/kernel/trial.hpp"

#include "batch.hpp"
#include "compiled_scenario.hpp"
#include "licence_queue.hpp"
#include "noise.hpp"
#include "policy.hpp"
#include "stock_policy.hpp"

namespace chokepoint::detail::batch_run {

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
    int filing_lead = 0;        // calendar days, 7/5 of the working days given (has_contracts)
    int validity = 0;           // whole calendar days (has_contracts only)
    int batch_days = 0;         // licence batches, whole days (0 or 1: one application a day)
    double diversion = 0.0;     // share, 0 to 1 (has_diversion only)
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
    // Per group (has_contracts only): this tick's regular share of its order, its use over
    // what it orders (at most 1).
    std::vector<PerTrial> regular_share;
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
                     std::uint64_t trial);
    /// The initial state: every stock at target, every pipeline full at the baseline flow.
    void start();
    /// Every tick from the scenario's start to its end.
    void run();
    /// Each trial's node balances and what is left in transit and held, after the last tick.
    void finish();

  private:
    /// A trial's result emptied before its run: no figures, no shortage yet, no trace.
    void clear_result(TrialResult& out) const;
    /// Trial t's parameters (each from its own sub-stream keyed by its name) and the model's
    /// uncertain numbers (from the parameters' stream, in model order): controlled shares,
    /// capacities, demands, the demand trend's rates, the stock and exporter policies.
    void draw_inputs(TrialState& t, std::uint64_t parameter_seed) const;
    // The phases from collect_arrivals to produce_and_use are defined in tick.cpp and called
    // only by run_tick there: they are declared inline so that a call from another file is an
    // error rather than a missing symbol (tick.cpp always inlines them into run_tick; it says
    // why).

    /// One tick's phases, in order. Phase 1 collects every flow from the frozen state; phase 2
    /// applies them.
    void run_tick(Tick& tick);
    /// Per trial: a new month's noise and trend, and at event boundaries a new policy.
    void start_tick(Tick& tick);
    /// What each lane's pipeline delivers over the tick (each ring slot read once and cleared).
    inline void collect_arrivals(const Tick& tick);
    /// Each input group orders up to its desired position, split over its lanes by their
    /// weights; buyers use what they need from stock and today's arrivals (stock_policy.hpp).
    inline void buyers_order_and_use(const Tick& tick);
    /// Exporters who stop making for a backlogged lane (ExporterPolicy): on a licensed lane the
    /// controlled share of the request is filed only while the tonnes waiting there stay under the
    /// lane's cap. The rest is neither shipped nor planned for (the line's expected outflow, and so
    /// its production, follow what it ships); the buyer, not counting it as on order, keeps
    /// ordering. The uncontrolled share ships as requested.
    inline void exporters_withhold();
    /// Each line ships what its lanes request (scaled down when its stock is short) and plans
    /// its production towards its target stock, within its capacity.
    inline void lines_ship_and_produce(const Tick& tick);
    /// Each processor draws the feed its lines' production needs from its input groups; short
    /// of feed, every line scales down to what the pool allows.
    inline void processors_draw_feed(double dt_real);
    void ingredients_limit(const CompiledScenario::Processor& p, double dt_real,
                           PerTrial& feed_fraction);
    /// The licence decisions (and lapses) that fall in the tick, per licensed lane.
    inline void decisions_due(const Tick& tick);
    /// Every lane: arrivals into the buyer's stock, shipments out of the line's stock (the
    /// controlled share filed as licence applications and held), decisions and releases, what
    /// departs into the pipeline, and at a month's end the lane's figures into the series.
    inline void move_lanes(const Tick& tick);
    /// Lane e's shipment `shipped`, of which the controlled share is filed as licence
    /// applications (trials with nothing to file are left exactly as they are): what is filed is
    /// held, and leaves `departing`.
    inline void file_applications(std::size_t e, const Tick& tick, const PerTrial& shipped,
                                  PerTrial& departing);
    /// At a month's end, lane e's figures of the month into each trial's series, and into the
    /// lane's totals over the trial.
    inline void close_lane_month(std::size_t e, const Tick& tick);
    /// Lines add what they produced; buyers use and processors draw from their input stocks;
    /// a buyer's shortfall goes to its series and figures.
    inline void produce_and_use(const Tick& tick);
#ifdef CHOKEPOINT_CHECK_INVARIANTS
    /// Debug builds: no stock below zero, and tonnes conserved over the whole system.
    void check_invariants(Day day);
#endif

    // --- Helpers of the phases.

    /// Adds x to month `month` of series `series` of a trial's result (a series of -1 is not
    /// reported).
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
    void set_trend(std::size_t w, int month);  // this and the next three: tick_start.cpp
    /// Recomputes trial w's cached use, desired position and capacity; called whenever its
    /// policy or noise changes, so the tick loop reads them instead of recomputing them daily.
    void refresh_cached(std::size_t w);
    /// A new month's demand and supply noise factors for trial w (a stationary draw on the first
    /// tick).
    void advance_noise(std::size_t w, bool first);
    /// Trial w's events active on `day`: a new policy, its consequences for waiting
    /// applications, and its per-lane and per-group numbers copied into the batch's vectors.
    void change_policy(std::size_t w, Day day, int offset);
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

}  // namespace chokepoint::detail::batch_run
