#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string_view>

#include "chokepoint/core/input_file.hpp"
#include "chokepoint/core/working_calendar.hpp"
#include "chokepoint/scenario/scenario.hpp"
#include "chokepoint/scenario/schema.hpp"
#include "input_files.hpp"
#include "loader_parts.hpp"
#include "reader.hpp"
#include "scenario_trees.hpp"
#include "yaml_tree.hpp"

namespace chokepoint {

using detail::apply_override;
using detail::at;
using detail::build_model;
using detail::load_with_extends;
using detail::lookup_node;
using detail::member;
using detail::ModelFile;
using detail::Notices;
using detail::read_events;
using detail::read_nodes;
using detail::read_noise;
using detail::Reader;
using detail::YNode;

const WorkingCalendar& Scenario::calendar_of(const std::string& country) const {
    static const WorkingCalendar weekdays;
    const auto it = working_calendars.find(country);
    return it == working_calendars.end() ? weekdays : it->second;
}

int Scenario::parameter_index(const std::string& wanted) const {
    for (std::size_t i = 0; i < parameters.size(); ++i) {
        if (parameters[i].name == wanted) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

// ---------------------------------------------------------------------------------------------
// Shared with the events' reader (loader_parts.hpp).

std::string detail::at(const std::string& path, std::size_t i) {
    return path + "[" + std::to_string(i) + "]";
}

int detail::lookup_node(Reader& r, const std::vector<Node>& nodes, const YNode& node,
                        const std::string& path) {
    auto id = r.string(node, path);
    if (!id) {
        return -1;
    }
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        if (nodes[i].id == *id) {
            return static_cast<int>(i);
        }
        ids.push_back(nodes[i].id);
    }
    const std::string guess = closest_match(*id, ids);
    r.error(
        node, path,
        "unknown node '" + *id + "'" + (guess.empty() ? "" : " (did you mean '" + guess + "'?)"));
    return -1;
}

std::vector<int> detail::read_nodes(Reader& r, const Network& net, const YNode& node,
                                    const std::string& path) {
    std::vector<int> out;
    if (node.is_scalar()) {
        const int n = lookup_node(r, net.nodes(), node, path);
        if (n >= 0) {
            out.push_back(n);
        }
        return out;
    }
    if (!r.expect_sequence(node, path)) {
        return out;
    }
    for (std::size_t i = 0; i < node.sequence.size(); ++i) {
        const int n = lookup_node(r, net.nodes(), node.sequence[i], at(path, i));
        if (n >= 0) {
            out.push_back(n);
        }
    }
    return out;
}

Network load_model(const std::string& path) {
    DiagnosticSink sink;
    std::vector<Parameter> parameters;
    Reader r(sink, parameters);
    const YNode root = detail::load_yaml_file(path);
    ModelFile model = build_model(root, r, parameters, path);
    sink.throw_if_any();
    return model.network;
}

Material load_material(const std::string& path) {
    DiagnosticSink sink;
    std::vector<Parameter> parameters;
    Reader r(sink, parameters);
    Material m = read_material_tree(detail::load_yaml_file(path), r, nullptr);
    sink.throw_if_any();
    m.path = path;
    return m;
}

bool is_material_file(const std::string& path) {
    const YNode root = detail::load_yaml_file(path);
    if (!root.is_map() || root.find("model") != nullptr || root.find("nodes") != nullptr ||
        root.find("extends") != nullptr || root.find("scenario") != nullptr) {
        return false;
    }
    // Any key only a material file has (so one without `unit:` is told it needs one).
    for (const char* key : {"unit", "elements", "customs_series", "region_aliases", "region_sums",
                            "headline", "page_groups"}) {
        if (root.find(key) != nullptr) {
            return true;
        }
    }
    return false;
}

bool is_model_file(const std::string& path) {
    const YNode root = detail::load_yaml_file(path);
    return root.is_map() && root.find("model") == nullptr && root.find("extends") == nullptr &&
           root.find("nodes") != nullptr;
}

Network load_network(const std::string& path) {
    const YNode root = detail::load_yaml_file(path);
    if (root.is_map() && root.find("model") != nullptr) {
        return load_scenario(path).network;
    }
    return load_model(path);
}

Scenario load_scenario(const std::string& path, const std::vector<Override>& overrides) {
    return detail::load_scenario_with_trees(path, overrides, nullptr);
}

Scenario load_scenario(const std::string& path, const std::vector<Override>& overrides,
                       InputCache& cache, ResolvedYaml resolved) {
    return detail::load_scenario_with_trees(path, overrides, nullptr, &cache, resolved);
}

namespace {

// `network.<path>` overrides go to the model file's tree, everything else to the scenario's.
constexpr std::string_view NETWORK_PREFIX = "network.";
bool is_network(const Override& o) {
    return o.path.rfind(NETWORK_PREFIX, 0) == 0;
}

/// The names a `parameters:` mapping declares.
std::vector<std::string> parameter_names(const YNode& root) {
    std::vector<std::string> names;
    if (const YNode* p = member(root, "parameters"); p != nullptr && p->is_map()) {
        for (const auto& [name, value] : p->map) {
            names.push_back(name);
        }
    }
    return names;
}

/// The file a scenario's `model:` names, relative to the scenario's directory.
std::filesystem::path model_file_of(const YNode& model, const std::string& scenario_path) {
    std::filesystem::path model_path(model.scalar);
    if (model_path.is_relative()) {
        model_path = std::filesystem::path(scenario_path).parent_path() / model_path;
    }
    return model_path.lexically_normal();
}

/// The parameter names of the scenario's model, read ahead of the model (which is read after
/// --set is applied), so that `--set NAME=V` for one of them gets the one error saying how to set
/// it. A model that cannot be read gives no names here: it is reported where it is read.
std::vector<std::string> model_parameter_names(const YNode& root, const std::string& path,
                                               InputCache* cache) {
    const YNode* model = member(root, "model");
    if (model == nullptr || !model->is_scalar()) {
        return {};
    }
    const std::filesystem::path file = model_file_of(*model, path);
    if (!why_not_regular_file(file.string()).empty()) {
        return {};
    }
    try {
        return parameter_names(detail::load_yaml_file(file.string(), cache));
    } catch (const InputError&) {
        return {};
    }
}

/// The scenario's `model:` file, with its `network.` overrides applied, read into `s` (network,
/// calendars, noise, trend and policies); returns the model file's tree.
YNode read_model_of(const YNode& root, const std::string& path,
                    const std::vector<Override>& overrides, Reader& r,
                    std::vector<Parameter>& parameters, Scenario& s) {
    // The model first: events are checked against its nodes, products and countries.
    const YNode* model = member(root, "model");
    if (model == nullptr || !model->is_scalar()) {
        throw InputError(root.where, "model",
                         "a scenario needs 'model:', the path of a model file such as "
                         "../models/rare_earths_2024.yaml");
    }
    const std::filesystem::path model_path = model_file_of(*model, path);
    if (const std::string why = why_not_regular_file(model_path.string()); !why.empty()) {
        throw InputError(model->where, "model",
                         describe_unusable_file("model", model_path.string(), why));
    }
    s.model_path = model_path.string();
    YNode model_root = detail::load_yaml_file(s.model_path, r.cache());
    for (const auto& o : overrides) {
        if (is_network(o)) {
            Override inner = o;
            inner.path = o.path.substr(NETWORK_PREFIX.size());
            apply_override(model_root, inner);
        }
    }
    {
        ModelFile m =
            build_model(model_root, r, parameters, s.model_path, member(root, "parameters"));
        s.network = std::move(m.network);
        s.working_calendars = std::move(m.calendars);
        s.adjust_days = m.adjust_days;
        s.demand_noise = m.demand_noise;
        s.supply_noise = m.supply_noise;
        s.demand_trend = std::move(m.demand_trend);
        s.stock_policy = m.stock_policy;
        s.exporter_policy = m.exporter_policy;
        s.diversion = m.diversion;
        s.material = std::move(m.material);
    }
    return model_root;
}

/// `--set parameters.NAME...` naming no parameter of the scenario or its model: an error with a
/// guess, so that a typo is caught rather than defining a new, unused parameter; and `--set NAME`
/// naming one: an error that says to write `parameters.NAME`.
/// What to write instead of a parameter set without `parameters.`.
std::string bare_parameter_message(const Override& o) {
    return "'" + o.path + "' is a parameter: " +
           (o.origin.file.empty() ? "set it as --set parameters." + o.path + "=" + o.value
                                  : "write its path as parameters." + o.path);
}

void check_parameter_overrides(const std::vector<Override>& overrides,
                               const std::vector<std::string>& known,
                               const std::vector<std::string>& refused, DiagnosticSink& sink) {
    for (const auto& o : overrides) {
        const std::string prefix = "parameters.";
        if (std::find(refused.begin(), refused.end(), o.path) != refused.end()) {
            continue;  // refused before the tree was read
        }
        if (std::find(known.begin(), known.end(), o.path) != known.end()) {
            // A parameter of a model that --set itself named (model=...), after the unknown key.
            sink.error(o.where(), o.path, bare_parameter_message(o));
            continue;
        }
        if (o.path.rfind(prefix, 0) != 0) {
            continue;
        }
        const std::string name =
            o.path.substr(prefix.size(), o.path.find('.', prefix.size()) - prefix.size());
        if (std::find(known.begin(), known.end(), name) == known.end()) {
            const std::string guess = closest_match(name, known);
            sink.error(o.where(), o.path,
                       "no parameter '" + name + "' in the scenario or its model" +
                           (guess.empty() ? "" : " (did you mean '" + guess + "'?)"));
        }
    }
}

/// `name:` (else the file's stem) and `description:`.
void read_name(const YNode& root, const std::string& path, Reader& r, Scenario& s) {
    // The name becomes a directory under the output root: a plain word, never "." or "..".
    auto plain_word = [](const std::string& name) {
        if (name.empty() || name.size() > 100 ||
            !std::isalnum(static_cast<unsigned char>(name[0]))) {
            return false;
        }
        return std::all_of(name.begin(), name.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
        });
    };
    constexpr const char* NAME_RULE =
        "a name starts with a letter or digit and holds letters, digits, '_', '-' and '.' "
        "only, at most 100 characters (it names the output directory)";
    s.name = std::filesystem::path(path).stem().string();
    if (const YNode* v = member(root, "name")) {
        s.name = r.string(*v, "name").value_or(s.name);
        if (!plain_word(s.name)) {
            r.error(*v, "name", NAME_RULE);
        }
    } else if (!plain_word(s.name)) {
        r.error(root, "name",
                "the file name does not make a usable scenario name; add 'name:' (" +
                    std::string(NAME_RULE) + ")");
    }
    if (const YNode* v = member(root, "description")) {
        s.description = v->scalar;
    }
}

/// `start:`, `horizon:` and `time_step_days:`, which events need; then `trials:` and `seed:`.
/// Returns whether the first three were read without an error.
bool read_run_settings(const YNode& root, Reader& r, DiagnosticSink& sink, Scenario& s) {
    const std::size_t errors_before_calendar = sink.size();
    const YNode* start = member(root, "start");
    const YNode* horizon = member(root, "horizon");
    if (start == nullptr) {
        r.error(root, "start", "a scenario needs 'start:' (YYYY-MM-DD)");
    } else if (auto d = r.date(*start, "start")) {
        s.start = *d;
    }
    if (horizon == nullptr) {
        r.error(root, "horizon", "a scenario needs 'horizon:' (YYYY-MM, the last month simulated)");
    } else if (auto m = horizon->is_scalar() ? parse_month(horizon->scalar) : std::nullopt) {
        s.end = first_day_of(*m) + days_in_month(*m) - 1;
        if (s.end < s.start) {
            r.error(*horizon, "horizon", "the horizon ends before the start");
        } else if (s.end - s.start > 366 * 30) {
            r.error(*horizon, "horizon", "horizons longer than 30 years are not supported");
        }
    } else {
        r.error(*horizon, "horizon", "expected a month YYYY-MM, found '" + horizon->scalar + "'");
    }
    if (const YNode* v = member(root, "time_step_days")) {
        if (auto n = r.integer(*v, "time_step_days")) {
            if (*n < 1 || *n > 7) {
                r.error(*v, "time_step_days", "must be between 1 and 7");
            } else {
                s.step_days = static_cast<int>(*n);
            }
        }
    }
    const bool calendar_ok = sink.size() == errors_before_calendar;
    if (const YNode* v = member(root, "trials")) {
        if (auto n = r.integer(*v, "trials")) {
            if (*n < 1 || *n > 100'000'000) {
                r.error(*v, "trials", "must be between 1 and 100000000");
            } else {
                s.trials = static_cast<int>(*n);
            }
        }
    }
    if (const YNode* v = member(root, "seed")) {
        if (auto n = r.integer(*v, "seed")) {
            if (*n < 0) {
                r.error(*v, "seed", "must be >= 0");
            } else {
                s.seed = static_cast<std::uint64_t>(*n);
            }
        }
    }
    return calendar_ok;
}

/// The day time to shortage is counted from (`s.reference_day`): `time_to_shortage_from:`, else
/// the first export control the scenario's own file defines (a what-if that extends another
/// shows its own effect), else the first export control it inherits.
void read_reference_day(const YNode& root, const std::string& path, Reader& r, Scenario& s,
                        Notices& notices) {
    // The day the shortage count starts, in this order: time_to_shortage_from written in the
    // scenario's own file; the start of the first export control its own file defines (a
    // what-if's control is its subject, so an inherited day does not hide it); an inherited
    // time_to_shortage_from; the first export control of the files it extends; its start.
    const YNode* written = member(root, "time_to_shortage_from");
    const bool own_day = written != nullptr && written->where.file == path;
    auto first_control = [&](bool own) -> const EventSpec* {
        for (const auto& ev : s.events) {
            if (ev.kind == EventKind::export_control && (ev.where.file == path) == own) {
                return &ev;
            }
        }
        return nullptr;
    };
    auto from_control = [&](const EventSpec& ev) {
        // An unbounded date distribution has no lower bound: count from the start then.
        const double lo = ev.start.lower(r.parameter_distributions());
        s.reference_day = std::isfinite(lo)
                              ? static_cast<Day>(std::max(lo, static_cast<double>(s.start)))
                              : s.start;
        s.reference_reason = "the start of export control " + ev.id;
    };
    s.reference_day = s.start;
    s.reference_reason = "the scenario's start";
    const EventSpec* own_control = first_control(true);
    if (own_day || (written != nullptr && own_control == nullptr)) {
        if (auto d = r.date(*written, "time_to_shortage_from")) {
            s.reference_day = *d;
            s.reference_reason = "time_to_shortage_from in " +
                                 std::filesystem::path(written->where.file).filename().string();
        }
    } else if (own_control != nullptr) {
        from_control(*own_control);
        if (written != nullptr) {
            notices.push_back(
                path + ": notice: the shortage count starts " + format_date(s.reference_day) +
                ", at export control " + own_control->id + ", which this file defines, not at " +
                written->scalar + ", the time_to_shortage_from of " + written->where.format() +
                "; write time_to_shortage_from: in this file to choose another day");
        }
    } else if (const EventSpec* inherited = first_control(false)) {
        from_control(*inherited);
    }
}

/// A notice for each export control that refuses every application but, without `share:`,
/// covers only the controlled share of each product: read as a ban, it is not one.
void add_partial_ban_notices(const Scenario& s, Notices& notices) {
    for (const auto& ev : s.events) {
        if (ev.kind == EventKind::export_control && ev.has_approval_rate && !ev.has_share &&
            ev.approval_rate.is_constant() && ev.approval_rate.value == 0.0) {
            notices.push_back(ev.where.format() + ": notice: export control " + ev.id +
                              " refuses every licence application, but without share: it covers "
                              "only each product's controlled_share of what ships (the model's); "
                              "the rest still ships. Write share: 1 to stop all of it");
        }
    }
}

/// A notice for each exporter's working calendar that ends before the scenario does.
void add_calendar_notices(const Scenario& s, Notices& notices) {
    // Licence decisions past a calendar's last notice count Monday to Friday: say so.
    for (const auto& entry : s.working_calendars) {
        const std::string& country =
            entry.first;  // a named copy: clang 14 cannot capture a binding
        const WorkingCalendar& cal = entry.second;
        const bool controls =
            std::any_of(s.events.begin(), s.events.end(), [&](const EventSpec& e) {
                return e.kind == EventKind::export_control && e.exporter == country;
            });
        if (controls && cal.has_holidays() && s.end > cal.covered_until()) {
            notices.push_back(cal.file() + ": notice: " + country + "'s working calendar ends " +
                              format_date(cal.covered_until()) +
                              "; licence decisions after it count Monday to Friday (no public "
                              "holidays) until the scenario's end " +
                              format_date(s.end));
        }
    }
}

}  // namespace

Scenario detail::load_scenario_with_trees(const std::string& path,
                                          const std::vector<Override>& overrides,
                                          ScenarioTrees* trees, InputCache* cache,
                                          ResolvedYaml resolved) {
    std::vector<std::string> chain;
    Notices notices;
    YNode root = load_with_extends(path, chain, notices, nullptr, cache);
    if (!root.is_map()) {
        throw InputError(root.where, "",
                         "a scenario file is a mapping of keys such as name:, "
                         "model:, start:, horizon: and events:");
    }
    // Parameter names before --set, so that `--set parameters.typo=1` is caught below rather
    // than defining a new, unused parameter.
    std::vector<std::string> known = parameter_names(root);
    std::vector<std::string> model_known;
    if (!overrides.empty()) {
        model_known = model_parameter_names(root, path, cache);
    }
    // A parameter set without `parameters.` is refused and not applied (it would only add an
    // unknown key); the other errors are still found.
    DiagnosticSink sink;
    std::vector<std::string> refused;
    for (const auto& o : overrides) {
        const auto named = [&o](const std::vector<std::string>& names) {
            return std::find(names.begin(), names.end(), o.path) != names.end();
        };
        if (o.path == "extends" || o.path.rfind("extends.", 0) == 0) {
            // The chain is read before any --set applies: setting it would be ignored. (`model:`
            // is read after, so --set model=FILE applies, relative to the scenario's file.)
            sink.error(o.where(), o.path,
                       "--set cannot change 'extends:': the files a scenario extends are read "
                       "before --set applies; write a small scenario that extends the one you "
                       "want instead (docs/scenario-reference.md)");
            refused.push_back(o.path);
            continue;
        }
        if ((named(known) || named(model_known)) && !member(root, o.path)) {
            sink.error(o.where(), o.path, bare_parameter_message(o));
            refused.push_back(o.path);
            continue;
        }
        if (!is_network(o)) {
            apply_override(root, o);
        }
    }
    Scenario s;
    s.path = path;
    std::vector<Parameter> parameters;
    Reader r(sink, parameters);
    r.use_cache(cache);
    r.check_keys(root, "", keys_of("scenario"));
    const std::size_t errors_before_model = sink.size();

    YNode model_root = read_model_of(root, path, overrides, r, parameters, s);
    read_noise(member(root, "demand_noise"), r, "demand_noise", s.demand_noise);
    read_noise(member(root, "supply_noise"), r, "supply_noise", s.supply_noise);
    const std::vector<std::string> model_parameters = parameter_names(model_root);
    known.insert(known.end(), model_parameters.begin(), model_parameters.end());
    check_parameter_overrides(overrides, known, refused, sink);
    if (sink.size() > errors_before_model) {
        sink.throw_if_any();  // a broken model makes every later message noise
    }

    read_name(root, path, r, s);
    if (!read_run_settings(root, r, sink, s)) {
        sink.throw_if_any();  // events need a valid calendar
    }

    s.parameters = parameters;
    read_events(member(root, "events"), r, s);
    read_reference_day(root, path, r, s, notices);
    sink.throw_if_any();
    s.parameters = parameters;
    if (resolved == ResolvedYaml::keep) {
        s.resolved_yaml = detail::dump_yaml(root);
    }
    add_partial_ban_notices(s, notices);
    add_calendar_notices(s, notices);
    s.notices = std::move(notices);
    if (trees != nullptr) {
        trees->scenario = std::move(root);
        trees->model = std::move(model_root);
    }
    return s;
}

}  // namespace chokepoint
