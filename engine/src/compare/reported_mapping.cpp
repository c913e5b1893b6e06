// Reported figures mapped onto the model's series: which series a row is (its publishers'
// product descriptions or model product ids, its regions as ISO 3166 codes, English names or
// sums of countries), which rows are one figure from several publishers, and why a row is not
// compared. Loading the files is reported.cpp.
#include <algorithm>
#include <map>
#include <optional>
#include <unordered_map>

#include "chokepoint/compare/reported.hpp"
#include "chokepoint/core/text.hpp"

namespace chokepoint {

namespace {

// Regions of the reported data that are sums of the model's countries.
const std::map<std::string, std::vector<std::string>> REGIONS = {
    {"EU-27", {"Germany", "Rest of EU"}},
};

// Each series of the reported data the model has a counterpart for: its metric, and the product
// descriptions it is published under, each with the model products whose sum it is. A row
// whose product is not listed is not compared: a different total (magnets with magnet alloys)
// or a subtotal (oxides alone against all separation products) is never set against the model's
// series. A product may also be written as model product ids joined by '+' ("oxide+metal").
struct Rule {
    const char* series;
    const char* metric;
    std::vector<std::pair<std::string, std::vector<std::string>>> products;
    /// The tariff code (digits, no dots; "85051110") that identifies the product whatever the
    /// wording: a text naming it or its six-digit heading on the way to it, no other code, and
    /// adding nothing, is `hs_products`.
    std::string hs_heading;
    std::vector<std::string> hs_products;
};

const std::vector<std::string> SEPARATION = {"oxide", "compound", "metal", "dy_tb"};

const std::vector<Rule>& rules() {
    static const std::vector<Rule> all = {
        {"magnet_exports_total",
         "exports",
         {{"RE permanent magnets (HS 8505.11 / 85051110)", {"magnet"}}},
         "85051110",
         {"magnet"}},
        {"magnet_exports_by_destination",
         "exports",
         {{"RE permanent magnets (HS 8505.11 / 85051110)", {"magnet"}}},
         "85051110",
         {"magnet"}},
        {"ree_exports_total",
         "exports",
         {{"Rare earths headline (GAC 17-element group; oxides/compounds/metals, HS 2805/2846 "
           "group)",
           SEPARATION}},
         "",
         {}},
        {"antaike_export_categories",
         "exports",
         {{"RE separation products (smelting/separation products)", SEPARATION}},
         "",
         {}},
        {"ree_imports_total",
         "imports",
         {{"Rare earths headline imports (GAC; ores, oxides, compounds)",
           {"concentrate", "oxide", "compound", "metal"}}},
         "",
         {}},
        {"imports_re_ore_concentrate",
         "imports",
         {{"Rare earth metal ores/concentrates (almost entirely MP Materials, USA)",
           {"concentrate"}}},
         "",
         {}},
        {"imports_oxides_myanmar",
         "imports",
         {{"Rare earth oxides", {"oxide"}},
          {"RE oxides and compounds", {"oxide", "compound"}},
          {"Unlisted/other rare earth oxides (HS 28469019 'unlisted' oxides; mostly Myanmar "
           "ionic-clay feed)",
           {"oxide"}}},
         "",
         {}},
    };
    return all;
}

// The tariff codes a product text names: each run of digits and dots of four digits or more
// ("8505.11", "85051110", "HS 2846"), without its dots.
std::vector<std::string> tariff_codes(const std::string& text) {
    std::vector<std::string> codes;
    std::string code;
    auto flush = [&] {
        if (code.size() >= 4) {
            codes.push_back(code);
        }
        code.clear();
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char ch = text[i];
        if (ch >= '0' && ch <= '9') {
            code += ch;
        } else if (ch == '.' && !code.empty() && i + 1 < text.size() && text[i + 1] >= '0' &&
                   text[i + 1] <= '9') {
            continue;  // "8505.11": the dot inside a code
        } else {
            flush();
        }
    }
    flush();
    return codes;
}

// Whether a product text names the code `full` and nothing else: every tariff code in it is
// `full`, its heading on the way there, or a national line under it, and it adds no other product
// ("+", "and", "&", powders, alloys, "incl.", "scope"), which would make it another total.
bool names_only_heading(const std::string& text, const std::string& full) {
    const std::vector<std::string> codes = tariff_codes(text);
    if (codes.empty()) {
        return false;
    }
    for (const auto& code : codes) {
        // The heading or a longer code on the way to the full one ("850511", "85051110"), or a
        // national line under the full code; a wider heading ("HS 8505") is more than the
        // product, another subheading ("85051190", other metal magnets) another product.
        const bool on_the_way = code.size() >= 6 && code.size() <= full.size() &&
                                full.compare(0, code.size(), code) == 0;
        const bool under = code.size() > full.size() && code.compare(0, full.size(), full) == 0;
        if (!on_the_way && !under) {
            return false;
        }
    }
    std::string lower;
    for (char ch : text) {
        lower += static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
    }
    for (const char* more : {"+", "&", " and ", "powder", "alloy", "incl", "scope"}) {
        if (lower.find(more) != std::string::npos) {
            return false;
        }
    }
    return true;
}

// "oxide+compound+metal" as model product ids, when every part is one.
std::optional<std::vector<std::string>> product_ids(const std::string& text,
                                                    const OutputLayout& layout) {
    std::vector<std::string> out;
    std::size_t begin = 0;
    while (begin <= text.size()) {
        const std::size_t plus = std::min(text.find('+', begin), text.size());
        const std::string id = text.substr(begin, plus - begin);
        const bool known = std::any_of(layout.series.begin(), layout.series.end(),
                                       [&](const SeriesKey& k) { return k.product == id; });
        if (id.empty() || !known) {
            return std::nullopt;
        }
        out.push_back(id);
        begin = plus + 1;
    }
    return out;
}

// ISO 3166 codes and usual English names of the model's countries and regions.
const std::map<std::string, std::string>& region_names() {
    static const std::map<std::string, std::string> names = {
        {"CN", "China"},
        {"CHN", "China"},
        {"PRC", "China"},
        {"People's Republic of China", "China"},
        {"China, People's Republic of", "China"},
        {"Mainland China", "China"},
        {"US", "United States"},
        {"USA", "United States"},
        {"U.S.", "United States"},
        {"United States of America", "United States"},
        {"DE", "Germany"},
        {"DEU", "Germany"},
        {"JP", "Japan"},
        {"JPN", "Japan"},
        {"KR", "South Korea"},
        {"KOR", "South Korea"},
        {"Korea", "South Korea"},
        {"Republic of Korea", "South Korea"},
        {"Korea, Republic of", "South Korea"},
        {"Korea, Rep.", "South Korea"},
        {"IN", "India"},
        {"IND", "India"},
        {"VN", "Vietnam"},
        {"VNM", "Vietnam"},
        {"Viet Nam", "Vietnam"},
        {"MM", "Myanmar"},
        {"MMR", "Myanmar"},
        {"Burma", "Myanmar"},
        {"LA", "Laos"},
        {"LAO", "Laos"},
        {"Lao PDR", "Laos"},
        {"Lao People's Democratic Republic", "Laos"},
        {"MY", "Malaysia"},
        {"MYS", "Malaysia"},
        {"EU", "EU-27"},
        {"EU27", "EU-27"},
        {"EU 27", "EU-27"},
        {"European Union", "EU-27"},
        {"WLD", "World"},
        {"WORLD", "World"},
        {"world", "World"},
        {"All countries", "World"},
    };
    return names;
}

}  // namespace

std::string canonical_region(const std::string& region) {
    const auto it = region_names().find(region);
    return it == region_names().end() ? region : it->second;
}

namespace {

// A row as compare sees it: why it is not compared (the first reason, in the order the checks
// run), its label once it is known to be a model quantity in tonnes, and its target when it is
// compared in the window asked for.
struct RowMapping {
    std::string reason;  ///< non-empty: listed as not compared
    std::string label;   ///< e.g. "exports magnet China->Germany"; empty before the unit checks
    std::optional<ReportedTarget> target;
};

// The model products a row is compared as: its product matched exactly against the series'
// published descriptions, else by the tariff heading it names (any wording), else model product
// ids joined by '+'; empty when none matches.
std::vector<std::string> row_products(const ReportedRow& row, const Rule& rule,
                                      const OutputLayout& layout) {
    std::vector<std::string> products;
    for (const auto& [description, ids] : rule.products) {
        if (row.product == description) {
            products = ids;
        }
    }
    if (products.empty() && !rule.hs_heading.empty() &&
        names_only_heading(row.product, rule.hs_heading)) {
        products = rule.hs_products;
    }
    if (products.empty()) {
        if (auto ids = product_ids(row.product, layout)) {
            products = *ids;
        }
    }
    return products;
}

// The model series whose sum is a row's figure (regions expanded into their countries), or why
// there is none.
std::string add_series(const Rule& rule, const std::vector<std::string>& products,
                       const std::string& region_from, const std::string& region_to,
                       const OutputLayout& layout, ReportedTarget& target) {
    auto expand = [](const std::string& region) {
        const auto it = REGIONS.find(region);
        return it == REGIONS.end() ? std::vector<std::string>{region} : it->second;
    };
    bool missing = false;
    std::string missing_key;
    for (const auto& product : products) {
        for (const auto& f : expand(region_from)) {
            for (const auto& t : expand(region_to)) {
                const int s = layout.find({rule.metric, product, f, t});
                if (s >= 0) {
                    target.series.push_back(s);
                } else if (products.size() == 1) {
                    missing = true;
                    missing_key = std::string(rule.metric) + " " + product + " " + f + "->" + t;
                }
            }
        }
    }
    if (missing || target.series.empty()) {
        return "the model has no series " +
               (missing_key.empty()
                    ? std::string(rule.metric) + " " + region_from + "->" + region_to
                    : missing_key);
    }
    return "";
}

RowMapping map_row(const ReportedRow& row, const OutputLayout& layout, MonthIndex from,
                   MonthIndex to) {
    const auto rule = std::find_if(rules().begin(), rules().end(),
                                   [&](const Rule& r) { return row.series == r.series; });
    if (rule == rules().end()) {
        return {"series '" + row.series +
                    "' has no counterpart in the model (prices, values, quotas and "
                    "element-level figures are not simulated)",
                "", std::nullopt};
    }
    const std::vector<std::string> products = row_products(row, *rule, layout);
    if (products.empty()) {
        std::string known;
        for (const auto& [description, ids] : rule->products) {
            known += (known.empty() ? "'" : "; '") + description + "'";
        }
        const std::string by_code = rule->hs_heading.empty()
                                        ? std::string()
                                        : ", any text naming HS " + rule->hs_heading.substr(0, 4) +
                                              "." + rule->hs_heading.substr(4, 2) + " or " +
                                              rule->hs_heading + " and nothing more";
        return {"product '" + row.product + "' is not one " + row.series + " is compared under (" +
                    known + by_code +
                    ", or model products joined by '+'): a different total or a subtotal "
                    "is never compared",
                "", std::nullopt};
    }
    const std::string region_from = canonical_region(row.from);
    const std::string region_to = canonical_region(row.to);
    for (const auto* region : {&region_from, &region_to}) {
        const bool known =
            *region == "World" || REGIONS.count(*region) > 0 ||
            std::any_of(layout.series.begin(), layout.series.end(),
                        [&](const SeriesKey& k) { return k.from == *region || k.to == *region; });
        if (!known) {
            return {"region '" + *region +
                        "' is not a country of the model (ISO 3166 codes and English short "
                        "names are accepted)",
                    "", std::nullopt};
        }
    }
    if (!row.has_value) {
        return {"no value (only a percentage change was reported)", "", std::nullopt};
    }
    if (!row.is_mass) {
        return {"unit '" + row.unit + "' is not a mass (t or kg)", "", std::nullopt};
    }
    if (!row.scored_status()) {
        return {"status '" + row.status + "': shown, not scored", "", std::nullopt};
    }
    RowMapping out;
    out.label = std::string(rule->metric) + " ";
    for (std::size_t p = 0; p < products.size(); ++p) {
        out.label += (p ? "+" : "") + products[p];
    }
    out.label += " " + region_from + "->" + region_to;
    if (row.first < from || row.last > to) {
        return out;  // outside the window the user asked for
    }
    const MonthIndex first_month = layout.first_month;
    const MonthIndex last_month = layout.first_month + layout.months - 1;
    if (row.first < first_month || row.last > last_month) {
        out.reason = "period " + format_month(row.first) + ".." + format_month(row.last) +
                     " is outside the scenario";
        return out;
    }
    ReportedTarget target;
    target.first = row.first - first_month;
    target.last = row.last - first_month;
    out.reason = add_series(*rule, products, region_from, region_to, layout, target);
    if (out.reason.empty()) {
        target.label = out.label;
        out.target = std::move(target);
    }
    return out;
}

}  // namespace

ReportedMapping map_reported(const std::vector<ReportedRow>& rows, const OutputLayout& layout,
                             MonthIndex from, MonthIndex to) {
    ReportedMapping out;
    out.row_label.resize(rows.size());
    // The scored target of each (label, period): later rows become its duplicates.
    std::unordered_map<std::string, std::size_t> seen;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const ReportedRow& row = rows[i];
        RowMapping m = map_row(row, layout, from, to);
        out.row_label[i] = m.label;
        if (!m.reason.empty()) {
            out.unmapped.push_back({i, m.reason});
            continue;
        }
        if (!m.target) {
            continue;
        }
        m.target->row = i;
        const std::string figure =
            m.label + "|" + std::to_string(row.first) + "|" + std::to_string(row.last);
        if (const auto it = seen.find(figure); it != seen.end()) {
            out.targets[it->second].duplicates.push_back(i);
            continue;
        }
        seen.emplace(figure, out.targets.size());
        out.targets.push_back(std::move(*m.target));
    }
    return out;
}

}  // namespace chokepoint
