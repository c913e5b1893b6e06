#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "chokepoint/io/results.hpp"
#include "chokepoint/report/run_report.hpp"

namespace chokepoint {

namespace {

/// "A", "A and B", "A, B and C".
std::string list_names(const std::vector<std::string>& names) {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        out += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + names[i];
    }
    return out;
}

bool has_exporter(const std::string& metric) {
    return metric == "exports" || metric == "licence_backlog" || metric == "licence_refused" ||
           metric == "licence_lapsed";
}

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) {
        out += (out.empty() ? "" : ", ") + i;
    }
    return out;
}

// "2,950" for the terminal.
std::string grouped(double v) {
    if (!std::isfinite(v) || std::abs(v) >= 1e15) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g", v);
        return buf;
    }
    const long long n = std::llround(v);
    std::string digits = std::to_string(n < 0 ? -n : n);
    for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) {
        digits.insert(static_cast<std::size_t>(i), ",");
    }
    return (n < 0 ? "-" : "") + digits;
}

}  // namespace

std::vector<std::string> report_metrics() {
    return {"exports",        "imports",  "licence_backlog", "licence_refused",
            "licence_lapsed", "shortage", "stock",           "days_short"};
}

std::string ReportSeries::describe() const {
    const std::string tonnes = mass_unit_name(mass_unit);
    if (metric == "exports") {
        return product + " exports from " + exporter;
    }
    if (metric == "imports") {
        return product + " imports";
    }
    if (metric == "licence_backlog") {
        return product + " " + tonnes + " waiting for a licence in " + exporter;
    }
    if (metric == "licence_refused") {
        return product + " " + tonnes + " refused a licence in " + exporter;
    }
    if (metric == "licence_lapsed") {
        return product + " " + tonnes + " whose licence application lapsed in " + exporter;
    }
    if (metric == "shortage") {
        return product + " shortage at buyers";
    }
    if (metric == "stock") {
        return product + " stock at buyers";
    }
    return "days short of " + product + " at buyers";
}

std::string ReportSeries::unit() const {
    return series_unit(metric, mass_unit);
}

ReportSeries report_series(const OutputLayout& layout, const std::string& metric,
                           const std::string& product) {
    const auto metrics = report_metrics();
    if (std::find(metrics.begin(), metrics.end(), metric) == metrics.end()) {
        throw std::invalid_argument("no metric '" + metric + "'; choose one of " + join(metrics));
    }
    std::vector<std::string> products;
    for (const auto& k : layout.series) {
        if (k.metric == metric &&
            std::find(products.begin(), products.end(), k.product) == products.end()) {
            products.push_back(k.product);
        }
    }
    ReportSeries r;
    r.mass_unit = layout.unit;
    r.metric = metric;
    if (products.empty()) {
        throw std::invalid_argument("this scenario has no " + metric + " series");
    }
    if (product.empty()) {
        const std::string& lead = layout.headline_product;
        r.product =
            !lead.empty() && std::find(products.begin(), products.end(), lead) != products.end()
                ? lead
                : products.front();
    } else if (std::find(products.begin(), products.end(), product) == products.end()) {
        throw std::invalid_argument("no " + metric + " of '" + product + "'; this scenario has " +
                                    metric + " of " + join(products));
    } else {
        r.product = product;
    }
    if (has_exporter(metric)) {
        bool lead = false;
        for (const auto& k : layout.series) {
            if (k.metric == metric && k.product == r.product) {
                lead = lead ||
                       (!layout.headline_exporter.empty() && k.from == layout.headline_exporter);
                if (r.exporter.empty()) {
                    r.exporter = k.from;
                }
            }
        }
        if (lead) {
            r.exporter = layout.headline_exporter;
        }
    }
    for (std::size_t s = 0; s < layout.series.size(); ++s) {
        const auto& k = layout.series[s];
        if (k.metric != metric || k.product != r.product) {
            continue;
        }
        if (has_exporter(metric)) {
            if (k.from == r.exporter) {
                (k.to == "World" ? r.totals : r.parts).push_back(s);
            }
        } else if (metric == "imports") {
            if (k.from == "World") {
                r.parts.push_back(s);  // each importer's total over its suppliers
            }
        } else {
            r.parts.push_back(s);
        }
    }
    return r;
}

ReportSeries headline_series(const OutputLayout& layout) {
    try {
        return report_series(layout, "exports", "");
    } catch (const std::invalid_argument&) {
        return ReportSeries{};  // a model without exports: no headline series
    }
}

Headline compute_headline(const Scenario& scenario, const RunResult& result,
                          const ReportSeries& series) {
    Headline h;
    h.unit = result.layout.unit;
    h.counted_from = scenario.reference_day;
    const OutputLayout& layout = result.layout;
    if (series.totals.empty() && series.parts.empty()) {
        return h;
    }
    const std::size_t s = series.totals.empty() ? series.parts.front() : series.totals.front();
    const SeriesKey& key = layout.series[s];
    h.series = series.describe() + (has_exporter(series.metric) ? " to " + key.to : "") +
               (series.metric == "imports" || !has_exporter(series.metric) ? " in " + key.to : "");
    const int ref =
        std::clamp(month_of(scenario.reference_day) - layout.first_month, 0, layout.months - 1);
    const int begin = std::max(0, ref - 12);
    double sum = 0.0;
    for (int m = begin; m < ref; ++m) {
        sum += result.at(s, m).p50;
    }
    h.has_before = ref > begin;
    h.before = h.has_before ? sum / (ref - begin) : 0.0;
    h.before_first = layout.first_month + begin;
    h.before_last = layout.first_month + ref - 1;
    // Months of a seasonal halt of the exporter (the Spring Festival) are not the trough.
    std::vector<bool> seasonal(static_cast<std::size_t>(layout.months), false);
    std::vector<std::string> halts;
    for (const auto& ev : scenario.events) {
        if (ev.kind != EventKind::export_halt || !ev.seasonal || ev.from_node < 0 ||
            !ev.start.is_constant() ||
            scenario.network.nodes()[static_cast<std::size_t>(ev.from_node)].country != key.from) {
            continue;
        }
        const auto first = static_cast<Day>(ev.start.value);
        const auto last = static_cast<Day>(ev.end.value) - 1;
        bool inside = false;
        for (int m = month_of(first); m <= month_of(last); ++m) {
            const int i = m - layout.first_month;
            if (i >= ref && i < layout.months) {
                seasonal[static_cast<std::size_t>(i)] = true;
                inside = true;
            }
        }
        if (inside) {
            halts.push_back(ev.holiday.empty() ? ev.id : ev.holiday);
        }
    }
    int trough = -1;
    for (int m = ref; m < layout.months; ++m) {
        if (!seasonal[static_cast<std::size_t>(m)] &&
            (trough < 0 || result.at(s, m).p50 < result.at(s, trough).p50)) {
            trough = m;
        }
    }
    if (trough < 0) {  // every month a festival: none left out
        trough = ref;
        halts.clear();
    }
    h.seasonal_left_out = halts;
    h.trough_month = layout.first_month + trough;
    h.trough = result.at(s, trough).p50;
    if (h.has_before && h.trough < RECOVERY_SHARE * h.before) {
        for (int m = trough + 1; m < layout.months; ++m) {
            if (result.at(s, m).p50 >= RECOVERY_SHARE * h.before) {
                h.recovery_month = layout.first_month + m;
                break;
            }
        }
    }
    // Buyers most at risk.
    std::vector<int> risk_products;
    std::vector<std::size_t> order(layout.buyers.size());
    for (std::size_t b = 0; b < order.size(); ++b) {
        order[b] = b;
    }
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return result.buyers[a].shortage_probability > result.buyers[b].shortage_probability;
    });
    for (std::size_t b : order) {
        const BuyerSummary& bs = result.buyers[b];
        if (bs.shortage_probability <= 0.0 || h.buyers.size() == 3) {
            break;
        }
        const BuyerKey& k = layout.buyers[b];
        const bool shared = std::any_of(
            layout.buyers.begin(), layout.buyers.end(),
            [&](const BuyerKey& o) { return o.country == k.country && o.buyer != k.buyer; });
        BuyerRisk risk;
        risk.name = (shared ? k.country + " " + k.buyer : k.country) + " (" + k.product_id + ")";
        risk.probability = bs.shortage_probability;
        if (bs.time_to_shortage.count > 0) {
            risk.first_shortage_p50 =
                scenario.reference_day + static_cast<Day>(std::lround(bs.time_to_shortage.p50));
        }
        h.buyers.push_back(risk);
        risk_products.push_back(k.product);
        for (const Edge& e : scenario.network.edges()) {
            if (e.to == k.node && e.product == k.product) {
                const std::string& country =
                    scenario.network.nodes()[static_cast<std::size_t>(e.from)].country;
                if (std::find(h.suppliers.begin(), h.suppliers.end(), country) ==
                    h.suppliers.end()) {
                    h.suppliers.push_back(country);
                }
            }
        }
    }
    // The other makers of what those buyers use, which serve buyers of their own: buyers that
    // get nothing from the suppliers above (a maker whose buyer also imports from them, as
    // Japan's gallium producers beside China's, is neither).
    const auto& nodes = scenario.network.nodes();
    const auto supplied_by_them = [&](const Edge& to_buyer) {
        return std::any_of(scenario.network.edges().begin(), scenario.network.edges().end(),
                           [&](const Edge& o) {
                               return o.to == to_buyer.to && o.product == to_buyer.product &&
                                      std::find(h.suppliers.begin(), h.suppliers.end(),
                                                nodes[static_cast<std::size_t>(o.from)].country) !=
                                          h.suppliers.end();
                           });
    };
    for (const Edge& e : scenario.network.edges()) {
        const Node& from = nodes[static_cast<std::size_t>(e.from)];
        const bool used =
            std::find(risk_products.begin(), risk_products.end(), e.product) != risk_products.end();
        if (used && nodes[static_cast<std::size_t>(e.to)].kind == NodeKind::buyer &&
            !supplied_by_them(e) &&
            std::find(h.suppliers.begin(), h.suppliers.end(), from.country) == h.suppliers.end() &&
            std::find(h.other_suppliers.begin(), h.other_suppliers.end(), from.country) ==
                h.other_suppliers.end()) {
            h.other_suppliers.push_back(from.country);
        }
    }
    return h;
}

std::vector<std::string> Headline::lines() const {
    std::vector<std::string> out;
    if (series.empty()) {
        return out;
    }
    const std::string from = format_date(counted_from);
    out.push_back("Headline: " + series + " (P50, " + unit + "/month), counted from " + from + ":");
    if (has_before) {
        out.push_back("  before: " + grouped(before) + " " + unit + "/month (mean, " +
                      format_month(before_first) + ".." + format_month(before_last) + ")");
        const double change = before > 0 ? 100.0 * (trough / before - 1.0) : 0.0;
        char pct[32];
        std::snprintf(pct, sizeof pct, "%+.0f%%", change);
        out.push_back(
            "  trough: " + grouped(trough) + " " + unit + " in " + format_month(trough_month) +
            (before > 0 ? std::string(" (") + pct + " on before)" : "") +
            (seasonal_left_out.empty() ? std::string()
                                       : "; the months of " + list_names(seasonal_left_out) +
                                             " left out (a seasonal halt, not a policy)"));
        out.push_back("  recovery to 90% of before: " +
                      (trough >= RECOVERY_SHARE * before
                           ? std::string("no fall below 90% of before")
                       : recovery_month ? format_month(*recovery_month)
                                        : std::string("not within the horizon")));
    } else {
        out.push_back(
            "  lowest: " + grouped(trough) + " " + unit + " in " + format_month(trough_month) +
            " (no month before " + from + " to compare with)" +
            (seasonal_left_out.empty() ? std::string()
                                       : "; the months of " + list_names(seasonal_left_out) +
                                             " left out (a seasonal halt, not a policy)"));
    }
    if (buyers.empty()) {
        out.push_back("  buyers: no shortage in any trial from " + from);
    } else {
        std::string line = "  most at risk:";
        for (std::size_t i = 0; i < buyers.size(); ++i) {
            // 99.7% is not 100%: a decimal near certainty.
            const double pct = 100.0 * buyers[i].probability;
            const std::string p =
                format_probability(buyers[i].probability, pct > 99.0 && pct < 100.0 ? 1 : 0);
            line += (i ? "; " : " ") + buyers[i].name + " " + p +
                    (!buyers[i].first_shortage_p50 ? std::string()
                     : *buyers[i].first_shortage_p50 <= counted_from + 1
                         ? std::string(", already short then")
                         : ", first short " + format_date(*buyers[i].first_shortage_p50));
        }
        out.push_back(line);
        if (!suppliers.empty()) {
            // Other makers serve buyers of their own: a buyer does not move its orders to them
            // (docs/model.md, "Magnet makers outside China").
            out.push_back(
                "  short: demand (the model's level and trend) that stock and deliveries "
                "from " +
                list_names(suppliers) + " cannot meet; " +
                (other_suppliers.empty()
                     ? std::string("suppliers outside the model are not counted")
                     : "no buyer moves its orders to another supplier, the makers in " +
                           list_names(other_suppliers) +
                           " sell to buyers of their own (listed apart), and suppliers "
                           "outside the model are not counted"));
        }
    }
    return out;
}

std::string format_probability(double probability, int decimals) {
    const double step = std::pow(10.0, -decimals);
    const double pct = 100.0 * probability;
    char text[32];
    if (probability < 1.0 && pct >= 100.0 - 0.5 * step) {
        std::snprintf(text, sizeof text, ">%.*f%%", decimals, 100.0 - step);  // ">99.9%"
    } else {
        std::snprintf(text, sizeof text, "%.*f%%", decimals, pct);
    }
    return text;
}

std::optional<MonthIndex> projection_start(const std::vector<ReportedRow>& rows) {
    std::optional<MonthIndex> last;
    for (const auto& r : rows) {
        if (r.has_value && r.is_mass && r.first == r.last) {
            last = last ? std::max(*last, r.last) : r.last;
        }
    }
    if (last) {
        return *last + 1;
    }
    return std::nullopt;
}

}  // namespace chokepoint
