#include "chokepoint/scenario/uncertain.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>

#include "reader.hpp"
#include "scenario_trees.hpp"

namespace chokepoint {

using detail::YNode;

namespace {

bool is_date_key(const std::string& key) {
    return key == "start" || key == "end" || key == "announced" || key == "end_announced" ||
           key == "sized_on";
}

// One line of YAML flow style, for the "as written" column.
std::string inline_yaml(const YNode& n) {
    switch (n.kind) {
        case YNode::Kind::null:
            return "~";
        case YNode::Kind::scalar:
            return n.scalar;
        case YNode::Kind::sequence: {
            std::string out = "[";
            for (std::size_t i = 0; i < n.sequence.size(); ++i) {
                out += (i ? ", " : "") + inline_yaml(n.sequence[i]);
            }
            return out + "]";
        }
        case YNode::Kind::map: {
            std::string out = "{";
            for (std::size_t i = 0; i < n.map.size(); ++i) {
                out += (i ? ", " : "") + n.map[i].first + ": " + inline_yaml(n.map[i].second);
            }
            return out + "}";
        }
    }
    return "";
}

// The path component of a sequence item: its id, else its product; empty if neither.
std::string item_name(const YNode& item) {
    if (!item.is_map()) {
        return "";
    }
    if (const YNode* id = item.find("id"); id != nullptr && id->is_scalar()) {
        return id->scalar;
    }
    if (const YNode* p = item.find("product"); p != nullptr && p->is_scalar()) {
        return p->scalar;
    }
    return "";
}

bool is_number(const std::string& s) {
    double v = 0.0;
    const char* b = s.data();
    const char* e = s.data() + s.size();
    auto r = std::from_chars(b, e, v);
    return r.ec == std::errc() && r.ptr == e;
}

class Lister {
  public:
    Lister(const Scenario& s, bool all) : scenario_(s), all_(all) {
        for (const auto& p : s.parameters) {
            bounds_.push_back(p.distribution);
        }
    }

    // Records `$name` uses below `n` (at `path`) without listing anything.
    void record_uses(const YNode& n, const std::string& path) {
        if (n.is_scalar() && !n.scalar.empty() && n.scalar[0] == '$') {
            uses_[n.scalar.substr(1)].push_back(path);
        }
        for (const auto& [k, v] : n.map) {
            record_uses(v, path + "." + k);
        }
        for (std::size_t i = 0; i < n.sequence.size(); ++i) {
            const std::string name = item_name(n.sequence[i]);
            record_uses(n.sequence[i],
                        path + (name.empty() ? "[" + std::to_string(i) + "]" : "." + name));
        }
    }

    // Lists distributions (and, with all_, fixed numbers) below `n`.
    void walk(const YNode& n, const std::string& path, const std::string& section, bool date) {
        if (n.is_map() && n.find("dist") != nullptr) {
            add_distribution(n, path, section, date);
            record_uses(n, path);
            return;
        }
        if (n.is_scalar()) {
            if (!n.scalar.empty() && n.scalar[0] == '$') {
                uses_[n.scalar.substr(1)].push_back(path);
            } else if (all_ && section == "events") {
                add_fixed(n, path, date);
            }
            return;
        }
        for (const auto& [k, v] : n.map) {
            if (k == "id" || k == "kind" || k == "description" || k == "source" || k == "note" ||
                k == "name") {
                continue;
            }
            walk(v, path + "." + k, section, date || is_date_key(k));
        }
        for (std::size_t i = 0; i < n.sequence.size(); ++i) {
            const std::string name = item_name(n.sequence[i]);
            if (name.empty()) {
                record_uses(n.sequence[i], path + "[" + std::to_string(i) + "]");
            } else {
                walk(n.sequence[i], path + "." + name, section, date);
            }
        }
    }

    void add_parameter(const Parameter& p, const YNode* written) {
        UncertainQuantity q;
        q.path = "parameters." + p.name;
        q.section = "parameters";
        q.description = p.description;
        if (written != nullptr) {
            YNode shown = *written;
            for (std::size_t i = 0; i < shown.map.size(); ++i) {
                if (shown.map[i].first == "description") {
                    shown.map.erase(shown.map.begin() + static_cast<long>(i));
                    break;
                }
            }
            q.written = inline_yaml(shown);
        }
        q.distribution = p.distribution;
        q.uncertain = p.distribution.kind() != DistributionKind::fixed;
        if (written != nullptr) {
            q.where = written->where;
        }
        set_range(q, p.distribution);
        out_.push_back(std::move(q));
    }

    std::vector<UncertainQuantity> finish() {
        for (auto& q : out_) {
            if (q.section == "parameters") {
                q.used_by = uses_[q.path.substr(std::string("parameters.").size())];
            }
        }
        return std::move(out_);
    }

  private:
    static void set_range(UncertainQuantity& q, const Distribution& d) {
        q.low = d.lower();
        q.high = d.upper();
        if (!std::isfinite(q.low) || !std::isfinite(q.high)) {
            q.low = d.quantile(0.01);
            q.high = d.quantile(0.99);
            q.central_98 = true;
        }
    }

    void add_distribution(const YNode& n, const std::string& path, const std::string& section,
                          bool date) {
        UncertainQuantity q;
        q.path = path;
        q.section = section;
        q.written = inline_yaml(n);
        q.is_date = date;
        q.where = n.where;
        if (path.ends_with(".expected_duration_days")) {
            // Runs know the end: sweeping this moves nothing but a backtest.
            q.description =
                "used only by backtests from origins before end_announced: no effect on runs or "
                "sweeps (vary it with simulate backtest --set)";
        }
        DiagnosticSink sink;
        std::vector<Parameter> params = scenario_.parameters;
        detail::Reader r(sink, params);
        const auto spec = r.distribution(n, path, date);
        bool constant = spec.has_value();
        if (spec) {
            for (const auto& a : spec->args) {
                constant = constant && a.is_constant();
            }
            for (const auto& a : spec->values) {
                constant = constant && a.is_constant();
            }
            for (const auto& a : spec->weights) {
                constant = constant && a.is_constant();
            }
        }
        if (constant) {
            Rng unused(0);
            q.distribution = spec->resolve({}, unused);
            set_range(q, *q.distribution);
        } else if (spec) {
            q.low = spec->lower(bounds_);
            q.high = spec->upper(bounds_);
            if (!std::isfinite(q.low) || !std::isfinite(q.high)) {
                q.low = q.high = std::numeric_limits<double>::quiet_NaN();
            }
        }
        out_.push_back(std::move(q));
    }

    void add_fixed(const YNode& n, const std::string& path, bool date) {
        UncertainQuantity q;
        q.path = path;
        q.section = "events";
        q.written = n.scalar;
        q.uncertain = false;
        q.where = n.where;
        if (date) {
            const auto d = parse_date(n.scalar);
            if (!d) {
                return;
            }
            q.is_date = true;
            q.low = q.high = *d;
        } else if (is_number(n.scalar)) {
            q.low = q.high = std::stod(n.scalar);
        } else {
            return;
        }
        q.distribution = Distribution::fixed(q.low);
        out_.push_back(std::move(q));
    }

    const Scenario& scenario_;
    bool all_;
    std::vector<Distribution> bounds_;
    std::map<std::string, std::vector<std::string>> uses_;
    std::vector<UncertainQuantity> out_;
};

}  // namespace

std::vector<UncertainQuantity> list_uncertain(const std::string& scenario_path,
                                              const std::vector<Override>& overrides, bool all) {
    detail::ScenarioTrees trees;
    const Scenario s = detail::load_scenario_with_trees(scenario_path, overrides, &trees);
    Lister lister(s, all);
    const YNode* sp = detail::member(trees.scenario, "parameters");
    const YNode* mp = detail::member(trees.model, "parameters");
    for (const auto& p : s.parameters) {
        const YNode* written = sp != nullptr ? sp->find(p.name) : nullptr;
        if (written == nullptr && mp != nullptr) {
            written = mp->find(p.name);
        }
        lister.add_parameter(p, written);
    }
    if (const YNode* ev = detail::member(trees.scenario, "events")) {
        lister.walk(*ev, "events", "events", false);
    }
    for (const auto& [key, value] : trees.model.map) {
        if (key != "parameters") {
            lister.walk(value, "network." + key, "network", false);
        }
    }
    return lister.finish();
}

namespace {

// Whether an event applies on the lane to `destination` for `product` (no destinations or no
// products listed: every one).
bool applies_to(const EventSpec& ev, const std::string& destination, const std::string& product,
                const std::vector<Product>& products) {
    const bool to_here = ev.destinations.empty() ||
                         std::find(ev.destinations.begin(), ev.destinations.end(), destination) !=
                             ev.destinations.end();
    bool product_here = ev.products.empty();
    for (int p : ev.products) {
        product_here = product_here || products[static_cast<std::size_t>(p)].id == product;
    }
    return to_here && product_here;
}

// Whether a quantity is the parameter `param`, or a distribution with it among its arguments.
bool names_parameter(const Quantity& q, int param) {
    if (q.kind == Quantity::Kind::parameter) {
        return q.parameter == param;
    }
    if (q.kind == Quantity::Kind::distribution) {
        for (const auto& a : q.distribution->args) {
            if (a.kind == Quantity::Kind::parameter && a.parameter == param) {
                return true;
            }
        }
    }
    return false;
}

// The (event, key) pairs `path` feeds: a parameter feeds every event key that names it; an event
// path feeds that key. `param`: the parameter's index, else -2.
std::vector<std::pair<int, std::string>> fed_keys(const Scenario& scenario, const std::string& path,
                                                  int param) {
    std::vector<std::pair<int, std::string>> fed;
    for (std::size_t e = 0; e < scenario.events.size(); ++e) {
        const EventSpec& ev = scenario.events[e];
        const std::string prefix = "events." + ev.id + ".";
        const bool rate = ev.has_approval_rate && (names_parameter(ev.approval_rate, param) ||
                                                   path == prefix + "approval_rate");
        const bool delay =
            ev.has_approval_delay &&
            (path == prefix + "approval_delay" ||
             std::any_of(ev.approval_delay.args.begin(), ev.approval_delay.args.end(),
                         [&](const Quantity& a) {
                             return a.kind == Quantity::Kind::parameter && a.parameter == param;
                         }));
        const bool share =
            ev.has_share && (names_parameter(ev.share, param) || path == prefix + "share");
        if (rate) {
            fed.emplace_back(static_cast<int>(e), "approval_rate");
        }
        if (delay) {
            fed.emplace_back(static_cast<int>(e), "approval_delay");
        }
        if (share) {
            fed.emplace_back(static_cast<int>(e), "share");
        }
    }
    return fed;
}

}  // namespace

std::vector<std::string> overridden_on(const Scenario& scenario, const std::string& path,
                                       const std::string& destination, const std::string& product) {
    const int param = path.rfind("parameters.", 0) == 0
                          ? scenario.parameter_index(path.substr(std::string("parameters.").size()))
                          : -2;
    std::vector<std::string> out;
    const auto& products = scenario.network.products();
    // A product's controlled share fed by the path is replaced by an export control's own
    // `share:`, or by a licence_delay's for some destinations.
    for (const auto& pr : products) {
        const bool feeds =
            pr.id == product && (names_parameter(pr.controlled_share, param) ||
                                 path == "network.products." + pr.id + ".controlled_share");
        if (!feeds) {
            continue;
        }
        for (const auto& ev : scenario.events) {
            if ((ev.kind == EventKind::export_control || ev.kind == EventKind::licence_delay) &&
                ev.has_share && applies_to(ev, destination, product, products)) {
                out.push_back("events." + ev.id +
                              ".share replaces the product's controlled "
                              "share for " +
                              destination + " (" + product + ")");
            }
        }
    }
    // A control's key fed by the path is replaced by a licence_delay of that control that sets
    // the same key on the lane.
    for (const auto& [e, key] : fed_keys(scenario, path, param)) {
        const EventSpec& fed_event = scenario.events[static_cast<std::size_t>(e)];
        if (fed_event.kind != EventKind::export_control) {
            continue;
        }
        for (const auto& ev : scenario.events) {
            if (ev.kind != EventKind::licence_delay || ev.control != e) {
                continue;
            }
            const bool sets = (key == "approval_rate" && ev.has_approval_rate) ||
                              (key == "approval_delay" && ev.has_approval_delay) ||
                              (key == "share" && ev.has_share);
            if (sets && applies_to(ev, destination, product, products)) {
                out.push_back("events." + ev.id + "." + key + " replaces events." + fed_event.id +
                              "." + key + " for " + destination + " (" + product + ")");
            }
        }
    }
    return out;
}

}  // namespace chokepoint
