#pragma once
// Internal to the kernel: the policy at a date. What the events active on a day imply for every
// production line, input group and lane of the compiled scenario (factors, tariffs, halts, the
// licensed share and regime of each lane, the licence wait buyers face); recomputed only at event
// boundaries (policy.cpp).
#include <vector>

#include "chokepoint/core/calendar.hpp"
#include "chokepoint/events/events.hpp"
#include "compiled_scenario.hpp"

namespace chokepoint::detail {

/// What the events active on a day imply for every line, input group and lane; recomputed only
/// at event boundaries.
struct Policy {
    std::vector<double> line_factor, line_delta;
    std::vector<double> group_factor, group_cover_factor, group_delta, group_tariff;
    /// Per group: 1 + the demand diverted to it from buyers a tariff restricts, as a share of its
    /// own baseline (CompiledScenario::has_diversion; 1 otherwise).
    std::vector<double> group_diversion;
    /// Per group, 1 / the sum of its open lanes' order weights (0 when every lane is shut).
    std::vector<double> group_inv_weight;
    std::vector<char> edge_halted;
    /// Per lane, the share of its baseline flow that may leave a day under supply disruptions
    /// that cut shipments (the product of their factors); negative when none is active.
    std::vector<double> edge_shipment_factor;
    std::vector<double> edge_tariff;
    /// Per lane, the share of tonnes that need at least one licence: 1 - prod(1 - slot_share)
    /// over the controls covering it (each covers its share independently).
    std::vector<double> edge_share;
    /// Per lane, its part of the destination's orders before normalising: baseline share x
    /// tariff factor, 0 when halted.
    std::vector<double> edge_order_weight;
    /// Per (lane, control) slot: the control's share (0 when inactive or lifted), approval
    /// rate, and the event whose approval delay applies.
    std::vector<double> slot_share, slot_rate;
    std::vector<int> slot_delay;
    /// Per slot: the day its control came into force (while active).
    std::vector<Day> slot_start;
    /// Per lane: its one active slot when exactly one control covers it (the common case,
    /// filed without the general split), else -1.
    std::vector<int> edge_single_slot;
    /// Per buyer group, the licence wait it faces (calendar days): over its lanes, baseline
    /// share x licensed share x the expected approval delay (for the precautionary stock).
    std::vector<double> group_wait;

    void reset(std::size_t lines, std::size_t groups, std::size_t edges, std::size_t slots) {
        line_factor.assign(lines, 1.0);
        line_delta.assign(lines, 0.0);
        group_factor.assign(groups, 1.0);
        group_cover_factor.assign(groups, 1.0);
        group_delta.assign(groups, 0.0);
        group_tariff.assign(groups, 1.0);
        group_diversion.assign(groups, 1.0);
        group_inv_weight.assign(groups, 0.0);
        group_wait.assign(groups, 0.0);
        edge_halted.assign(edges, 0);
        edge_shipment_factor.assign(edges, -1.0);
        edge_tariff.assign(edges, 1.0);
        edge_share.assign(edges, 0.0);
        edge_order_weight.assign(edges, 0.0);
        slot_share.assign(slots, 0.0);
        slot_rate.assign(slots, 1.0);
        slot_delay.assign(slots, -1);
        slot_start.assign(slots, 0);
        edge_single_slot.assign(edges, -1);
    }
};

/// Recomputes `policy` for `day` from the trial's resolved events and controlled shares;
/// `patience` (calendar days, 0 for none) caps the licence wait buyers plan for; an order under
/// a contract licence filed `filing_lead` calendar days ahead waits only for the delay beyond it
/// (ExporterPolicy::filing_lead_days, 7/5 calendar days per working day); `diversion` (0 to 1) of
/// the demand tariffs destroy reappears at the other buyers of the product (Scenario::diversion).
void recompute_policy(const CompiledScenario& c, Day day, const std::vector<ResolvedEvent>& events,
                      const std::vector<double>& product_share, double patience, int filing_lead,
                      double diversion, Policy& policy);

}  // namespace chokepoint::detail
