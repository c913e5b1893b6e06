// The scenario's `events:` block: each event's kind, dates, targets and magnitudes, read into
// EventSpec with every problem located (docs/scenario-reference.md, "Events").
#include <algorithm>
#include <cmath>

#include "chokepoint/core/working_calendar.hpp"
#include "chokepoint/scenario/scenario.hpp"
#include "chokepoint/scenario/schema.hpp"
#include "event_checks.hpp"
#include "loader_parts.hpp"
#include "reader.hpp"

namespace chokepoint::detail {

namespace {

// Kept equal to the kernel's MAX_CONTROLS_PER_LANE.
constexpr long MAX_EXPORT_CONTROLS_PER_EXPORTER = 8;

/// Reads one event of the `events:` list (`e`, the i-th item) into `ev`, in the order its keys
/// are checked: its id and kind, its dates, then what its kind needs. Events earlier in the list
/// are in `s.events` (a licence_delay or agreement names its control among them).
class EventReader {
  public:
    EventReader(Reader& reader, const Scenario& scenario, const YNode& item, std::size_t i)
        : r(reader), s(scenario), net(scenario.network), e(item), path(at("events", i)) {}

    /// The event, or nothing when it has no kind to read it by (already an error). Once: it
    /// moves the event out (hence a temporary's member).
    std::optional<EventSpec> read() && {
        if (!read_id_and_kind()) {
            return std::nullopt;
        }
        read_dates();
        switch (ev.kind) {
            case EventKind::export_control:
                read_export_control();
                break;
            case EventKind::licence_delay:
            case EventKind::agreement:
                read_control_change();
                break;
            case EventKind::supply_disruption:
            case EventKind::demand_shock:
                read_disruption_or_shock();
                break;
            case EventKind::export_halt:
                read_export_halt();
                break;
            case EventKind::tariff:
                read_tariff();
                break;
            case EventKind::capacity_change:
                read_capacity_change();
                break;
        }
        if (!ev.has_announced) {
            const double lo = ev.start.lower(r.parameter_distributions());
            ev.announced = std::isfinite(lo) ? static_cast<Day>(std::floor(lo)) : s.start;
        }
        if (ev.has_end_announced) {
            check_end_announced(r, *end_announced, path + ".end_announced", ev,
                                end != nullptr || duration != nullptr || holiday != nullptr);
        }
        if (ev.has_sized_on && ev.sized_on < ev.announced) {
            // Against the day the event became known, written or by default its earliest start.
            r.error(*sized_on, path + ".sized_on",
                    "the size cannot be known before the event: sized_on " +
                        format_date(ev.sized_on) + " is before " +
                        (ev.has_announced ? "announced " + format_date(ev.announced)
                                          : "the event became known (" + format_date(ev.announced) +
                                                ", its earliest start)"));
        }
        return std::move(ev);
    }

  private:
    /// `id:` (unique) and `kind:`; false when the kind is missing or unknown.
    bool read_id_and_kind() {
        ev.where = e.where;
        if (const YNode* id = member(e, "id")) {
            ev.id = r.string(*id, path + ".id").value_or("");
            path = "events." + ev.id;
        } else {
            r.error(e, path,
                    "an event needs an 'id:' (a short name used by --set and by "
                    "licence_delay/agreement events)");
        }
        for (const auto& other : s.events) {
            if (!ev.id.empty() && other.id == ev.id) {
                r.error(
                    e, path + ".id",
                    "duplicate event id '" + ev.id + "' (first at " + other.where.format() + ")");
            }
        }
        const YNode* kind = member(e, "kind");
        if (kind == nullptr) {
            r.error(e, path,
                    "an event needs 'kind:' (export_control, licence_delay, "
                    "supply_disruption, export_halt, tariff, agreement, "
                    "capacity_change or demand_shock)");
            return false;
        }
        if (!parse_event_kind(kind->scalar, ev.kind)) {
            // With a close guess, the rest of the event is checked as that kind, so a slip in
            // the kind does not hide the event's other errors.
            const std::string guess = closest_match(kind->scalar, event_kind_names());
            const bool checked_as_guess = !guess.empty() && parse_event_kind(guess, ev.kind);
            r.error(*kind, path + ".kind",
                    "unknown event kind '" + kind->scalar + "'" +
                        (checked_as_guess ? " (did you mean '" + guess +
                                                "'? the rest of the event is checked as one)"
                                          : ""));
            if (!checked_as_guess) {
                return false;
            }
        }
        r.check_keys(e, path, event_keys_of(to_string(ev.kind)));
        return true;
    }

    /// `probability:`, the start, when the event and its end became known, and the end.
    void read_dates() {
        read_start();
        read_when_known();
        read_end();
    }

    /// `probability:` and the start: `start:`, or an export halt's `holiday:`.
    void read_start() {
        if (const YNode* p = member(e, "probability")) {
            if (auto q = r.quantity(*p, path + ".probability")) {
                r.check_range(*q, *p, path + ".probability", 0.0, 1.0, "a probability");
                ev.probability = *q;
            }
        }
        // export_halt: `holiday: Spring Festival 2025` takes the dates of an official holiday
        // from the working calendar of the halted node's country.
        holiday = ev.kind == EventKind::export_halt ? member(e, "holiday") : nullptr;
        if (holiday != nullptr) {
            auto in_range = [this](const Quantity& q, const YNode& at_node,
                                   const std::string& at_path,
                                   bool is_end) { in_horizon(q, at_node, at_path, is_end); };
            read_holiday_dates(e, *holiday, path, r, s, ev, in_range);
        } else if (const YNode* st = member(e, "start")) {
            if (auto q = r.quantity(*st, path + ".start", true)) {
                in_horizon(*q, *st, path + ".start", false);
                ev.start = *q;
            }
        } else {
            r.error(e, path,
                    "an event needs 'start:' (a date YYYY-MM-DD or a distribution of "
                    "dates)");
        }
    }

    /// `announced:`, `end_announced:`, `sized_on:` and `expected_duration_days:`, for backtests.
    void read_when_known() {
        // When the event became known: a date, by default its start (the earliest start an
        // uncertain one can take).
        if (const YNode* a = member(e, "announced")) {
            if (auto d = r.date(*a, path + ".announced")) {
                ev.announced = *d;
                ev.has_announced = true;
            }
        }
        end_announced = member(e, "end_announced");
        if (end_announced != nullptr) {
            if (auto d = r.date(*end_announced, path + ".end_announced")) {
                ev.end_announced = *d;
                ev.has_end_announced = true;
            }
        }
        sized_on = member(e, "sized_on");
        if (sized_on != nullptr) {
            if (auto d = r.date(*sized_on, path + ".sized_on")) {
                ev.sized_on = *d;
                ev.has_sized_on = true;
            }
        }
        // How long the event was expected to last while its end was not yet known.
        const YNode* expected = member(e, "expected_duration_days");
        if (expected != nullptr) {
            if (auto q = r.quantity(*expected, path + ".expected_duration_days")) {
                r.check_range(*q, *expected, path + ".expected_duration_days", 0.0, INFINITY,
                              "a duration");
                if (q->kind == Quantity::Kind::parameter) {
                    // A parameter is one value per trial: it cannot be drawn again on the
                    // condition that the event is still in force at the origin.
                    r.error(*expected, path + ".expected_duration_days",
                            "give a number of days or a distribution ({dist: ...}), not a "
                            "parameter: the length is drawn again until the event is still in "
                            "force at the backtest's origin, and a parameter has one value a "
                            "trial (a distribution's arguments may be parameters)");
                }
                ev.has_expected_duration = true;
                ev.expected_duration_days = *q;
            }
            if (end_announced == nullptr) {
                r.error(*expected, path + ".expected_duration_days",
                        "'expected_duration_days:' is how long the event was expected to last "
                        "before its end was announced: give 'end_announced:' too");
            }
        }
    }

    /// The end, `end:` or `duration_days:` (an export halt's `holiday:` gave it already), and
    /// `hazard_per_year:`, a risk rather than a date.
    void read_end() {
        end = holiday != nullptr ? nullptr : member(e, "end");
        duration = holiday != nullptr ? nullptr : member(e, "duration_days");
        if (end != nullptr && duration != nullptr) {
            r.error(*duration, path + ".duration_days",
                    "give 'end:' or 'duration_days:', not both");
        } else if (end != nullptr) {
            if (auto q = r.quantity(*end, path + ".end", true)) {
                in_horizon(*q, *end, path + ".end", true);
                if (ev.start.is_constant() && q->is_constant() && q->value <= ev.start.value) {
                    r.error(*end, path + ".end", "the end must be after the start");
                }
                ev.has_end = true;
                ev.end = *q;
            }
        } else if (duration != nullptr) {
            if (auto q = r.quantity(*duration, path + ".duration_days")) {
                r.check_range(*q, *duration, path + ".duration_days", 0.0, INFINITY, "a duration");
                ev.has_duration = true;
                ev.duration_days = *q;
            }
        }
        // A risk rather than a date: an exponential wait from a fixed start.
        if (const YNode* h = holiday != nullptr ? nullptr : member(e, "hazard_per_year")) {
            if (auto q = r.quantity(*h, path + ".hazard_per_year")) {
                r.check_range(*q, *h, path + ".hazard_per_year", 0.0, 50.0,
                              "a rate per year (0 to 50)");
                if (!ev.start.is_constant()) {
                    r.error(*h, path + ".hazard_per_year",
                            "a hazard counts from a fixed start: give 'start:' as a date "
                            "(YYYY-MM-DD), not a distribution");
                }
                if (end != nullptr) {
                    r.error(*h, path + ".hazard_per_year",
                            "a hazard's start is drawn: give its length as 'duration_days:', not "
                            "'end:'");
                }
                ev.has_hazard = true;
                ev.hazard_per_year = *q;
            }
        }
    }

    void in_horizon(const Quantity& q, const YNode& at_node, const std::string& at_path,
                    bool is_end) {
        const auto params = r.parameter_distributions();
        const double lo = q.lower(params);
        const double hi = q.upper(params);
        const double last = static_cast<double>(s.end) + (is_end ? 1.0 : 0.0);
        if (lo < static_cast<double>(s.start) || hi > last) {
            r.error(at_node, at_path,
                    "date outside the scenario's horizon " + format_date(s.start) + " to " +
                        format_date(s.end) +
                        (q.is_constant() ? ": " + format_date(static_cast<Day>(q.value)) : ""));
        }
    }

    // --- What each kind needs.

    void read_export_control() {
        if (const YNode* x = required("exporter")) {
            ev.exporter = read_country(r, net, *x, path + ".exporter");
            // Controls on one lane compose (2^n - 1 kinds of application a shipment).
            const auto same =
                std::count_if(s.events.begin(), s.events.end(), [&](const EventSpec& o) {
                    return o.kind == EventKind::export_control && o.exporter == ev.exporter;
                });
            if (!ev.exporter.empty() && same >= MAX_EXPORT_CONTROLS_PER_EXPORTER) {
                r.error(*x, path + ".exporter",
                        "at most " + std::to_string(MAX_EXPORT_CONTROLS_PER_EXPORTER) +
                            " export_control events per exporter; use licence_delay or "
                            "agreement events to change an existing control");
            }
        }
        products(true);
        destinations();
        if (const YNode* el = member(e, "elements")) {
            ev.elements = r.string_list(*el, path + ".elements");
            // The symbols come from the model's material file (docs/materials.md).
            const std::vector<std::string>& symbols = s.material.elements;
            for (const auto& sym : ev.elements) {
                if (symbols.empty()) {
                    r.error(*el, path + ".elements",
                            "the model names no material file with element symbols "
                            "(material: in the model, elements: in that file), so '" +
                                sym + "' cannot be checked");
                    break;
                }
                if (std::find(symbols.begin(), symbols.end(), sym) == symbols.end()) {
                    const std::string guess = closest_match(sym, symbols);
                    r.error(*el, path + ".elements",
                            "'" + sym + "' is not an element symbol of " + s.material.name + " (" +
                                s.material.path + ")" +
                                (guess.empty() ? "" : "; did you mean '" + guess + "'?"));
                }
            }
        }
        ev.has_share = unit_quantity("share", ev.share, 0.0, 1.0, "a share");
        approval();
        if (!ev.has_approval_delay) {
            required("approval_delay");
        }
        if (!ev.has_approval_rate) {
            required("approval_rate");
        }
    }

    /// A licence_delay or an agreement: a change to an earlier export control.
    void read_control_change() {
        control_ref();
        destinations();
        products(false);
        ev.has_share = unit_quantity("share", ev.share, 0.0, 1.0, "a share");
        approval();
        if (ev.kind == EventKind::agreement) {
            if (const YNode* l = member(e, "lifts")) {
                ev.lifts = r.boolean(*l, path + ".lifts").value_or(false);
            }
        }
        if (const YNode* p = member(e, "pending")) {
            ev.redecide_pending =
                read_second_choice(r, *p, path + ".pending",
                                   {"keep", "applications already filed keep their decision"},
                                   {"redecide", "they are decided again under the new regime"});
        }
        if (!ev.lifts && !ev.has_approval_delay && !ev.has_approval_rate && !ev.has_share) {
            r.error(e, path,
                    kind_with_article() +
                        " event needs 'approval_delay:', 'approval_rate:' or 'share:'" +
                        (ev.kind == EventKind::agreement ? " (or 'lifts: true')" : ""));
        }
    }

    void read_disruption_or_shock() {
        const bool disruption = ev.kind == EventKind::supply_disruption;
        if (const YNode* n = disruption ? required("nodes") : member(e, "nodes")) {
            ev.nodes = read_nodes(r, net, *n, path + ".nodes");
            for (int idx : ev.nodes) {
                const Node& nd = net.nodes()[static_cast<std::size_t>(idx)];
                if (!disruption && nd.kind != NodeKind::buyer) {
                    r.error(*n, path + ".nodes",
                            "'" + nd.id +
                                "' is not a buyer; a demand shock applies to "
                                "buyers");
                }
                if (disruption && nd.kind == NodeKind::buyer) {
                    r.error(*n, path + ".nodes", "'" + nd.id + "' is a buyer; use a demand_shock");
                }
            }
        }
        products(false);
        if (const YNode* cut = disruption ? member(e, "cuts") : nullptr) {
            ev.cuts_shipments = read_second_choice(
                r, *cut, path + ".cuts", {"production", "the nodes make less"},
                {"shipments", "less leaves the nodes; what they make waits in their stock"});
        }
        // A cut of shipments caps each lane at its baseline flow or less: above 1 it
        // would cap only surges, which is no disruption.
        if (required("factor") != nullptr) {
            unit_quantity("factor", ev.factor, 0.0, ev.cuts_shipments ? 1.0 : INFINITY,
                          ev.cuts_shipments ? "a factor of shipments (0 to 1)" : "a factor");
        }
        if (const YNode* sp = member(e, "stockpile")) {
            ev.stockpile = r.boolean(*sp, path + ".stockpile").value_or(false);
        }
        if (const YNode* list = member(e, "products")) {
            check_products_on_nodes(r, *list, path + ".products", net, ev);
        }
    }

    void read_export_halt() {
        if (const YNode* f = required("from")) {
            ev.from_node = lookup_node(r, net.nodes(), *f, path + ".from");
        }
        if (const YNode* t = member(e, "to")) {
            ev.to_node = lookup_node(r, net.nodes(), *t, path + ".to");
        }
        if (const YNode* sn = member(e, "seasonal")) {
            ev.seasonal = r.boolean(*sn, path + ".seasonal").value_or(false);
        }
        products(false);
        if (ev.from_node >= 0) {
            bool any = false;
            for (const auto& edge : net.edges()) {
                any =
                    any || (edge.from == ev.from_node && (ev.to_node < 0 || edge.to == ev.to_node));
            }
            if (!any) {
                r.error(
                    e, path,
                    "no edge of the model runs from '" +
                        net.nodes()[static_cast<std::size_t>(ev.from_node)].id + "'" +
                        (ev.to_node >= 0
                             ? " to '" + net.nodes()[static_cast<std::size_t>(ev.to_node)].id + "'"
                             : ""));
            }
        }
    }

    void read_tariff() {
        if (const YNode* x = required("importer")) {
            ev.importer = read_country(r, net, *x, path + ".importer");
        }
        if (const YNode* x = required("exporter")) {
            ev.exporter = read_country(r, net, *x, path + ".exporter");
        }
        products(false);
        if (required("rate") != nullptr) {
            unit_quantity("rate", ev.rate, 0.0, 100.0, "a tariff rate (0.25 = 25%)");
        }
        unit_quantity("elasticity", ev.elasticity, 0.0, 10.0, "an elasticity");
    }

    void read_capacity_change() {
        if (const YNode* n = required("nodes")) {
            ev.nodes = read_nodes(r, net, *n, path + ".nodes");
        }
        products(true);
        if (required("change") != nullptr) {
            unit_quantity("change", ev.change, -1e12, 1e12, "a change (" + r.per_month() + ")");
        }
        for (int idx : ev.nodes) {
            for (int p : ev.products) {
                const bool has =
                    net.find_line(idx, p) >= 0 ||
                    (net.nodes()[static_cast<std::size_t>(idx)].kind == NodeKind::buyer &&
                     net.find_input(idx, p) >= 0);
                if (!has) {
                    r.error(e, path,
                            "'" + net.nodes()[static_cast<std::size_t>(idx)].id +
                                "' neither makes nor buys " +
                                net.products()[static_cast<std::size_t>(p)].id);
                }
            }
        }
    }

    // --- Keys shared by several kinds.

    /// The key, or an error that the event's kind needs it, unless the event has a misspelling
    /// of it (its unknown-key error already says "did you mean"; one slip, one error).
    const YNode* required(const char* key) {
        const YNode* v = member(e, key);
        if (v == nullptr && !misspelt(key)) {
            r.error(e, path, kind_with_article() + " event needs '" + key + ":'");
        }
        return v;
    }
    /// "an export_control", "a tariff".
    std::string kind_with_article() const {
        const std::string kind = to_string(ev.kind);
        return (std::string("aeiou").find(kind[0]) != std::string::npos ? "an " : "a ") + kind;
    }
    /// Whether the event has a key its kind does not know that is closest to `key`.
    bool misspelt(const char* key) const {
        const std::vector<std::string> known = event_keys_of(to_string(ev.kind));
        for (const auto& [k, value] : e.map) {
            if (std::find(known.begin(), known.end(), k) == known.end() &&
                closest_match(k, known) == key) {
                return true;
            }
        }
        return false;
    }
    bool unit_quantity(const char* key, Quantity& out, double lo, double hi,
                       const std::string& what) {
        if (const YNode* v = member(e, key)) {
            if (auto q = r.quantity(*v, path + "." + key)) {
                r.check_range(*q, *v, path + "." + key, lo, hi, what);
                out = *q;
                return true;
            }
        }
        return false;
    }
    void approval() {
        if (const YNode* v = member(e, "approval_delay")) {
            if (auto d = r.distribution(*v, path + ".approval_delay")) {
                const auto params = r.parameter_distributions();
                if (d->lower(params) < 0.0) {
                    r.error(*v, path + ".approval_delay",
                            "an approval delay (working days) cannot be negative; use a "
                            "lognormal, or bounds at or above 0");
                }
                ev.has_approval_delay = true;
                ev.approval_delay = *d;
            }
        }
        ev.has_approval_rate =
            unit_quantity("approval_rate", ev.approval_rate, 0.0, 1.0, "an approval rate");
    }
    void control_ref() {
        if (const YNode* c = required("control")) {
            const std::string id = c->scalar;
            for (std::size_t k = 0; k < s.events.size(); ++k) {
                if (s.events[k].id == id && s.events[k].kind == EventKind::export_control) {
                    ev.control = static_cast<int>(k);
                }
            }
            if (ev.control < 0) {
                std::vector<std::string> ids;
                for (const auto& x : s.events) {
                    if (x.kind == EventKind::export_control) {
                        ids.push_back(x.id);
                    }
                }
                const std::string guess = closest_match(id, ids);
                r.error(*c, path + ".control",
                        "no export_control event '" + id + "' earlier in the list" +
                            (guess.empty() ? "" : " (did you mean '" + guess + "'?)"));
            }
        }
    }
    void destinations() {
        if (const YNode* d = member(e, "destinations")) {
            for (std::size_t k = 0; k < (d->is_sequence() ? d->sequence.size() : 1); ++k) {
                const YNode& item = d->is_sequence() ? d->sequence[k] : *d;
                ev.destinations.push_back(read_country(r, net, item, path + ".destinations"));
            }
        }
    }
    void products(bool needed) {
        if (const YNode* p = needed ? required("products") : member(e, "products")) {
            ev.products = read_products(r, net, *p, path + ".products");
        }
    }

    Reader& r;
    const Scenario& s;
    const Network& net;
    const YNode& e;
    std::string path;  ///< events.<id> once the id is read, events[i] before
    EventSpec ev;
    // The keys whose presence later checks need.
    const YNode* holiday = nullptr;
    const YNode* end_announced = nullptr;
    const YNode* sized_on = nullptr;
    const YNode* end = nullptr;
    const YNode* duration = nullptr;
};

}  // namespace

void read_events(const YNode* node, Reader& r, Scenario& s) {
    if (node == nullptr || node->kind == YNode::Kind::null) {
        return;
    }
    if (!r.expect_sequence(*node, "events")) {
        return;
    }
    for (std::size_t i = 0; i < node->sequence.size(); ++i) {
        const YNode& e = node->sequence[i];
        if (!r.expect_map(e, at("events", i))) {
            continue;
        }
        if (auto ev = EventReader(r, s, e, i).read()) {
            s.events.push_back(std::move(*ev));
        }
    }
}

}  // namespace chokepoint::detail
