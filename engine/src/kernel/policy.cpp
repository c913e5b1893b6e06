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
// Under contract licences filed `filing_lead` calendar days ahead, the regular flow waits only
// for a decision later than the lead: the wait is the mean delay beyond the lead (the mean of
// max(0, D - lead) approximated by max(0, mean D - lead)).
double licence_wait(const CompiledScenario& c, const std::vector<ResolvedEvent>& events,
                    const Policy& policy, std::size_t g, Day day, double patience,
                    int filing_lead) {
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
                double slot_wait =
                    calendar_days(c, regime, day, events[regime].approval_delay.mean());
                if (filing_lead > 0) {
                    slot_wait = std::max(0.0, slot_wait - filing_lead);
                }
                delay = std::max(delay, slot_wait);
            }
        }
        if (patience > 0.0) {
            delay = std::min(delay, patience);
        }
        wait += c.edges[ue].share * policy.edge_share[ue] * delay;
    }
    return wait;
}

/// The events other than export controls and their changes: disruptions (of production or of
/// shipments), capacity changes, demand shocks, export halts and tariffs (the most recently
/// started tariff on a lane sets its rate).
void apply_events(const CompiledScenario& c, Day day, const std::vector<ResolvedEvent>& events,
                  Policy& policy) {
    const Scenario& s = *c.scenario;
    std::vector<Day> tariff_start(policy.edge_tariff.size(), std::numeric_limits<Day>::min());
    for (std::size_t i = 0; i < events.size(); ++i) {
        const ResolvedEvent& r = events[i];
        if (!r.active(day)) {
            continue;
        }
        switch (s.events[i].kind) {
            case EventKind::supply_disruption:
                for (int l : c.event_lines[i]) {
                    policy.line_factor[static_cast<std::size_t>(l)] *= r.factor;
                }
                for (int e : c.event_edges[i]) {
                    double& f = policy.edge_shipment_factor[static_cast<std::size_t>(e)];
                    f = (f < 0.0 ? 1.0 : f) * r.factor;
                }
                break;
            case EventKind::capacity_change:
                for (int l : c.event_lines[i]) {
                    policy.line_delta[static_cast<std::size_t>(l)] += r.change / DAYS_PER_MONTH;
                }
                for (int g : c.event_groups[i]) {
                    policy.group_delta[static_cast<std::size_t>(g)] += r.change / DAYS_PER_MONTH;
                }
                break;
            case EventKind::demand_shock:
                for (int g : c.event_groups[i]) {
                    (s.events[i].stockpile ? policy.group_cover_factor
                                           : policy.group_factor)[static_cast<std::size_t>(g)] *=
                        r.factor;
                }
                break;
            case EventKind::export_halt:
                for (int e : c.event_edges[i]) {
                    policy.edge_halted[static_cast<std::size_t>(e)] = 1;
                }
                break;
            case EventKind::tariff:
                for (int e : c.event_edges[i]) {
                    auto ue = static_cast<std::size_t>(e);
                    if (r.start >= tariff_start[ue]) {
                        tariff_start[ue] = r.start;
                        policy.edge_tariff[ue] = std::pow(1.0 + r.rate, -r.elasticity);
                    }
                }
                break;
            default:
                break;
        }
    }
}

/// Each active export control's slots (its share, approval rate and delay regime on each lane it
/// covers), then its active licence_delay and agreement events in order of start.
void apply_controls(const CompiledScenario& c, Day day, const std::vector<ResolvedEvent>& events,
                    const std::vector<double>& product_share, Policy& policy) {
    const Scenario& s = *c.scenario;
    auto& slot_share = policy.slot_share;
    auto& slot_rate = policy.slot_rate;
    auto& slot_delay = policy.slot_delay;
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
            policy.slot_start[slot] = r.start;
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
}

/// Each lane's licensed share: 1 - prod(1 - share) over the controls covering it (one control:
/// its share exactly), and its only control's slot.
void lane_shares(const CompiledScenario& c, Policy& policy) {
    for (std::size_t e = 0; e < c.edges.size(); ++e) {
        const auto first = static_cast<std::size_t>(c.edges[e].slot_offset);
        const auto count = static_cast<std::size_t>(c.edges[e].slot_count);
        double free = 1.0;
        int active = 0;
        std::size_t only = 0;
        for (std::size_t k = first; k < first + count; ++k) {
            if (policy.slot_share[k] > 0.0) {
                free *= 1.0 - policy.slot_share[k];
                only = k;
                ++active;
            }
        }
        // One control: its share exactly (1 - (1 - s) is not always s in floating point).
        policy.edge_share[e] = active == 1 ? policy.slot_share[only] : 1.0 - free;
        policy.edge_single_slot[e] = active == 1 ? static_cast<int>(only) : -1;
    }
}

/// The share of a lane's tonnes its licences refuse: over the controls on it,
/// 1 - prod(1 - share x (1 - approval rate)).
double lane_refused(const CompiledScenario& c, const Policy& policy, std::size_t e) {
    const auto first = static_cast<std::size_t>(c.edges[e].slot_offset);
    const auto count = static_cast<std::size_t>(c.edges[e].slot_count);
    double passed = 1.0;
    for (std::size_t k = first; k < first + count; ++k) {
        if (policy.slot_share[k] > 0.0) {
            passed *= 1.0 - policy.slot_share[k] * (1.0 - policy.slot_rate[k]);
        }
    }
    return 1.0 - passed;
}

/// Below this, two buyers' refused shares are the same (sums of lane shares that are 1 in
/// exact arithmetic).
constexpr double SAME_REFUSAL = 1e-9;

/// Trade that finds other routes: per product, `share` of the baseline demand lost at its
/// restricted buyers reappears at the buyers that receive diverted demand and are not restricted,
/// in proportion to their baseline demand, as a factor on their use. A buyer is restricted by a
/// tariff (the demand it destroys is lost) or by licences that refuse more of its orders on the
/// lanes a control reaches than the least restricted buyer of the product faces (a stricter
/// review or an entity ban on one destination): `share` of that excess, on those lanes' share of
/// its demand, is lost to it and served through other routes, so its own use falls by as much. A
/// control the same for every buyer restricts none.
void divert_demand(const CompiledScenario& c, double share, Policy& policy) {
    const std::size_t products = c.scenario->network.products().size();
    std::vector<double> lost(products, 0.0);
    std::vector<double> receiving(products, 0.0);
    // Each buyer's refused share, and per product the least among buyers abroad.
    std::vector<double> refused(c.groups.size(), 0.0);
    std::vector<double> reach(c.groups.size(), 0.0);  // the controlled lanes' share of its demand
    std::vector<double> least(products, 1.0);
    std::vector<bool> controlled(products, false);
    for (std::size_t g = 0; g < c.groups.size(); ++g) {
        const auto& gi = c.groups[g];
        if (!gi.buyer || !gi.receives_diversion) {
            continue;
        }
        const auto in_begin = static_cast<std::size_t>(c.group_in_begin[g]);
        const auto in_end = static_cast<std::size_t>(c.group_in_begin[g + 1]);
        // Over the lanes a control can reach (a second supplier elsewhere does not make a buyer
        // less restricted by it), weighted by their baseline shares.
        for (std::size_t k = in_begin; k < in_end; ++k) {
            const auto ue = static_cast<std::size_t>(c.group_in[k]);
            if (c.edges[ue].queue >= 0) {
                refused[g] += c.edges[ue].share * lane_refused(c, policy, ue);
                reach[g] += c.edges[ue].share;
            }
        }
        const auto p = static_cast<std::size_t>(gi.product);
        if (reach[g] > 0.0) {
            refused[g] /= reach[g];
            least[p] = std::min(least[p], refused[g]);
            controlled[p] = true;
        }
    }
    std::vector<double> excess(c.groups.size(), 0.0);
    for (std::size_t g = 0; g < c.groups.size(); ++g) {
        const auto& gi = c.groups[g];
        if (!gi.buyer) {
            continue;
        }
        const auto p = static_cast<std::size_t>(gi.product);
        if (controlled[p] && refused[g] - least[p] > SAME_REFUSAL) {
            excess[g] = refused[g] - least[p];
        }
        const double tariff = policy.group_tariff[g];
        if (tariff < 1.0 || excess[g] > 0.0) {
            lost[p] += gi.base_in * ((1.0 - tariff) + tariff * reach[g] * excess[g]);
        } else if (gi.receives_diversion) {
            receiving[p] += gi.base_in;
        }
    }
    for (std::size_t g = 0; g < c.groups.size(); ++g) {
        const auto& gi = c.groups[g];
        const auto p = static_cast<std::size_t>(gi.product);
        if (!gi.buyer) {
            continue;
        }
        if (excess[g] > 0.0) {
            policy.group_diversion[g] = 1.0 - share * reach[g] * excess[g];
        } else if (gi.receives_diversion && policy.group_tariff[g] >= 1.0 && receiving[p] > 0.0) {
            policy.group_diversion[g] = 1.0 + share * lost[p] / receiving[p];
        }
    }
}

/// Each group's tariff factor, its lanes' order weights (0 when halted) and, for a buyer that
/// keeps precautionary stock, the licence wait it faces.
void group_orders(const CompiledScenario& c, Day day, const std::vector<ResolvedEvent>& events,
                  double patience, int filing_lead, Policy& policy) {
    for (std::size_t g = 0; g < c.groups.size(); ++g) {
        double tf = 0.0;
        double weight = 0.0;
        const auto in_begin = static_cast<std::size_t>(c.group_in_begin[g]);
        const auto in_end = static_cast<std::size_t>(c.group_in_begin[g + 1]);
        for (std::size_t k = in_begin; k < in_end; ++k) {
            const auto ue = static_cast<std::size_t>(c.group_in[k]);
            tf += c.edges[ue].share * policy.edge_tariff[ue];
            policy.edge_order_weight[ue] =
                policy.edge_halted[ue] ? 0.0 : c.edges[ue].share * policy.edge_tariff[ue];
            weight += policy.edge_order_weight[ue];
        }
        policy.group_tariff[g] = in_begin == in_end ? 1.0 : tf;
        policy.group_inv_weight[g] = weight > 0.0 ? 1.0 / weight : 0.0;
        if (c.has_precaution && c.groups[g].buyer) {
            policy.group_wait[g] = licence_wait(c, events, policy, g, day, patience, filing_lead);
        }
    }
}

}  // namespace

void recompute_policy(const CompiledScenario& c, Day day, const std::vector<ResolvedEvent>& events,
                      const std::vector<double>& product_share, double patience, int filing_lead,
                      double diversion, Policy& policy) {
    policy.reset(c.lines.size(), c.groups.size(), c.edges.size(),
                 static_cast<std::size_t>(c.slot_total));
    apply_events(c, day, events, policy);
    apply_controls(c, day, events, product_share, policy);
    lane_shares(c, policy);
    group_orders(c, day, events, patience, filing_lead, policy);
    if (c.has_diversion && diversion > 0.0) {
        divert_demand(c, diversion, policy);
    }
}

}  // namespace chokepoint::detail
