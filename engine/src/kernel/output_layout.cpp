#include "chokepoint/kernel/output_layout.hpp"

#include "chokepoint/scenario/scenario.hpp"

namespace chokepoint {

int OutputLayout::find(const SeriesKey& key) const {
    for (std::size_t i = 0; i < series.size(); ++i) {
        if (series[i] == key) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

int OutputLayout::intern(const SeriesKey& key) {
    const int i = find(key);
    if (i >= 0) {
        return i;
    }
    series.push_back(key);
    return static_cast<int>(series.size() - 1);
}

namespace {
bool controllable(const Scenario& s, const Edge& e) {
    const auto& nodes = s.network.nodes();
    const std::string& from = nodes[static_cast<std::size_t>(e.from)].country;
    for (const auto& ev : s.events) {
        if (ev.kind == EventKind::export_control && ev.exporter == from) {
            return true;
        }
    }
    return false;
}
}  // namespace

OutputLayout OutputLayout::build(const Scenario& s) {
    OutputLayout layout;
    layout.first_month = s.first_month();
    layout.months = s.month_count();
    layout.unit = s.material.unit;
    layout.headline_product = s.material.headline_product;
    layout.headline_exporter = s.material.headline_exporter;
    const auto& nodes = s.network.nodes();
    const auto& products = s.network.products();
    // Trade, in the model's edge order: exports by destination, then the world total.
    for (const auto& e : s.network.edges()) {
        const Node& from = nodes[static_cast<std::size_t>(e.from)];
        const Node& to = nodes[static_cast<std::size_t>(e.to)];
        if (from.country == to.country) {
            continue;
        }
        const std::string& product = products[static_cast<std::size_t>(e.product)].id;
        layout.intern({"exports", product, from.country, to.country});
        layout.intern({"exports", product, from.country, "World"});
        layout.intern({"imports", product, from.country, to.country});
        layout.intern({"imports", product, "World", to.country});
        if (controllable(s, e)) {
            layout.intern({"licence_backlog", product, from.country, to.country});
            layout.intern({"licence_backlog", product, from.country, "World"});
            layout.intern({"licence_refused", product, from.country, to.country});
            layout.intern({"licence_refused", product, from.country, "World"});
            if (s.stock_policy.has_patience) {
                layout.intern({"licence_lapsed", product, from.country, to.country});
                layout.intern({"licence_lapsed", product, from.country, "World"});
            }
        }
    }
    for (std::size_t n = 0; n < nodes.size(); ++n) {
        if (nodes[n].kind != NodeKind::buyer) {
            continue;
        }
        for (const auto& in : nodes[n].inputs) {
            const std::string& product = products[static_cast<std::size_t>(in.product)].id;
            layout.intern({"shortage", product, "", nodes[n].country});
            layout.intern({"days_short", product, "", nodes[n].country});
            layout.intern({"stock", product, "", nodes[n].country});
            layout.buyers.push_back(
                BuyerKey{static_cast<int>(n), in.product, nodes[n].id, nodes[n].country, product});
        }
    }
    return layout;
}

}  // namespace chokepoint
