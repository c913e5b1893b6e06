// Reported figures mapped onto the model's series: which series a row is (its publishers'
// product descriptions or model product ids, its regions as ISO 3166 codes, English names or
// sums of countries: all from the model's material file), which rows are one figure from
// several publishers, and why a row is not compared. Loading the files is reported.cpp.
#include <algorithm>
#include <optional>
#include <unordered_map>

#include "chokepoint/compare/reported.hpp"
#include "chokepoint/core/text.hpp"

namespace chokepoint {

namespace {

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
std::vector<std::string> row_products(const ReportedRow& row, const CustomsSeries& rule,
                                      const OutputLayout& layout) {
    std::vector<std::string> products;
    for (const auto& p : rule.products) {
        if (row.product == p.text) {
            products = p.sum_of;
        }
    }
    if (products.empty() && !rule.tariff_code.empty() &&
        names_only_heading(row.product, rule.tariff_code)) {
        products = rule.tariff_products;
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
std::string add_series(const CustomsSeries& rule, const std::vector<std::string>& products,
                       const std::string& region_from, const std::string& region_to,
                       const OutputLayout& layout, const Material& material,
                       ReportedTarget& target) {
    auto expand = [&](const std::string& region) {
        const auto it = material.region_sums.find(region);
        return it == material.region_sums.end() ? std::vector<std::string>{region} : it->second;
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

RowMapping map_row(const ReportedRow& row, const OutputLayout& layout, const Material& material,
                   MonthIndex from, MonthIndex to) {
    const auto& rules = material.customs_series;
    const auto rule = std::find_if(rules.begin(), rules.end(),
                                   [&](const CustomsSeries& r) { return row.series == r.id; });
    if (rule == rules.end()) {
        return {"series '" + row.series +
                    "' has no counterpart in the model (prices, values, quotas and "
                    "element-level figures are not simulated)",
                "", std::nullopt};
    }
    const std::vector<std::string> products = row_products(row, *rule, layout);
    if (products.empty()) {
        std::string known;
        for (const auto& p : rule->products) {
            known += (known.empty() ? "'" : "; '") + p.text + "'";
        }
        const std::string& code = rule->tariff_code;
        const std::string by_code = code.empty() ? std::string()
                                                 : ", any text naming HS " + code.substr(0, 4) +
                                                       "." + code.substr(4, 2) + " or " + code +
                                                       " and nothing more";
        return {"product '" + row.product + "' is not one " + row.series + " is compared under (" +
                    known + by_code +
                    ", or model products joined by '+'): a different total or a subtotal "
                    "is never compared",
                "", std::nullopt};
    }
    const std::string region_from = material.canonical_region(row.from);
    const std::string region_to = material.canonical_region(row.to);
    for (const auto* region : {&region_from, &region_to}) {
        const bool known =
            *region == "World" || material.region_sums.count(*region) > 0 ||
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
    out.reason = add_series(*rule, products, region_from, region_to, layout, material, target);
    if (out.reason.empty()) {
        target.label = out.label;
        out.target = std::move(target);
    }
    return out;
}

}  // namespace

ReportedMapping map_reported(const std::vector<ReportedRow>& rows, const OutputLayout& layout,
                             const Material& material, MonthIndex from, MonthIndex to) {
    ReportedMapping out;
    out.row_label.resize(rows.size());
    // The scored target of each (label, period): later rows become its duplicates.
    std::unordered_map<std::string, std::size_t> seen;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const ReportedRow& row = rows[i];
        RowMapping m = map_row(row, layout, material, from, to);
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
