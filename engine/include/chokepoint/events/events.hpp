#pragma once
/// The timeline of a scenario: dated events as written (with uncertain numbers), and the same
/// events resolved for one trial (plain numbers and days).
#include <limits>
#include <string>
#include <vector>

#include "chokepoint/core/calendar.hpp"
#include "chokepoint/core/diagnostics.hpp"
#include "chokepoint/random/quantity.hpp"

namespace chokepoint {

enum class EventKind {
    export_control,     ///< shipments of products to destinations need licences
    licence_delay,      ///< new approval delay and approval rate for an export control
    supply_disruption,  ///< a node's capacity factor over a period
    export_halt,        ///< a flow stops
    tariff,             ///< importer's tariff on an exporter's goods; demand responds
    agreement,          ///< eases (new approval rate/delay) or lifts an export control
    capacity_change,    ///< new or lost capacity; for a buyer, substitution that lowers demand
    demand_shock,       ///< a buyer's demand factor over a period (front-loading, slumps)
};
const char* to_string(EventKind kind);
/// nullopt-like: returns false when `text` names no event kind.
bool parse_event_kind(const std::string& text, EventKind& out);
/// All event kind names, for "did you mean".
std::vector<std::string> event_kind_names();

inline constexpr Day NEVER = std::numeric_limits<Day>::max();

/// One event as written in a scenario file, with indices into the network resolved.
struct EventSpec {
    std::string id;
    EventKind kind = EventKind::export_control;
    SourceLocation where;
    Quantity probability = Quantity::constant_value(1.0);  ///< chance it happens at all
    Quantity start;                                        ///< day number (may be uncertain)
    /// The day the event became known (`announced:`; default: the earliest start). A backtest
    /// from an origin keeps only the events announced by then.
    Day announced = 0;
    bool has_announced = false;
    /// The day the event's end became known (`end_announced:`; default: when the event did). A
    /// backtest from an earlier origin runs the event without its end (in force until further
    /// notice, as an analyst then would have had it).
    Day end_announced = 0;
    bool has_end_announced = false;
    /// The day the event's size (its factor, share, approval delay and rate: what it does, as
    /// written) became known (`sized_on:`; default: when the event did). The sources often
    /// measure an event after the fact; a backtest from an earlier origin still runs it at the
    /// size written, and says so.
    Day sized_on = 0;
    bool has_sized_on = false;
    /// Set by a backtest (known_by) before `end_announced`: the end is still drawn, so the
    /// event's other draws stay as they are, but not applied: the event runs for its expected
    /// duration if it has one, or else to the horizon.
    bool end_unknown = false;
    /// With `end_unknown`: the origin's last day, on which the event was (as far as was known)
    /// still in force; an expected duration is drawn on that condition.
    Day in_force_on = 0;
    /// How long the event was expected to last before its end was announced
    /// (`expected_duration_days:`, with `end_announced:`). Drawn last, and only while the end is
    /// unknown, so the event's other draws and every run that knows the end are unchanged.
    bool has_expected_duration = false;
    Quantity expected_duration_days;
    bool has_end = false;
    Quantity end;  ///< day number, exclusive; or
    bool has_duration = false;
    Quantity duration_days;
    /// A risk rather than a dated event (`hazard_per_year:`): it starts after an exponential
    /// wait from `start` (then a fixed date) at this rate per year, or not within the horizon.
    /// The wait is memoryless, so a backtest moves `start` to its origin (known_by).
    bool has_hazard = false;
    Quantity hazard_per_year;

    // Targets. Empty lists mean "all".
    std::string exporter;                   ///< country (export_control, tariff)
    std::string importer;                   ///< country (tariff)
    std::vector<int> products;              ///< product indices
    std::vector<std::string> destinations;  ///< countries
    std::vector<std::string> elements;      ///< element symbols (documentation of a control)
    std::vector<int> nodes;                 ///< node indices (disruption, capacity, demand)
    int from_node = -1;                     ///< export_halt origin
    std::string holiday;                    ///< export_halt: the official holiday it spans
    bool seasonal = false;  ///< export_halt: comes every year (`seasonal:`, or a holiday)
    int to_node = -1;       ///< export_halt destination; -1 = all destinations
    int control = -1;       ///< index of the export_control event referred to

    // Magnitudes.
    bool has_share = false;
    Quantity share;  ///< share of tonnes needing a licence; default the product's share
    bool has_approval_delay = false;
    DistributionSpec approval_delay;  ///< working days, drawn for each licence application
    bool has_approval_rate = false;
    Quantity approval_rate;
    bool lifts = false;  ///< agreement: ends the control
    /// licence_delay, agreement: applications still waiting are decided again under the new
    /// regime, their delay counted from the day they were filed (`pending: redecide`).
    bool redecide_pending = false;
    bool stockpile = false;  ///< demand_shock: the factor multiplies target stock, not use
    /// supply_disruption (`cuts: shipments`): the factor limits what leaves the nodes on each lane
    /// (a closed border, flooded roads), not what they make; output they cannot ship stays in
    /// their stock and leaves when the disruption ends.
    bool cuts_shipments = false;
    Quantity factor = Quantity::constant_value(1.0);      ///< disruption, demand shock
    Quantity rate = Quantity::constant_value(0.0);        ///< tariff, ad valorem
    Quantity elasticity = Quantity::constant_value(0.3);  ///< tariff: price elasticity of demand
    Quantity change = Quantity::constant_value(0.0);      ///< capacity_change, t/month
};

/// One event in one trial.
struct ResolvedEvent {
    bool happens = false;
    Day start = 0;
    Day end = NEVER;      ///< exclusive
    double share = -1.0;  ///< negative: use the product's controlled share
    bool has_approval_delay = false;
    Distribution approval_delay;
    double approval_rate = -1.0;  ///< negative: unchanged
    double factor = 1.0;
    double rate = 0.0;
    double elasticity = 0.0;
    double change = 0.0;
    bool active(Day day) const { return happens && day >= start && day < end; }
};

/// Resolves every event for one trial. Each event draws from its own sub-stream derived from
/// (events_seed, position of the event), so adding or editing one event leaves the draws of every
/// other event unchanged.
std::vector<ResolvedEvent> resolve_events(const std::vector<EventSpec>& specs,
                                          const std::vector<double>& parameters,
                                          std::uint64_t events_seed);

}  // namespace chokepoint
