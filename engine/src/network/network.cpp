#include "chokepoint/network/network.hpp"

#include "chokepoint/core/units.hpp"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/graphml.hpp>
#include <boost/graph/graphviz.hpp>
#include <boost/property_map/dynamic_property_map.hpp>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <sstream>

namespace chokepoint {

const char* to_string(NodeKind kind) {
    switch (kind) {
        case NodeKind::source:
            return "source";
        case NodeKind::processor:
            return "processor";
        case NodeKind::buyer:
            return "buyer";
    }
    return "?";
}

namespace {

struct VertexProps {
    std::string id;
    std::string name;
    std::string country;
    std::string kind;
};
struct EdgeProps {
    std::string product;
    double flow = 0.0;
    int lead_time_days = 0;
};
using Graph =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, VertexProps, EdgeProps>;

Graph build_graph(const std::vector<Product>& products, const std::vector<Node>& nodes,
                  const std::vector<Edge>& edges) {
    Graph g(nodes.size());
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        g[i] = VertexProps{nodes[i].id, nodes[i].name, nodes[i].country, to_string(nodes[i].kind)};
    }
    for (const auto& e : edges) {
        boost::add_edge(
            static_cast<std::size_t>(e.from), static_cast<std::size_t>(e.to),
            EdgeProps{products[static_cast<std::size_t>(e.product)].id, e.flow, e.lead_time_days},
            g);
    }
    return g;
}

}  // namespace

Network::Network(std::vector<Product> products, std::vector<Node> nodes, std::vector<Edge> edges)
    : products_(std::move(products)), nodes_(std::move(nodes)), edges_(std::move(edges)) {
    for (const auto& n : nodes_) {
        if (std::find(countries_.begin(), countries_.end(), n.country) == countries_.end()) {
            countries_.push_back(n.country);
        }
    }
}

int Network::find_product(const std::string& id) const {
    for (std::size_t i = 0; i < products_.size(); ++i) {
        if (products_[i].id == id) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

int Network::find_node(const std::string& id) const {
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        if (nodes_[i].id == id) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

bool Network::has_country(const std::string& country) const {
    return std::find(countries_.begin(), countries_.end(), country) != countries_.end();
}

int Network::find_input(int node, int product) const {
    const auto& inputs = nodes_.at(static_cast<std::size_t>(node)).inputs;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        if (inputs[i].product == product) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

int Network::find_line(int node, int product) const {
    const auto& lines = nodes_.at(static_cast<std::size_t>(node)).lines;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (lines[i].product == product) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

std::vector<std::string> Network::product_ids() const {
    std::vector<std::string> out;
    for (const auto& p : products_) {
        out.push_back(p.id);
    }
    return out;
}

std::vector<std::string> Network::node_ids() const {
    std::vector<std::string> out;
    for (const auto& n : nodes_) {
        out.push_back(n.id);
    }
    return out;
}

void Network::check(DiagnosticSink& sink) const {
    check_edges(sink);
    check_balance(sink);
    check_reachable(sink);
}

// Every edge's product is made by its origin and used by its destination, and it runs from a
// node that can ship to one that can receive.
void Network::check_edges(DiagnosticSink& sink) const {
    for (const auto& e : edges_) {
        const Node& from = nodes_[static_cast<std::size_t>(e.from)];
        const Node& to = nodes_[static_cast<std::size_t>(e.to)];
        const std::string& product = products_[static_cast<std::size_t>(e.product)].id;
        if (find_line(e.from, e.product) < 0) {
            sink.error(
                e.where, "edges",
                "node '" + from.id + "' ships " + product + " but has no production line for it");
        }
        if (find_input(e.to, e.product) < 0) {
            sink.error(
                e.where, "edges",
                "node '" + to.id + "' receives " + product + " but has no input entry for it");
        }
        if (to.kind == NodeKind::source) {
            sink.error(e.where, "edges", "node '" + to.id + "' is a source and cannot receive");
        }
        if (from.kind == NodeKind::buyer) {
            sink.error(e.where, "edges", "node '" + from.id + "' is a buyer and cannot ship");
        }
    }
}

// A buyer's lanes carry its baseline: for each product with a constant demand, the flows of its
// lanes add up to that demand (within 2%). The flows set each lane's share of the buyer's orders,
// its exporter's backlog cap and a shipment cut's cap, so a demand changed without its lanes
// would leave those at the old level.
void Network::check_buyer_flows(DiagnosticSink& sink) const {
    for (std::size_t n = 0; n < nodes_.size(); ++n) {
        if (nodes_[n].kind != NodeKind::buyer) {
            continue;
        }
        for (const InputPolicy& in : nodes_[n].inputs) {
            if (!in.demand.is_constant()) {
                continue;
            }
            double flow = 0.0;
            for (const auto& e : edges_) {
                if (e.to == static_cast<int>(n) && e.product == in.product) {
                    flow += e.flow;
                }
            }
            const double demand = in.demand.value;
            if (std::abs(flow - demand) > 0.02 * std::max(flow, demand) + 1e-9) {
                std::ostringstream msg;
                msg << "buyer '" << nodes_[n].id << "' uses " << demand << " " << unit_
                    << "/month of " << products_[static_cast<std::size_t>(in.product)].id
                    << " but its lanes carry " << flow << " " << unit_
                    << "/month at baseline (tolerance 2%): set the edges' flow to its demand";
                sink.error(nodes_[n].where, "nodes", msg.str());
            }
        }
    }
}

// A processor's baseline must balance: feed received (tonnes x feed yield) equals feed used
// (tonnes produced x feed per tonne), or its stocks drift away from the 2024 baseline.
void Network::check_balance(DiagnosticSink& sink) const {
    check_buyer_flows(sink);
    for (std::size_t n = 0; n < nodes_.size(); ++n) {
        if (nodes_[n].kind != NodeKind::processor) {
            continue;
        }
        double feed_in = 0.0;
        double feed_used = 0.0;
        double made = 0.0;
        std::vector<double> ingredient_in(nodes_[n].inputs.size(), 0.0);
        for (const auto& e : edges_) {
            if (e.to == static_cast<int>(n)) {
                const int in = find_input(e.to, e.product);
                if (in >= 0) {
                    feed_in += e.flow * nodes_[n].inputs[static_cast<std::size_t>(in)].feed_yield;
                    ingredient_in[static_cast<std::size_t>(in)] += e.flow;
                }
            }
            if (e.from == static_cast<int>(n)) {
                made += e.flow;
            }
            if (e.from == static_cast<int>(n)) {
                const int line = find_line(e.from, e.product);
                if (line >= 0) {
                    feed_used +=
                        e.flow * nodes_[n].lines[static_cast<std::size_t>(line)].feed_per_tonne;
                }
            }
        }
        if (std::abs(feed_in - feed_used) > 0.02 * std::max(feed_in, feed_used) + 1e-9) {
            std::ostringstream msg;
            msg << "processor '" << nodes_[n].id << "' is not balanced at baseline: it receives "
                << feed_in << " " << unit_ << "/month of feed but its outgoing flows use "
                << feed_used << " " << unit_ << "/month (tolerance 2%)";
            sink.error(nodes_[n].where, "nodes", msg.str());
        }
        for (std::size_t i = 0; i < nodes_[n].inputs.size(); ++i) {
            const InputPolicy& in = nodes_[n].inputs[i];
            if (in.per_tonne > 0.0 && nodes_[n].lines.size() > 1) {
                // Which line's output needs it would be a guess: every line would be cut alike.
                sink.error(nodes_[n].where, "nodes",
                           "processor '" + nodes_[n].id + "' has an ingredient (" +
                               products_[static_cast<std::size_t>(in.product)].id +
                               ", per_tonne:) and " + std::to_string(nodes_[n].lines.size()) +
                               " production lines: an ingredient needs a processor with one "
                               "line (make the lines that need it a processor of their own)");
                continue;
            }
            const double used = in.per_tonne * made;
            if (in.per_tonne > 0.0 && std::abs(ingredient_in[i] - used) >
                                          0.02 * std::max(ingredient_in[i], used) + 1e-9) {
                std::ostringstream msg;
                msg << "processor '" << nodes_[n].id
                    << "' is not balanced at baseline: it receives " << ingredient_in[i] << " "
                    << unit_ << "/month of " << products_[static_cast<std::size_t>(in.product)].id
                    << " but makes " << made << " " << unit_ << "/month at " << in.per_tonne << " "
                    << unit_ << " per " << mass_unit_singular(unit_) << ", " << used << " " << unit_
                    << "/month (tolerance 2%)";
                sink.error(nodes_[n].where, "nodes", msg.str());
            }
        }
    }
}

// Every buyer must be reachable from some source, or it can only run down its stock.
void Network::check_reachable(DiagnosticSink& sink) const {
    const Graph g = build_graph(products_, nodes_, edges_);
    std::vector<boost::default_color_type> colour(boost::num_vertices(g));
    std::vector<bool> reached(nodes_.size(), false);
    for (std::size_t s = 0; s < nodes_.size(); ++s) {
        if (nodes_[s].kind != NodeKind::source) {
            continue;
        }
        std::vector<std::size_t> dist(nodes_.size(), 0);
        boost::breadth_first_search(
            g, boost::vertex(s, g),
            boost::visitor(boost::make_bfs_visitor(boost::record_distances(
                boost::make_iterator_property_map(dist.begin(), boost::get(boost::vertex_index, g)),
                boost::on_tree_edge()))));
        reached[s] = true;
        for (std::size_t v = 0; v < nodes_.size(); ++v) {
            if (dist[v] > 0) {
                reached[v] = true;
            }
        }
    }
    for (std::size_t v = 0; v < nodes_.size(); ++v) {
        if (nodes_[v].kind == NodeKind::buyer && !reached[v]) {
            sink.error(nodes_[v].where, "nodes",
                       "buyer '" + nodes_[v].id + "' is not reachable from any source");
        }
    }
}

namespace {
// Boost's dynamic properties of our graph, under the given names for ids, names and products.
boost::dynamic_properties graph_properties(Graph& g, const char* id, const char* name,
                                           const char* product, const std::string& unit) {
    boost::dynamic_properties dp;
    dp.property(id, boost::get(&VertexProps::id, g));
    dp.property(name, boost::get(&VertexProps::name, g));
    dp.property("country", boost::get(&VertexProps::country, g));
    dp.property("kind", boost::get(&VertexProps::kind, g));
    dp.property(product, boost::get(&EdgeProps::product, g));
    dp.property("flow_" + unit + "_per_month", boost::get(&EdgeProps::flow, g));
    dp.property("lead_time_days", boost::get(&EdgeProps::lead_time_days, g));
    return dp;
}
}  // namespace

void Network::write_dot(std::ostream& out) const {
    Graph g = build_graph(products_, nodes_, edges_);
    boost::write_graphviz_dp(out, g, graph_properties(g, "node_id", "label", "label", unit_),
                             "node_id");
}

namespace {
// A DOT double-quoted string: quotes and backslashes escaped, control characters dropped.
std::string dot_quote(const std::string& text) {
    std::string out = "\"";
    for (char ch : text) {
        if (ch == '"' || ch == '\\') {
            out += '\\';
            out += ch;
        } else if (static_cast<unsigned char>(ch) >= 0x20 && ch != 0x7f) {
            out += ch;
        }
    }
    return out + "\"";
}
}  // namespace

void Network::write_drawing(std::ostream& out) const {
    double max_flow = 0.0;
    for (const auto& e : edges_) {
        max_flow = std::max(max_flow, e.flow);
    }
    out << "digraph network {\n  rankdir=LR;\n  nodesep=0.25;\n  ranksep=1.2;\n"
        << "  node [shape=box, style=\"rounded,filled\", fontname=\"sans\", fontsize=11];\n"
        << "  edge [fontname=\"sans\", fontsize=9, color=\"#555555\"];\n";
    for (std::size_t n = 0; n < nodes_.size(); ++n) {
        const Node& node = nodes_[n];
        const char* colour = node.kind == NodeKind::source      ? "#fdd49e"
                             : node.kind == NodeKind::processor ? "#9ecae1"
                                                                : "#c7e9c0";
        // \n inside a DOT label is a line break; the two parts are escaped separately.
        std::string label = dot_quote(node.name.empty() ? node.id : node.name);
        label.pop_back();
        label += "\\n" + dot_quote(node.country).substr(1);
        out << "  n" << n << " [label=" << label << ", fillcolor=\"" << colour << "\"];\n";
    }
    // Sources first, buyers last, in their own ranks.
    for (const NodeKind kind : {NodeKind::source, NodeKind::buyer}) {
        out << "  { rank=" << (kind == NodeKind::source ? "source" : "sink") << ";";
        for (std::size_t n = 0; n < nodes_.size(); ++n) {
            if (nodes_[n].kind == kind) {
                out << " n" << n << ";";
            }
        }
        out << " }\n";
    }
    for (const auto& e : edges_) {
        const double width = max_flow > 0 ? 0.5 + 7.5 * e.flow / max_flow : 1.0;
        char flow[64];
        std::snprintf(flow, sizeof flow, "%.0f %s/month", e.flow, unit_.c_str());
        std::string label = dot_quote(products_[static_cast<std::size_t>(e.product)].id);
        label.pop_back();
        label += std::string("\\n") + flow + "\"";
        char pen[32];
        std::snprintf(pen, sizeof pen, "%.2f", width);
        out << "  n" << e.from << " -> n" << e.to << " [label=" << label << ", penwidth=" << pen
            << "];\n";
    }
    out << "  labelloc=t;\n  label=\"Baseline flows (" << mass_unit_name(unit_)
        << " per month); pen width by flow. "
           "Orange: sources, blue: processors, green: buyers\";\n  fontname=\"sans\";\n}\n";
}

void Network::write_graphml(std::ostream& out) const {
    Graph g = build_graph(products_, nodes_, edges_);
    boost::write_graphml(out, g, graph_properties(g, "id", "name", "product", unit_), true);
}

}  // namespace chokepoint
