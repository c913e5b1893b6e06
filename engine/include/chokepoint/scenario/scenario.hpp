#pragma once
/// A scenario: the network it runs on, the calendar, the uncertain parameters and the dated
/// events, validated and immutable. Loaded from YAML (yaml-cpp stays inside scenario/*.cpp).
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "chokepoint/core/calendar.hpp"
#include "chokepoint/core/diagnostics.hpp"
#include "chokepoint/core/working_calendar.hpp"
#include "chokepoint/events/events.hpp"
#include "chokepoint/network/network.hpp"
#include "chokepoint/random/quantity.hpp"
#include "chokepoint/scenario/material.hpp"

namespace chokepoint {

/// Ordinary month-to-month variability: each member's quantity is multiplied by
/// exp(sd * z - sd^2 / 2) (mean 1), z a standard normal AR(1) process by calendar month with the
/// given month-to-month correlation, made of a part common to all members (common_share of the
/// variance) and a part of each member's own. sd 0 turns it off. Used for buyers' demand
/// (`demand_noise`) and for shipments out of feedstock sources (`supply_noise`).
struct MonthlyNoise {
    double sd = 0.0;
    double monthly_correlation = 0.5;
    double common_share = 0.5;
};

/// Buyers' demand that grows (the model's `demand_trend:`): a buyer's use of product p in a
/// month is the model's figure times (1 + growth_p)^((mid-month - base) / 365.25) / (1 + r c),
/// growth_p an uncertain annual rate drawn once per trial, r = ln(1 + growth_p) / 365.25 and c
/// the buyer's cover plus lead time in days (the figure is imports, part of which builds the
/// position as use grows). Products without a rate, and the excluded buyers,
/// keep the model's figure. Off when no product has a rate.
struct DemandTrend {
    Day base = 0;                  ///< the day the model's demand figures describe
    std::vector<int> products;     ///< product indices with a rate
    std::vector<Quantity> growth;  ///< their annual rates (0.08 = +8% a year)
    std::vector<int> excluded;     ///< buyer node indices that keep the model's figure
    bool on() const { return !products.empty(); }
};

/// How buyers set their stock targets (the model's `stock_policy:`; docs/model.md "Buyers who
/// see risk coming"). Both are shares in [0, 1], drawn once per trial; 0 turns each off.
struct StockPolicy {
    /// Precautionary stock: under an export control a buyer adds this share of the licence wait
    /// it faces (expected approval delay x licensed share of its supply) to its target.
    Quantity precautionary_share = Quantity::constant_value(0.0);
    /// Restocking: this share of the use a shortage left unmet is made up later, on top of use,
    /// as supply allows (at most cover_days of use outstanding).
    Quantity catch_up_share = Quantity::constant_value(0.0);
    /// Buyer patience: a licence application still undecided this many calendar days after it
    /// was filed lapses (the order is cancelled, the tonnes go back to the exporter's stock and
    /// the buyer orders again). Off (applications wait for ever) unless given.
    bool has_patience = false;
    Quantity patience_days = Quantity::constant_value(0.0);
};

/// How exporters answer a growing licence backlog (the model's `exporter_policy:`; docs/model.md
/// "Exporters' production"). Off unless given.
struct ExporterPolicy {
    /// An exporter files licence applications on a lane while the tonnes waiting there are under
    /// this many days of the lane's controlled flow (baseline flow x licensed share); beyond it, it
    /// neither makes nor ships the controlled share (the buyer's order stays unfilled and the buyer
    /// keeps ordering).
    bool has_backlog_cap = false;
    Quantity backlog_days = Quantity::constant_value(0.0);
    /// Contract licences (docs/model.md, "Contract licences"): the regular flow of a lane ships
    /// under contracts that run `licence_validity_days` (calendar days) each, renewed evenly over
    /// time, whose applications are filed `filing_lead_days` (working days) before they start;
    /// an order ships at once if its contract's licence was approved by then, else on the
    /// approval. Off (each order files its own application and waits for it) unless given.
    bool has_filing_lead = false;
    Quantity filing_lead_days = Quantity::constant_value(0.0);
    bool has_licence_validity = false;
    Quantity licence_validity_days = Quantity::constant_value(0.0);
    /// Licence batches (docs/model.md, "Licence batches"): the orders of this many days on a
    /// licensed lane share one application (one approval delay, one approval), filed on the
    /// batch's first order. Off (one application a day) unless given.
    bool has_licence_batch = false;
    Quantity licence_batch_days = Quantity::constant_value(1.0);
};

/// Trade that finds other routes (the model's `diversion:`; docs/model.md "Trade that finds
/// other routes"): a share of the demand a tariff destroys at one buyer reappears at the other
/// buyers of the same product (assembly and re-export, components, traders), in proportion to
/// their baseline demand. Off unless given.
struct Diversion {
    bool on = false;
    Quantity share = Quantity::constant_value(0.0);  ///< 0 to 1, drawn once per trial
    std::vector<int> excluded;                       ///< buyer nodes that never receive it
};

/// A validated scenario. A value: copy it, change trials or seed, run it again.
struct Scenario {
    std::string name;
    std::string description;
    std::string path;        ///< the scenario file as given
    std::string model_path;  ///< the model file, resolved
    Network network;
    /// Working calendars by country, from the model's `working_calendars:` (others: weekdays).
    std::map<std::string, WorkingCalendar> working_calendars;
    std::vector<Parameter> parameters;
    std::vector<EventSpec> events;
    Day start = 0;              ///< first simulated day
    Day end = 0;                ///< last simulated day (inclusive)
    int step_days = 1;          ///< tick length
    double adjust_days = 30.0;  ///< how fast stocks are brought back to target
    MonthlyNoise demand_noise;  ///< from the model, replaced by the scenario's if given
    /// Lumpy shipping out of sources, same rules; off unless the model or scenario sets it.
    MonthlyNoise supply_noise{0.0, 0.0, 0.0};
    DemandTrend demand_trend;        ///< from the model
    StockPolicy stock_policy;        ///< from the model
    ExporterPolicy exporter_policy;  ///< from the model
    Diversion diversion;             ///< from the model
    Material material;               ///< the model's `material:` file (default: tonnes, no more)
    Day reference_day = 0;           ///< time to shortage is counted from this day
    /// Why that day, for the screen: "time_to_shortage_from in FILE", "the start of export
    /// control ID", "the scenario's start" (docs/scenario-reference.md, time_to_shortage_from).
    std::string reference_reason;
    int trials = 1000;
    std::uint64_t seed = 1;
    std::string resolved_yaml;  ///< the merged scenario (after extends and --set), for run.json
    /// What this file overrides in the files it extends, one "file:line:col: notice: ..." each
    /// (an event redefined by id, a parameter's or a key's value replaced).
    std::vector<std::string> notices;

    MonthIndex first_month() const { return month_of(start); }
    MonthIndex last_month() const { return month_of(end); }
    int month_count() const { return last_month() - first_month() + 1; }
    int parameter_index(const std::string& name) const;
    /// The working calendar of `country`: its file's, else Monday to Friday.
    const WorkingCalendar& calendar_of(const std::string& country) const;
};

/// A command-line override `path=value`, applied to the YAML tree before validation.
/// A sweep's factors are overrides too, written in the sweep file.
struct Override {
    std::string path;       ///< e.g. `trials`, `parameters.approval_rate`, `events.mp_halt.start`
    std::string value;      ///< YAML text, e.g. `0.4` or `{dist: uniform, min: 0.2, max: 0.6}`
    SourceLocation origin;  ///< where it was written; none for the command line

    Override() = default;
    Override(std::string p, std::string v, SourceLocation o = {})
        : path(std::move(p)), value(std::move(v)), origin(std::move(o)) {}
    /// Where messages about it point: its origin, else `--set path=value`.
    SourceLocation where() const {
        return origin.file.empty() ? SourceLocation{"--set " + path + "=" + value, 0, 0} : origin;
    }
};

/// Loads, merges (`extends:`), applies overrides, validates and builds a scenario. Throws
/// InputError listing every problem with file:line:column and YAML path.
Scenario load_scenario(const std::string& path, const std::vector<Override>& overrides = {});

namespace detail {
struct InputFiles;
}

/// Input files read and parsed once, then reused. A sweep loads its scenario at every point with
/// other overrides: with a cache, each file (the scenario, the files it extends, its model,
/// material and working calendars) is read and parsed the first time only, and every point is
/// built from the same bytes. A file that fails to read is not kept (its error comes again).
/// Safe to share between threads.
class InputCache {
  public:
    InputCache();
    ~InputCache();
    InputCache(const InputCache&) = delete;
    InputCache& operator=(const InputCache&) = delete;

    detail::InputFiles& files() { return *files_; }

  private:
    std::unique_ptr<detail::InputFiles> files_;
};

/// Whether a loaded scenario keeps its merged YAML text (Scenario::resolved_yaml, for run.json
/// and checksums). Writing it out is a tenth of a small sweep point's time, and a point never
/// shows it.
enum class ResolvedYaml { keep, skip };

/// load_scenario, reading its files through `cache`: the same scenario as without one (with an
/// empty resolved_yaml when `resolved` is skip).
Scenario load_scenario(const std::string& path, const std::vector<Override>& overrides,
                       InputCache& cache, ResolvedYaml resolved = ResolvedYaml::keep);

/// Loads and validates a model file alone.
Network load_model(const std::string& path);
/// Loads and checks a material file alone (its products and countries are checked against the
/// model that names it, when the model is loaded).
Material load_material(const std::string& path);
/// True when `path` is a material file (a key only material files have, such as `unit:` or
/// `customs_series:`, and no `nodes:`, `model:` or `extends:`).
bool is_material_file(const std::string& path);
/// True when `path` is a model file (it has `nodes:` and no `model:`), not a scenario.
bool is_model_file(const std::string& path);
/// The network of a model file, or of the model a scenario file names (for `simulate graph`).
Network load_network(const std::string& path);

}  // namespace chokepoint
