#include <algorithm>
#include <cmath>

#include "batch_run.hpp"

// At a tick's start, per trial: a new month's noise and trend, a new policy at event boundaries,
// and the cached numbers the tick loop reads (batch_run.hpp).

namespace chokepoint::detail::batch_run {

void Batch::start_tick(Tick& tick) {
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
        while (t.next_boundary < t.boundaries.size() && t.boundaries[t.next_boundary] <= tick.day) {
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

void Batch::set_trend(std::size_t w, int month) {
    const double days_from_base =
        static_cast<double>(c_.month_mid[static_cast<std::size_t>(month)] - s_.demand_trend.base);
    for (std::size_t g = 0; g < ng_; ++g) {
        const auto& gi = c_.groups[g];
        if (gi.trend >= 0) {
            at(st_.trend_factor[g], w) =
                detail::trend_factor(st_.trial[w].trend_rate[static_cast<std::size_t>(gi.trend)],
                                     days_from_base, gi.cover_days, gi.lead_avg);
        }
    }
}

void Batch::refresh_cached(std::size_t w) {
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

void Batch::advance_noise(std::size_t w, bool first) {
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

void Batch::change_policy(std::size_t w, Day day, int offset) {
    TrialState& t = st_.trial[w];
    Policy& pol = t.policy;
    t.licence_share_before = pol.edge_share;
    detail::recompute_policy(c_, day, t.events, t.product_share, static_cast<double>(t.patience),
                             t.filing_lead, t.diversion, pol);
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
    if (c_.has_contracts) {
        st_.licences.note_regimes(w, day);
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

}  // namespace chokepoint::detail::batch_run
