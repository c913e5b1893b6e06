#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "chokepoint/core/input_file.hpp"
#include "chokepoint/core/working_calendar.hpp"
#include "chokepoint/scenario/schema.hpp"
#include "input_files.hpp"
#include "loader_parts.hpp"
#include "reader.hpp"
#include "yaml_tree.hpp"

// The model file: parameters, noise, working calendars, the demand trend and the buyers' and
// exporters' policies, and build_model, which reads them with the network (network_reader.cpp).

namespace chokepoint::detail {

namespace {

std::string format_number_short(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

// ---------------------------------------------------------------------------------------------
// Parameters (model and scenario share one namespace; the scenario's win).

// Where a parameter's value was given: its node, then the first node from each other source
// (a scenario that extends, --set, a sweep) found in its parts.
std::vector<SourceLocation> given_at(const YNode& value) {
    std::vector<SourceLocation> out{value.where};
    std::vector<const YNode*> stack{&value};
    while (!stack.empty()) {
        const YNode* n = stack.back();
        stack.pop_back();
        if (std::none_of(out.begin(), out.end(),
                         [&](const SourceLocation& w) { return w.file == n->where.file; })) {
            out.push_back(n->where);
        }
        for (auto it = n->map.rbegin(); it != n->map.rend(); ++it) {
            stack.push_back(&it->second);
        }
        for (auto it = n->sequence.rbegin(); it != n->sequence.rend(); ++it) {
            stack.push_back(&*it);
        }
    }
    return out;
}

void read_parameters(const YNode* node, Reader& r, std::vector<Parameter>& out) {
    if (node == nullptr || node->kind == YNode::Kind::null) {
        return;
    }
    if (!r.expect_map(*node, "parameters")) {
        return;
    }
    for (const auto& [name, value] : node->map) {
        const std::string path = "parameters." + name;
        Parameter p;
        p.name = name;
        p.given_at = given_at(value);
        YNode dist_node = value;
        if (value.is_map()) {
            if (const YNode* d = value.find("description")) {
                p.description = d->scalar;
                auto& m = dist_node.map;
                for (std::size_t i = 0; i < m.size(); ++i) {
                    if (m[i].first == "description") {
                        m.erase(m.begin() + static_cast<long>(i));
                        dist_node.key_where.erase(dist_node.key_where.begin() +
                                                  static_cast<long>(i));
                        break;
                    }
                }
            }
        }
        // Parameters may not refer to other parameters: resolve against an empty list.
        std::vector<Parameter> none;
        Reader plain(r.sink(), none);
        auto q = plain.quantity(dist_node, path);
        if (!q) {
            continue;
        }
        std::vector<double> no_params;
        Rng rng(0);
        p.distribution = q->is_constant() ? Distribution::fixed(q->value)
                                          : q->distribution->resolve(no_params, rng);
        auto existing = std::find_if(out.begin(), out.end(),
                                     [&p](const Parameter& x) { return x.name == p.name; });
        if (existing != out.end()) {
            *existing = p;
        } else {
            out.push_back(p);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// `working_calendars:` country -> calendar file (relative to the model file), read once.
void read_calendars(const YNode* node, Reader& r, const std::string& model_path, const Network& net,
                    std::map<std::string, WorkingCalendar>& out) {
    if (node == nullptr || !r.expect_map(*node, "working_calendars")) {
        return;
    }
    for (std::size_t i = 0; i < node->map.size(); ++i) {
        const auto& [country, file] = node->map[i];
        const std::string path = "working_calendars." + country;
        if (!net.has_country(country)) {
            r.error(file, path, "no node of the model is in '" + country + "'");
            continue;
        }
        const auto name = r.string(file, path);
        if (!name) {
            continue;
        }
        const std::filesystem::path dir = std::filesystem::path(model_path).parent_path();
        const std::string resolved = (dir / *name).lexically_normal().string();
        try {
            out[country] =
                WorkingCalendar::parse(read_input_text(resolved, 1u << 20, r.cache()), resolved);
        } catch (const InputError& e) {
            for (const auto& d : e.diagnostics()) {
                r.sink().error(d.where, d.path, d.message);
            }
        }
    }
}

// A list of node ids that must all be buyers (an `exclude:`); each other node is an error saying
// that only buyers `what` ("buyers' demand has a trend").
std::vector<int> read_buyers(Reader& r, const Network& net, const YNode& list,
                             const std::string& path, const std::string& what) {
    std::vector<int> out = read_nodes(r, net, list, path);
    for (int n : out) {
        if (net.nodes()[static_cast<std::size_t>(n)].kind != NodeKind::buyer) {
            r.error(list, path,
                    "'" + net.nodes()[static_cast<std::size_t>(n)].id + "' is not a buyer; only " +
                        what);
        }
    }
    return out;
}

// `demand_trend: {base: DATE, growth: {PRODUCT: quantity, ...}, exclude: [BUYER, ...]}`.
void read_demand_trend(const YNode* node, Reader& r, const Network& net, DemandTrend& out) {
    if (node == nullptr || !r.expect_map(*node, "demand_trend")) {
        return;
    }
    r.check_keys(*node, "demand_trend", keys_of("demand_trend"));
    if (const YNode* b = member(*node, "base")) {
        if (auto d = r.date(*b, "demand_trend.base")) {
            out.base = *d;
        }
    } else {
        r.error(*node, "demand_trend",
                "a demand trend needs 'base:', the day the model's demand figures describe "
                "(e.g. 2024-07-01 for 2024's monthly average)");
    }
    const YNode* g = member(*node, "growth");
    if (g == nullptr || !r.expect_map(*g, "demand_trend.growth")) {
        if (g == nullptr) {
            r.error(*node, "demand_trend",
                    "a demand trend needs 'growth:', the annual rate per product (e.g. "
                    "{magnet: 0.08})");
        }
        return;
    }
    const auto& products = net.products();
    for (std::size_t i = 0; i < g->map.size(); ++i) {
        const std::string& id = g->map[i].first;
        const YNode& value = g->map[i].second;
        const std::string path = "demand_trend.growth." + id;
        std::vector<std::string> ids;
        int index = -1;
        for (std::size_t p = 0; p < products.size(); ++p) {
            ids.push_back(products[p].id);
            if (products[p].id == id) {
                index = static_cast<int>(p);
            }
        }
        if (index < 0) {
            const std::string guess = closest_match(id, ids);
            r.error(value, path,
                    "unknown product '" + id + "'" +
                        (guess.empty() ? "" : " (did you mean '" + guess + "'?)"));
            continue;
        }
        if (auto q = r.quantity(value, path)) {
            r.check_range(*q, value, path, -0.5, 1.0, "an annual growth rate (-0.5 to 1)");
            out.products.push_back(index);
            out.growth.push_back(*q);
        }
    }
    if (const YNode* x = member(*node, "exclude")) {
        out.excluded =
            read_buyers(r, net, *x, "demand_trend.exclude", "buyers' demand has a trend");
    }
}

/// `diversion: {share: Q, exclude: [BUYER, ...]}`, demand a tariff destroys (or licences refuse)
/// reaching other buyers.
void read_diversion(const YNode& d, Reader& r, const Network& net, Diversion& out) {
    if (!r.expect_map(d, "diversion")) {
        return;
    }
    r.check_keys(d, "diversion", keys_of("diversion"));
    if (const YNode* v = member(d, "share")) {
        if (auto q = r.quantity(*v, "diversion.share")) {
            r.check_range(*q, *v, "diversion.share", 0.0, 1.0, "a share");
            out.on = true;
            out.share = *q;
        }
    } else {
        r.error(d, "diversion",
                "a diversion needs 'share:', the share of the demand a tariff destroys (or "
                "licences refuse) that reappears at the other buyers (0 to 1)");
    }
    if (const YNode* x = member(d, "exclude")) {
        out.excluded =
            read_buyers(r, net, *x, "diversion.exclude", "buyers receive diverted demand");
    }
}

/// `stock_policy:`, the buyers' precautionary stock, restocking and patience.
void read_stock_policy(const YNode& sp, Reader& r, StockPolicy& out) {
    if (r.expect_map(sp, "stock_policy")) {
        r.check_keys(sp, "stock_policy", keys_of("stock_policy"));
        for (const auto& [key, share] :
             {std::pair<const char*, Quantity*>{"precautionary_share", &out.precautionary_share},
              std::pair<const char*, Quantity*>{"catch_up_share", &out.catch_up_share}}) {
            if (const YNode* v = member(sp, key)) {
                const std::string path = std::string("stock_policy.") + key;
                if (auto q = r.quantity(*v, path)) {
                    r.check_range(*q, *v, path, 0.0, 1.0, "a share");
                    *share = *q;
                }
            }
        }
        if (const YNode* v = member(sp, "patience_days")) {
            if (auto q = r.quantity(*v, "stock_policy.patience_days")) {
                r.check_range(*q, *v, "stock_policy.patience_days", 1.0, 3650.0,
                              "a patience in days (1 to 3650)");
                out.has_patience = true;
                out.patience_days = *q;
            }
        }
    }
}

/// `exporter_policy:`, how many days of a lane's flow an exporter lets wait for licences, and its
/// contract licences (how far ahead it files, how long a contract runs).
void read_exporter_policy(const YNode& ep, Reader& r, ExporterPolicy& out) {
    if (!r.expect_map(ep, "exporter_policy")) {
        return;
    }
    r.check_keys(ep, "exporter_policy", keys_of("exporter_policy"));
    struct Key {
        const char* name;
        double low, high;
        const char* what;
        bool* given;
        Quantity* value;
    };
    for (const Key& k : {
             Key{"backlog_days", 1.0, 3650.0, "a backlog in days of a lane's flow (1 to 3650)",
                 &out.has_backlog_cap, &out.backlog_days},
             Key{"filing_lead_days", 0.0, 250.0, "a lead in working days (0 to 250)",
                 &out.has_filing_lead, &out.filing_lead_days},
             Key{"licence_validity_days", 0.0, 1830.0, "a contract's length in days (0 to 1830)",
                 &out.has_licence_validity, &out.licence_validity_days},
             Key{"licence_batch_days", 1.0, 365.0, "a batch of days' orders (1 to 365)",
                 &out.has_licence_batch, &out.licence_batch_days},
         }) {
        if (const YNode* v = member(ep, k.name)) {
            const std::string path = std::string("exporter_policy.") + k.name;
            if (auto q = r.quantity(*v, path)) {
                r.check_range(*q, *v, path, k.low, k.high, k.what);
                *k.given = true;
                *k.value = *q;
            }
        }
    }
}
}  // namespace

void read_noise(const YNode* node, Reader& r, const std::string& key, MonthlyNoise& out) {
    if (node == nullptr) {
        return;
    }
    if (!r.expect_map(*node, key)) {
        return;
    }
    r.check_keys(*node, key, keys_of("noise"));
    struct Field {
        const char* key;
        double* value;
        double lo;
        double hi;
    };
    for (const Field& f : {Field{"sd", &out.sd, 0.0, 1.0},
                           Field{"monthly_correlation", &out.monthly_correlation, 0.0, 0.99},
                           Field{"common_share", &out.common_share, 0.0, 1.0}}) {
        if (const YNode* v = member(*node, f.key)) {
            if (auto x = r.number(*v, key + "." + f.key)) {
                if (*x < f.lo || *x > f.hi) {
                    r.error(*v, key + "." + f.key,
                            "must be between " + format_number_short(f.lo) + " and " +
                                format_number_short(f.hi) + ", found " + v->scalar);
                } else {
                    *f.value = *x;
                }
            }
        }
    }
}

ModelFile build_model(const YNode& root, Reader& r, std::vector<Parameter>& parameters,
                      const std::string& model_path, const YNode* overriding) {
    ModelFile model;
    if (!r.expect_map(root, "")) {
        return model;
    }
    r.check_keys(root, "", keys_of("model"));
    read_noise(member(root, "demand_noise"), r, "demand_noise", model.demand_noise);
    read_noise(member(root, "supply_noise"), r, "supply_noise", model.supply_noise);
    read_parameters(member(root, "parameters"), r, parameters);
    read_parameters(overriding, r, parameters);
    if (const YNode* a = member(root, "adjust_days")) {
        if (auto v = r.number(*a, "adjust_days")) {
            if (*v < 1.0) {
                r.error(*a, "adjust_days", "must be at least 1 day, found " + a->scalar);
            } else {
                model.adjust_days = *v;
            }
        }
    }

    std::optional<MaterialSource> material;
    if (const YNode* m = member(root, "material")) {
        material = load_material_source(*m, model_path, r.cache());
    }
    r.use_unit(material ? material->unit() : "t");
    model.network = read_network(root, r);
    read_calendars(member(root, "working_calendars"), r, model_path, model.network,
                   model.calendars);
    if (material) {
        model.material = read_material(*material, r, model.network);
    }
    read_demand_trend(member(root, "demand_trend"), r, model.network, model.demand_trend);
    if (const YNode* sp = member(root, "stock_policy")) {
        read_stock_policy(*sp, r, model.stock_policy);
    }
    if (const YNode* ep = member(root, "exporter_policy")) {
        read_exporter_policy(*ep, r, model.exporter_policy);
    }
    if (const YNode* d = member(root, "diversion")) {
        read_diversion(*d, r, model.network, model.diversion);
    }
    return model;
}

}  // namespace chokepoint::detail
