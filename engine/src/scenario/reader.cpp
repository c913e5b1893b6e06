#include "reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "chokepoint/core/text.hpp"

namespace chokepoint::detail {

namespace {
const char* kind_name(YNode::Kind k) {
    switch (k) {
        case YNode::Kind::null:
            return "nothing";
        case YNode::Kind::scalar:
            return "a single value";
        case YNode::Kind::sequence:
            return "a list";
        case YNode::Kind::map:
            return "a mapping";
    }
    return "?";
}

}  // namespace

const std::vector<DistributionShape>& distribution_shapes() {
    static const std::vector<DistributionShape> all = {
        {"fixed", DistributionKind::fixed, {"value"}, {}},
        {"uniform", DistributionKind::uniform, {"min", "max"}, {}},
        {"triangular", DistributionKind::triangular, {"min", "mode", "max"}, {}},
        {"normal", DistributionKind::normal, {"mean", "sd"}, {}},
        {"lognormal", DistributionKind::lognormal, {"median", "spread"}, {}},
        {"beta", DistributionKind::beta, {"alpha", "beta"}, {"min", "max"}},
        {"bernoulli", DistributionKind::bernoulli, {"p"}, {}},
        {"discrete", DistributionKind::discrete, {}, {}},
    };
    return all;
}

void Reader::check_keys(const YNode& map, const std::string& path,
                        const std::vector<std::string>& allowed) {
    if (!map.is_map()) {
        return;
    }
    for (std::size_t i = 0; i < map.map.size(); ++i) {
        const std::string& key = map.map[i].first;
        if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) {
            continue;
        }
        std::string message = "unknown key '" + key + "'";
        const std::string guess = closest_match(key, allowed);
        if (!guess.empty()) {
            message += " (did you mean '" + guess + "'?)";
        } else {
            std::string list;
            for (const auto& a : allowed) {
                list += (list.empty() ? "" : ", ") + a;
            }
            message += "; allowed here: " + list;
        }
        const SourceLocation& where = i < map.key_where.size() ? map.key_where[i] : map.where;
        sink_.error(where, path.empty() ? key : path + "." + key, message);
    }
}

bool Reader::expect_map(const YNode& node, const std::string& path) {
    if (node.is_map()) {
        return true;
    }
    error(node, path,
          std::string("expected a mapping (key: value lines), found ") + kind_name(node.kind));
    return false;
}

bool Reader::expect_sequence(const YNode& node, const std::string& path) {
    if (node.is_sequence()) {
        return true;
    }
    error(node, path, std::string("expected a list, found ") + kind_name(node.kind));
    return false;
}

std::optional<std::string> Reader::string(const YNode& node, const std::string& path) {
    if (!node.is_scalar() || node.scalar.empty()) {
        error(node, path, std::string("expected text, found ") + kind_name(node.kind));
        return std::nullopt;
    }
    if (has_control_character(node.scalar)) {
        // Names reach charts, pages and the terminal: no escape sequences, no line breaks.
        error(node, path, "text with a control character (a line break, tab or escape)");
        return std::nullopt;
    }
    return node.scalar;
}

std::optional<double> Reader::number(const YNode& node, const std::string& path) {
    if (!node.is_scalar()) {
        error(node, path, std::string("expected a number, found ") + kind_name(node.kind));
        return std::nullopt;
    }
    const std::string& s = node.scalar;
    double v = 0.0;
    const char* begin = s.data() + (s.size() > 1 && s[0] == '+' ? 1 : 0);
    auto [ptr, ec] = std::from_chars(begin, s.data() + s.size(), v);
    if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(v)) {
        error(node, path, "expected a number, found '" + s + "'");
        return std::nullopt;
    }
    return v;
}

std::optional<long long> Reader::integer(const YNode& node, const std::string& path) {
    if (!node.is_scalar()) {
        error(node, path, std::string("expected a whole number, found ") + kind_name(node.kind));
        return std::nullopt;
    }
    long long v = 0;
    const std::string& s = node.scalar;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr != s.data() + s.size()) {
        error(node, path, "expected a whole number, found '" + s + "'");
        return std::nullopt;
    }
    return v;
}

std::optional<bool> Reader::boolean(const YNode& node, const std::string& path) {
    if (node.is_scalar() && (node.scalar == "true" || node.scalar == "false")) {
        return node.scalar == "true";
    }
    error(node, path, "expected true or false");
    return std::nullopt;
}

std::optional<Day> Reader::date(const YNode& node, const std::string& path) {
    if (!node.is_scalar()) {
        error(node, path, std::string("expected a date YYYY-MM-DD, found ") + kind_name(node.kind));
        return std::nullopt;
    }
    auto d = parse_date(node.scalar);
    if (!d) {
        error(node, path, "expected a date YYYY-MM-DD, found '" + node.scalar + "'");
    }
    return d;
}

std::vector<std::string> Reader::string_list(const YNode& node, const std::string& path) {
    std::vector<std::string> out;
    if (node.is_scalar()) {
        out.push_back(node.scalar);
        return out;
    }
    if (!expect_sequence(node, path)) {
        return out;
    }
    for (std::size_t i = 0; i < node.sequence.size(); ++i) {
        if (auto s = string(node.sequence[i], path + "[" + std::to_string(i) + "]")) {
            out.push_back(*s);
        }
    }
    return out;
}

std::vector<Distribution> Reader::parameter_distributions() const {
    std::vector<Distribution> out;
    for (const auto& p : parameters_) {
        out.push_back(p.distribution);
    }
    return out;
}

namespace {

/// What makes a distribution with uncertain arguments invalid for some of the values they can
/// take (checked on their bounds), or "" when every value gives a valid one.
std::string uncertain_arguments_problem(const DistributionSpec& spec,
                                        const std::vector<Distribution>& bounds) {
    auto lo = [&](std::size_t i) { return spec.args.at(i).lower(bounds); };
    auto hi = [&](std::size_t i) { return spec.args.at(i).upper(bounds); };
    std::string why;
    switch (spec.kind) {
        case DistributionKind::uniform:
            if (hi(0) > lo(1)) {
                why = "min can exceed max";
            }
            break;
        case DistributionKind::triangular:
            if (hi(0) > lo(1) || hi(1) > lo(2)) {
                why = "min, mode and max can fall out of order";
            }
            break;
        case DistributionKind::normal:
            if (lo(1) < 0.0) {
                why = "sd can be negative";
            }
            break;
        case DistributionKind::lognormal:
            if (!(lo(0) > 0.0)) {
                why = "the median can be zero or negative";
            } else if (lo(1) < 0.0) {
                why = "the spread can be negative";
            }
            break;
        case DistributionKind::beta:
            if (!(lo(0) > 0.0) || !(lo(1) > 0.0)) {
                why = "alpha and beta must stay above 0";
            } else if (spec.args.size() > 3 && hi(2) >= lo(3)) {
                why = "min can reach max";
            }
            break;
        case DistributionKind::bernoulli:
            if (lo(0) < 0.0 || hi(0) > 1.0) {
                why = "p can leave [0, 1]";
            }
            break;
        case DistributionKind::discrete:
            for (const auto& w : spec.weights) {
                if (w.lower(bounds) < 0.0) {
                    why = "a weight can be negative";
                }
            }
            break;
        case DistributionKind::fixed:
            break;
    }
    return why;
}

}  // namespace

const DistributionShape* Reader::distribution_shape(const YNode& node, const std::string& path) {
    if (!node.is_map()) {
        // A bare number is the usual slip: say how to write it as one, and the other forms.
        const std::string fixed = node.is_scalar() && !node.scalar.empty()
                                      ? "{dist: fixed, value: " + node.scalar + "}"
                                      : "{dist: fixed, value: 40}";
        error(node, path,
              std::string(node.is_scalar() ? "a bare value is not accepted here: " : "") +
                  "expected a distribution: " + fixed +
                  " for a fixed value, or {dist: lognormal, median: 40, spread: 0.35}, "
                  "{dist: triangular, min: 30, mode: 40, max: 55}, {dist: uniform, min: 30, "
                  "max: 55}, normal {mean, sd}, beta, bernoulli or discrete "
                  "(docs/scenario-reference.md, Distributions)");
        return nullptr;
    }
    const YNode* dist = node.find("dist");
    if (dist == nullptr) {
        error(node, path,
              "a distribution needs 'dist:' (fixed, uniform, triangular, normal, "
              "lognormal, beta, bernoulli or discrete)");
        return nullptr;
    }
    std::vector<std::string> names;
    for (const auto& s : distribution_shapes()) {
        names.emplace_back(s.name);
    }
    const auto it =
        std::find_if(distribution_shapes().begin(), distribution_shapes().end(),
                     [&](const auto& s) { return dist->is_scalar() && dist->scalar == s.name; });
    if (it == distribution_shapes().end()) {
        std::string message = "unknown distribution '" + dist->scalar + "'";
        const std::string guess = closest_match(dist->scalar, names);
        message += guess.empty() ? "; use one of: fixed, uniform, triangular, normal, "
                                   "lognormal, beta, bernoulli, discrete"
                                 : " (did you mean '" + guess + "'?)";
        error(*dist, path + ".dist", message);
        return nullptr;
    }
    return &*it;
}

bool Reader::read_arguments(const YNode& node, const std::string& path,
                            const DistributionShape& shape, bool dates, DistributionSpec& spec) {
    bool ok = true;
    // Only location-like arguments are dates; spreads, sds and shape arguments are numbers.
    auto is_date_arg = [&](const std::string& a) {
        return dates && (a == "value" || a == "min" || a == "mode" || a == "max" || a == "mean" ||
                         a == "median");
    };
    for (const auto& a : shape.args) {
        const YNode* v = node.find(a);
        if (v == nullptr) {
            error(node, path, std::string(shape.name) + " needs '" + a + "'");
            ok = false;
            continue;
        }
        auto q = quantity(*v, path + "." + a, is_date_arg(a));
        if (!q) {
            ok = false;
            continue;
        }
        spec.args.push_back(*q);
    }
    for (const auto& a : shape.optional) {
        if (const YNode* v = node.find(a)) {
            if (auto q = quantity(*v, path + "." + a, is_date_arg(a))) {
                spec.args.push_back(*q);
            } else {
                ok = false;
            }
        } else if (spec.kind == DistributionKind::beta) {
            spec.args.push_back(Quantity::constant_value(a == "min" ? 0.0 : 1.0));
        }
    }
    return ok;
}

bool Reader::check_arguments(const YNode& node, const std::string& path,
                             const DistributionShape& shape, const DistributionSpec& spec) {
    const auto constant_all = [](const std::vector<Quantity>& qs) {
        return std::all_of(qs.begin(), qs.end(), [](const Quantity& q) { return q.is_constant(); });
    };
    if (!(constant_all(spec.args) && constant_all(spec.values) && constant_all(spec.weights))) {
        // Uncertain arguments: every value they can take must make a valid distribution, or the
        // run would fail hours in. Checked on their bounds.
        const std::string why = uncertain_arguments_problem(spec, parameter_distributions());
        if (!why.empty()) {
            error(node, path,
                  std::string(shape.name) + " with uncertain arguments: " + why +
                      " for some of the values they can take; narrow the arguments' ranges");
            return false;
        }
        return true;
    }
    // Constant arguments: checked now, so the message points at the file.
    try {
        std::vector<double> params;
        Rng rng(0);
        (void)spec.resolve(params, rng);
    } catch (const std::invalid_argument& e) {
        error(node, path, e.what());
        return false;
    }
    return true;
}

std::optional<DistributionSpec> Reader::distribution(const YNode& node, const std::string& path,
                                                     bool dates) {
    const DistributionShape* shape = distribution_shape(node, path);
    if (shape == nullptr) {
        return std::nullopt;
    }
    DistributionSpec spec;
    spec.kind = shape->kind;
    std::vector<std::string> allowed = {"dist"};
    allowed.insert(allowed.end(), shape->args.begin(), shape->args.end());
    allowed.insert(allowed.end(), shape->optional.begin(), shape->optional.end());
    if (spec.kind == DistributionKind::discrete) {
        allowed.insert(allowed.end(), {"values", "weights"});
    }
    check_keys(node, path, allowed);
    bool ok = read_arguments(node, path, *shape, dates, spec);
    if (spec.kind == DistributionKind::discrete && !read_discrete(node, path, dates, spec, ok)) {
        return std::nullopt;
    }
    if (!ok || !check_arguments(node, path, *shape, spec)) {
        return std::nullopt;
    }
    return spec;
}

bool Reader::read_discrete(const YNode& node, const std::string& path, bool dates,
                           DistributionSpec& spec, bool& ok) {
    const YNode* values = node.find("values");
    if (values == nullptr || !values->is_sequence() || values->sequence.empty()) {
        error(node, path, "discrete needs 'values:' as a non-empty list");
        return false;
    }
    for (std::size_t i = 0; i < values->sequence.size(); ++i) {
        auto q = quantity(values->sequence[i], path + ".values[" + std::to_string(i) + "]", dates);
        ok = ok && q.has_value();
        if (q) {
            spec.values.push_back(*q);
        }
    }
    if (const YNode* weights = node.find("weights")) {
        if (!weights->is_sequence() || weights->sequence.size() != values->sequence.size()) {
            error(*weights, path + ".weights", "needs one weight for each of the values");
            return false;
        }
        for (std::size_t i = 0; i < weights->sequence.size(); ++i) {
            auto q = quantity(weights->sequence[i], path + ".weights[" + std::to_string(i) + "]");
            ok = ok && q.has_value();
            if (q) {
                spec.weights.push_back(*q);
            }
        }
    }
    return true;
}

std::optional<Quantity> Reader::quantity(const YNode& node, const std::string& path, bool dates) {
    if (node.is_map()) {
        auto spec = distribution(node, path, dates);
        if (!spec) {
            return std::nullopt;
        }
        Quantity q;
        q.kind = Quantity::Kind::distribution;
        q.distribution = std::make_shared<const DistributionSpec>(std::move(*spec));
        return q;
    }
    if (node.is_scalar() && !node.scalar.empty() && node.scalar[0] == '$') {
        const std::string name = node.scalar.substr(1);
        for (std::size_t i = 0; i < parameters_.size(); ++i) {
            if (parameters_[i].name == name) {
                Quantity q;
                q.kind = Quantity::Kind::parameter;
                q.parameter = static_cast<int>(i);
                if (dates) {
                    error(node, path,
                          "a date cannot be a parameter; write a date or a "
                          "distribution of dates");
                    return std::nullopt;
                }
                return q;
            }
        }
        std::vector<std::string> names;
        for (const auto& p : parameters_) {
            names.push_back(p.name);
        }
        std::string message = "unknown parameter '" + name + "'";
        const std::string guess = closest_match(name, names);
        if (!guess.empty()) {
            message += " (did you mean '$" + guess + "'?)";
        }
        error(node, path, message);
        return std::nullopt;
    }
    if (dates) {
        auto d = date(node, path);
        if (!d) {
            return std::nullopt;
        }
        return Quantity::constant_value(static_cast<double>(*d));
    }
    auto v = number(node, path);
    if (!v) {
        return std::nullopt;
    }
    return Quantity::constant_value(*v);
}

void Reader::check_range(const Quantity& q, const YNode& at, const std::string& path, double lower,
                         double upper, const std::string& what) {
    const auto params = parameter_distributions();
    const double lo = q.lower(params);
    const double hi = q.upper(params);
    if (lo >= lower && hi <= upper) {
        return;
    }
    auto num = [](double v) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g", v);
        return std::string(buf);
    };
    const std::string range =
        std::isinf(upper) ? ">= " + num(lower) : "between " + num(lower) + " and " + num(upper);
    std::string found =
        q.is_constant() ? ", found " + num(q.value) : " for every value it can take";
    if (q.kind == Quantity::Kind::parameter && q.parameter >= 0 &&
        static_cast<std::size_t>(q.parameter) < parameters_.size()) {
        // The parameter may be set far from here (a scenario, or --set): name it and its range.
        const Parameter& p = parameters_[static_cast<std::size_t>(q.parameter)];
        found = "; parameter '" + p.name + "' ranges from " + num(lo) + " to " + num(hi);
        std::string places;
        for (const auto& w : p.given_at) {
            if (!w.file.empty()) {
                places += (places.empty() ? "" : ", ") + w.format();
            }
        }
        if (!places.empty()) {
            found += " (given at " + places + ")";
        }
    }
    error(at, path, what + " must be " + range + found);
}

}  // namespace chokepoint::detail
