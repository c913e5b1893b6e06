#pragma once
/// The immutable supply network: nodes (sources, processors, buyers) and edges (a product flowing
/// from one node to another with a baseline flow and a lead time). Boost Graph is used inside
/// network.cpp only; this header exposes plain vectors indexed by integer ids.
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "chokepoint/core/diagnostics.hpp"
#include "chokepoint/random/quantity.hpp"

namespace chokepoint {

enum class NodeKind { source, processor, buyer };
const char* to_string(NodeKind kind);

/// A product in the model (concentrate, oxide, compound, metal, magnet, ...).
struct Product {
    std::string id;
    std::string description;
    /// Share of tonnes that contain the controlled medium/heavy elements and so need a licence
    /// under an export control of those elements (may be uncertain).
    Quantity controlled_share = Quantity::constant_value(0.0);
};

/// Output of a node: sources mine it, processors make it from their feed.
struct ProductionLine {
    int product = -1;
    Quantity capacity;            ///< t/month at capacity factor 1
    double feed_per_tonne = 0.0;  ///< tonnes of feed (REO equivalent) per tonne produced
    double cover_days = 30.0;     ///< target output stock, in days of baseline outflow
};

/// A node's use of one product it receives.
struct InputPolicy {
    int product = -1;
    Quantity demand;          ///< buyers: consumption in t/month; unused for processors
    double feed_yield = 0.0;  ///< processors: tonnes of feed per tonne received
    /// Processors: an input that is not feed but an ingredient (Dy/Tb for high-grade magnets),
    /// used at `per_tonne` tonnes per tonne of output, on average over the whole output; 0 for
    /// feed. Only `needed_by` of the output needs it: a shortfall of it cuts that share.
    double per_tonne = 0.0;
    double needed_by = 1.0;
    double cover_days = 30.0;   ///< target stock, in days of use
    double initial_stock = -1;  ///< tonnes; negative means "cover_days of use"
};

struct Node {
    std::string id;
    std::string name;
    std::string country;
    NodeKind kind = NodeKind::source;
    std::vector<ProductionLine> lines;
    std::vector<InputPolicy> inputs;
    SourceLocation where;
};

struct Edge {
    int from = -1;
    int to = -1;
    int product = -1;
    double flow = 0.0;       ///< baseline t/month
    int lead_time_days = 0;  ///< days from departure to arrival
    SourceLocation where;
};

/// The supply network. Built once, shared read-only by every trial.
class Network {
  public:
    Network() = default;
    Network(std::vector<Product> products, std::vector<Node> nodes, std::vector<Edge> edges);

    const std::vector<Product>& products() const { return products_; }
    const std::vector<Node>& nodes() const { return nodes_; }
    const std::vector<Edge>& edges() const { return edges_; }
    /// Distinct countries of the nodes, in order of first appearance.
    const std::vector<std::string>& countries() const { return countries_; }

    /// The mass unit of every amount ("t" or "kg", the model's material), for messages and
    /// drawings.
    const std::string& unit() const { return unit_; }
    void set_unit(std::string unit) { unit_ = std::move(unit); }

    /// -1 when not found.
    int find_product(const std::string& id) const;
    int find_node(const std::string& id) const;
    bool has_country(const std::string& country) const;
    /// Index of the input policy of `node` for `product`, or -1.
    int find_input(int node, int product) const;
    /// Index of the production line of `node` for `product`, or -1.
    int find_line(int node, int product) const;
    /// Ids, for "did you mean" suggestions.
    std::vector<std::string> product_ids() const;
    std::vector<std::string> node_ids() const;

    /// Structural checks with Boost Graph (every edge's product is made by its origin and used by
    /// its destination; every buyer is reachable from a source); problems go to `sink`.
    void check(DiagnosticSink& sink) const;
    /// Graphviz DOT, written by boost::write_graphviz.
    void write_dot(std::ostream& out) const;
    /// A drawing for a slide, as Graphviz DOT: left to right, nodes coloured by kind (sources,
    /// processors, buyers) and labelled with name and country, edges labelled with product and
    /// baseline t/month and drawn with a pen width by flow. Every label is DOT-escaped.
    void write_drawing(std::ostream& out) const;
    /// GraphML, written by boost::write_graphml.
    void write_graphml(std::ostream& out) const;

  private:
    // check()'s parts: each edge's ends, each processor's baseline balance, buyers reached.
    void check_edges(DiagnosticSink& sink) const;
    void check_balance(DiagnosticSink& sink) const;
    void check_buyer_flows(DiagnosticSink& sink) const;
    void check_reachable(DiagnosticSink& sink) const;

    std::vector<Product> products_;
    std::vector<Node> nodes_;
    std::vector<Edge> edges_;
    std::vector<std::string> countries_;
    std::string unit_ = "t";
};

}  // namespace chokepoint
