#pragma once
// Internal to the kernel: the licence queue of a batch of trials. Filing an application for the
// controlled tonnes of a shipment, deciding it (approval delay in the exporter's working days,
// then approval or refusal), deciding it again when an easing event asks for it, lapsing it after
// the buyer's patience, and releasing everything waiting when a control ends. The tonnes wait in
// a table per licensed lane and day, taken out on the day their decision falls
// (licence_queue.cpp).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "batch.hpp"
#include "chokepoint/events/events.hpp"
#include "chokepoint/random/distribution.hpp"
#include "chokepoint/random/rng.hpp"
#include "compiled_scenario.hpp"
#include "policy.hpp"

namespace chokepoint::detail {

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
    /// The day the buyer ordered: the filing day, except for the regular part of an order under
    /// a running contract, whose licence application was filed earlier (`filed`).
    Day ordered = 0;
    std::size_t count = 0;  ///< covering controls (slots)
    // Only [0, count) is set: the common one-control application writes a single entry.
    std::array<std::size_t, MAX_CONTROLS_PER_LANE> slot;
    std::array<Day, MAX_CONTROLS_PER_LANE> decided;  ///< each control's decision day
    std::array<bool, MAX_CONTROLS_PER_LANE> ok;      ///< each control's approval
};

/// One trial's side of the queue: the policy and events it decides by, the buyer's patience, a
/// random stream per licensed lane, the approval-delay samplers and the application log.
struct TrialLicences {
    const Policy* policy = nullptr;
    const std::vector<ResolvedEvent>* events = nullptr;
    int patience = 0;  ///< whole calendar days (CompiledScenario::has_patience only)
    /// Contract licences (CompiledScenario::has_contracts only): how far ahead of a contract's
    /// start its application is filed (calendar days) and how long a contract runs (calendar
    /// days; 0: each order is a contract of its own).
    int filing_lead = 0;
    int validity = 0;
    std::vector<Rng> contract_rng;  ///< one sub-stream per licensed lane: the contracts' phases
    /// The regimes in force from each policy change on (has_contracts only): a contract filed
    /// on a day is decided by the approval rate and delay of that day's regime.
    std::vector<Day> regime_day;
    std::vector<std::vector<double>> regime_rate;
    std::vector<std::vector<int>> regime_delay;
    // Per event, its approval delay in whole working days, tabulated when first needed.
    std::vector<CeilingSampler> delay_sampler;
    std::vector<char> delay_ready;
    // Per licensed lane, its applications (only with CompiledScenario::keep_applications), and
    // per event, whether its re-decision of pending applications has been done this trial.
    std::vector<std::vector<Application>> applications;
    std::vector<char> redecided;
    std::vector<Rng> rng;  ///< one sub-stream per licensed lane
    bool filed = false;    ///< some application filed (the decision sweep is skipped before)
    /// Licence batches (ExporterPolicy::licence_batch_days; 0 or 1: off): the orders of this many
    /// days on a lane share one application, filed with the batch's first order. Per control
    /// slot, the batch whose draws are held (-1: none yet), the day of its first order and its
    /// two uniforms.
    int batch_days = 0;
    std::vector<long> batch_index;
    std::vector<Day> batch_filed;
    std::vector<double> batch_delay;
    std::vector<double> batch_approval;
};

class LicenceQueue {
  public:
    /// Sizes the batch's tables for `c`, every cell empty.
    void reset(const CompiledScenario& c);
    /// Trial w's side before its first tick: it decides by `policy` and `events` (which must
    /// outlive the trial), its buyers wait `patience` days, its exporters file a contract's
    /// application `filing_lead` calendar days ahead of its start and contracts run `validity`
    /// days; its draws come from `licence_seed` (decisions) and `contract_seed` (phases).
    void start_trial(std::size_t w, const Policy& policy, const std::vector<ResolvedEvent>& events,
                     int patience, int filing_lead, int validity, int batch_days,
                     std::uint64_t licence_seed, std::uint64_t contract_seed);
    /// Some trial of the batch has filed an application.
    bool any_filed() const {
        for (const TrialLicences& t : trial_) {
            if (t.filed) {
                return true;
            }
        }
        return false;
    }

    /// Filing: trial w ships `shipped` tonnes on lane e on `day` (a tick of `dt` days), of which
    /// `share` needs a licence, and `regular` (0 to 1) is the buyer's regular flow (its use),
    /// the rest urgent (making up a shortfall, a refused or lapsed order, a larger target). Files
    /// the applications and returns the tonnes held. With contract licences, the regular part
    /// belongs to a running contract whose application was filed ahead (contract_filed): it ships
    /// on that application's decision if it comes later than today, else at once; the urgent
    /// part is a new contract, filed today. Both parts share one decision (one delay and one
    /// approval). A decision on the application day would be "no licence needed": at least one
    /// tick later. Inline: the common case (one control, no application log) runs per lane and
    /// tick.
    [[gnu::always_inline]] double file_shipment(std::size_t w, std::size_t e, Day day, int dt,
                                                double shipped, double share, double regular) {
        TrialLicences& t = trial_[w];
        const int single = t.policy->edge_single_slot[e];
        double held = 0.0;
        if (single >= 0 && !c_->keep_applications) {
            const auto q = static_cast<std::size_t>(c_->edges[e].queue);
            const auto slot = static_cast<std::size_t>(single);
            Day decided = day;
            bool ok = false;
            Draw draw;
            decide(t, slot, t.rng[q], day, decided, ok, draw);
            held = shipped * share;
            const Day due = std::max({day, decided, day + dt});
            const Day lapse = day + std::max(t.patience, dt);
            double urgent = held;
            if (c_->has_contracts && regular > 0.0 && (t.filing_lead > 0 || t.validity > 0)) {
                const Day filed = contract_filed(t, q, day, t.policy->slot_start[slot]);
                Day contract_decided = filed;
                bool contract_ok = false;
                decide_as_of(t, slot, filed, draw, contract_decided, contract_ok);
                queue(w, q, std::max(contract_decided, day + dt), lapse, contract_ok,
                      held * regular);
                urgent = held - held * regular;
            }
            if (urgent > 0.0) {
                queue(w, q, due, lapse, ok, urgent);
            }
        } else if (single >= 0) {
            const auto slot = static_cast<std::size_t>(single);
            held = shipped * share;
            file(w, e, &slot, 1, day, dt, held, regular);
        } else {
            // Each covering control takes its share of the tonnes; when the exporter withholds
            // some (`share` below the lane's licensed share), the controls divide what it files.
            // The ratio is exactly 1 when nothing is withheld.
            held = file_overlapping(w, e, day, dt, shipped * (share / t.policy->edge_share[e]),
                                    regular);
        }
        t.filed = true;
        return held;
    }
    /// Trial w's policy changed on `day`: its regimes are noted for the contracts filed from then
    /// on, when they differ from the last noted (has_contracts only).
    void note_regimes(std::size_t w, Day day) {
        TrialLicences& t = trial_[w];
        if (!t.regime_day.empty() && t.regime_rate.back() == t.policy->slot_rate &&
            t.regime_delay.back() == t.policy->slot_delay) {
            return;  // another event changed the policy: the licence regimes are as before
        }
        if (!t.regime_day.empty() && t.regime_day.back() == day) {
            t.regime_rate.back() = t.policy->slot_rate;
            t.regime_delay.back() = t.policy->slot_delay;
            return;
        }
        t.regime_day.push_back(day);
        t.regime_rate.push_back(t.policy->slot_rate);
        t.regime_delay.push_back(t.policy->slot_delay);
    }
    /// Deciding again: the easing events of trial w that start by `day` and ask for it
    /// (`pending: redecide`) decide its waiting applications again, once each.
    void decide_again(std::size_t w, Day day);
    /// Releasing: the control on licensed lane q ended for trial w; nothing waits any more from
    /// `offset` (days after the start) on. The lane's held tonnes are the caller's to release.
    void release(std::size_t w, std::size_t q, int offset) {
        const std::size_t base = q * days_;
        for (std::size_t d = static_cast<std::size_t>(offset); d < days_; ++d) {
            at(ok_[base + d], w) = at(no_[base + d], w) = 0.0;
            if (c_->has_patience) {
                at(lapse_[base + d], w) = 0.0;
            }
        }
        trial_[w].applications[q].clear();
    }
    /// The tonnes of lane q whose decisions fall in the tick of `dt` days at `offset`: approved,
    /// refused and (with patience) lapsed; their cells are emptied.
    [[gnu::always_inline]] void take_due(std::size_t q, int offset, int dt, PerTrial& approved,
                                         PerTrial& refused, PerTrial& lapsed) {
        const PerTrial zero = splat(0.0);
        PerTrial ok = zero;
        PerTrial no = zero;
        const std::size_t base = q * days_;
        for (int d = 0; d < dt; ++d) {
            const std::size_t i = base + static_cast<std::size_t>(offset + d);
            ok += ok_[i];
            no += no_[i];
            ok_[i] = no_[i] = zero;
        }
        approved = ok;
        refused = no;
        if (c_->has_patience) {
            PerTrial out = zero;
            for (int d = 0; d < dt; ++d) {
                const std::size_t i = base + static_cast<std::size_t>(offset + d);
                out += lapse_[i];
                lapse_[i] = zero;
            }
            lapsed = out;
        }
    }

  private:
    /// The day the application of the running contract of an order placed on `day` on licensed
    /// lane q was filed: `filing_lead` days before the contract's start, which lies a uniform
    /// draw of up to `validity` days before `day` (contracts are renewed evenly over time; one
    /// draw from the lane's contract stream when `validity` > 0), and never before `not_before`,
    /// the day the latest control covering it came into force (a contract running then was
    /// filed when it did).
    [[gnu::always_inline]] Day contract_filed(TrialLicences& t, std::size_t q, Day day,
                                              Day not_before) {
        Day back = t.filing_lead;
        if (t.validity > 0) {
            back += static_cast<Day>(t.contract_rng[q].uniform() * t.validity);
        }
        return std::min(day, std::max(day - back, not_before));
    }
    /// Queues `tonnes` of trial w decided (approved or refused) on `when`, or lapsed on `lapse`
    /// if that comes first (with a patience).
    [[gnu::always_inline]] void queue(std::size_t w, std::size_t q, Day when, Day lapse, bool ok,
                                      double tonnes) {
        if (c_->has_patience && when > lapse) {
            add(w, q, lapse, ok, tonnes, 1.0, true);
        } else {
            add(w, q, when, ok, tonnes);
        }
    }
    /// One decision's two uniforms (its approval delay's and its approval's), and the delay in
    /// working days and the approval they gave under today's regime.
    struct Draw {
        double delay = 0.0;
        double approval = 0.0;
        int working_days = 0;
        bool approved = false;
    };
    /// The approval-delay sampler of regime (event) `regime`, tabulated when first needed.
    [[gnu::always_inline]] const CeilingSampler& sampler(TrialLicences& t, std::size_t regime) {
        if (!t.delay_ready[regime]) {
            // Decisions later than the working-day table fall after the horizon.
            t.delay_sampler[regime] =
                CeilingSampler((*t.events)[regime].approval_delay, c_->table_working_days(regime));
            t.delay_ready[regime] = 1;
        }
        return t.delay_sampler[regime];
    }
    /// One control's decision on an application filed on `filed`: its approval delay in whole
    /// working days, then approval with the control's rate (two draws, always in this order,
    /// kept in `draw`). Inlined by force: it is called per application from three places, and
    /// GCC otherwise keeps it out of line at ~60 instructions a call (callgrind).
    /// With licence batches (`batched`, and batch_days above 1), every order of a batch on the
    /// lane (batches of days counted from the control's start) shares the batch's two draws and
    /// is decided from the batch's first order: one application per batch, filed with its first
    /// order, so a batch ships or is refused as one, and an order placed after its decision
    /// ships at once. (A regime change within a batch applies to its later orders.)
    [[gnu::always_inline]] void decide(TrialLicences& t, std::size_t slot, Rng& rng, Day filed,
                                       Day& decision, bool& approved, Draw& draw,
                                       bool batched = true) {
        const auto regime = static_cast<std::size_t>(t.policy->slot_delay[slot]);
        if (batched && t.batch_days > 1) {
            const Day first = t.policy->slot_start[slot];
            const long index = std::max<long>(0, (filed - first) / t.batch_days);
            if (t.batch_index[slot] != index) {
                t.batch_index[slot] = index;
                t.batch_filed[slot] = filed;  // the application goes in with the first order
                t.batch_delay[slot] = rng.uniform();
                t.batch_approval[slot] = rng.uniform();
            }
            draw.delay = t.batch_delay[slot];
            draw.approval = t.batch_approval[slot];
            filed = t.batch_filed[slot];
        } else {
            draw.delay = rng.uniform();
            draw.approval = rng.uniform();
        }
        draw.working_days = sampler(t, regime).sample_at(draw.delay);
        approved = draw.approval < t.policy->slot_rate[slot];
        draw.approved = approved;
        decision = c_->decision_day(regime, filed, draw.working_days);
    }
    /// The same draws decided for a contract filed on `filed`, by the rate and delay of the
    /// regime in force that day (today's where the control had none then).
    [[gnu::always_inline]] void decide_as_of(TrialLicences& t, std::size_t slot, Day filed,
                                             const Draw& draw, Day& decision, bool& approved) {
        if (t.regime_day.empty() || filed >= t.regime_day.back()) {
            // Filed under today's regimes (the common case): today's draws stand.
            approved = draw.approved;
            decision = c_->decision_day(static_cast<std::size_t>(t.policy->slot_delay[slot]), filed,
                                        draw.working_days);
            return;
        }
        const auto it = std::upper_bound(t.regime_day.begin(), t.regime_day.end(), filed);
        int regime = t.policy->slot_delay[slot];
        double rate = t.policy->slot_rate[slot];
        if (it != t.regime_day.begin()) {
            const auto k = static_cast<std::size_t>(it - t.regime_day.begin() - 1);
            if (t.regime_delay[k][slot] >= 0) {
                regime = t.regime_delay[k][slot];
                rate = t.regime_rate[k][slot];
            }
        }
        const auto r = static_cast<std::size_t>(regime);
        approved = draw.approval < rate;
        decision = c_->decision_day(r, filed, sampler(t, r).sample_at(draw.delay));
    }
    /// Adds or removes (sign -1) `tonnes` of trial w decided on `when`; decisions after the
    /// horizon stay held and are not queued.
    [[gnu::always_inline]] void add(std::size_t w, std::size_t q, Day when, bool approved,
                                    double tonnes, double sign = 1.0, bool lapsed = false) {
        if (when <= end_) {
            PerTrial& cell =
                (lapsed     ? lapse_
                 : approved ? ok_
                            : no_)[q * days_ + static_cast<std::size_t>(when - start_)];
            double& x = at(cell, w);
            x += sign * tonnes;
            if (sign < 0.0 && std::abs(x) < 1e-9 * std::max(1.0, tonnes)) {
                x = 0.0;  // what was added is taken out again, up to rounding
            }
        }
    }
    void file(std::size_t w, std::size_t e, const std::size_t* slots, std::size_t n, Day day,
              int dt, double tonnes, double regular);
    /// Queues application `a` of trial w on licensed lane q (its decisions made): it waits for the
    /// last decision, at least one tick after the order, or lapses after the buyer's patience.
    [[gnu::always_inline]] void enqueue(std::size_t w, std::size_t q, Application& a, int dt) {
        TrialLicences& t = trial_[w];
        Day decision = a.filed;
        for (std::size_t i = 0; i < a.count; ++i) {
            decision = std::max(decision, a.decided[i]);
        }
        a.when = std::max(decision, a.ordered + dt);
        a.lapsed = false;
        if (c_->has_patience && a.when > a.ordered + std::max(t.patience, dt)) {
            a.lapsed = true;  // the buyer cancels before the decision comes
            a.when = a.ordered + std::max(t.patience, dt);
        }
        add(w, q, a.when, a.approved, a.tonnes, 1.0, a.lapsed);
        if (c_->keep_applications) {
            t.applications[q].push_back(a);
        }
    }
    double file_overlapping(std::size_t w, std::size_t e, Day day, int dt, double shipped,
                            double regular);
    void redecide(std::size_t w, std::size_t j, Day day);

    const CompiledScenario* c_ = nullptr;
    std::size_t days_ = 0;
    Day start_ = 0, end_ = 0;
    // [licensed lane * days + day offset]: tonnes approved, refused and lapsed on that day.
    std::vector<PerTrial> ok_, no_, lapse_;
    std::array<TrialLicences, W> trial_;
};

}  // namespace chokepoint::detail
