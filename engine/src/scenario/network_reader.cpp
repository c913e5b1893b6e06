#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "chokepoint/core/units.hpp"
#include "chokepoint/scenario/schema.hpp"
#include "loader_parts.hpp"
#include "reader.hpp"
#include "yaml_tree.hpp"

// A model file's network: its products, its nodes with their production lines and inputs, and
// its edges (loader_parts.hpp, read_network).

namespace chokepoint::detail {

namespace {

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
                    r.check_range(*q, *v, lp + ".capacity", 0.0, INFINITY,
                                  "a capacity (" + r.per_month() + ")");
                    line.capacity = *q;
                }
            } else {
                r.error(l, lp, "a production line needs 'capacity:' (" + r.per_month() + ")");
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
                    r.check_range(*q, *v, ip + ".demand", 0.0, INFINITY,
                                  "a demand (" + r.per_month() + ")");
                    policy.demand = *q;
                }
            } else if (node.kind == NodeKind::buyer) {
                r.error(in, ip, "a buyer's input needs 'demand:' (" + r.per_month() + ")");
            }
            const YNode* per_tonne = member(in, "per_tonne");
            if (per_tonne != nullptr) {
                if (node.kind != NodeKind::processor) {
                    r.error(*per_tonne, ip + ".per_tonne",
                            "only processors have ingredients (per_tonne:)");
                } else if (member(in, "feed_yield") != nullptr) {
                    r.error(in, ip,
                            "an input is either feed ('feed_yield:') or an ingredient "
                            "('per_tonne:'), not both");
                } else {
                    policy.per_tonne = r.number(*per_tonne, ip + ".per_tonne").value_or(0);
                    if (!(policy.per_tonne > 0 && policy.per_tonne <= 10)) {
                        r.error(*per_tonne, ip + ".per_tonne",
                                "must be above 0 and at most 10 (" + mass_unit_name(r.unit()) +
                                    " used per " + mass_unit_singular(r.unit()) + " made), found " +
                                    per_tonne->scalar);
                    }
                }
            }
            if (const YNode* v = member(in, "needed_by")) {
                if (per_tonne == nullptr) {
                    r.error(*v, ip + ".needed_by", "'needed_by:' goes with 'per_tonne:'");
                } else {
                    policy.needed_by = r.number(*v, ip + ".needed_by").value_or(1);
                    if (!(policy.needed_by > 0 && policy.needed_by <= 1)) {
                        r.error(*v, ip + ".needed_by",
                                "must be above 0 and at most 1 (the share of the output that "
                                "needs this input), found " +
                                    v->scalar);
                    }
                }
            }
            if (per_tonne != nullptr) {
                // An ingredient: no feed yield.
            } else if (const YNode* v = member(in, "feed_yield")) {
                if (node.kind != NodeKind::processor) {
                    r.error(*v, ip + ".feed_yield",
                            "only processors have a feed "
                            "yield");
                } else {
                    policy.feed_yield = r.number(*v, ip + ".feed_yield").value_or(0);
                    if (policy.feed_yield <= 0 || policy.feed_yield > 1) {
                        r.error(*v, ip + ".feed_yield",
                                "must be above 0 and at most 1 (" + mass_unit_name(r.unit()) +
                                    " of feed per " + mass_unit_singular(r.unit()) + " received)");
                    }
                }
            } else if (node.kind == NodeKind::processor) {
                r.error(in, ip,
                        "a processor's input needs 'feed_yield:' (feed) or 'per_tonne:' (an "
                        "ingredient)");
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
                            "a stock must be >= 0 " + mass_unit_name(r.unit()) + ", found " +
                                v->scalar);
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
                            "a flow must be >= 0 " + r.per_month() + ", found " +
                                member(e, "flow")->scalar);
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

}  // namespace

Network read_network(const YNode& root, Reader& r) {
    std::vector<Product> products = read_product_list(root, r);
    std::vector<Node> nodes = read_node_list(root, r, products);
    std::vector<Edge> edges = read_edges(root, r, products, nodes);
    Network network(std::move(products), std::move(nodes), std::move(edges));
    network.set_unit(r.unit());
    if (r.sink().empty()) {
        network.check(r.sink());
    }
    return network;
}

}  // namespace chokepoint::detail
