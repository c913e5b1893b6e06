// The key tables that the loader and the JSON Schemas share (chokepoint/scenario/schema.hpp).
#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "chokepoint/events/events.hpp"
#include "chokepoint/scenario/schema.hpp"

using namespace chokepoint;

TEST_CASE("every event kind has a key table, and every nested object is defined", "[schema]") {
    for (const auto& kind : event_kind_names()) {
        INFO(kind);
        CHECK_NOTHROW(input_object("event." + kind));
        const auto keys = event_keys_of(kind);
        CHECK(std::set<std::string>(keys.begin(), keys.end()).size() == keys.size());
    }
    for (const auto& o : input_objects()) {
        std::set<std::string> names;
        for (const auto& k : o.keys) {
            INFO(std::string(o.name) + "." + std::string(k.name));
            CHECK(names.insert(std::string(k.name)).second);  // no key listed twice
            CHECK(!k.description.empty());
            if (k.type == KeyType::object || k.type == KeyType::object_list) {
                CHECK_NOTHROW(input_object(k.detail));
            }
            if (k.type == KeyType::choice && k.name != "kind") {
                CHECK(!k.detail.empty());
            }
        }
        for (const auto& r : o.required) {
            // A required key of an event kind may be one of the common keys.
            const bool listed = names.count(std::string(r)) > 0 ||
                                (std::string(o.name).rfind("event.", 0) == 0 &&
                                 input_object("event").keys.end() !=
                                     std::find_if(input_object("event").keys.begin(),
                                                  input_object("event").keys.end(),
                                                  [&](const KeySpec& k) { return k.name == r; }));
            INFO(std::string(o.name) + " requires " + std::string(r));
            CHECK(listed);
        }
    }
}

TEST_CASE("a schema lists exactly the keys of its tables", "[schema]") {
    const auto scenario = nlohmann::json::parse(json_schema(InputFileKind::scenario));
    std::set<std::string> props;
    for (const auto& [k, v] : scenario["properties"].items()) {
        props.insert(k);
    }
    const auto keys = keys_of("scenario");
    CHECK(props == std::set<std::string>(keys.begin(), keys.end()));
    CHECK(scenario["additionalProperties"] == false);
    const auto& control = scenario["definitions"]["event.export_control"];
    std::set<std::string> event_props;
    for (const auto& [k, v] : control["properties"].items()) {
        event_props.insert(k);
    }
    const auto ek = event_keys_of("export_control");
    CHECK(event_props == std::set<std::string>(ek.begin(), ek.end()));
    CHECK(control["properties"]["kind"]["const"] == "export_control");

    const auto model = nlohmann::json::parse(json_schema(InputFileKind::model));
    CHECK(model["definitions"]["node"]["properties"]["kind"]["enum"] ==
          nlohmann::json::array({"source", "processor", "buyer"}));
    const auto sweep = nlohmann::json::parse(json_schema(InputFileKind::sweep));
    CHECK(sweep["required"] == nlohmann::json::array({"scenario", "factors", "design", "outputs"}));
}

TEST_CASE("an unknown object name is a programming error", "[schema]") {
    CHECK_THROWS_AS(input_object("no_such_object"), std::logic_error);
}
