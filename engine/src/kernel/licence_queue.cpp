#include "licence_queue.hpp"

namespace chokepoint::detail {

void LicenceQueue::reset(const CompiledScenario& c) {
    c_ = &c;
    days_ = static_cast<std::size_t>(c.days);
    start_ = c.scenario->start;
    end_ = c.scenario->end;
    const std::size_t nq = c.queue_edges.size();
    const PerTrial zero = splat(0.0);
    ok_.assign(nq * days_, zero);
    no_.assign(nq * days_, zero);
    lapse_.assign(c.has_patience ? nq * days_ : 0, zero);
}

void LicenceQueue::start_trial(std::size_t w, const Policy& policy,
                               const std::vector<ResolvedEvent>& events, int patience,
                               int filing_lead, int validity, int batch_days,
                               std::uint64_t licence_seed, std::uint64_t contract_seed) {
    TrialLicences& t = trial_[w];
    const std::size_t nq = c_->queue_edges.size();
    t.policy = &policy;
    t.events = &events;
    t.patience = patience;
    t.filing_lead = filing_lead;
    t.validity = validity;
    t.batch_days = batch_days;
    const auto slots = static_cast<std::size_t>(c_->slot_total);
    t.batch_index.assign(batch_days > 1 ? slots : 0, -1);
    t.batch_filed.assign(batch_days > 1 ? slots : 0, 0);
    t.batch_delay.assign(batch_days > 1 ? slots : 0, 0.0);
    t.batch_approval.assign(batch_days > 1 ? slots : 0, 0.0);
    t.delay_sampler.resize(events.size());
    t.delay_ready.assign(events.size(), 0);
    t.filed = false;
    t.applications.resize(nq);
    for (auto& log : t.applications) {
        log.clear();
    }
    t.redecided.assign(events.size(), 0);
    t.rng.clear();
    for (std::size_t q = 0; q < nq; ++q) {
        // One sub-stream per lane: more applications on one lane shift no other lane's draws.
        t.rng.emplace_back(mix64(licence_seed ^ mix64(q + 1)));
    }
    t.regime_day.clear();
    t.regime_rate.clear();
    t.regime_delay.clear();
    t.contract_rng.clear();
    for (std::size_t q = 0; c_->has_contracts && q < nq; ++q) {
        t.contract_rng.emplace_back(mix64(contract_seed ^ mix64(q + 1)));
    }
}

// Files one application of trial w of `tonnes` on lane `e` covered by the `n` controls in
// `slots`: a decision per control; the tonnes wait for the last and ship only if all approve.
// With contract licences its `regular` share belongs to a running contract, filed earlier
// (contract_filed; never before the latest covering control): it is logged as an application of its
// own with the same delays, counted from that filing.
void LicenceQueue::file(std::size_t w, std::size_t e, const std::size_t* slots, std::size_t n,
                        Day day, int dt, double tonnes, double regular) {
    TrialLicences& t = trial_[w];
    const auto q = static_cast<std::size_t>(c_->edges[e].queue);
    Rng& rng = t.rng[q];
    Application a;
    a.filed = day;
    a.ordered = day;
    a.tonnes = tonnes;
    a.approved = true;
    a.count = n;
    std::array<Draw, MAX_CONTROLS_PER_LANE> draw{};
    for (std::size_t i = 0; i < n; ++i) {
        decide(t, slots[i], rng, day, a.decided[i], a.ok[i], draw[i]);
        a.slot[i] = slots[i];
        a.approved = a.approved && a.ok[i];
    }
    if (c_->has_contracts && regular > 0.0 && (t.filing_lead > 0 || t.validity > 0)) {
        Day latest_start = t.policy->slot_start[slots[0]];
        for (std::size_t i = 1; i < n; ++i) {
            latest_start = std::max(latest_start, t.policy->slot_start[slots[i]]);
        }
        Application contract = a;
        contract.filed = contract_filed(t, q, day, latest_start);
        contract.tonnes = tonnes * regular;
        contract.approved = true;
        for (std::size_t i = 0; i < n; ++i) {
            decide_as_of(t, slots[i], contract.filed, draw[i], contract.decided[i], contract.ok[i]);
            contract.approved = contract.approved && contract.ok[i];
        }
        enqueue(w, q, contract, dt);
        a.tonnes = tonnes - contract.tonnes;
        if (!(a.tonnes > 0.0)) {
            return;
        }
    }
    enqueue(w, q, a, dt);
}

// Several controls on lane `e`: each covers its share of the tonnes independently, so the
// shipment splits into one application per non-empty set of covering controls. Returns the
// tonnes held.
double LicenceQueue::file_overlapping(std::size_t w, std::size_t e, Day day, int dt, double shipped,
                                      double regular) {
    const Policy& pol = *trial_[w].policy;
    const auto& ei = c_->edges[e];
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
        file(w, e, covering.data(), m, day, dt, tonnes, regular);
        held += tonnes;
    }
    return held;
}

void LicenceQueue::decide_again(std::size_t w, Day day) {
    TrialLicences& t = trial_[w];
    const auto& events = *t.events;
    for (std::size_t j = 0; c_->keep_applications && j < events.size(); ++j) {
        if (c_->scenario->events[j].redecide_pending && !t.redecided[j] && events[j].active(day)) {
            t.redecided[j] = 1;
            redecide(w, j, day);
        }
    }
}

// `pending: redecide` (event j, from `day`): every application of trial w still waiting on the
// lanes of j is decided again by the regime now in force for j's control, its delay counted from
// the day it was filed; a decision that falls on or before `day` is taken today. Other controls'
// decisions on the same application stand.
void LicenceQueue::redecide(std::size_t w, std::size_t j, Day day) {
    TrialLicences& t = trial_[w];
    const CompiledScenario& c = *c_;
    for (std::size_t k = 0; k < c.event_edges[j].size(); ++k) {
        const auto e = static_cast<std::size_t>(c.event_edges[j][k]);
        const auto slot = static_cast<std::size_t>(c.event_edge_slot[j][k]);
        const auto q = static_cast<std::size_t>(c.edges[e].queue);
        Rng& rng = t.rng[q];
        for (Application& a : t.applications[q]) {
            const auto i = static_cast<std::size_t>(
                std::find(a.slot.begin(), a.slot.begin() + a.count, slot) - a.slot.begin());
            // A running contract's application decided before today but shipping with today's
            // order (filed before it was ordered) is decided.
            const bool contract = a.filed < a.ordered;
            Day decided_on = a.filed;
            for (std::size_t m = 0; m < a.count; ++m) {
                decided_on = std::max(decided_on, a.decided[m]);
            }
            const Day done = a.lapsed || !contract ? a.when : std::min(a.when, decided_on);
            if (done < day || i == a.count) {
                continue;  // decided already, or not under this control
            }
            add(w, q, a.when, a.approved, a.tonnes, -1.0, a.lapsed);
            if (t.policy->slot_share[slot] > 0.0) {
                Draw draw;
                // Decided again one by one, whatever batch it was filed in.
                decide(t, slot, rng, a.filed, a.decided[i], a.ok[i], draw, false);
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
            // Not before the tick after the order (a contract's part is ordered recently).
            a.when = std::max(decision, a.ordered + c.scenario->step_days);
            a.lapsed = false;
            // The same rule as at filing: the patience, at least one tick.
            const Day lapse = a.ordered + std::max(t.patience, c.scenario->step_days);
            if (c.has_patience && a.when > lapse) {
                a.lapsed = true;
                a.when = std::max(day, lapse);
            }
            add(w, q, a.when, a.approved, a.tonnes, 1.0, a.lapsed);
        }
    }
}

}  // namespace chokepoint::detail
