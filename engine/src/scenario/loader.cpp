#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>

#include "chokepoint/core/input_file.hpp"
#include "chokepoint/core/working_calendar.hpp"
#include "chokepoint/scenario/scenario.hpp"
#include "chokepoint/scenario/schema.hpp"
#include "loader_parts.hpp"
#include "reader.hpp"
#include "scenario_trees.hpp"
#include "yaml_tree.hpp"

namespace chokepoint {

using detail::at;
using detail::lookup_node;
using detail::member;
using detail::read_events;
using detail::read_nodes;
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

namespace {

std::string format_number_short(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

// ---------------------------------------------------------------------------------------------
// Parameters (model and scenario share one namespace; the scenario's win).

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
// The model file.

int lookup_product(Reader& r, const std::vector<Product>& products, const YNode& node,
                   const std::string& path) {
    auto id = r.string(node, path);
    if (!id) {
        return -1;
    }
    for (std::size_t i = 0; i < products.size(); ++i) {
        if (products[i].id == *id) {
            return static_cast<int>(i);
        }
    }
    std::vector<std::string> ids;
    for (const auto& p : products) {
        ids.push_back(p.id);
    }
    const std::string guess = closest_match(*id, ids);
    r.error(node, path,
            "unknown product '" + *id + "'" +
                (guess.empty() ? "" : " (did you mean '" + guess + "'?)"));
    return -1;
}

struct ModelFile {
    Network network;
    std::map<std::string, WorkingCalendar> calendars;
    double adjust_days = 30.0;
    MonthlyNoise demand_noise;
    MonthlyNoise supply_noise{0.0, 0.0, 0.0};
    DemandTrend demand_trend;
    StockPolicy stock_policy;
    ExporterPolicy exporter_policy;
};

// `demand_noise:` or `supply_noise:` (the same keys).
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

// `overriding` is a scenario's parameters: they replace the model's before any model number
// that refers to them is range-checked, so `--set parameters.share=1.3` cannot slip through.
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
            out[country] = WorkingCalendar::parse(read_input_file(resolved, 1u << 20), resolved);
        } catch (const InputError& e) {
            for (const auto& d : e.diagnostics()) {
                r.sink().error(d.where, d.path, d.message);
            }
        }
    }
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
        out.excluded = read_nodes(r, net, *x, "demand_trend.exclude");
        for (int n : out.excluded) {
            if (net.nodes()[static_cast<std::size_t>(n)].kind != NodeKind::buyer) {
                r.error(*x, "demand_trend.exclude",
                        "'" + net.nodes()[static_cast<std::size_t>(n)].id +
                            "' is not a buyer; only buyers' demand has a trend");
            }
        }
    }
}

ModelFile build_model(const YNode& root, Reader& r, std::vector<Parameter>& parameters,
                      const std::string& model_path, const YNode* overriding = nullptr) {
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

    std::vector<Product> products;
    const YNode* pnode = member(root, "products");
    if (pnode == nullptr || (pnode->is_sequence() && pnode->sequence.empty())) {
        r.error(pnode != nullptr ? *pnode : root, "products",
                "the model needs a 'products:' list with at least one product");
    } else if (r.expect_sequence(*pnode, "products")) {
        for (std::size_t i = 0; i < pnode->sequence.size(); ++i) {
            const YNode& p = pnode->sequence[i];
            const std::string path = at("products", i);
            if (!r.expect_map(p, path)) {
                continue;
            }
            r.check_keys(p, path, keys_of("product"));
            Product product;
            if (const YNode* id = member(p, "id")) {
                product.id = r.string(*id, path + ".id").value_or("");
            } else {
                r.error(p, path, "a product needs an 'id:'");
            }
            if (const YNode* d = member(p, "description")) {
                product.description = d->scalar;
            }
            if (const YNode* s = member(p, "controlled_share")) {
                if (auto q = r.quantity(*s, path + ".controlled_share")) {
                    r.check_range(*q, *s, path + ".controlled_share", 0.0, 1.0,
                                  "a controlled share");
                    product.controlled_share = *q;
                }
            }
            for (const auto& other : products) {
                if (!product.id.empty() && other.id == product.id) {
                    r.error(p, path + ".id", "duplicate product '" + product.id + "'");
                }
            }
            products.push_back(product);
        }
    }

    std::vector<Node> nodes;
    const YNode* nnode = member(root, "nodes");
    if (nnode == nullptr || (nnode->is_sequence() && nnode->sequence.empty())) {
        r.error(nnode != nullptr ? *nnode : root, "nodes",
                "the model needs a 'nodes:' list with at least one node");
    } else if (r.expect_sequence(*nnode, "nodes")) {
        for (std::size_t i = 0; i < nnode->sequence.size(); ++i) {
            const YNode& n = nnode->sequence[i];
            const std::string path = at("nodes", i);
            if (!r.expect_map(n, path)) {
                continue;
            }
            r.check_keys(n, path, keys_of("node"));
            Node node;
            node.where = n.where;
            for (const char* key : {"id", "country", "kind"}) {
                if (member(n, key) == nullptr) {
                    r.error(n, path, std::string("a node needs '") + key + ":'");
                }
            }
            if (const YNode* v = member(n, "id")) {
                node.id = r.string(*v, path + ".id").value_or("");
            }
            node.name = node.id;
            if (const YNode* v = member(n, "name")) {
                node.name = r.string(*v, path + ".name").value_or(node.id);
            }
            if (const YNode* v = member(n, "country")) {
                node.country = r.string(*v, path + ".country").value_or("");
            }
            if (const YNode* v = member(n, "kind")) {
                const std::string k = v->scalar;
                if (k == "source") {
                    node.kind = NodeKind::source;
                } else if (k == "processor") {
                    node.kind = NodeKind::processor;
                } else if (k == "buyer") {
                    node.kind = NodeKind::buyer;
                } else {
                    const std::string guess = closest_match(k, {"source", "processor", "buyer"});
                    r.error(*v, path + ".kind",
                            "unknown node kind '" + k + "'" +
                                (guess.empty() ? "; use source, processor or buyer"
                                               : " (did you mean '" + guess + "'?)"));
                }
            }
            if (const YNode* lines = member(n, "production")) {
                if (node.kind == NodeKind::buyer) {
                    r.error(*lines, path + ".production", "a buyer has no production");
                } else if (r.expect_sequence(*lines, path + ".production")) {
                    for (std::size_t j = 0; j < lines->sequence.size(); ++j) {
                        const YNode& l = lines->sequence[j];
                        const std::string lp = at(path + ".production", j);
                        if (!r.expect_map(l, lp)) {
                            continue;
                        }
                        r.check_keys(l, lp, keys_of("production_line"));
                        ProductionLine line;
                        if (const YNode* v = member(l, "product")) {
                            line.product = lookup_product(r, products, *v, lp + ".product");
                        } else {
                            r.error(l, lp, "a production line needs 'product:'");
                        }
                        if (const YNode* v = member(l, "capacity")) {
                            if (auto q = r.quantity(*v, lp + ".capacity")) {
                                r.check_range(*q, *v, lp + ".capacity", 0.0, INFINITY,
                                              "a capacity (t/month)");
                                line.capacity = *q;
                            }
                        } else {
                            r.error(l, lp, "a production line needs 'capacity:' (t/month)");
                        }
                        if (const YNode* v = member(l, "feed_per_tonne")) {
                            line.feed_per_tonne = r.number(*v, lp + ".feed_per_tonne").value_or(0);
                            if (line.feed_per_tonne < 0) {
                                r.error(*v, lp + ".feed_per_tonne", "must be >= 0");
                            }
                        }
                        if (node.kind == NodeKind::processor && line.feed_per_tonne <= 0) {
                            r.error(l, lp, "a processor's line needs 'feed_per_tonne:' > 0");
                        }
                        if (const YNode* v = member(l, "cover_days")) {
                            line.cover_days = r.number(*v, lp + ".cover_days").value_or(30);
                            if (line.cover_days < 0) {
                                r.error(*v, lp + ".cover_days", "must be >= 0");
                            }
                        }
                        node.lines.push_back(line);
                    }
                }
            }
            if (const YNode* inputs = member(n, "inputs")) {
                if (node.kind == NodeKind::source) {
                    r.error(*inputs, path + ".inputs", "a source has no inputs");
                } else if (r.expect_sequence(*inputs, path + ".inputs")) {
                    for (std::size_t j = 0; j < inputs->sequence.size(); ++j) {
                        const YNode& in = inputs->sequence[j];
                        const std::string ip = at(path + ".inputs", j);
                        if (!r.expect_map(in, ip)) {
                            continue;
                        }
                        r.check_keys(in, ip, keys_of("input"));
                        InputPolicy policy;
                        if (const YNode* v = member(in, "product")) {
                            policy.product = lookup_product(r, products, *v, ip + ".product");
                        } else {
                            r.error(in, ip, "an input needs 'product:'");
                        }
                        if (const YNode* v = member(in, "demand")) {
                            if (node.kind != NodeKind::buyer) {
                                r.error(*v, ip + ".demand",
                                        "only buyers have a demand; processors use 'feed_yield:'");
                            } else if (auto q = r.quantity(*v, ip + ".demand")) {
                                r.check_range(*q, *v, ip + ".demand", 0.0, INFINITY,
                                              "a demand (t/month)");
                                policy.demand = *q;
                            }
                        } else if (node.kind == NodeKind::buyer) {
                            r.error(in, ip, "a buyer's input needs 'demand:' (t/month)");
                        }
                        if (const YNode* v = member(in, "feed_yield")) {
                            if (node.kind != NodeKind::processor) {
                                r.error(*v, ip + ".feed_yield",
                                        "only processors have a feed "
                                        "yield");
                            } else {
                                policy.feed_yield = r.number(*v, ip + ".feed_yield").value_or(0);
                                if (policy.feed_yield <= 0 || policy.feed_yield > 1) {
                                    r.error(*v, ip + ".feed_yield",
                                            "must be above 0 and at most 1 (tonnes of feed per "
                                            "tonne received)");
                                }
                            }
                        } else if (node.kind == NodeKind::processor) {
                            r.error(in, ip, "a processor's input needs 'feed_yield:'");
                        }
                        if (const YNode* v = member(in, "cover_days")) {
                            policy.cover_days = r.number(*v, ip + ".cover_days").value_or(30);
                            if (policy.cover_days < 0) {
                                r.error(*v, ip + ".cover_days", "must be >= 0");
                            }
                        }
                        if (const YNode* v = member(in, "stock")) {
                            policy.initial_stock = r.number(*v, ip + ".stock").value_or(0);
                            if (policy.initial_stock < 0) {
                                r.error(*v, ip + ".stock",
                                        "a stock must be >= 0 tonnes, found " + v->scalar);
                            }
                        }
                        node.inputs.push_back(policy);
                    }
                }
            }
            for (const auto& other : nodes) {
                if (!node.id.empty() && other.id == node.id) {
                    r.error(n, path + ".id", "duplicate node '" + node.id + "'");
                }
            }
            nodes.push_back(node);
        }
    }

    std::vector<Edge> edges;
    const YNode* enode = member(root, "edges");
    if (enode == nullptr) {
        r.error(root, "edges", "the model needs an 'edges:' list");
    } else if (r.expect_sequence(*enode, "edges")) {
        for (std::size_t i = 0; i < enode->sequence.size(); ++i) {
            const YNode& e = enode->sequence[i];
            const std::string path = at("edges", i);
            if (!r.expect_map(e, path)) {
                continue;
            }
            r.check_keys(e, path, keys_of("edge"));
            Edge edge;
            edge.where = e.where;
            bool ok = true;
            for (const char* key : {"from", "to", "product", "flow", "lead_time_days"}) {
                if (member(e, key) == nullptr) {
                    r.error(e, path, std::string("an edge needs '") + key + ":'");
                    ok = false;
                }
            }
            if (!ok) {
                continue;
            }
            edge.from = lookup_node(r, nodes, *member(e, "from"), path + ".from");
            edge.to = lookup_node(r, nodes, *member(e, "to"), path + ".to");
            edge.product = lookup_product(r, products, *member(e, "product"), path + ".product");
            if (auto v = r.number(*member(e, "flow"), path + ".flow")) {
                if (*v < 0) {
                    r.error(*member(e, "flow"), path + ".flow",
                            "a flow must be >= 0 t/month, found " + member(e, "flow")->scalar);
                }
                edge.flow = *v;
            }
            if (auto v = r.integer(*member(e, "lead_time_days"), path + ".lead_time_days")) {
                if (*v < 0 || *v > 365) {
                    r.error(*member(e, "lead_time_days"), path + ".lead_time_days",
                            "a lead time must be between 0 and 365 days");
                }
                edge.lead_time_days = static_cast<int>(std::clamp<long long>(*v, 0, 365));
            }
            if (edge.from >= 0 && edge.to >= 0 && edge.from == edge.to) {
                r.error(e, path, "an edge cannot connect a node to itself");
            }
            if (edge.from >= 0 && edge.to >= 0 && edge.product >= 0) {
                edges.push_back(edge);
            }
        }
    }
    model.network = Network(std::move(products), std::move(nodes), std::move(edges));
    if (r.sink().empty()) {
        model.network.check(r.sink());
    }
    read_calendars(member(root, "working_calendars"), r, model_path, model.network,
                   model.calendars);
    read_demand_trend(member(root, "demand_trend"), r, model.network, model.demand_trend);
    if (const YNode* sp = member(root, "stock_policy")) {
        if (r.expect_map(*sp, "stock_policy")) {
            r.check_keys(*sp, "stock_policy", keys_of("stock_policy"));
            for (const auto& [key, out] :
                 {std::pair<const char*, Quantity*>{"precautionary_share",
                                                    &model.stock_policy.precautionary_share},
                  std::pair<const char*, Quantity*>{"catch_up_share",
                                                    &model.stock_policy.catch_up_share}}) {
                if (const YNode* v = member(*sp, key)) {
                    const std::string path = std::string("stock_policy.") + key;
                    if (auto q = r.quantity(*v, path)) {
                        r.check_range(*q, *v, path, 0.0, 1.0, "a share");
                        *out = *q;
                    }
                }
            }
            if (const YNode* v = member(*sp, "patience_days")) {
                if (auto q = r.quantity(*v, "stock_policy.patience_days")) {
                    r.check_range(*q, *v, "stock_policy.patience_days", 1.0, 3650.0,
                                  "a patience in days (1 to 3650)");
                    model.stock_policy.has_patience = true;
                    model.stock_policy.patience_days = *q;
                }
            }
        }
    }
    if (const YNode* ep = member(root, "exporter_policy")) {
        if (r.expect_map(*ep, "exporter_policy")) {
            r.check_keys(*ep, "exporter_policy", keys_of("exporter_policy"));
            if (const YNode* v = member(*ep, "backlog_days")) {
                if (auto q = r.quantity(*v, "exporter_policy.backlog_days")) {
                    r.check_range(*q, *v, "exporter_policy.backlog_days", 1.0, 3650.0,
                                  "a backlog in days of a lane's flow (1 to 3650)");
                    model.exporter_policy.has_backlog_cap = true;
                    model.exporter_policy.backlog_days = *q;
                }
            }
        }
    }
    return model;
}

// ---------------------------------------------------------------------------------------------
// extends: and --set on the tree.

// Notices of what a child scenario overrides in the file it extends ("file:line:col: notice:
// ..."), for `simulate validate`.
using Notices = std::vector<std::string>;

void merge_into(YNode& base, const YNode& top, const std::string& prefix, Notices& notices);

std::string where_of(const YNode& n) {
    return n.where.format();
}

void merge_events(YNode& base, const YNode& top, Notices& notices) {
    if (!base.is_sequence() || !top.is_sequence()) {
        base = top;
        return;
    }
    for (const auto& event : top.sequence) {
        const YNode* id = event.is_map() ? event.find("id") : nullptr;
        YNode* same = nullptr;
        if (id != nullptr) {
            for (auto& b : base.sequence) {
                const YNode* bid = b.is_map() ? b.find("id") : nullptr;
                if (bid != nullptr && bid->scalar == id->scalar) {
                    same = &b;
                }
            }
        }
        if (same != nullptr) {
            // Same id: the child overrides keys of the parent's event.
            std::string keys;
            for (const auto& entry : event.map) {
                if (entry.first != "id") {
                    keys += (keys.empty() ? "" : ", ") + entry.first;
                }
            }
            notices.push_back(where_of(event) + ": notice: event '" + id->scalar +
                              "' is also defined at " + where_of(*same) +
                              "; this file's keys replace the parent's" +
                              (keys.empty() ? std::string() : " (" + keys + ")"));
            Notices ignored;  // one notice per event, not one per key
            merge_into(*same, event, "", ignored);
        } else {
            base.sequence.push_back(event);
        }
    }
}

void merge_into(YNode& base, const YNode& top, const std::string& prefix, Notices& notices) {
    if (!base.is_map() || !top.is_map()) {
        base = top;
        return;
    }
    for (std::size_t i = 0; i < top.map.size(); ++i) {
        const auto& [key, value] = top.map[i];
        YNode* existing = base.find(key);
        const std::string path = prefix.empty() ? key : prefix + "." + key;
        if (existing == nullptr) {
            base.set(key, value, top.key_where[i]);
        } else if (key == "events" && prefix.empty()) {
            merge_events(*existing, value, notices);
        } else if (prefix == "parameters" && existing->is_map() && value.is_map()) {
            // One notice per parameter, naming the keys this file replaces. A child that names
            // `dist:` gives a new distribution: it replaces the parent's whole (its arguments
            // differ: a normal's mean and sd mean nothing to a triangular), keeping the parent's
            // description unless it gives one. Without `dist:`, keys are replaced one by one.
            std::string keys;
            for (const auto& entry : value.map) {
                keys += (keys.empty() ? "" : ", ") + entry.first;
            }
            const bool new_dist = value.find("dist") != nullptr;
            notices.push_back(top.key_where[i].format() + ": notice: parameter '" + key +
                              "' is also defined at " + where_of(*existing) +
                              (new_dist ? "; this file's distribution replaces the parent's ("
                                        : "; this file's keys replace the parent's (") +
                              keys + ")");
            if (new_dist) {
                YNode replaced = value;
                if (replaced.find("description") == nullptr) {
                    for (std::size_t k = 0; k < existing->map.size(); ++k) {
                        if (existing->map[k].first == "description") {
                            replaced.set("description", existing->map[k].second,
                                         existing->key_where[k]);
                        }
                    }
                }
                *existing = std::move(replaced);
            } else {
                Notices ignored;
                merge_into(*existing, value, path, ignored);
            }
        } else if ((key == "parameters" && prefix.empty()) ||
                   (existing->is_map() && value.is_map())) {
            merge_into(*existing, value, path, notices);
        } else {
            // A child always names and describes itself: no notice for those.
            if (!(prefix.empty() && (key == "name" || key == "description"))) {
                const std::string before =
                    existing->is_scalar() ? " (was " + existing->scalar + ")" : std::string();
                notices.push_back(top.key_where[i].format() + ": notice: " + path +
                                  " replaces the value at " + where_of(*existing) + before);
            }
            *existing = value;
        }
    }
}

// Each file of an `extends:` chain, with the `extends:` value that named it (for messages).
YNode load_with_extends(const std::string& path, std::vector<std::string>& chain, Notices& notices,
                        const YNode* named_by = nullptr) {
    constexpr std::size_t MAX_EXTENDS = 32;
    const SourceLocation here = named_by != nullptr ? named_by->where : SourceLocation{path, 0, 0};
    const std::string canonical = [&] {
        std::error_code ec;
        const auto c = std::filesystem::weakly_canonical(path, ec);
        return ec ? path : c.string();
    }();
    if (std::find(chain.begin(), chain.end(), canonical) != chain.end()) {
        throw InputError(here, "extends",
                         "scenario extends itself: " + path + " is already in the chain");
    }
    if (chain.size() >= MAX_EXTENDS) {
        throw InputError(here, "extends", "more than 32 files in an extends: chain");
    }
    chain.push_back(canonical);
    YNode node = detail::load_yaml_file(path);
    YNode* ext = node.is_map() ? node.find("extends") : nullptr;
    if (ext == nullptr) {
        return node;
    }
    if (!ext->is_scalar()) {
        throw InputError(ext->where, "extends", "expected the path of another scenario file");
    }
    const std::filesystem::path parent = std::filesystem::path(path).parent_path() / ext->scalar;
    if (const std::string why = why_not_regular_file(parent.string()); !why.empty()) {
        throw InputError(ext->where, "extends",
                         describe_unusable_file("scenario", parent.string(), why));
    }
    YNode base = load_with_extends(parent.lexically_normal().string(), chain, notices, ext);
    // The model path of the base is relative to the base file: make it absolute-ish.
    if (YNode* model = base.is_map() ? base.find("model") : nullptr) {
        if (model->is_scalar() && !std::filesystem::path(model->scalar).is_absolute()) {
            // A bare file name has an empty parent: that is the current directory.
            auto dir_of = [](const std::filesystem::path& p) {
                return p.parent_path().empty() ? std::filesystem::path(".") : p.parent_path();
            };
            model->scalar = (dir_of(parent) / model->scalar).lexically_normal().string();
            // The error_code form: a name the file system refuses keeps the joined path, and
            // loading the model then reports it, located.
            std::error_code rel_ec;
            const std::filesystem::path rel = std::filesystem::relative(
                model->scalar, dir_of(std::filesystem::path(path)), rel_ec);
            if (!rel_ec && !rel.empty()) {
                model->scalar = rel.string();
            }
        }
    }
    auto& m = node.map;
    for (std::size_t i = 0; i < m.size(); ++i) {
        if (m[i].first == "extends") {
            m.erase(m.begin() + static_cast<long>(i));
            node.key_where.erase(node.key_where.begin() + static_cast<long>(i));
            break;
        }
    }
    merge_into(base, node, "", notices);
    return base;
}

void apply_override(YNode& root, const Override& o) {
    const SourceLocation where{"--set " + o.path + "=" + o.value, 0, 0};
    if (o.path.empty()) {
        throw InputError(where, "", "expected --set path=value");
    }
    if (o.path.size() > 1000 || std::count(o.path.begin(), o.path.end(), '.') > 16) {
        throw InputError(where, "", "a --set path has at most 16 dots and 1,000 characters");
    }
    YNode value = detail::load_yaml_text(o.value, where.file);
    // Locations inside the value point at the --set argument.
    std::vector<YNode*> stack{&value};
    while (!stack.empty()) {
        YNode* n = stack.back();
        stack.pop_back();
        n->where = where;
        for (auto& kw : n->key_where) {
            kw = where;
        }
        for (auto& [k, v] : n->map) {
            stack.push_back(&v);
        }
        for (auto& v : n->sequence) {
            stack.push_back(&v);
        }
    }
    std::vector<std::string> parts;
    std::size_t begin = 0;
    while (begin <= o.path.size()) {
        const std::size_t dot = o.path.find('.', begin);
        parts.push_back(o.path.substr(begin, dot - begin));
        if (dot == std::string::npos) {
            break;
        }
        begin = dot + 1;
    }
    YNode* cur = &root;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const std::string& part = parts[i];
        const bool last = i + 1 == parts.size();
        if (cur->is_sequence()) {
            // Events and nodes are addressed by id (events.<id>.key), a node's production lines
            // and inputs by product (network.nodes.<id>.production.<product>.capacity).
            YNode* found = nullptr;
            for (auto& item : cur->sequence) {
                const YNode* id = item.is_map() ? item.find("id") : nullptr;
                if (id != nullptr && id->scalar == part) {
                    found = &item;
                }
            }
            for (auto& item : cur->sequence) {
                const YNode* product = item.is_map() ? item.find("product") : nullptr;
                if (found == nullptr && product != nullptr && product->scalar == part) {
                    found = &item;
                }
            }
            if (found == nullptr) {
                std::vector<std::string> ids;
                for (auto& item : cur->sequence) {
                    if (const YNode* id = item.is_map() ? item.find("id") : nullptr) {
                        ids.push_back(id->scalar);
                    } else if (const YNode* pr = item.is_map() ? item.find("product") : nullptr) {
                        ids.push_back(pr->scalar);
                    }
                }
                const std::string guess = closest_match(part, ids);
                throw InputError(where, o.path,
                                 (i == 1 && parts[0] == "events" ? "no event with id '"
                                                                 : "no item with id or product '") +
                                     part + "'" +
                                     (guess.empty() ? "" : " (did you mean '" + guess + "'?)"));
            }
            if (last) {
                *found = value;
                return;
            }
            cur = found;
            continue;
        }
        if (cur->kind == YNode::Kind::null) {
            cur->kind = YNode::Kind::map;
        }
        if (!cur->is_map()) {
            throw InputError(where, o.path, "'" + part + "' is inside a single value");
        }
        YNode* next = cur->find(part);
        if (last) {
            cur->set(part, value, where);
            return;
        }
        if (next == nullptr) {
            YNode empty;
            empty.kind = YNode::Kind::map;
            empty.where = where;
            next = &cur->set(part, empty, where);
        }
        cur = next;
    }
}

}  // namespace

Network load_model(const std::string& path) {
    DiagnosticSink sink;
    std::vector<Parameter> parameters;
    Reader r(sink, parameters);
    const YNode root = detail::load_yaml_file(path);
    ModelFile model = build_model(root, r, parameters, path);
    sink.throw_if_any();
    return model.network;
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

Scenario detail::load_scenario_with_trees(const std::string& path,
                                          const std::vector<Override>& overrides,
                                          ScenarioTrees* trees) {
    std::vector<std::string> chain;
    Notices notices;
    YNode root = load_with_extends(path, chain, notices);
    if (!root.is_map()) {
        throw InputError(root.where, "",
                         "a scenario file is a mapping of keys such as name:, "
                         "model:, start:, horizon: and events:");
    }
    // Parameter names before --set, so that `--set parameters.typo=1` is caught below rather
    // than defining a new, unused parameter.
    std::vector<std::string> declared;
    if (const YNode* p = member(root, "parameters"); p != nullptr && p->is_map()) {
        for (const auto& [name, value] : p->map) {
            declared.push_back(name);
        }
    }
    // `network.<path>` overrides go to the model file's tree, everything else to the scenario's.
    const std::string NETWORK_PREFIX = "network.";
    auto is_network = [&](const Override& o) { return o.path.rfind(NETWORK_PREFIX, 0) == 0; };
    for (const auto& o : overrides) {
        if (!is_network(o)) {
            apply_override(root, o);
        }
    }

    DiagnosticSink sink;
    Scenario s;
    s.path = path;
    std::vector<Parameter> parameters;
    Reader r(sink, parameters);
    r.check_keys(root, "", keys_of("scenario"));
    const std::size_t errors_before_model = sink.size();

    // The model first: events are checked against its nodes, products and countries.
    const YNode* model = member(root, "model");
    if (model == nullptr || !model->is_scalar()) {
        throw InputError(root.where, "model",
                         "a scenario needs 'model:', the path of a model file such as "
                         "../models/rare_earths_2024.yaml");
    }
    std::filesystem::path model_path(model->scalar);
    if (model_path.is_relative()) {
        model_path = std::filesystem::path(path).parent_path() / model_path;
    }
    model_path = model_path.lexically_normal();
    if (const std::string why = why_not_regular_file(model_path.string()); !why.empty()) {
        throw InputError(model->where, "model",
                         describe_unusable_file("model", model_path.string(), why));
    }
    s.model_path = model_path.string();
    YNode model_root = detail::load_yaml_file(s.model_path);
    for (const auto& o : overrides) {
        if (is_network(o)) {
            Override inner = o;
            inner.path = o.path.substr(NETWORK_PREFIX.size());
            apply_override(model_root, inner);
        }
    }
    std::vector<std::string> model_parameters;
    if (const YNode* p = member(model_root, "parameters"); p != nullptr && p->is_map()) {
        for (const auto& [name, value] : p->map) {
            model_parameters.push_back(name);
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
    }
    read_noise(member(root, "demand_noise"), r, "demand_noise", s.demand_noise);
    read_noise(member(root, "supply_noise"), r, "supply_noise", s.supply_noise);
    for (const auto& o : overrides) {
        const std::string prefix = "parameters.";
        if (o.path.rfind(prefix, 0) != 0) {
            continue;
        }
        const std::string name =
            o.path.substr(prefix.size(), o.path.find('.', prefix.size()) - prefix.size());
        auto known = declared;
        known.insert(known.end(), model_parameters.begin(), model_parameters.end());
        if (std::find(known.begin(), known.end(), name) == known.end()) {
            const std::string guess = closest_match(name, known);
            sink.error(SourceLocation{"--set " + o.path + "=" + o.value, 0, 0}, o.path,
                       "no parameter '" + name + "' in the scenario or its model" +
                           (guess.empty() ? "" : " (did you mean '" + guess + "'?)"));
        }
    }
    if (sink.size() > errors_before_model) {
        sink.throw_if_any();  // a broken model makes every later message noise
    }

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
    if (!calendar_ok) {
        sink.throw_if_any();  // events need a valid calendar
    }

    s.parameters = parameters;
    read_events(member(root, "events"), r, s);

    // Time to shortage is counted from this day: the given date, else the first export control
    // the scenario's own file defines (a what-if that extends another shows its own effect),
    // else the first export control it inherits.
    s.reference_day = s.start;
    if (const YNode* v = member(root, "time_to_shortage_from")) {
        if (auto d = r.date(*v, "time_to_shortage_from")) {
            s.reference_day = *d;
        }
    } else {
        std::vector<const EventSpec*> controls;
        for (const auto& ev : s.events) {
            if (ev.kind == EventKind::export_control && ev.where.file == path) {
                controls.push_back(&ev);
            }
        }
        for (const auto& ev : s.events) {
            if (ev.kind == EventKind::export_control && ev.where.file != path) {
                controls.push_back(&ev);
            }
        }
        if (!controls.empty()) {
            // An unbounded date distribution has no lower bound: count from the start then.
            const double lo = controls.front()->start.lower(r.parameter_distributions());
            s.reference_day = std::isfinite(lo)
                                  ? static_cast<Day>(std::max(lo, static_cast<double>(s.start)))
                                  : s.start;
        }
    }
    sink.throw_if_any();
    s.parameters = parameters;
    s.resolved_yaml = detail::dump_yaml(root);
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
    s.notices = std::move(notices);
    if (trees != nullptr) {
        trees->scenario = std::move(root);
        trees->model = std::move(model_root);
    }
    return s;
}

}  // namespace chokepoint
