#include <stdexcept>
#include <string>
#include <vector>

#include "chokepoint/scenario/schema.hpp"

namespace chokepoint {

namespace {

using T = KeyType;

// The one table of keys. The loader refuses any key not listed for the object it reads
// (Reader::check_keys(keys_of(...))), and json_schema() builds the editors' schemas from it.
// docs/scenario-reference.md explains each key at length.
const std::vector<ObjectSpec>& tables() {
    static const std::vector<ObjectSpec> all = {
        {"scenario",
         "A scenario: a model, a horizon and dated events (docs/scenario-reference.md).",
         {
             {"name", T::text, "", "A plain word naming the scenario (the results directory)."},
             {"description", T::text, "", "One line on what the scenario asks."},
             {"extends", T::text, "",
              "Another scenario file this one builds on; its keys and events are kept unless "
              "redefined here."},
             {"model", T::text, "", "The model file, relative to this file."},
             {"start", T::date, "", "First day simulated (YYYY-MM-DD)."},
             {"horizon", T::month, "", "The last month simulated (YYYY-MM)."},
             {"time_step_days", T::integer, "", "Days per tick (default 1)."},
             {"trials", T::integer, "", "Monte Carlo trials (default 1000)."},
             {"seed", T::integer, "", "Seed of the random streams (default 1)."},
             {"time_to_shortage_from", T::date, "",
              "The reference day shortages count from (default: the first export control this "
              "file defines)."},
             {"demand_noise", T::object, "noise", "Monthly noise on buyers' demand."},
             {"supply_noise", T::object, "noise", "Monthly noise on sources' output."},
             {"parameters", T::parameters, "",
              "Named uncertain inputs, used as $name; redefining one replaces the model's."},
             {"events", T::events, "", "Dated events: export controls, halts, tariffs, ..."},
             {"source", T::text, "", "Where the scenario's facts come from."},
             {"note", T::text, "", "Free text."},
         },
         {}},
        {"model",
         "A model: products, the supply network (nodes and edges) and its parameters.",
         {
             {"name", T::text, "", "The model's name."},
             {"description", T::text, "", "What the model covers."},
             {"adjust_days", T::number, "",
              "Days over which stock and flows adjust toward their targets (default 30)."},
             {"demand_noise", T::object, "noise", "Monthly noise on buyers' demand."},
             {"supply_noise", T::object, "noise", "Monthly noise on sources' output."},
             {"parameters", T::parameters, "", "Named uncertain inputs, used as $name."},
             {"products", T::object_list, "product", "The products traded (concentrate, ...)."},
             {"nodes", T::object_list, "node", "Sources, processors and buyers."},
             {"edges", T::object_list, "edge", "Trade lanes with their baseline flows."},
             {"demand_trend", T::object, "demand_trend",
              "Buyers' demand growing by an uncertain annual rate per product."},
             {"stock_policy", T::object, "stock_policy",
              "How buyers set stock targets under export controls and after shortages."},
             {"exporter_policy", T::object, "exporter_policy",
              "How exporters answer a growing licence backlog."},
             {"diversion", T::object, "diversion",
              "Demand a tariff destroys or licences refuse at one buyer reappearing at the "
              "others."},
             {"material", T::text, "",
              "The material file (unit, element symbols, customs series, regions), relative to "
              "this file (docs/materials.md)."},
             {"working_calendars", T::text_map, "",
              "Country: CSV of official holidays and adjusted working days, relative to this "
              "file."},
         },
         {}},
        {"material",
         "A material: the unit its masses are in, the element symbols an export control may "
         "list, the customs series reported figures are compared under, and the regions they "
         "name (docs/materials.md).",
         {
             {"name", T::text, "", "The material, as a reader says it (\"rare earths\")."},
             {"description", T::text, "", "What the file covers."},
             {"unit", T::choice, "t|kg",
              "The mass unit of every amount of the model: t (tonnes) or kg (kilograms)."},
             {"elements", T::text_list, "",
              "Element symbols an export control's elements: may list."},
             {"customs_series", T::object_list, "material.customs_series",
              "The customs series the model has a counterpart for."},
             {"region_aliases", T::text_map, "",
              "Other names of regions (ISO 3166 codes, usual English names) -> the model's "
              "country, a region of region_sums, or World."},
             {"region_sums", T::object_list, "material.region_sum",
              "Regions of reported figures that are sums of the model's countries."},
             {"headline", T::object, "material.headline",
              "The series every command leads with: exports of a product from a country."},
             {"page_groups", T::object_list, "material.page_group",
              "Sections of the run page: other products the headline's exporter ships."},
         },
         {"name", "unit"}},
        {"material.headline",
         "The series every command leads with (default: the first product exported, from its "
         "first exporter).",
         {
             {"product", T::text, "", "A product of the model (magnet)."},
             {"exporter", T::text, "", "A country of the model (China)."},
         },
         {}},
        {"material.page_group",
         "A section of the run page: exports to World of these products from the headline's "
         "exporter.",
         {
             {"id", T::text, "", "The section's anchor, a plain word (separation)."},
             {"title", T::text, "",
              "The section's heading (Separation products); the page adds \"exported from\" "
              "and the exporter."},
             {"products", T::text_list, "", "Model product ids."},
         },
         {"id", "title", "products"}},
        {"material.customs_series",
         "A customs series: the series column of reported figures, its metric, and the product "
         "texts it is published under.",
         {
             {"id", T::text, "", "The series column of reported figures (magnet_exports_total)."},
             {"metric", T::choice, "exports|imports", "The model metric it is compared with."},
             {"products", T::object_list, "material.product_text",
              "Product texts as publishers write them, each the sum of model products."},
             {"tariff_code", T::text, "",
              "A tariff code, digits only (85051110): any text naming it and nothing more is "
              "tariff_products."},
             {"tariff_products", T::text_list, "", "The model products the tariff code is."},
         },
         {"id", "metric"}},
        {"material.product_text",
         "A product text as a publisher writes it, and the model products whose sum it is.",
         {
             {"text", T::text, "", "The product column, exactly as written."},
             {"sum_of", T::text_list, "", "Model product ids."},
         },
         {"text", "sum_of"}},
        {"material.region_sum",
         "A region of reported figures that is the sum of model countries (EU-27).",
         {
             {"region", T::text, "", "The region's name."},
             {"countries", T::text_list, "", "The model's countries it sums."},
         },
         {"region", "countries"}},
        {"demand_trend",
         "Buyers' demand grows: the model's figure times (1 + rate)^(years since base:).",
         {
             {"base", T::date, "", "The day the model's demand figures describe (YYYY-MM-DD)."},
             {"growth", T::quantity_map, "",
              "Product: annual growth rate (0.08 = +8% a year), a number, $parameter or "
              "distribution."},
             {"exclude", T::text_list, "", "Buyers whose demand keeps the model's figure."},
         },
         {"base", "growth"}},
        {"stock_policy",
         "Buyers who see risk coming: precautionary stock and restocking (docs/model.md).",
         {
             {"precautionary_share", T::quantity, "",
              "Share of the licence wait a buyer adds to its stock target (0-1; 0 off)."},
             {"catch_up_share", T::quantity, "",
              "Share of the use a shortage left unmet that is made up later (0-1; 0 off)."},
             {"patience_days", T::quantity, "",
              "Calendar days a licence application may wait before the order lapses (default: "
              "for ever)."},
         },
         {}},
        {"exporter_policy",
         "Exporters who file licence applications ahead of shipment and stop making for a lane "
         "whose "
         "licence backlog has grown (docs/model.md).",
         {
             {"backlog_days", T::quantity, "",
              "Days of a lane's controlled flow (baseline flow x licensed share) an exporter lets "
              "wait for licences before it stops making and shipping it (default: no limit)."},
             {"filing_lead_days", T::quantity, "",
              "Working days before a contract starts that its licence application is filed: an "
              "order of the buyer's regular flow ships at once if its contract's licence was "
              "approved by then, else on the approval (default: 0, each order waits for its own "
              "decision)."},
             {"licence_validity_days", T::quantity, "",
              "Days a contract licence runs; contracts are renewed evenly over time, so an order's "
              "contract started up to this long before it (default: 0)."},
             {"licence_batch_days", T::quantity, "",
              "Days of a lane's orders that share one licence application, decided as one "
              "(default: 1, an application a day)."},
         },
         {}},
        {"diversion",
         "Trade that finds other routes: a share of the demand a tariff destroys at one buyer, or "
         "of the orders its licences refuse beyond what every buyer faces, reappears at the "
         "other buyers of the product (docs/model.md).",
         {
             {"share", T::quantity, "",
              "Share of the destroyed or refused demand that reappears (0-1; 0 off), drawn once "
              "per trial."},
             {"exclude", T::text_list, "", "Buyers that never receive diverted demand."},
         },
         {"share"}},
        {"noise",
         "Monthly noise: a factor with this sd, correlated month to month and across nodes.",
         {
             {"sd", T::number, "", "Standard deviation of the monthly factor."},
             {"monthly_correlation", T::number, "", "Correlation of one month with the next."},
             {"common_share", T::number, "", "Share of the variance common to all nodes."},
         },
         {}},
        {"product",
         "A product of the network.",
         {
             {"id", T::text, "", "The product's id (concentrate, oxide, metal, magnet, ...)."},
             {"description", T::text, "", "What it is."},
             {"controlled_share", T::quantity, "",
              "Share of its tonnage an export control on listed elements covers (0-1)."},
         },
         {"id"}},
        {"node",
         "A mine or feedstock source, a processor, or a buyer.",
         {
             {"id", T::text, "", "The node's id, used by edges and events."},
             {"name", T::text, "", "A readable name (default: the id)."},
             {"country", T::text, "", "The country, by its English short name."},
             {"kind", T::choice, "source|processor|buyer", "What the node does."},
             {"production", T::object_list, "production_line", "What a node produces."},
             {"inputs", T::object_list, "input", "What a processor or buyer uses."},
             {"source", T::text, "", "Where the figures come from."},
             {"note", T::text, "", "Free text."},
         },
         {"id", "country", "kind"}},
        {"production_line",
         "One product a node makes.",
         {
             {"product", T::text, "", "The product made."},
             {"capacity", T::quantity, "",
              "Capacity per month, in the material's unit (t unless it says kg)."},
             {"feed_per_tonne", T::number, "", "Units of input per unit made."},
             {"cover_days", T::number, "", "Days of output held as finished stock (default 30)."},
             {"source", T::text, "", "Where the figures come from."},
         },
         {"product"}},
        {"input",
         "One product a processor or buyer uses.",
         {
             {"product", T::text, "", "The product used."},
             {"demand", T::quantity, "", "A buyer's use per month, in the material's unit."},
             {"feed_yield", T::number, "", "A processor's units out per unit in."},
             {"per_tonne", T::number, "",
              "A processor's ingredient (not feed): units used per unit made, on average."},
             {"needed_by", T::number, "",
              "Share of the output that cannot be made without the ingredient (default 1)."},
             {"cover_days", T::number, "", "Days of use the node aims to hold (default 30)."},
             {"stock", T::number, "", "Amount held at the start (the material's unit)."},
             {"source", T::text, "", "Where the figures come from."},
         },
         {"product"}},
        {"edge",
         "A trade lane with its baseline flow.",
         {
             {"from", T::text, "", "The exporting node's id."},
             {"to", T::text, "", "The importing node's id."},
             {"product", T::text, "", "The product shipped."},
             {"flow", T::number, "", "Baseline flow per month, in the material's unit."},
             {"lead_time_days", T::integer, "", "Days from shipment to arrival."},
             {"source", T::text, "", "Where the figures come from."},
             {"note", T::text, "", "Free text."},
         },
         {"from", "to", "product", "flow", "lead_time_days"}},
        {"event",
         "The keys every event has.",
         {
             {"id", T::text, "", "A short name, used by --set and by other events."},
             {"kind", T::choice, "", "What the event does."},
             {"description", T::text, "", "One line on the event."},
             {"source", T::text, "", "Where the event comes from."},
             {"note", T::text, "", "Free text (ASSUMPTION notes)."},
             {"probability", T::quantity, "", "Chance it happens at all (default 1)."},
             {"start", T::date_quantity, "", "The day it starts (a date or a distribution)."},
             {"end", T::date_quantity, "", "The day it ends (exclusive)."},
             {"duration_days", T::quantity, "", "Its length in days (instead of end:)."},
             {"announced", T::date, "",
              "The day it became known (default: its start); backtests keep only events "
              "announced by their origin."},
             {"end_announced", T::date, "",
              "The day its end became known (default: when the event did); backtests from "
              "earlier origins do not use its end: it lasts expected_duration_days if given, "
              "else to the horizon."},
             {"sized_on", T::date, "",
              "The day its size (what it does, as written) became known, when the sources "
              "measured it after it was announced; backtests from earlier origins still run it "
              "at that size and list it as sized later."},
             {"expected_duration_days", T::quantity, "",
              "How long it was expected to last before end_announced (days, often a "
              "distribution); backtests from earlier origins end it after this instead of "
              "running it to the horizon."},
             {"hazard_per_year", T::quantity, "",
              "A risk, not a date: the event starts after a random wait from start: (an "
              "exponential wait, this many times a year on average); a backtest counts the "
              "wait from its origin."},
         },
         {"id", "kind"}},
        {"event.export_control",
         "An export control: exports of listed products need a licence.",
         {
             {"exporter", T::text, "", "The country that controls its exports."},
             {"products", T::text_list, "", "The products controlled."},
             {"elements", T::text_list, "", "The elements listed (Sm, Gd, Tb, Dy, ...)."},
             {"destinations", T::text_list, "", "The destinations covered (default: all)."},
             {"share", T::quantity, "", "Share of the tonnage that needs a licence (0-1)."},
             {"approval_delay", T::distribution, "",
              "Working days from a licence application to its decision."},
             {"approval_rate", T::quantity, "", "Share of licence applications approved (0-1)."},
         },
         {"exporter", "products", "approval_delay", "approval_rate"}},
        {"event.licence_delay",
         "A change to an export control's licence regime.",
         {
             {"control", T::text, "", "The export control's id."},
             {"destinations", T::text_list, "", "The destinations it applies to."},
             {"products", T::text_list, "", "The products it applies to."},
             {"share", T::quantity, "", "New share that needs a licence."},
             {"approval_delay", T::distribution, "", "New approval delay (working days)."},
             {"approval_rate", T::quantity, "", "New approval rate (0-1)."},
             {"pending", T::choice, "keep|redecide",
              "Whether licence applications already filed keep their decision."},
         },
         {"control"}},
        {"event.agreement",
         "An agreement that eases or lifts an export control.",
         {
             {"control", T::text, "", "The export control's id."},
             {"destinations", T::text_list, "", "The destinations it applies to."},
             {"products", T::text_list, "", "The products it applies to."},
             {"lifts", T::boolean, "", "True when the control is lifted."},
             {"share", T::quantity, "", "New share that needs a licence."},
             {"approval_delay", T::distribution, "", "New approval delay (working days)."},
             {"approval_rate", T::quantity, "", "New approval rate (0-1)."},
             {"pending", T::choice, "keep|redecide",
              "Whether licence applications already filed keep their decision."},
         },
         {"control"}},
        {"event.supply_disruption",
         "Output of some nodes falls to a factor of normal.",
         {
             {"nodes", T::text_list, "", "The nodes disrupted."},
             {"products", T::text_list, "", "The products affected (default: all)."},
             {"factor", T::quantity, "",
              "Output (or, with cuts: shipments, what leaves on each lane) as a share of "
              "normal (0-1)."},
             {"cuts", T::choice, "production|shipments",
              "'production' (the nodes make less; the default) or 'shipments' (less leaves "
              "them on each lane; what they make waits in their stock)."},
         },
         {"nodes", "factor"}},
        {"event.export_halt",
         "Shipments from a node (to one node) stop.",
         {
             {"from", T::text, "", "The node whose shipments stop."},
             {"to", T::text, "", "Only shipments to this node (default: all)."},
             {"products", T::text_list, "", "The products halted (default: all)."},
             {"holiday", T::text, "",
              "An official holiday from the exporter's working calendar, e.g. 'Spring Festival "
              "2025' (instead of start: and end:); the halt is seasonal."},
             {"seasonal", T::boolean, "",
              "A halt that comes every year (a festival whose dates the calendar does not give "
              "yet): the headline's trough leaves its months out."},
         },
         {"from"}},
        {"event.tariff",
         "An import tariff that cuts demand by rate x elasticity.",
         {
             {"importer", T::text, "", "The importing country."},
             {"exporter", T::text, "", "The exporting country."},
             {"products", T::text_list, "", "The products taxed (default: all)."},
             {"rate", T::quantity, "", "The tariff rate (0.25 for 25%)."},
             {"elasticity", T::quantity, "", "Fall in imports per unit of rate."},
         },
         {"importer", "exporter", "rate"}},
        {"event.capacity_change",
         "New or lost capacity at some nodes.",
         {
             {"nodes", T::text_list, "", "The nodes whose capacity changes."},
             {"products", T::text_list, "", "The products (default: all)."},
             {"change", T::quantity, "",
              "Amount per month added, in the material's unit (negative: removed)."},
         },
         {"nodes", "change"}},
        {"event.demand_shock",
         "Buyers' demand changes by a factor.",
         {
             {"nodes", T::text_list, "", "The buyers."},
             {"products", T::text_list, "", "The products (default: all)."},
             {"factor", T::quantity, "", "Demand as a multiple of normal."},
             {"stockpile", T::boolean, "", "True when the extra demand is stockpiling."},
         },
         {"factor"}},
        {"sweep",
         "A sensitivity sweep: factors, a design and the outputs to rank them by (docs/sweeps.md).",
         {
             {"name", T::text, "", "A plain word naming the sweep (the results directory)."},
             {"description", T::text, "", "One line on what the sweep asks."},
             {"scenario", T::text, "", "The scenario swept, relative to this file."},
             {"set", T::text_map, "", "Fixed overrides, as --set takes them."},
             {"factors", T::object_list, "sweep.factor", "The inputs moved."},
             {"design", T::object, "sweep.design", "How the points are chosen."},
             {"trials", T::integer, "", "Trials per point."},
             {"seed", T::integer, "", "Seed of the points' trials."},
             {"outputs", T::outputs, "", "The answers each point is scored by."},
             {"note", T::text, "", "Free text."},
             {"source", T::text, "", "Where the ranges come from."},
         },
         {"scenario", "factors", "design", "outputs"}},
        {"sweep.factor",
         "One input a sweep moves, by its --set path.",
         {
             {"path", T::text, "", "The input, as --set takes it (see `simulate parameters`)."},
             {"range", T::scalar_list, "", "[low, high]."},
             {"levels", T::scalar_list, "", "The values taken (at least two)."},
             {"from", T::choice, "scenario", "Take the scenario's own distribution."},
             {"base", T::text, "", "The value held while other factors move."},
             {"group", T::text, "", "Factors of a group are reported together."},
             {"note", T::text, "", "Free text."},
         },
         {"path"}},
        {"sweep.design",
         "How a sweep chooses its points.",
         {
             {"type", T::choice, "grid|oat|lhs|morris|sobol", "The design."},
             {"samples", T::integer, "", "Points (lhs), trajectories (morris), base rows (sobol)."},
             {"levels", T::integer, "", "Levels per factor (grid, morris)."},
             {"seed", T::integer, "", "Seed of the design."},
             {"bootstrap", T::integer, "", "Bootstrap resamples for confidence intervals."},
             {"replicates", T::integer, "",
              "Sobol: independent designs of samples/replicates rows; intervals from their "
              "spread."},
         },
         {"type"}},
        {"sweep.series_output",
         "A series of the run's summary, reduced over a period.",
         {
             {"id", T::text, "", "The column name in points.csv."},
             {"metric", T::text, "", "exports, imports, ..."},
             {"product", T::text, "", "The product."},
             {"from", T::text, "", "The exporter."},
             {"to", T::text, "", "The destination (World for all)."},
             {"period", T::text, "", "YYYY-MM..YYYY-MM."},
             {"month", T::text, "", "One month, YYYY-MM."},
             {"stat", T::choice, "sum|mean|min|max", "How months are combined."},
             {"note", T::text, "", "Free text."},
         },
         {"id", "metric", "product", "from", "to"}},
        {"sweep.buyer_output",
         "A buyer's shortage measure.",
         {
             {"id", T::text, "", "The column name in points.csv."},
             {"buyer", T::text, "", "The buyer's node id."},
             {"product", T::text, "", "The product."},
             {"measure", T::choice,
              "shortage_probability|shortage_mass|days_short|time_to_shortage", "The measure."},
             {"note", T::text, "", "Free text."},
         },
         {"id", "buyer"}},
    };
    return all;
}

}  // namespace

const std::vector<ObjectSpec>& input_objects() {
    return tables();
}

const ObjectSpec& input_object(std::string_view name) {
    for (const auto& o : tables()) {
        if (o.name == name) {
            return o;
        }
    }
    throw std::logic_error("no key table for '" + std::string(name) + "'");
}

std::vector<std::string> keys_of(std::string_view name) {
    std::vector<std::string> out;
    for (const auto& k : input_object(name).keys) {
        out.emplace_back(k.name);
    }
    return out;
}

std::vector<std::string> event_keys_of(std::string_view kind) {
    std::vector<std::string> out = keys_of("event");
    for (auto& k : keys_of("event." + std::string(kind))) {
        out.push_back(std::move(k));
    }
    return out;
}

}  // namespace chokepoint
