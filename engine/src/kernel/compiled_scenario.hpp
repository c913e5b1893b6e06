#pragma once
// Internal to the kernel: a scenario compiled for the tick loop. Indices instead of names, flat
// adjacency arrays, the series each lane and buyer writes, and the working-day tables of the
// calendars the controls use. Built once per scenario (compile.cpp) and shared by every trial.
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "chokepoint/core/working_calendar.hpp"
#include "chokepoint/kernel/output_layout.hpp"
#include "chokepoint/random/quantity.hpp"
#include "chokepoint/scenario/scenario.hpp"

namespace chokepoint::detail {

struct LineInfo {
    int node = -1;
    int product = -1;
    const Quantity* capacity = nullptr;
    double feed_per_tonne = 0.0;
    double cover_days = 0.0;
    double base_out = 0.0;  // t/day, sum of baseline outflows
};

struct GroupInfo {
    int node = -1;
    int product = -1;
    bool buyer = false;
    const Quantity* demand = nullptr;  // buyers
    double feed_yield = 0.0;           // processors
    double per_tonne = 0.0;            // processors: an ingredient's use per tonne made
    double needed_by = 1.0;            // processors: share of the output that needs it
    double cover_days = 0.0;
    double initial_stock = -1.0;
    double base_in = 0.0;   // t/day, sum of baseline inflows
    double lead_avg = 0.0;  // flow-weighted lead time, days
    int shortage_series = -1;
    int days_series = -1;
    /// Earlier buyer groups on the same days-short series (buyers of one country and product).
    std::vector<int> days_shared_with;
    int stock_series = -1;
    int buyer_index = -1;
    int trend = -1;  ///< buyers: index into the scenario's demand_trend rates, or -1
    bool receives_diversion = false;  ///< buyers not excluded from the model's diversion
};

struct EdgeInfo {
    int line = -1;   // origin's production line
    int group = -1;  // destination's input group
    int product = -1;
    double flow_day = 0.0;
    double share = 0.0;  // share of the destination group's baseline
    int lead = 1;
    int ring_offset = 0;
    int ring_size = 1;
    int queue = -1;  // index among controllable edges, or -1
    // The export controls that may cover this lane, one slot each: slots
    // [slot_offset, slot_offset + slot_count) of the policy's per-slot arrays.
    int slot_offset = 0;
    int slot_count = 0;
    int export_series = -1, export_world = -1, import_series = -1, import_world = -1;
    int backlog_series = -1, backlog_world = -1, refused_series = -1, refused_world = -1;
    int lapsed_series = -1, lapsed_world = -1;
};

struct CompiledScenario {
    const Scenario* scenario = nullptr;
    const OutputLayout* layout = nullptr;
    std::vector<LineInfo> lines;
    std::vector<GroupInfo> groups;
    std::vector<EdgeInfo> edges;
    std::vector<std::vector<int>> node_lines;
    std::vector<std::vector<int>> node_groups;
    // Flat adjacency for the tick loop: the lanes into group g are
    // group_in[group_in_begin[g] .. group_in_begin[g + 1]), likewise line_out for lines.
    std::vector<int> group_in_begin, group_in, line_out_begin, line_out;
    /// A processor's lines and input groups are contiguous: [line_begin, line_end) and
    /// [group_begin, group_end).
    struct Processor {
        int line_begin, line_end, group_begin, group_end;
        bool has_ingredients = false;  ///< some input is used per tonne made, not pooled
    };
    std::vector<Processor> processors;
    std::vector<int> buyer_groups;  ///< members of the demand noise, in group order
    std::vector<int> source_lanes;  ///< members of the supply noise: lanes out of sources
    /// Each noise member's sub-stream key, from its names (a buyer and product; a lane's ends and
    /// product).
    std::vector<std::uint64_t> buyer_group_keys, source_lane_keys;
    std::vector<std::vector<int>> event_edges;
    std::vector<std::vector<int>> event_lines;
    std::vector<std::vector<int>> event_groups;
    std::vector<int> controls;  // indices of export_control events
    std::vector<int> queue_edges;
    int slot_total = 0;
    /// Per parameter, the key of its sub-stream (name_key of its name).
    std::vector<std::uint64_t> parameter_keys;
    /// Some event decides pending applications again: keep a log of every application.
    bool keep_applications = false;
    /// Some buyer's demand has a trend (DemandTrend): factors are set at each month start.
    bool has_trend = false;
    /// The stock policy's shares can be above 0 (StockPolicy): precautionary stock needs each
    /// buyer's licence wait in the policy, restocking the deferred use.
    bool has_precaution = false, has_catch_up = false;
    /// Applications lapse after the buyer's patience (StockPolicy::has_patience).
    bool has_patience = false;
    /// Exporters stop filing on a lane whose backlog exceeds its cap (ExporterPolicy).
    bool has_backlog_cap = false;
    /// Contract licences: a filing lead or a licence validity (ExporterPolicy).
    bool has_contracts = false;
    /// Demand a tariff destroys or licences refuse reappears at other buyers (Scenario::diversion).
    bool has_diversion = false;
    /// Some supply_disruption cuts shipments (`cuts: shipments`): lanes out of its nodes carry at
    /// most its factor of their baseline flow.
    bool has_shipment_cut = false;
    std::vector<Day> month_mid;  ///< per month of the layout, its middle day (for the trend)
    /// For export_control, licence_delay and agreement events: per lane in event_edges, the
    /// slot of the control on that lane.
    std::vector<std::vector<int>> event_edge_slot;
    int days = 0;
    int ring_total = 0;
    std::vector<int> month_of_offset;  // month index relative to the first month, per day
    // Working-day tables over the horizon plus a margin, so a licence decision date is two
    // lookups instead of a walk over the calendar. One table per working calendar in use (the
    // exporting country's: licences are decided on its working days).
    struct WorkingDays {
        const WorkingCalendar* calendar = nullptr;
        std::vector<int> before;  // working days in [start, start + offset)
        std::vector<int> day;     // offset of the k-th working day
    };
    std::vector<WorkingDays> calendars;
    std::vector<int> event_calendar;  ///< per event: index into `calendars`
    /// Same as calendar.add_working_days(day, n), by table lookup.
    Day decision_day(std::size_t event, Day day, int working_days) const {
        if (working_days <= 0) {
            return day;
        }
        const WorkingDays& w = calendars[static_cast<std::size_t>(event_calendar[event])];
        const auto offset = static_cast<std::size_t>(day - scenario->start);
        // Index of the last working day on or before `day`, then n working days on.
        const int target = w.before[offset + 1] - 1 + working_days;
        Day result = 0;
        if (target >= 0 && static_cast<std::size_t>(target) < w.day.size()) {
            result = scenario->start + w.day[static_cast<std::size_t>(target)];
        } else {
            result = w.calendar->add_working_days(day, working_days);
        }
#ifdef CHOKEPOINT_CHECK_INVARIANTS
        // The calendar's walk costs a lookup per day walked: checking every decision took two
        // thirds of a checked build's sweep (under ASan). One decision in 8, chosen by its day
        // and length, so every part of the table is met over a run.
        if ((offset + static_cast<std::size_t>(working_days)) % 8 == 0 &&
            result != w.calendar->add_working_days(day, working_days)) {
            throw std::logic_error("working-day table disagrees with the calendar");
        }
#endif
        return result;
    }
    /// Working days in the table of `event`'s calendar.
    int table_working_days(std::size_t event) const {
        return static_cast<int>(
            calendars[static_cast<std::size_t>(event_calendar[event])].day.size());
    }
};

/// Compiles `s` for the kernel; `layout` must outlive the result.
std::shared_ptr<const CompiledScenario> compile(const Scenario& s, const OutputLayout& layout);

}  // namespace chokepoint::detail
