#pragma once
/// What the engine knows about the material a model trades, as data (a model's `material:`
/// file, docs/materials.md): the unit its masses are in, the element symbols an export control
/// may list, the customs series reported figures are published under and the model products
/// each is the sum of, and the regions those figures name (aliases such as ISO 3166 codes, and
/// regions that are sums of the model's countries). Nothing of this is compiled into the engine.
#include <map>
#include <string>
#include <vector>

#include "chokepoint/core/units.hpp"

namespace chokepoint {

/// A product text as a publisher writes it, and the model products whose sum it is.
struct ProductText {
    std::string text;
    std::vector<std::string> sum_of;
};

/// A customs series the model has a counterpart for (`customs_series:` in a material file).
struct CustomsSeries {
    std::string id;      ///< the `series` column of reported figures ("magnet_exports_total")
    std::string metric;  ///< exports or imports
    /// The product texts it is published under. A row whose product is none of them (nor the
    /// tariff code below, nor model product ids joined by '+') is not compared.
    std::vector<ProductText> products;
    /// A tariff code (digits only, "85051110"): a product text naming it or its six-digit
    /// heading on the way to it, no other code and adding nothing, is `tariff_products`.
    std::string tariff_code;
    std::vector<std::string> tariff_products;
};

/// A section of the run page: other exports of the headline's exporter to World, by product.
struct PageGroup {
    std::string id;     ///< the section's anchor, a plain word ("separation")
    std::string title;  ///< "Separation products" (the page adds "exported from China")
    std::vector<std::string> products;
};

struct Material {
    std::string path;  ///< the material file, resolved; empty when the model names none
    std::string name;  ///< "rare earths"
    /// The mass unit every amount of the model is in: "t" (tonnes) or "kg" (kilograms).
    std::string unit = "t";
    std::vector<std::string> elements;  ///< symbols an export control's `elements:` may list
    std::vector<CustomsSeries> customs_series;
    /// Another name of a region ("CN", "USA", "Korea, Rep.") -> the model's name.
    std::map<std::string, std::string> region_aliases;
    /// A region of reported figures that is the sum of model countries ("EU-27").
    std::map<std::string, std::vector<std::string>> region_sums;
    /// The series every command leads with: exports of this product from this country (empty:
    /// the first product exported, from its first exporter).
    std::string headline_product;
    std::string headline_exporter;
    std::vector<PageGroup> page_groups;  ///< the run page's sections of other exports

    /// The unit as a word, plural: "tonnes", "kilograms".
    std::string unit_name() const { return mass_unit_name(unit); }
    /// A region as the model names it: its alias's target, else the text unchanged.
    std::string canonical_region(const std::string& region) const {
        const auto it = region_aliases.find(region);
        return it == region_aliases.end() ? region : it->second;
    }
};

}  // namespace chokepoint
