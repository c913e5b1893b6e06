// A model's `material:` file (docs/materials.md): its unit, element symbols, customs series and
// regions, checked against the model's products and countries with every problem located.
#include <algorithm>
#include <filesystem>
#include <set>

#include "chokepoint/core/input_file.hpp"
#include "chokepoint/scenario/material.hpp"
#include "chokepoint/scenario/schema.hpp"
#include "input_files.hpp"
#include "loader_parts.hpp"
#include "reader.hpp"

namespace chokepoint::detail {

namespace {

std::string item_path(const std::string& path, std::size_t i) {
    return path + "[" + std::to_string(i) + "]";
}

// Model product ids, each checked against the model's products.
std::vector<std::string> read_products(Reader& r, const Network* net, const YNode& node,
                                       const std::string& path) {
    std::vector<std::string> ids = r.string_list(node, path);
    std::vector<std::string> known;
    for (const auto& p : net ? net->products() : std::vector<Product>{}) {
        known.push_back(p.id);
    }
    for (const auto& id : ids) {
        if (net != nullptr && net->find_product(id) < 0) {
            const std::string guess = closest_match(id, known);
            r.error(node, path,
                    "'" + id + "' is not a product of the model" +
                        (guess.empty() ? "" : " (did you mean '" + guess + "'?)"));
        }
    }
    if (ids.empty()) {
        r.error(node, path, "needs at least one model product");
    }
    return ids;
}

void read_series(Reader& r, const Network* net, const YNode& list, Material& m) {
    const std::string path = "customs_series";
    if (!r.expect_sequence(list, path)) {
        return;
    }
    std::set<std::string> ids;
    for (std::size_t i = 0; i < list.sequence.size(); ++i) {
        const YNode& item = list.sequence[i];
        const std::string p = item_path(path, i);
        if (!r.expect_map(item, p)) {
            continue;
        }
        r.check_keys(item, p, keys_of("material.customs_series"));
        CustomsSeries s;
        if (const YNode* v = member(item, "id")) {
            s.id = r.string(*v, p + ".id").value_or("");
            if (!ids.insert(s.id).second) {
                r.error(*v, p + ".id", "series '" + s.id + "' is listed twice");
            }
        } else {
            r.error(item, p, "a customs series needs 'id:' (the series column of the figures)");
        }
        if (const YNode* v = member(item, "metric")) {
            s.metric = r.string(*v, p + ".metric").value_or("");
            if (s.metric != "exports" && s.metric != "imports") {
                r.error(*v, p + ".metric",
                        "expected exports or imports, found '" + v->scalar + "'");
            }
        } else {
            r.error(item, p, "a customs series needs 'metric:' (exports or imports)");
        }
        if (const YNode* v = member(item, "products");
            v && r.expect_sequence(*v, p + ".products")) {
            for (std::size_t j = 0; j < v->sequence.size(); ++j) {
                const YNode& t = v->sequence[j];
                const std::string tp = item_path(p + ".products", j);
                if (!r.expect_map(t, tp)) {
                    continue;
                }
                r.check_keys(t, tp, keys_of("material.product_text"));
                const YNode* text = member(t, "text");
                const YNode* sum = member(t, "sum_of");
                if (text == nullptr || sum == nullptr) {
                    r.error(t, tp, "a product text needs 'text:' and 'sum_of:'");
                    continue;
                }
                ProductText pt{r.string(*text, tp + ".text").value_or(""),
                               read_products(r, net, *sum, tp + ".sum_of")};
                if (std::any_of(s.products.begin(), s.products.end(),
                                [&](const ProductText& o) { return o.text == pt.text; })) {
                    r.error(*text, tp + ".text",
                            "the product text '" + pt.text + "' is listed twice in this series");
                }
                s.products.push_back(std::move(pt));
            }
        }
        if (const YNode* v = member(item, "tariff_code")) {
            s.tariff_code = r.string(*v, p + ".tariff_code").value_or("");
            const bool digits = s.tariff_code.size() >= 6 && s.tariff_code.size() <= 10 &&
                                std::all_of(s.tariff_code.begin(), s.tariff_code.end(),
                                            [](char c) { return c >= '0' && c <= '9'; });
            if (!digits) {
                r.error(
                    *v, p + ".tariff_code",
                    "expected 6 to 10 digits without dots (85051110), found '" + v->scalar + "'");
            }
            if (const YNode* tp = member(item, "tariff_products")) {
                s.tariff_products = read_products(r, net, *tp, p + ".tariff_products");
            } else {
                r.error(*v, p, "'tariff_code:' needs 'tariff_products:' (what the code is)");
            }
        } else if (const YNode* tp = member(item, "tariff_products")) {
            r.error(*tp, p + ".tariff_products", "given without 'tariff_code:'");
        }
        m.customs_series.push_back(std::move(s));
    }
}

void read_regions(Reader& r, const Network* net, const YNode* aliases, const YNode* sums,
                  Material& m) {
    if (sums != nullptr && r.expect_sequence(*sums, "region_sums")) {
        for (std::size_t i = 0; i < sums->sequence.size(); ++i) {
            const YNode& item = sums->sequence[i];
            const std::string p = item_path("region_sums", i);
            if (!r.expect_map(item, p)) {
                continue;
            }
            r.check_keys(item, p, keys_of("material.region_sum"));
            const YNode* region = member(item, "region");
            const YNode* countries = member(item, "countries");
            if (region == nullptr || countries == nullptr) {
                r.error(item, p, "a region sum needs 'region:' and 'countries:'");
                continue;
            }
            const std::string name = r.string(*region, p + ".region").value_or("");
            std::vector<std::string> list = r.string_list(*countries, p + ".countries");
            if (list.empty()) {
                r.error(*countries, p + ".countries", "a region sum needs at least one country");
            }
            for (const auto& c : list) {
                if (net != nullptr && !net->has_country(c)) {
                    r.error(*countries, p + ".countries", "no node of the model is in '" + c + "'");
                }
            }
            if ((net != nullptr && net->has_country(name)) || name == "World") {
                r.error(*region, p + ".region",
                        "'" + name + "' is a country of the model (or World), not a sum");
            } else if (!m.region_sums.emplace(name, std::move(list)).second) {
                r.error(*region, p + ".region", "region '" + name + "' is listed twice");
            }
        }
    }
    if (aliases != nullptr && r.expect_map(*aliases, "region_aliases")) {
        for (const auto& [alias, target] : aliases->map) {
            const std::string p = "region_aliases." + alias;
            const std::string to = r.string(target, p).value_or("");
            if ((net != nullptr && net->has_country(alias)) || alias == "World" ||
                m.region_sums.count(alias) > 0) {
                r.error(target, p,
                        "'" + alias +
                            "' is a region of the model already; an alias may only name another "
                            "way of writing one");
                continue;
            }
            if (net != nullptr && !net->has_country(to) && to != "World" &&
                m.region_sums.count(to) == 0) {
                r.error(
                    target, p,
                    "'" + to + "' is not a country of the model, a region of region_sums or World");
            }
            m.region_aliases[alias] = to;
        }
    }
}

// `headline:` {product, exporter} and `page_groups:` [{id, title, products}].
void read_report(Reader& r, const Network* net, const YNode* headline, const YNode* groups,
                 Material& m) {
    if (headline != nullptr && r.expect_map(*headline, "headline")) {
        r.check_keys(*headline, "headline", keys_of("material.headline"));
        if (const YNode* v = member(*headline, "product")) {
            const auto ids = read_products(r, net, *v, "headline.product");
            m.headline_product = ids.empty() ? "" : ids.front();
            if (ids.size() > 1) {
                r.error(*v, "headline.product", "one product, not a list");
            }
        }
        if (const YNode* v = member(*headline, "exporter")) {
            m.headline_exporter = r.string(*v, "headline.exporter").value_or("");
            if (net != nullptr && !net->has_country(m.headline_exporter)) {
                r.error(*v, "headline.exporter",
                        "no node of the model is in '" + m.headline_exporter + "'");
            }
        }
    }
    if (groups == nullptr || !r.expect_sequence(*groups, "page_groups")) {
        return;
    }
    // The page's own sections keep their anchors.
    std::set<std::string> ids = {"exports", "backlog", "buyers", "events", "glossary"};
    for (std::size_t i = 0; i < groups->sequence.size(); ++i) {
        const YNode& item = groups->sequence[i];
        const std::string p = item_path("page_groups", i);
        if (!r.expect_map(item, p)) {
            continue;
        }
        r.check_keys(item, p, keys_of("material.page_group"));
        const YNode* id = member(item, "id");
        const YNode* title = member(item, "title");
        const YNode* products = member(item, "products");
        if (id == nullptr || title == nullptr || products == nullptr) {
            r.error(item, p, "a page group needs 'id:', 'title:' and 'products:'");
            continue;
        }
        PageGroup g;
        g.id = r.string(*id, p + ".id").value_or("");
        const bool word =
            !g.id.empty() && g.id.size() <= 40 && std::all_of(g.id.begin(), g.id.end(), [](char c) {
                return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
            });
        if (!word) {
            r.error(*id, p + ".id",
                    "expected a plain word of a-z, 0-9 and _ (the section's anchor), found '" +
                        id->scalar + "'");
        } else if (!ids.insert(g.id).second) {
            r.error(*id, p + ".id", "'" + g.id + "' is another section's anchor already");
        }
        g.title = r.string(*title, p + ".title").value_or("");
        g.products = read_products(r, net, *products, p + ".products");
        m.page_groups.push_back(std::move(g));
    }
}

}  // namespace

Material read_material_tree(const YNode& root, Reader& r, const Network* net) {
    Material m;
    if (!r.expect_map(root, "")) {
        return m;
    }
    r.check_keys(root, "", keys_of("material"));
    if (const YNode* v = member(root, "name")) {
        m.name = r.string(*v, "name").value_or("");
    } else {
        r.error(root, "", "a material file needs 'name:' (the material, as a reader says it)");
    }
    if (const YNode* v = member(root, "unit")) {
        m.unit = r.string(*v, "unit").value_or("t");
        if (kilograms_per(m.unit) == 0.0) {
            r.error(*v, "unit",
                    "expected t or kg (the mass unit the material is traded in), found '" +
                        v->scalar + "'");
            m.unit = "t";
        }
    } else {
        r.error(root, "", "a material file needs 'unit:' (t or kg)");
    }
    if (const YNode* v = member(root, "elements")) {
        m.elements = r.string_list(*v, "elements");
        std::set<std::string> seen;
        for (const auto& sym : m.elements) {
            // A chemical symbol: a capital letter and at most two small ones ("Ga", "Dy").
            const bool symbol = !sym.empty() && sym.size() <= 3 && sym[0] >= 'A' && sym[0] <= 'Z' &&
                                std::all_of(sym.begin() + 1, sym.end(),
                                            [](char c) { return c >= 'a' && c <= 'z'; });
            if (!symbol) {
                r.error(*v, "elements",
                        "'" + sym +
                            "' is not an element symbol (a capital and at most two small "
                            "letters: Ga, Dy)");
            } else if (!seen.insert(sym).second) {
                r.error(*v, "elements", "'" + sym + "' is listed twice");
            }
        }
    }
    if (const YNode* v = member(root, "customs_series")) {
        read_series(r, net, *v, m);
    }
    read_regions(r, net, member(root, "region_aliases"), member(root, "region_sums"), m);
    read_report(r, net, member(root, "headline"), member(root, "page_groups"), m);
    return m;
}

MaterialSource load_material_source(const YNode& named_by, const std::string& model_path,
                                    InputCache* cache) {
    MaterialSource out;
    if (!named_by.is_scalar()) {
        out.errors.push_back({named_by.where, "material", "expected the material file's path"});
        return out;
    }
    const std::filesystem::path dir = std::filesystem::path(model_path).parent_path();
    out.path = (dir / named_by.scalar).lexically_normal().string();
    if (const std::string why = why_not_regular_file(out.path); !why.empty()) {
        out.errors.push_back(
            {named_by.where, "material", describe_unusable_file("material", out.path, why)});
        return out;
    }
    try {
        out.tree = load_yaml_file(out.path, cache);
    } catch (const InputError& e) {
        out.errors = e.diagnostics();
    }
    return out;
}

std::string MaterialSource::unit() const {
    const YNode* unit = tree ? member(*tree, "unit") : nullptr;
    return unit != nullptr && kilograms_per(unit->scalar) > 0.0 ? unit->scalar : "t";
}

Material read_material(const MaterialSource& source, Reader& r, const Network& net) {
    for (const auto& d : source.errors) {
        r.sink().error(d.where, d.path, d.message);
    }
    if (!source.tree) {
        return {};
    }
    Material m = read_material_tree(*source.tree, r, &net);
    m.path = source.path;
    return m;
}

}  // namespace chokepoint::detail
