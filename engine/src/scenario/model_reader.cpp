#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "chokepoint/core/input_file.hpp"
#include "chokepoint/core/working_calendar.hpp"
#include "chokepoint/scenario/schema.hpp"
#include "loader_parts.hpp"
#include "reader.hpp"
#include "yaml_tree.hpp"

// The model file: products, nodes (production lines, inputs), edges, parameters, noise, working
// calendars, the demand trend and the buyers' and exporters' policies (loader_parts.hpp).

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

/// The model's `products:` list.
std::vector<Product> read_product_list(const YNode& root, Reader& r) {
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
    return products;
}

/// A node's `production:` list into `node.lines`.
void read_production_lines(const YNode& lines, Reader& r, const std::vector<Product>& products,
                           const std::string& path, Node& node) {
    if (node.kind == NodeKind::buyer) {
        r.error(lines, path + ".production", "a buyer has no production");
    } else if (r.expect_sequence(lines, path + ".production")) {
        for (std::size_t j = 0; j < lines.sequence.size(); ++j) {
            const YNode& l = lines.sequence[j];
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
                    r.check_range(*q, *v, lp + ".capacity", 0.0, INFINITY, "a capacity (t/month)");
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

/// A node's `inputs:` list into `node.inputs`.
void read_inputs(const YNode& inputs, Reader& r, const std::vector<Product>& products,
                 const std::string& path, Node& node) {
    if (node.kind == NodeKind::source) {
        r.error(inputs, path + ".inputs", "a source has no inputs");
    } else if (r.expect_sequence(inputs, path + ".inputs")) {
        for (std::size_t j = 0; j < inputs.sequence.size(); ++j) {
            const YNode& in = inputs.sequence[j];
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
                    r.check_range(*q, *v, ip + ".demand", 0.0, INFINITY, "a demand (t/month)");
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
                    r.error(*v, ip + ".stock", "a stock must be >= 0 tonnes, found " + v->scalar);
                }
            }
            node.inputs.push_back(policy);
        }
    }
}

/// The model's `nodes:` list (the products are read).
std::vector<Node> read_node_list(const YNode& root, Reader& r,
                                 const std::vector<Product>& products) {
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
                read_production_lines(*lines, r, products, path, node);
            }
            if (const YNode* inputs = member(n, "inputs")) {
                read_inputs(*inputs, r, products, path, node);
            }
            for (const auto& other : nodes) {
                if (!node.id.empty() && other.id == node.id) {
                    r.error(
                        n, path + ".id",
                        "duplicate node '" + node.id + "' (first at " + other.where.format() + ")");
                }
            }
            nodes.push_back(node);
        }
    }
    return nodes;
}

/// The model's `edges:` list (the products and nodes are read).
std::vector<Edge> read_edges(const YNode& root, Reader& r, const std::vector<Product>& products,
                             const std::vector<Node>& nodes) {
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
    return edges;
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

/// `exporter_policy:`, how many days of a lane's flow an exporter lets wait for licences.
void read_exporter_policy(const YNode& ep, Reader& r, ExporterPolicy& out) {
    if (r.expect_map(ep, "exporter_policy")) {
        r.check_keys(ep, "exporter_policy", keys_of("exporter_policy"));
        if (const YNode* v = member(ep, "backlog_days")) {
            if (auto q = r.quantity(*v, "exporter_policy.backlog_days")) {
                r.check_range(*q, *v, "exporter_policy.backlog_days", 1.0, 3650.0,
                              "a backlog in days of a lane's flow (1 to 3650)");
                out.has_backlog_cap = true;
                out.backlog_days = *q;
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

    std::vector<Product> products = read_product_list(root, r);
    std::vector<Node> nodes = read_node_list(root, r, products);
    std::vector<Edge> edges = read_edges(root, r, products, nodes);

    model.network = Network(std::move(products), std::move(nodes), std::move(edges));
    if (r.sink().empty()) {
        model.network.check(r.sink());
    }
    read_calendars(member(root, "working_calendars"), r, model_path, model.network,
                   model.calendars);
    read_demand_trend(member(root, "demand_trend"), r, model.network, model.demand_trend);
    if (const YNode* sp = member(root, "stock_policy")) {
        read_stock_policy(*sp, r, model.stock_policy);
    }
    if (const YNode* ep = member(root, "exporter_policy")) {
        read_exporter_policy(*ep, r, model.exporter_policy);
    }
    return model;
}

}  // namespace chokepoint::detail
