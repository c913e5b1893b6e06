// The policy at a date (policy.hpp).
#include "policy.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "chokepoint/core/units.hpp"

namespace chokepoint::detail {

namespace {

// The calendar days from `day` to a decision `working_days` (fractional) working days later in
// the calendar of `event`'s exporter: between the whole days before and after, by the fraction.
double calendar_days(const CompiledScenario& c, std::size_t event, Day day, double working_days) {
    const double whole = std::floor(working_days);
    const int n = static_cast<int>(std::min(whole, 100000.0));
    const double low = static_cast<double>(c.decision_day(event, day, n) - day);
    const double high = static_cast<double>(c.decision_day(event, day, n + 1) - day);
    return low + (working_days - whole) * (high - low);
}

// The licence wait buyer group g faces under `policy` from `day` (calendar days): over its
// lanes, the lane's baseline share x its licensed share x the longest expected approval delay of
// the controls covering it (its mean in working days, counted in the exporter's calendar from
// `day`), each delay at most the buyer's `patience` (0: none), after which its orders lapse.
double licence_wait(const CompiledScenario& c, const std::vector<ResolvedEvent>& events,
                    const Policy& policy, std::size_t g, Day day, double patience) {
    double wait = 0.0;
    const auto in_begin = static_cast<std::size_t>(c.group_in_begin[g]);
    const auto in_end = static_cast<std::size_t>(c.group_in_begin[g + 1]);
    for (std::size_t k = in_begin; k < in_end; ++k) {
        const auto ue = static_cast<std::size_t>(c.group_in[k]);
        if (policy.edge_share[ue] <= 0.0) {
            continue;
        }
        const auto first = static_cast<std::size_t>(c.edges[ue].slot_offset);
        const auto count = static_cast<std::size_t>(c.edges[ue].slot_count);
        double delay = 0.0;
        for (std::size_t slot = first; slot < first + count; ++slot) {
            if (policy.slot_share[slot] > 0.0 && policy.slot_delay[slot] >= 0) {
                const auto regime = static_cast<std::size_t>(policy.slot_delay[slot]);
                delay = std::max(
                    delay, calendar_days(c, regime, day, events[regime].approval_delay.mean()));
            }
        }
        if (patience > 0.0) {
            delay = std::min(delay, patience);
        }
        wait += c.edges[ue].share * policy.edge_share[ue] * delay;
    }
    return wait;
}

}  // namespace

void recompute_policy(const CompiledScenario& c, Day day, const std::vector<ResolvedEvent>& events,
                      const std::vector<double>& product_share, double patience, Policy& policy) {
    const Scenario& s = *c.scenario;
    policy.reset(c.lines.size(), c.groups.size(), c.edges.size(),
                 static_cast<std::size_t>(c.slot_total));
    auto& [line_factor, line_delta, group_factor, group_cover_factor, group_delta, group_tariff,
           group_inv_weight, edge_halted, edge_shipment_factor, edge_tariff, edge_share,
           edge_order_weight, slot_share, slot_rate, slot_delay, edge_single_slot, group_wait] =
        policy;
    std::vector<Day> tariff_start(edge_tariff.size(), std::numeric_limits<Day>::min());
    for (std::size_t i = 0; i < events.size(); ++i) {
        const ResolvedEvent& r = events[i];
        if (!r.active(day)) {
            continue;
        }
        switch (s.events[i].kind) {
            case EventKind::supply_disruption:
                for (int l : c.event_lines[i]) {
                    line_factor[static_cast<std::size_t>(l)] *= r.factor;
                }
                for (int e : c.event_edges[i]) {
                    double& f = edge_shipment_factor[static_cast<std::size_t>(e)];
                    f = (f < 0.0 ? 1.0 : f) * r.factor;
                }
                break;
            case EventKind::capacity_change:
                for (int l : c.event_lines[i]) {
                    line_delta[static_cast<std::size_t>(l)] += r.change / DAYS_PER_MONTH;
                }
                for (int g : c.event_groups[i]) {
                    group_delta[static_cast<std::size_t>(g)] += r.change / DAYS_PER_MONTH;
                }
                break;
            case EventKind::demand_shock:
                for (int g : c.event_groups[i]) {
                    (s.events[i].stockpile ? group_cover_factor
                                           : group_factor)[static_cast<std::size_t>(g)] *= r.factor;
                }
                break;
            case EventKind::export_halt:
                for (int e : c.event_edges[i]) {
                    edge_halted[static_cast<std::size_t>(e)] = 1;
                }
                break;
            case EventKind::tariff:
                // The most recently started tariff on a lane sets its rate.
                for (int e : c.event_edges[i]) {
                    auto ue = static_cast<std::size_t>(e);
                    if (r.start >= tariff_start[ue]) {
                        tariff_start[ue] = r.start;
                        edge_tariff[ue] = std::pow(1.0 + r.rate, -r.elasticity);
                    }
                }
                break;
            default:
                break;
        }
    }
    // Export controls, then their licence_delay/agreement modifiers by start date.
    for (int ci : c.controls) {
        const auto uc = static_cast<std::size_t>(ci);
        const ResolvedEvent& r = events[uc];
        if (!r.active(day)) {
            continue;
        }
        for (std::size_t k = 0; k < c.event_edges[uc].size(); ++k) {
            const auto ue = static_cast<std::size_t>(c.event_edges[uc][k]);
            const auto slot = static_cast<std::size_t>(c.event_edge_slot[uc][k]);
            slot_share[slot] = r.share >= 0.0
                                   ? r.share
                                   : product_share[static_cast<std::size_t>(c.edges[ue].product)];
            slot_rate[slot] = r.approval_rate;
            slot_delay[slot] = ci;
        }
        std::vector<std::size_t> mods;
        for (std::size_t j = 0; j < events.size(); ++j) {
            if (s.events[j].control == ci && events[j].active(day)) {
                mods.push_back(j);
            }
        }
        std::stable_sort(mods.begin(), mods.end(), [&](std::size_t a, std::size_t b) {
            return events[a].start < events[b].start;
        });
        for (std::size_t j : mods) {
            const ResolvedEvent& m = events[j];
            for (int slot_index : c.event_edge_slot[j]) {
                const auto slot = static_cast<std::size_t>(slot_index);
                if (s.events[j].lifts) {
                    slot_share[slot] = 0.0;
                    continue;
                }
                if (m.share >= 0.0) {
                    slot_share[slot] = m.share;
                }
                if (m.approval_rate >= 0.0) {
                    slot_rate[slot] = m.approval_rate;
                }
                if (m.has_approval_delay) {
                    slot_delay[slot] = static_cast<int>(j);
                }
            }
        }
    }
    for (std::size_t e = 0; e < c.edges.size(); ++e) {
        const auto first = static_cast<std::size_t>(c.edges[e].slot_offset);
        const auto count = static_cast<std::size_t>(c.edges[e].slot_count);
        double free = 1.0;
        int active = 0;
        std::size_t only = 0;
        for (std::size_t k = first; k < first + count; ++k) {
            if (slot_share[k] > 0.0) {
                free *= 1.0 - slot_share[k];
                only = k;
                ++active;
            }
        }
        // One control: its share exactly (1 - (1 - s) is not always s in floating point).
        edge_share[e] = active == 1 ? slot_share[only] : 1.0 - free;
        edge_single_slot[e] = active == 1 ? static_cast<int>(only) : -1;
    }
    for (std::size_t g = 0; g < c.groups.size(); ++g) {
        double tf = 0.0;
        double weight = 0.0;
        const auto in_begin = static_cast<std::size_t>(c.group_in_begin[g]);
        const auto in_end = static_cast<std::size_t>(c.group_in_begin[g + 1]);
        for (std::size_t k = in_begin; k < in_end; ++k) {
            const auto ue = static_cast<std::size_t>(c.group_in[k]);
            tf += c.edges[ue].share * edge_tariff[ue];
            edge_order_weight[ue] = edge_halted[ue] ? 0.0 : c.edges[ue].share * edge_tariff[ue];
            weight += edge_order_weight[ue];
        }
        group_tariff[g] = in_begin == in_end ? 1.0 : tf;
        group_inv_weight[g] = weight > 0.0 ? 1.0 / weight : 0.0;
        if (c.has_precaution && c.groups[g].buyer) {
            group_wait[g] = licence_wait(c, events, policy, g, day, patience);
        }
    }
}

}  // namespace chokepoint::detail
