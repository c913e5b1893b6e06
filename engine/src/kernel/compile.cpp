// Compiling a scenario for the kernel (compiled_scenario.hpp): resolving names to indices,
// flattening the network's adjacency, finding each lane's and buyer's series, and tabulating the
// working days of the calendars the controls use.
#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "chokepoint/core/units.hpp"
#include "compiled_scenario.hpp"

namespace chokepoint::detail {

namespace {

bool contains(const std::vector<int>& v, int x) {
    return v.empty() || std::find(v.begin(), v.end(), x) != v.end();
}
bool contains(const std::vector<std::string>& v, const std::string& x) {
    return v.empty() || std::find(v.begin(), v.end(), x) != v.end();
}

/// Per node, the indices of its production lines and input groups (numbered consecutively).
struct NodeParts {
    std::vector<std::vector<int>> line_of, group_of;
};

/// Every production line and input group, with its node's numbers and, for a buyer, the demand
/// trend it follows.
NodeParts compile_lines_and_groups(const Scenario& s, CompiledScenario& c) {
    const auto& nodes = s.network.nodes();
    NodeParts parts;
    std::vector<std::vector<int>>& line_of = parts.line_of;
    std::vector<std::vector<int>>& group_of = parts.group_of;
    line_of.resize(nodes.size());
    group_of.resize(nodes.size());
    c.node_lines.resize(nodes.size());
    c.node_groups.resize(nodes.size());
    for (std::size_t n = 0; n < nodes.size(); ++n) {
        for (const auto& l : nodes[n].lines) {
            LineInfo li;
            li.node = static_cast<int>(n);
            li.product = l.product;
            li.capacity = &l.capacity;
            li.feed_per_tonne = nodes[n].kind == NodeKind::processor ? l.feed_per_tonne : 0.0;
            li.cover_days = l.cover_days;
            line_of[n].push_back(static_cast<int>(c.lines.size()));
            c.node_lines[n].push_back(static_cast<int>(c.lines.size()));
            c.lines.push_back(li);
        }
        for (const auto& in : nodes[n].inputs) {
            GroupInfo g;
            g.node = static_cast<int>(n);
            g.product = in.product;
            g.buyer = nodes[n].kind == NodeKind::buyer;
            g.demand = g.buyer ? &in.demand : nullptr;
            g.feed_yield = in.feed_yield;
            g.per_tonne = in.per_tonne;
            g.needed_by = in.needed_by;
            g.cover_days = in.cover_days;
            g.initial_stock = in.initial_stock;
            const auto& excluded = s.demand_trend.excluded;
            if (g.buyer && std::find(excluded.begin(), excluded.end(), static_cast<int>(n)) ==
                               excluded.end()) {
                const auto& tp = s.demand_trend.products;
                const auto it = std::find(tp.begin(), tp.end(), in.product);
                if (it != tp.end()) {
                    g.trend = static_cast<int>(it - tp.begin());
                    c.has_trend = true;
                }
            }
            const auto& no_diversion = s.diversion.excluded;
            g.receives_diversion = g.buyer && s.diversion.on &&
                                   std::find(no_diversion.begin(), no_diversion.end(),
                                             static_cast<int>(n)) == no_diversion.end();
            group_of[n].push_back(static_cast<int>(c.groups.size()));
            c.node_groups[n].push_back(static_cast<int>(c.groups.size()));
            c.groups.push_back(g);
        }
    }
    return parts;
}

/// Lanes out of each line and into each group, in network order.
struct LaneLists {
    std::vector<std::vector<int>> line_lanes, group_lanes;
};

/// Every lane (edge): its line and group, daily flow, pipeline ring, and the series it reports
/// (exports, imports and licence figures, where it crosses a border).
LaneLists compile_lanes(const Scenario& s, const OutputLayout& layout, const NodeParts& parts,
                        CompiledScenario& c) {
    const Network& net = s.network;
    const auto& nodes = net.nodes();
    const auto& products = net.products();
    const auto& line_of = parts.line_of;
    const auto& group_of = parts.group_of;
    const int step = s.step_days;
    LaneLists lists;
    std::vector<std::vector<int>>& line_lanes = lists.line_lanes;
    std::vector<std::vector<int>>& group_lanes = lists.group_lanes;
    line_lanes.resize(c.lines.size());
    group_lanes.resize(c.groups.size());
    for (std::size_t i = 0; i < net.edges().size(); ++i) {
        const Edge& e = net.edges()[i];
        EdgeInfo ei;
        ei.product = e.product;
        ei.line = line_of[static_cast<std::size_t>(e.from)]
                         [static_cast<std::size_t>(net.find_line(e.from, e.product))];
        ei.group = group_of[static_cast<std::size_t>(e.to)]
                           [static_cast<std::size_t>(net.find_input(e.to, e.product))];
        ei.flow_day = e.flow / DAYS_PER_MONTH;
        ei.lead = std::max(1, e.lead_time_days);
        ei.ring_size = ei.lead + 2 * step;
        ei.ring_offset = c.ring_total;
        c.ring_total += ei.ring_size;
        const Node& from = nodes[static_cast<std::size_t>(e.from)];
        const Node& to = nodes[static_cast<std::size_t>(e.to)];
        if (from.country != to.country) {
            const std::string& p = products[static_cast<std::size_t>(e.product)].id;
            ei.export_series = layout.find({"exports", p, from.country, to.country});
            ei.export_world = layout.find({"exports", p, from.country, "World"});
            ei.import_series = layout.find({"imports", p, from.country, to.country});
            ei.import_world = layout.find({"imports", p, "World", to.country});
            ei.backlog_series = layout.find({"licence_backlog", p, from.country, to.country});
            ei.backlog_world = layout.find({"licence_backlog", p, from.country, "World"});
            ei.refused_series = layout.find({"licence_refused", p, from.country, to.country});
            ei.refused_world = layout.find({"licence_refused", p, from.country, "World"});
            ei.lapsed_series = layout.find({"licence_lapsed", p, from.country, to.country});
            ei.lapsed_world = layout.find({"licence_lapsed", p, from.country, "World"});
        }
        line_lanes[static_cast<std::size_t>(ei.line)].push_back(static_cast<int>(i));
        c.lines[static_cast<std::size_t>(ei.line)].base_out += ei.flow_day;
        GroupInfo& g = c.groups[static_cast<std::size_t>(ei.group)];
        group_lanes[static_cast<std::size_t>(ei.group)].push_back(static_cast<int>(i));
        g.base_in += ei.flow_day;
        c.edges.push_back(ei);
    }
    return lists;
}

/// The flat adjacency of lines and groups, each lane's share of its group's baseline and each
/// group's average lead time.
void flatten_lanes(const LaneLists& lists, CompiledScenario& c) {
    const auto& line_lanes = lists.line_lanes;
    const auto& group_lanes = lists.group_lanes;
    // Flat adjacency, lanes in network order: the lanes into group g are
    // group_in[group_in_begin[g] .. group_in_begin[g + 1]), likewise line_out for lines.
    for (std::size_t g = 0; g < c.groups.size(); ++g) {
        c.group_in_begin.push_back(static_cast<int>(c.group_in.size()));
        c.group_in.insert(c.group_in.end(), group_lanes[g].begin(), group_lanes[g].end());
    }
    c.group_in_begin.push_back(static_cast<int>(c.group_in.size()));
    for (std::size_t l = 0; l < c.lines.size(); ++l) {
        c.line_out_begin.push_back(static_cast<int>(c.line_out.size()));
        c.line_out.insert(c.line_out.end(), line_lanes[l].begin(), line_lanes[l].end());
    }
    c.line_out_begin.push_back(static_cast<int>(c.line_out.size()));
    for (std::size_t gi = 0; gi < c.groups.size(); ++gi) {
        GroupInfo& g = c.groups[gi];
        double lead_weighted = 0.0;
        for (int e : group_lanes[gi]) {
            auto& ei = c.edges[static_cast<std::size_t>(e)];
            ei.share = g.base_in > 0.0 ? ei.flow_day / g.base_in
                                       : 1.0 / static_cast<double>(group_lanes[gi].size());
            lead_weighted += ei.share * ei.lead;
        }
        g.lead_avg = lead_weighted;
    }
}

/// Each buyer's index and shortage, days-short and stock series.
void compile_buyers(const Scenario& s, const OutputLayout& layout, const NodeParts& parts,
                    CompiledScenario& c) {
    const Network& net = s.network;
    const auto& group_of = parts.group_of;
    for (std::size_t b = 0; b < layout.buyers.size(); ++b) {
        const BuyerKey& key = layout.buyers[b];
        const int gi = net.find_input(key.node, key.product);
        GroupInfo& g = c.groups[static_cast<std::size_t>(
            group_of[static_cast<std::size_t>(key.node)][static_cast<std::size_t>(gi)])];
        g.buyer_index = static_cast<int>(b);
        g.shortage_series = layout.find({"shortage", key.product_id, "", key.country});
        g.days_series = layout.find({"days_short", key.product_id, "", key.country});
        g.stock_series = layout.find({"stock", key.product_id, "", key.country});
    }
    // Buyers of one country share its series: tonnes short and stock add up, but a day is short
    // once however many of them are short on it.
    for (std::size_t g = 0; g < c.groups.size(); ++g) {
        for (std::size_t h = 0; h < g; ++h) {
            if (c.groups[g].buyer && c.groups[h].buyer &&
                c.groups[h].days_series == c.groups[g].days_series) {
                c.groups[g].days_shared_with.push_back(static_cast<int>(h));
            }
        }
    }
}

/// Whether event `ev` touches lane `edge` (from `from` to `to`) itself: an export control's
/// lanes out of its exporter (by product and destination), an export halt's, a tariff's, and a
/// disruption's that cuts shipments. Licence delays and agreements take a subset of their
/// control's lanes (compile_event_targets).
bool touches_lane(const EventSpec& ev, const Edge& edge, const Node& from, const Node& to) {
    switch (ev.kind) {
        case EventKind::export_control:
            return from.country == ev.exporter && to.country != ev.exporter &&
                   contains(ev.products, edge.product) && contains(ev.destinations, to.country);
        case EventKind::licence_delay:
        case EventKind::agreement:
            // A subset of the control's edges, by destination.
            break;
        case EventKind::export_halt:
            return edge.from == ev.from_node && (ev.to_node < 0 || edge.to == ev.to_node) &&
                   contains(ev.products, edge.product);
        case EventKind::tariff:
            return from.country == ev.exporter && to.country == ev.importer &&
                   contains(ev.products, edge.product);
        case EventKind::supply_disruption:
            // A cut of shipments touches the lanes out of its nodes, not their lines.
            return ev.cuts_shipments && contains(ev.nodes, edge.from) &&
                   contains(ev.products, edge.product);
        default:
            break;
    }
    return false;
}

/// The lanes, lines and buyer groups each event touches; returns which lanes an export control
/// covers (they get a licence queue).
std::vector<bool> compile_event_targets(const Scenario& s, CompiledScenario& c) {
    const Network& net = s.network;
    const auto& nodes = net.nodes();
    const std::size_t ne = s.events.size();
    c.event_edges.resize(ne);
    c.event_lines.resize(ne);
    c.event_groups.resize(ne);
    std::vector<bool> controllable(net.edges().size(), false);
    for (std::size_t i = 0; i < ne; ++i) {
        const EventSpec& ev = s.events[i];
        for (std::size_t e = 0; e < net.edges().size(); ++e) {
            const Edge& edge = net.edges()[e];
            const Node& from = nodes[static_cast<std::size_t>(edge.from)];
            const Node& to = nodes[static_cast<std::size_t>(edge.to)];
            const bool match = touches_lane(ev, edge, from, to);
            if (match && ev.kind == EventKind::export_control) {
                controllable[e] = true;
            }
            if (match) {
                c.event_edges[i].push_back(static_cast<int>(e));
            }
        }
        if (ev.kind == EventKind::licence_delay || ev.kind == EventKind::agreement) {
            for (int e : c.event_edges[static_cast<std::size_t>(ev.control)]) {
                const Node& to =
                    nodes[static_cast<std::size_t>(net.edges()[static_cast<std::size_t>(e)].to)];
                const int product = net.edges()[static_cast<std::size_t>(e)].product;
                if (contains(ev.destinations, to.country) && contains(ev.products, product)) {
                    c.event_edges[i].push_back(e);
                }
            }
        }
        if (ev.kind == EventKind::export_control) {
            c.controls.push_back(static_cast<int>(i));
        }
        for (std::size_t l = 0; l < c.lines.size(); ++l) {
            const LineInfo& li = c.lines[l];
            if (((ev.kind == EventKind::supply_disruption && !ev.cuts_shipments) ||
                 ev.kind == EventKind::capacity_change) &&
                contains(ev.nodes, li.node) && contains(ev.products, li.product)) {
                c.event_lines[i].push_back(static_cast<int>(l));
            }
        }
        for (std::size_t g = 0; g < c.groups.size(); ++g) {
            const GroupInfo& gi = c.groups[g];
            if (!gi.buyer) {
                continue;
            }
            if ((ev.kind == EventKind::demand_shock || ev.kind == EventKind::capacity_change) &&
                contains(ev.nodes, gi.node) && contains(ev.products, gi.product)) {
                c.event_groups[i].push_back(static_cast<int>(g));
            }
        }
    }
    return controllable;
}

/// One slot per (lane, export control covering it), so controls compose instead of overwriting
/// each other; each control's, delay's and agreement's slots.
void compile_control_slots(const Scenario& s, CompiledScenario& c) {
    const Network& net = s.network;
    const std::size_t ne = s.events.size();
    std::vector<std::vector<int>> lane_controls(net.edges().size());
    for (int ci : c.controls) {
        for (int e : c.event_edges[static_cast<std::size_t>(ci)]) {
            lane_controls[static_cast<std::size_t>(e)].push_back(ci);
        }
    }
    for (std::size_t e = 0; e < lane_controls.size(); ++e) {
        c.edges[e].slot_offset = c.slot_total;
        c.edges[e].slot_count = static_cast<int>(lane_controls[e].size());
        c.slot_total += c.edges[e].slot_count;
    }
    for (const auto& ev : s.events) {
        c.keep_applications = c.keep_applications || ev.redecide_pending;
    }
    c.event_edge_slot.resize(ne);
    for (std::size_t i = 0; i < ne; ++i) {
        const EventSpec& ev = s.events[i];
        const int control = ev.kind == EventKind::export_control ? static_cast<int>(i) : ev.control;
        if (control < 0 ||
            (ev.kind != EventKind::export_control && ev.kind != EventKind::licence_delay &&
             ev.kind != EventKind::agreement)) {
            continue;
        }
        for (int e : c.event_edges[i]) {
            const auto& list = lane_controls[static_cast<std::size_t>(e)];
            const auto k = std::find(list.begin(), list.end(), control) - list.begin();
            c.event_edge_slot[i].push_back(c.edges[static_cast<std::size_t>(e)].slot_offset +
                                           static_cast<int>(k));
        }
    }
}

/// The lists the tick loop walks: buyer groups, lanes out of sources, processors, and the lanes
/// with a licence queue.
void compile_tick_lists(const Scenario& s, const std::vector<bool>& controllable,
                        CompiledScenario& c) {
    const auto& nodes = s.network.nodes();
    const auto& products = s.network.products();
    for (std::size_t g = 0; g < c.groups.size(); ++g) {
        if (c.groups[g].buyer) {
            c.buyer_groups.push_back(static_cast<int>(g));
            c.buyer_group_keys.push_back(
                name_key("demand_noise " + nodes[static_cast<std::size_t>(c.groups[g].node)].id +
                         " " + products[static_cast<std::size_t>(c.groups[g].product)].id));
        }
    }
    std::map<std::string, int> seen;
    for (std::size_t e = 0; e < c.edges.size(); ++e) {
        const int from = c.lines[static_cast<std::size_t>(c.edges[e].line)].node;
        if (nodes[static_cast<std::size_t>(from)].kind == NodeKind::source) {
            c.source_lanes.push_back(static_cast<int>(e));
            const Edge& edge = s.network.edges()[e];
            std::string key = "supply_noise " + nodes[static_cast<std::size_t>(edge.from)].id +
                              " " + nodes[static_cast<std::size_t>(edge.to)].id + " " +
                              products[static_cast<std::size_t>(edge.product)].id;
            // Parallel lanes (the same ends and product) each draw their own: the second is
            // "... #1", and so on.
            const int earlier = seen[key]++;
            if (earlier > 0) {
                key += " #" + std::to_string(earlier);
            }
            c.source_lane_keys.push_back(name_key(key));
        }
    }
    for (std::size_t n = 0; n < nodes.size(); ++n) {
        if (nodes[n].kind == NodeKind::processor && !c.node_lines[n].empty()) {
            // compile_lines_and_groups numbers a node's lines and groups consecutively.
            const bool ingredients =
                std::any_of(nodes[n].inputs.begin(), nodes[n].inputs.end(),
                            [](const InputPolicy& in) { return in.per_tonne > 0.0; });
            c.processors.push_back({c.node_lines[n].front(), c.node_lines[n].back() + 1,
                                    c.node_groups[n].empty() ? 0 : c.node_groups[n].front(),
                                    c.node_groups[n].empty() ? 0 : c.node_groups[n].back() + 1,
                                    ingredients});
        }
    }
    for (std::size_t e = 0; e < controllable.size(); ++e) {
        if (controllable[e]) {
            c.edges[e].queue = static_cast<int>(c.queue_edges.size());
            c.queue_edges.push_back(static_cast<int>(e));
        }
    }
}

/// Each event's working calendar (that of its export control's exporter) as tables of working
/// days from the start, shared between events with the same calendar.
void compile_calendars(const Scenario& s, CompiledScenario& c) {
    const int table_days = c.days + 800;  // decisions up to ~2 years past the horizon
    // Each event's calendar: that of the exporter of its export control.
    c.event_calendar.assign(s.events.size(), 0);
    for (std::size_t e = 0; e < s.events.size(); ++e) {
        const EventSpec& ev = s.events[e];
        const EventSpec& control = ev.kind == EventKind::export_control || ev.control < 0
                                       ? ev
                                       : s.events[static_cast<std::size_t>(ev.control)];
        const WorkingCalendar* cal = &s.calendar_of(control.exporter);
        std::size_t k = 0;
        while (k < c.calendars.size() && c.calendars[k].calendar != cal) {
            ++k;
        }
        if (k == c.calendars.size()) {
            CompiledScenario::WorkingDays w;
            w.calendar = cal;
            w.before.assign(static_cast<std::size_t>(table_days) + 1, 0);
            for (int d = 0; d < table_days; ++d) {
                const bool working = cal->is_working_day(s.start + d);
                w.before[static_cast<std::size_t>(d) + 1] =
                    w.before[static_cast<std::size_t>(d)] + (working ? 1 : 0);
                if (working) {
                    w.day.push_back(d);
                }
            }
            c.calendars.push_back(std::move(w));
        }
        c.event_calendar[e] = static_cast<int>(k);
    }
}

/// Each day's month, each month's middle day.
void compile_months(const Scenario& s, const OutputLayout& layout, CompiledScenario& c) {
    c.month_of_offset.resize(static_cast<std::size_t>(c.days) + 1);
    for (int d = 0; d <= c.days; ++d) {
        c.month_of_offset[static_cast<std::size_t>(d)] = month_of(s.start + d) - layout.first_month;
    }
    for (int m = 0; m <= layout.months; ++m) {
        const MonthIndex month = layout.first_month + m;
        c.month_mid.push_back(first_day_of(month) + days_in_month(month) / 2);
    }
}

/// The mechanisms the kernel can skip when a scenario cannot use them.
void compile_switches(const Scenario& s, CompiledScenario& c) {
    std::vector<Distribution> bounds;
    for (const auto& p : s.parameters) {
        bounds.push_back(p.distribution);
    }
    c.has_precaution = s.stock_policy.precautionary_share.upper(bounds) > 0.0;
    c.has_catch_up = s.stock_policy.catch_up_share.upper(bounds) > 0.0;
    c.has_patience = s.stock_policy.has_patience;
    c.has_backlog_cap = s.exporter_policy.has_backlog_cap;
    c.has_diversion = s.diversion.on;
    c.has_contracts = s.exporter_policy.has_filing_lead || s.exporter_policy.has_licence_validity;
    for (const EventSpec& ev : s.events) {
        c.has_shipment_cut = c.has_shipment_cut || ev.cuts_shipments;
    }
}

}  // namespace

std::shared_ptr<const CompiledScenario> compile(const Scenario& s, const OutputLayout& layout) {
    auto c = std::make_shared<CompiledScenario>();
    c->scenario = &s;
    c->layout = &layout;
    const NodeParts parts = compile_lines_and_groups(s, *c);
    const LaneLists lanes = compile_lanes(s, layout, parts, *c);
    flatten_lanes(lanes, *c);
    compile_buyers(s, layout, parts, *c);
    const std::vector<bool> controllable = compile_event_targets(s, *c);
    for (const auto& p : s.parameters) {
        c->parameter_keys.push_back(name_key(p.name));
    }
    compile_control_slots(s, *c);
    c->days = s.end - s.start + 1;
    compile_tick_lists(s, controllable, *c);
    compile_calendars(s, *c);
    compile_months(s, layout, *c);
    compile_switches(s, *c);
    return c;
}

}  // namespace chokepoint::detail
