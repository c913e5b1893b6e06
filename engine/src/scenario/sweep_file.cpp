#include "chokepoint/scenario/sweep_file.hpp"
#include "chokepoint/scenario/schema.hpp"

#include <algorithm>
#include <filesystem>
#include <limits>
#include <set>

#include "chokepoint/core/input_file.hpp"
#include "reader.hpp"
#include "yaml_tree.hpp"

namespace chokepoint {

using detail::member;
using detail::Reader;
using detail::YNode;

namespace {
constexpr const char* DESIGN_NAMES[] = {"grid", "oat", "lhs", "morris", "sobol"};
constexpr const char* STAT_NAMES[] = {"sum", "mean", "min", "max"};
constexpr const char* MEASURE_NAMES[] = {"shortage_probability", "shortage_mass", "days_short",
                                         "time_to_shortage"};

bool date_path(const std::string& path) {
    const std::string last = path.substr(path.rfind('.') + 1);
    return last == "start" || last == "end" || last == "announced";
}

template <std::size_t N>
std::optional<int> pick(Reader& r, const YNode& node, const std::string& path,
                        const char* const (&names)[N], const char* what) {
    const auto text = r.string(node, path);
    if (!text) {
        return std::nullopt;
    }
    std::vector<std::string> all(std::begin(names), std::end(names));
    for (std::size_t i = 0; i < N; ++i) {
        if (*text == names[i]) {
            return static_cast<int>(i);
        }
    }
    std::string list;
    for (const auto& n : all) {
        list += (list.empty() ? "" : ", ") + n;
    }
    const std::string guess = closest_match(*text, all);
    r.error(node, path,
            "unknown " + std::string(what) + " '" + *text + "'" +
                (guess.empty() ? "; use one of: " + list : " (did you mean '" + guess + "'?)"));
    return std::nullopt;
}

std::optional<double> factor_value(Reader& r, const YNode& node, const std::string& path,
                                   bool date) {
    if (date) {
        const auto d = r.date(node, path);
        return d ? std::optional<double>(*d) : std::nullopt;
    }
    return r.number(node, path);
}

// `range: [low, high]`; false after an error.
bool read_range(Reader& r, const YNode& range, const std::string& at, FactorSpec& out) {
    out.source = FactorSpec::Source::range;
    out.values_where = range.where;
    if (!range.is_sequence() || range.sequence.size() != 2) {
        r.error(range, at + ".range", "expected [low, high]");
        return false;
    }
    const auto lo = factor_value(r, range.sequence[0], at + ".range[0]", out.is_date);
    const auto hi = factor_value(r, range.sequence[1], at + ".range[1]", out.is_date);
    if (!lo || !hi) {
        return false;
    }
    if (!(*lo < *hi)) {
        r.error(range, at + ".range", "low must be below high");
        return false;
    }
    out.low = *lo;
    out.high = *hi;
    return true;
}

// `levels: [...]`, at least two distinct values; false after an error.
bool read_levels(Reader& r, const YNode& levels, const std::string& at, FactorSpec& out) {
    out.source = FactorSpec::Source::levels;
    out.values_where = levels.where;
    if (!levels.is_sequence() || levels.sequence.size() < 2) {
        r.error(levels, at + ".levels", "expected a list of at least two values");
        return false;
    }
    for (std::size_t i = 0; i < levels.sequence.size(); ++i) {
        const auto v = factor_value(r, levels.sequence[i],
                                    at + ".levels[" + std::to_string(i) + "]", out.is_date);
        if (!v) {
            return false;
        }
        if (std::find(out.levels.begin(), out.levels.end(), *v) != out.levels.end()) {
            r.error(levels.sequence[i], at + ".levels[" + std::to_string(i) + "]",
                    "level listed twice");
            return false;
        }
        out.levels.push_back(*v);
    }
    out.low = *std::min_element(out.levels.begin(), out.levels.end());
    out.high = *std::max_element(out.levels.begin(), out.levels.end());
    return true;
}

// `from: scenario`, the scenario's own distribution; false after an error.
bool read_from_scenario(Reader& r, const YNode& from, const std::string& at, FactorSpec& out) {
    out.source = FactorSpec::Source::scenario;
    out.values_where = from.where;
    if (!from.is_scalar() || from.scalar != "scenario") {
        r.error(from, at + ".from",
                "'from:' takes 'scenario' (the scenario's own distribution of this quantity)");
        return false;
    }
    return true;
}

// The factor's values: exactly one of `range:`, `levels:` and `from:`; false after an error.
bool read_factor_values(Reader& r, const YNode& f, const std::string& at, FactorSpec& out) {
    const YNode* range = f.find("range");
    const YNode* levels = f.find("levels");
    const YNode* from = f.find("from");
    const int given = (range != nullptr) + (levels != nullptr) + (from != nullptr);
    if (given != 1) {
        r.error(f, at,
                given == 0 ? "a factor needs one of 'range: [low, high]', 'levels: [...]' or "
                             "'from: scenario'"
                           : "give only one of 'range:', 'levels:' and 'from:'");
        return false;
    }
    if (range != nullptr) {
        return read_range(r, *range, at, out);
    }
    if (levels != nullptr) {
        return read_levels(r, *levels, at, out);
    }
    return read_from_scenario(r, *from, at, out);
}

void read_factor(Reader& r, const YNode& f, const std::string& at, SweepSpec& spec,
                 std::set<std::string>& seen) {
    if (!r.expect_map(f, at)) {
        return;
    }
    r.check_keys(f, at, keys_of("sweep.factor"));
    FactorSpec out;
    out.where = f.where;
    const YNode* p = f.find("path");
    if (p == nullptr) {
        r.error(f, at, "a factor needs 'path:', as --set takes it (see `simulate parameters`)");
        return;
    }
    const auto path = r.string(*p, at + ".path");
    if (!path) {
        return;
    }
    out.path = *path;
    out.where = p->where;
    if (!seen.insert(out.path).second) {
        r.error(*p, at + ".path", "factor '" + out.path + "' is listed twice");
    }
    out.is_date = date_path(out.path);
    if (!read_factor_values(r, f, at, out)) {
        return;
    }
    if (const YNode* b = f.find("base")) {
        out.base = factor_value(r, *b, at + ".base", out.is_date);
        if (out.base && out.source != FactorSpec::Source::scenario &&
            (*out.base < out.low || *out.base > out.high)) {
            r.error(*b, at + ".base", "the base lies outside the factor's values");
        }
    }
    if (const YNode* g = f.find("group")) {
        out.group = r.string(*g, at + ".group").value_or("");
    }
    spec.factors.push_back(std::move(out));
}

// `id:`, a plain word that names the output's column, not listed twice.
void read_output_id(Reader& r, const YNode& o, const std::string& at, OutputSpec& out,
                    std::set<std::string>& seen) {
    const YNode* id = o.find("id");
    if (id == nullptr) {
        r.error(o, at, "an output needs 'id:', the column name in points.csv");
    } else if (auto s = r.string(*id, at + ".id")) {
        out.id = *s;
        const bool plain = std::all_of(out.id.begin(), out.id.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
        });
        if (!plain || !std::isalpha(static_cast<unsigned char>(out.id[0]))) {
            r.error(*id, at + ".id",
                    "an output id is a plain word: a letter, then letters, digits "
                    "or '_'");
        }
        if (!seen.insert(out.id).second) {
            r.error(*id, at + ".id", "output '" + out.id + "' is listed twice");
        }
    }
}

// A buyer figure: `buyer:`, `product:` and `measure:`.
void read_buyer_output(Reader& r, const YNode& o, const std::string& at, OutputSpec& out) {
    r.check_keys(o, at, keys_of("sweep.buyer_output"));
    out.buyer = r.string(*o.find("buyer"), at + ".buyer").value_or("");
    if (const YNode* p = o.find("product")) {
        out.product = r.string(*p, at + ".product").value_or("");
    } else {
        r.error(o, at, "a buyer output needs 'product:'");
    }
    if (const YNode* m = o.find("measure")) {
        if (m->is_scalar() && m->scalar == "shortage_tonnes") {
            // The name before materials had units of their own (issue 23).
            r.error(*m, at + ".measure",
                    "'shortage_tonnes' is now 'shortage_mass' (the demand not met, in the "
                    "material's unit: t or kg)");
        } else if (auto k = pick(r, *m, at + ".measure", MEASURE_NAMES, "measure")) {
            out.measure = static_cast<OutputSpec::Measure>(*k);
        }
    }
}

// A series output's months: one of `period: YYYY-MM..YYYY-MM` and `month: YYYY-MM`.
void read_output_months(Reader& r, const YNode& o, const std::string& at, OutputSpec& out) {
    const YNode* period = o.find("period");
    const YNode* month = o.find("month");
    if ((period == nullptr) == (month == nullptr)) {
        r.error(o, at,
                "a series output needs one of 'period: YYYY-MM..YYYY-MM' and "
                "'month: YYYY-MM'");
    } else if (month != nullptr) {
        const auto m = month->is_scalar() ? parse_month(month->scalar) : std::nullopt;
        if (!m) {
            r.error(*month, at + ".month", "expected a month YYYY-MM");
        } else {
            out.first = out.last = *m;
        }
    } else {
        const std::string text = period->is_scalar() ? period->scalar : "";
        const auto dots = text.find("..");
        const auto a = dots == std::string::npos ? std::nullopt : parse_month(text.substr(0, dots));
        const auto b =
            dots == std::string::npos ? std::nullopt : parse_month(text.substr(dots + 2));
        if (!a || !b || *b < *a) {
            r.error(*period, at + ".period",
                    "expected a period YYYY-MM..YYYY-MM (first month, last month)");
        } else {
            out.first = *a;
            out.last = *b;
        }
    }
}

// A series as in summary.csv: `metric:`, `product:`, `from:`, `to:`, its months and `stat:`.
void read_series_output(Reader& r, const YNode& o, const std::string& at, OutputSpec& out) {
    r.check_keys(o, at, keys_of("sweep.series_output"));
    for (const char* key : {"metric", "product", "from", "to"}) {
        const YNode* v = o.find(key);
        if (v == nullptr) {
            r.error(o, at,
                    std::string("a series output needs '") + key +
                        ":' (as in summary.csv), or 'buyer:' for a buyer figure");
            continue;
        }
        const std::string text = r.string(*v, at + "." + key).value_or("");
        (std::string(key) == "metric"    ? out.metric
         : std::string(key) == "product" ? out.product
         : std::string(key) == "from"    ? out.from
                                         : out.to) = text;
    }
    read_output_months(r, o, at, out);
    if (const YNode* st = o.find("stat")) {
        if (auto k = pick(r, *st, at + ".stat", STAT_NAMES, "stat")) {
            out.stat = static_cast<OutputSpec::Stat>(*k);
        }
    }
}

void read_output(Reader& r, const YNode& o, const std::string& at, SweepSpec& spec,
                 std::set<std::string>& seen) {
    if (!r.expect_map(o, at)) {
        return;
    }
    OutputSpec out;
    out.where = o.where;
    read_output_id(r, o, at, out, seen);
    out.is_buyer = o.find("buyer") != nullptr;
    if (out.is_buyer) {
        read_buyer_output(r, o, at, out);
    } else {
        read_series_output(r, o, at, out);
    }
    spec.outputs.push_back(std::move(out));
}

}  // namespace

const char* to_string(DesignKind kind) {
    return DESIGN_NAMES[static_cast<int>(kind)];
}
const char* to_string(OutputSpec::Stat stat) {
    return STAT_NAMES[static_cast<int>(stat)];
}
const char* to_string(OutputSpec::Measure measure) {
    return MEASURE_NAMES[static_cast<int>(measure)];
}

std::string OutputSpec::unit(const std::string& mass_unit) const {
    if (!is_buyer) {
        return metric == "days_short" ? "days" : mass_unit;
    }
    switch (measure) {
        case Measure::shortage_probability:
            return "probability";
        case Measure::shortage_mass:
            return mass_unit;
        case Measure::days_short:
        case Measure::time_to_shortage:
            return "days";
    }
    return "";
}

bool is_sweep_file(const std::string& path) {
    const YNode root = detail::load_yaml_file(path);
    return root.is_map() && root.find("model") == nullptr && root.find("extends") == nullptr &&
           root.find("nodes") == nullptr &&
           (root.find("factors") != nullptr || root.find("scenario") != nullptr);
}

namespace {

// The integer at `node` into `out` when it is between `lo` and `hi`; else `message`, located.
template <class T>
void read_bounded(Reader& r, const YNode& node, const std::string& path, long long lo, long long hi,
                  const char* message, T& out) {
    const auto v = r.integer(node, path);
    if (v && (*v < lo || *v > hi)) {
        r.error(node, path, message);
    } else if (v) {
        out = static_cast<T>(*v);
    }
}

// `name:` (default: the file's stem), which names the output directory.
void read_sweep_name(Reader& r, const YNode& root, const std::string& path, SweepSpec& spec) {
    spec.name = std::filesystem::path(path).stem().string();
    if (const YNode* n = member(root, "name")) {
        spec.name = r.string(*n, "name").value_or(spec.name);
    }
    const bool plain_name =
        !spec.name.empty() && spec.name.size() <= 100 &&
        std::isalnum(static_cast<unsigned char>(spec.name[0])) &&
        std::all_of(spec.name.begin(), spec.name.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
        });
    if (!plain_name) {
        r.error(member(root, "name") ? *member(root, "name") : root, "name",
                "a sweep name starts with a letter or digit, holds letters, digits, '_', '-' "
                "and '.' only and at most 100 of them (it names the output directory)");
    }
}

// `scenario:` (relative to the sweep file) and the `set:` overrides applied to it.
void read_base_scenario(Reader& r, const YNode& root, const std::string& path, SweepSpec& spec) {
    if (const YNode* sc = member(root, "scenario")) {
        if (auto s = r.string(*sc, "scenario")) {
            std::filesystem::path p(*s);
            if (p.is_relative()) {
                p = std::filesystem::path(path).parent_path() / p;
            }
            spec.scenario_path = p.lexically_normal().string();
            spec.scenario_where = sc->where;
            // A name too long or a symlink loop is the user's input, located (a fuzz finding:
            // the throwing is_regular_file let a filesystem_error escape).
            const std::string why = why_not_regular_file(spec.scenario_path);
            if (!why.empty()) {
                r.error(*sc, "scenario",
                        describe_unusable_file("scenario", spec.scenario_path, why));
            }
        }
    } else {
        r.error(root, "scenario",
                "a sweep needs 'scenario:', the path of its base scenario "
                "(relative to the sweep file)");
    }
    if (const YNode* st = member(root, "set")) {
        if (r.expect_map(*st, "set")) {
            for (const auto& [k, v] : st->map) {
                if (!v.is_scalar()) {
                    r.error(v, "set." + k, "expected a value, as --set takes it");
                    continue;
                }
                spec.set.push_back(Override{k, v.scalar, v.where});
            }
        }
    }
}

// `design:`: its type, and the samples, levels, seed and bootstrap it takes.
void read_design(Reader& r, const YNode& root, SweepSpec& spec) {
    const YNode* d = member(root, "design");
    if (d == nullptr) {
        r.error(root, "design",
                "a sweep needs 'design:' with a 'type:' (grid, oat, lhs, morris "
                "or sobol)");
        return;
    }
    spec.design_where = d->where;
    if (!r.expect_map(*d, "design")) {
        return;
    }
    r.check_keys(*d, "design", keys_of("sweep.design"));
    if (const YNode* t = d->find("type")) {
        if (auto k = pick(r, *t, "design.type", DESIGN_NAMES, "design")) {
            spec.design = static_cast<DesignKind>(*k);
        }
    } else {
        r.error(*d, "design", "a design needs 'type:' (grid, oat, lhs, morris or sobol)");
    }
    constexpr long long NO_LIMIT = std::numeric_limits<long long>::max();
    if (const YNode* n = d->find("samples")) {
        read_bounded(r, *n, "design.samples", 1, 1'000'000, "must be between 1 and 1000000",
                     spec.samples);
    }
    if (const YNode* n = d->find("levels")) {
        read_bounded(r, *n, "design.levels", 2, 64, "must be between 2 and 64", spec.levels);
    }
    if (const YNode* n = d->find("seed")) {
        read_bounded(r, *n, "design.seed", 0, NO_LIMIT, "must be >= 0", spec.design_seed);
    }
    if (const YNode* n = d->find("bootstrap")) {
        read_bounded(r, *n, "design.bootstrap", 0, 100'000, "must be between 0 and 100000",
                     spec.bootstrap);
    }
    if (const YNode* n = d->find("replicates")) {
        if (spec.design != DesignKind::sobol) {
            r.error(*n, "design.replicates", "replicates are for sobol designs only");
        } else {
            read_bounded(r, *n, "design.replicates", 1, 64, "must be between 1 and 64",
                         spec.replicates);
            if (spec.samples > 0 &&
                (spec.samples % spec.replicates != 0 || spec.samples / spec.replicates < 2)) {
                r.error(*n, "design.replicates",
                        "must divide samples (" + std::to_string(spec.samples) +
                            ") into replicates of at least 2 rows each");
            }
        }
    }
    const bool needs_samples = spec.design == DesignKind::lhs || spec.design == DesignKind::sobol ||
                               spec.design == DesignKind::morris;
    if (needs_samples && d->find("samples") == nullptr) {
        r.error(*d, "design",
                std::string("a ") + to_string(spec.design) + " design needs 'samples:' (" +
                    (spec.design == DesignKind::morris ? "trajectories"
                     : spec.design == DesignKind::sobol
                         ? "base samples N; the sweep runs N x (factors + 2) points"
                         : "points") +
                    ")");
    }
}

// A list of items under `key`, each read by `read_item(node, path)`; a missing or empty list is
// an error saying what the sweep needs.
template <class ReadItem>
void read_list(Reader& r, const YNode& root, const char* key, const char* needs_one,
               const char* needs_key, ReadItem read_item) {
    const YNode* list = member(root, key);
    if (list == nullptr) {
        r.error(root, key, needs_key);
        return;
    }
    if (r.expect_sequence(*list, key)) {
        for (std::size_t i = 0; i < list->sequence.size(); ++i) {
            read_item(list->sequence[i], std::string(key) + "[" + std::to_string(i) + "]");
        }
        if (list->sequence.empty()) {
            r.error(*list, key, needs_one);
        }
    }
}

}  // namespace

SweepSpec load_sweep_file(const std::string& path) {
    const YNode root = detail::load_yaml_file(path);
    DiagnosticSink sink;
    std::vector<Parameter> no_parameters;
    Reader r(sink, no_parameters);
    SweepSpec spec;
    spec.path = path;
    if (!root.is_map()) {
        throw InputError(root.where, "",
                         "a sweep file is a mapping with scenario:, factors:, design:, trials: and "
                         "outputs:");
    }
    r.check_keys(root, "", keys_of("sweep"));
    read_sweep_name(r, root, path, spec);
    read_base_scenario(r, root, path, spec);
    std::set<std::string> seen_factors;
    read_list(r, root, "factors", "a sweep needs at least one factor",
              "a sweep needs 'factors:', a list of {path:, range: | levels: | from: scenario}",
              [&](const YNode& item, const std::string& at) {
                  read_factor(r, item, at, spec, seen_factors);
              });
    read_design(r, root, spec);
    if (const YNode* t = member(root, "trials")) {
        read_bounded(r, *t, "trials", 2, 10'000'000,
                     "must be between 2 and 10000000 (trials per point)", spec.trials);
    }
    if (const YNode* s = member(root, "seed")) {
        read_bounded(r, *s, "seed", 0, std::numeric_limits<long long>::max(), "must be >= 0",
                     spec.seed);
    }
    std::set<std::string> seen_outputs;
    read_list(r, root, "outputs", "a sweep needs at least one output",
              "a sweep needs 'outputs:', the measures to compare across points",
              [&](const YNode& item, const std::string& at) {
                  read_output(r, item, at, spec, seen_outputs);
              });
    sink.throw_if_any();
    return spec;
}

}  // namespace chokepoint
