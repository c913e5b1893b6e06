#include "chokepoint/scenario/schema.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "chokepoint/events/events.hpp"
#include "reader.hpp"

namespace chokepoint {

namespace {

using T = KeyType;
using nlohmann::ordered_json;

std::vector<std::string> split_choices(std::string_view detail) {
    std::vector<std::string> out;
    std::size_t begin = 0;
    while (begin <= detail.size() && !detail.empty()) {
        const std::size_t bar = detail.find('|', begin);
        out.emplace_back(
            detail.substr(begin, bar == std::string_view::npos ? detail.npos : bar - begin));
        if (bar == std::string_view::npos) {
            break;
        }
        begin = bar + 1;
    }
    return out;
}

std::string def_ref(std::string_view name) {
    return "#/definitions/" + std::string(name);
}

ordered_json value_schema(const KeySpec& key) {
    ordered_json v;
    switch (key.type) {
        case T::text:
            v["type"] = ordered_json::array({"string", "number", "boolean"});
            break;
        case T::integer:
            v["type"] = "integer";
            break;
        case T::number:
            v["type"] = "number";
            break;
        case T::boolean:
            v["type"] = "boolean";
            break;
        case T::date:
            v["$ref"] = def_ref("date");
            break;
        case T::month:
            v["type"] = "string";
            v["pattern"] = "^[0-9]{4}-[0-9]{2}$";
            break;
        case T::quantity:
            v["$ref"] = def_ref("quantity");
            break;
        case T::date_quantity:
            v["$ref"] = def_ref("date_quantity");
            break;
        case T::distribution:
            v["$ref"] = def_ref("distribution");
            break;
        case T::choice:
            v["enum"] = split_choices(key.detail);
            break;
        case T::text_list:
            v["anyOf"] = ordered_json::array(
                {{{"type", ordered_json::array({"string", "number"})}},
                 {{"type", "array"},
                  {"items", {{"type", ordered_json::array({"string", "number"})}}}}});
            break;
        case T::scalar_list:
            v["type"] = "array";
            v["items"] = {{"type", ordered_json::array({"string", "number"})}};
            break;
        case T::text_map:
            v["type"] = "object";
            v["additionalProperties"] = {
                {"type", ordered_json::array({"string", "number", "boolean"})}};
            break;
        case T::parameters:
            v["type"] = ordered_json::array({"object", "null"});
            v["additionalProperties"] = {{"$ref", def_ref("parameter")}};
            break;
        case T::quantity_map:
            v["type"] = "object";
            v["additionalProperties"] = {{"$ref", def_ref("quantity")}};
            break;
        case T::object:
            v["$ref"] = def_ref(key.detail);
            break;
        case T::object_list:
            v["type"] = "array";
            v["items"] = {{"$ref", def_ref(key.detail)}};
            break;
        case T::events:
            v["type"] = ordered_json::array({"array", "null"});
            v["items"] = {{"$ref", def_ref("event")}};
            break;
        case T::outputs:
            v["type"] = "array";
            v["items"] = {
                {"oneOf", ordered_json::array({{{"$ref", def_ref("sweep.series_output")}},
                                               {{"$ref", def_ref("sweep.buyer_output")}}})}};
            break;
    }
    if (!key.description.empty()) {
        v["description"] = std::string(key.description);
    }
    return v;
}

ordered_json object_schema(const ObjectSpec& o, const std::vector<KeySpec>& extra = {}) {
    ordered_json s;
    s["type"] = "object";
    s["description"] = std::string(o.description);
    ordered_json props = ordered_json::object();
    auto add = [&](const KeySpec& k) { props[std::string(k.name)] = value_schema(k); };
    for (const auto& k : o.keys) {
        add(k);
    }
    for (const auto& k : extra) {
        add(k);
    }
    s["properties"] = props;
    if (!o.required.empty()) {
        ordered_json req = ordered_json::array();
        for (const auto& r : o.required) {
            req.push_back(std::string(r));
        }
        s["required"] = req;
    }
    s["additionalProperties"] = false;
    return s;
}

// A distribution `{dist: NAME, ARG: quantity, ...}`, one alternative per shape; a parameter
// may also carry a description.
ordered_json distribution_schema(bool with_description) {
    ordered_json alternatives = ordered_json::array();
    for (const auto& shape : detail::distribution_shapes()) {
        ordered_json s;
        s["type"] = "object";
        ordered_json props;
        props["dist"] = {{"const", shape.name}};
        if (with_description) {
            props["description"] = {{"type", "string"}};
        }
        ordered_json req = ordered_json::array({"dist"});
        for (const auto& a : shape.args) {
            props[a] = {{"$ref", def_ref("quantity_or_date")}};
            req.push_back(a);
        }
        for (const auto& a : shape.optional) {
            props[a] = {{"$ref", def_ref("quantity_or_date")}};
        }
        if (shape.kind == DistributionKind::discrete) {
            props["values"] = {{"type", "array"},
                               {"minItems", 1},
                               {"items", {{"$ref", def_ref("quantity_or_date")}}}};
            props["weights"] = {{"type", "array"}, {"items", {{"$ref", def_ref("quantity")}}}};
            req.push_back("values");
        }
        s["properties"] = props;
        s["required"] = req;
        s["additionalProperties"] = false;
        alternatives.push_back(s);
    }
    ordered_json d;
    d["description"] =
        "A distribution: {dist: fixed|uniform|triangular|normal|lognormal|beta|"
        "bernoulli|discrete, ...} (docs/scenario-reference.md, 'Uncertain values').";
    d["oneOf"] = alternatives;
    return d;
}

void add_common_definitions(ordered_json& defs) {
    const char* date_pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";
    defs["date"] = {
        {"type", "string"}, {"pattern", date_pattern}, {"description", "A date, YYYY-MM-DD."}};
    defs["parameter_reference"] = {
        {"type", "string"}, {"pattern", "^\\$.+$"}, {"description", "A named parameter, $name."}};
    defs["distribution"] = distribution_schema(false);
    defs["quantity"] = {{"description", "A number, a $parameter or a distribution."},
                        {"anyOf", ordered_json::array({{{"type", "number"}},
                                                       {{"$ref", def_ref("parameter_reference")}},
                                                       {{"$ref", def_ref("distribution")}}})}};
    defs["date_quantity"] = {{"description", "A date or a distribution of dates."},
                             {"anyOf", ordered_json::array({{{"$ref", def_ref("date")}},
                                                            {{"$ref", def_ref("distribution")}}})}};
    defs["quantity_or_date"] = {
        {"anyOf", ordered_json::array({{{"type", "number"}},
                                       {{"$ref", def_ref("date")}},
                                       {{"$ref", def_ref("parameter_reference")}},
                                       {{"$ref", def_ref("distribution")}}})}};
    ordered_json parameter = distribution_schema(true);
    parameter["description"] = "A parameter: a number or a distribution, with a description.";
    parameter["oneOf"].push_back({{"type", "number"}});
    defs["parameter"] = parameter;
    // In a file that extends another, a parameter without `dist:` overrides some of the
    // parent's keys (e.g. only `max:`).
    ordered_json keys = {{"dist", {{"enum", ordered_json::array()}}},
                         {"description", {{"type", "string"}}}};
    for (const auto& shape : detail::distribution_shapes()) {
        keys["dist"]["enum"].push_back(shape.name);
        for (const auto& a : shape.args) {
            keys[a] = {{"$ref", def_ref("quantity_or_date")}};
        }
        for (const auto& a : shape.optional) {
            keys[a] = {{"$ref", def_ref("quantity_or_date")}};
        }
    }
    keys["values"] = {{"type", "array"}};
    keys["weights"] = {{"type", "array"}};
    defs["parameter_override"] = {
        {"description", "A parameter, or keys overriding the parent's parameter of that name."},
        {"anyOf",
         ordered_json::array(
             {{{"$ref", def_ref("parameter")}},
              {{"type", "object"}, {"properties", keys}, {"additionalProperties", false}}})}};
    defs["noise"] = object_schema(input_object("noise"));
}

// Events of a scenario without `extends:` are whole: `kind:` and the kind's required keys. In a
// file that extends another, an event may name an event of the parent by id and override some of
// its keys (without `kind:`), so only `id:` is required and the keys are those of every kind.
void add_event_definitions(ordered_json& defs) {
    const ObjectSpec& common = input_object("event");
    ordered_json alternatives = ordered_json::array();
    ordered_json partial_alternatives = ordered_json::array();
    ObjectSpec any_kind = common;
    any_kind.description = "An event, or keys overriding the event of the same id in the parent.";
    any_kind.required = {"id"};
    std::vector<KeySpec> every_key;
    ordered_json kinds = ordered_json::array();
    for (const auto& kind : event_kind_names()) {
        kinds.push_back(kind);
        const ObjectSpec& own = input_object("event." + kind);
        ObjectSpec whole = common;
        whole.description = own.description;
        whole.required.insert(whole.required.end(), own.required.begin(), own.required.end());
        if (kind != "export_halt") {
            whole.required.push_back("start");  // an export halt may name a holiday instead
        }
        ordered_json s = object_schema(whole, own.keys);
        s["properties"]["kind"] = {{"const", kind}, {"description", "What the event does."}};
        defs["event." + kind] = s;
        alternatives.push_back({{"$ref", def_ref("event." + kind)}});
        ObjectSpec part = whole;
        part.required = {"id"};
        ordered_json p = object_schema(part, own.keys);
        p["properties"]["kind"] = {{"const", kind}};
        p["required"] = ordered_json::array({"id", "kind"});
        partial_alternatives.push_back(p);
        for (const auto& k : own.keys) {
            const bool seen = std::any_of(every_key.begin(), every_key.end(),
                                          [&](const KeySpec& e) { return e.name == k.name; });
            if (!seen) {
                every_key.push_back(k);
            }
        }
    }
    defs["event"] = {{"description", "An event; its kind: decides its other keys."},
                     {"type", "object"},
                     {"required", ordered_json::array({"id", "kind"})},
                     {"properties", {{"kind", {{"enum", kinds}}}}},
                     {"oneOf", alternatives}};
    ordered_json without_kind = object_schema(any_kind, every_key);
    without_kind["properties"].erase("kind");
    defs["event_override"] = {
        {"description", any_kind.description},
        {"type", "object"},
        {"required", ordered_json::array({"id"})},
        {"if", {{"required", ordered_json::array({"kind"})}}},
        {"then", {{"properties", {{"kind", {{"enum", kinds}}}}}, {"oneOf", partial_alternatives}}},
        {"else", without_kind}};
}

}  // namespace

std::string json_schema(InputFileKind kind) {
    ordered_json s;
    s["$schema"] = "http://json-schema.org/draft-07/schema#";
    ordered_json defs = ordered_json::object();
    add_common_definitions(defs);
    const char* root = "scenario";
    switch (kind) {
        case InputFileKind::scenario:
            s["$id"] = "https://chokepoint.invalid/schemas/scenario.schema.json";
            s["title"] = "Chokepoint scenario file";
            add_event_definitions(defs);
            break;
        case InputFileKind::model:
            s["$id"] = "https://chokepoint.invalid/schemas/model.schema.json";
            s["title"] = "Chokepoint model file";
            root = "model";
            for (const char* o : {"product", "node", "production_line", "input", "edge",
                                  "demand_trend", "stock_policy", "exporter_policy", "diversion"}) {
                defs[o] = object_schema(input_object(o));
            }
            break;
        case InputFileKind::material:
            s["$id"] = "https://chokepoint.invalid/schemas/material.schema.json";
            s["title"] = "Chokepoint material file";
            root = "material";
            for (const char* o :
                 {"material.customs_series", "material.product_text", "material.region_sum",
                  "material.headline", "material.page_group"}) {
                defs[o] = object_schema(input_object(o));
            }
            break;
        case InputFileKind::sweep:
            s["$id"] = "https://chokepoint.invalid/schemas/sweep.schema.json";
            s["title"] = "Chokepoint sweep file";
            root = "sweep";
            for (const char* o :
                 {"sweep.factor", "sweep.design", "sweep.series_output", "sweep.buyer_output"}) {
                defs[o] = object_schema(input_object(o));
            }
            break;
    }
    const ordered_json body = object_schema(input_object(root));
    for (const auto& [k, v] : body.items()) {
        s[k] = v;
    }
    if (kind == InputFileKind::scenario) {
        s["properties"]["events"]["items"] = ordered_json::object();
        s["properties"]["parameters"]["additionalProperties"] = ordered_json::object();
        s["if"] = {{"required", ordered_json::array({"extends"})}};
        s["then"] = {{"properties",
                      {{"events", {{"items", {{"$ref", def_ref("event_override")}}}}},
                       {"parameters",
                        {{"additionalProperties", {{"$ref", def_ref("parameter_override")}}}}}}}};
        s["else"] = {
            {"required", ordered_json::array({"model", "start", "horizon"})},
            {"properties",
             {{"events", {{"items", {{"$ref", def_ref("event")}}}}},
              {"parameters", {{"additionalProperties", {{"$ref", def_ref("parameter")}}}}}}}};
    }
    s["definitions"] = defs;
    return s.dump(2) + "\n";
}

}  // namespace chokepoint
