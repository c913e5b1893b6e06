#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include "chokepoint/scenario/scenario.hpp"

#include "test_support.hpp"

using namespace chokepoint;
using chokepoint::testing::small_scenario;
using chokepoint::testing::write_temp;

namespace {
// The diagnostics of loading `text`, joined; empty if it loaded.
std::string errors_of(const std::string& text, const std::vector<Override>& overrides = {}) {
    const std::string path = write_temp("scenario.yaml", text);
    try {
        (void)load_scenario(path, overrides);
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST_CASE("scenario: the shipped scenarios load", "[scenario]") {
    const auto dir = chokepoint::testing::source_dir() / "scenarios";
    for (const char* name : {"baseline.yaml", "april_controls.yaml"}) {
        const Scenario s = load_scenario((dir / name).string());
        CHECK(s.network.nodes().size() > 10);
        CHECK(format_date(s.end) == "2026-12-31");
    }
    for (const char* name : {"known_2025-03.yaml", "october_measures_return.yaml"}) {
        CHECK(load_scenario((dir / name).string()).events.size() >= 18);
    }
    const Scenario s = load_scenario((dir / "april_controls.yaml").string());
    CHECK(s.events.size() >= 10);
    CHECK(format_date(s.reference_day) == "2025-04-04");
}

TEST_CASE("scenario: defaults and keys", "[scenario]") {
    const Scenario s = load_scenario(write_temp("ok.yaml", small_scenario("")));
    CHECK(s.name == "t");
    CHECK(s.trials == 8);
    CHECK(s.seed == 3);
    CHECK(s.step_days == 1);
    CHECK(s.month_count() == 12);
    CHECK(s.parameter_index("magnet_share") == 0);
}

TEST_CASE("scenario: unknown keys get a did-you-mean with line and column", "[scenario]") {
    const std::string e = errors_of(small_scenario("", "trails: 5\n"));
    CHECK_THAT(e, Catch::Contains("scenario.yaml:7:1: error: trails: unknown key 'trails' "
                                  "(did you mean 'trials'?)"));
}

TEST_CASE("scenario: every error is reported at once", "[scenario]") {
    const std::string e = errors_of(small_scenario(R"(  - id: a
    kind: export_control
    exporter: Exportland
    products: [magnets]
    start: 2026-01-01
    approval_delay: {dist: lognormal, median: 10, spread: 0.3}
    approval_rate: 1.5
  - id: b
    kind: supply_disruption
    nodes: [mines]
    factor: 0.5
    start: 2025-02-01
)"));
    CHECK_THAT(e, Catch::Contains("unknown product 'magnets' (did you mean 'magnet'?)"));
    CHECK_THAT(e, Catch::Contains("date outside the scenario's horizon"));
    CHECK_THAT(e, Catch::Contains("an approval rate must be between 0 and 1, found 1.5"));
    CHECK_THAT(e, Catch::Contains("unknown node 'mines' (did you mean 'mine'?)"));
}

TEST_CASE("scenario: the analyst's slips get the form that works", "[scenario]") {
    // A short form of a country, a bare number for a delay, and a misspelt kind whose event has
    // another error (which the misspelling used to hide).
    const std::string e = errors_of(small_scenario(R"(  - id: a
    kind: export_control
    exporter: Exportland
    products: [magnet]
    start: 2025-03-01
    approval_delay: 60
    approval_rate: 0.5
  - id: b
    kind: tarif
    importer: Importland
    exporter: Exportland
    rate: 0.1
    start: 2025-13-01
)"));
    CHECK_THAT(e, Catch::Contains("approval_delay: a bare value is not accepted here: expected a "
                                  "distribution: {dist: fixed, value: 60} for a fixed value"));
    CHECK_THAT(e, Catch::Contains("unknown event kind 'tarif' (did you mean 'tariff'? the rest "
                                  "of the event is checked as one)"));
    CHECK_THAT(e,
               Catch::Contains("events.b.start: expected a date YYYY-MM-DD, found '2025-13-01'"));
    CHECK(closest_match("Korea", {"Japan", "South Korea", "United States"}) == "South Korea");
    CHECK(closest_match("korea", {"South Korea"}) == "South Korea");
    CHECK(closest_match("Korea", {"South Korea", "North Korea"}).empty());  // no guess of two
    CHECK(closest_match("Koreas", {"Japan"}).empty());
}

TEST_CASE("scenario: a child's own export control starts its shortage count", "[scenario]") {
    // The parent counts from 2025-06-01; a child that defines its own control from 2025-03-01
    // counts from there and says so; a child without one inherits the parent's day.
    write_temp("ttsf_parent.yaml", small_scenario("", "time_to_shortage_from: 2025-06-01\n"));
    const Scenario own = load_scenario(
        write_temp("ttsf_child.yaml",
                   "extends: ttsf_parent.yaml\nname: child\nevents:\n"
                   "  - {id: ban, kind: export_control, exporter: Exportland, products: "
                   "[magnet], start: 2025-03-01, approval_rate: 0, approval_delay: {dist: "
                   "fixed, value: 30}}\n"));
    CHECK(format_date(own.reference_day) == "2025-03-01");
    CHECK(own.reference_reason == "the start of export control ban");
    bool noted = false;
    for (const auto& n : own.notices) {
        noted = noted || n.find("the shortage count starts 2025-03-01, at export control ban") !=
                             std::string::npos;
    }
    CHECK(noted);
    const Scenario inherits =
        load_scenario(write_temp("ttsf_plain.yaml", "extends: ttsf_parent.yaml\nname: plain\n"));
    CHECK(format_date(inherits.reference_day) == "2025-06-01");
    CHECK(inherits.reference_reason == "time_to_shortage_from in ttsf_parent.yaml");
}

TEST_CASE("scenario: a control that refuses everything but covers a share says so", "[scenario]") {
    // approval_rate: 0 without share: reads as a ban, but covers only the controlled share.
    const std::string control = R"(  - id: ban
    kind: export_control
    exporter: Exportland
    products: [magnet]
    start: 2025-03-01
    approval_rate: 0
    approval_delay: {dist: fixed, value: 30}
)";
    auto noted = [](const Scenario& s) {
        for (const auto& n : s.notices) {
            if (n.find("export control ban refuses every licence application, but without "
                       "share:") != std::string::npos) {
                return true;
            }
        }
        return false;
    };
    CHECK(noted(load_scenario(write_temp("ban_partial.yaml", small_scenario(control)))));
    CHECK_FALSE(noted(
        load_scenario(write_temp("ban_whole.yaml", small_scenario(control + "    share: 1\n")))));
}

TEST_CASE("scenario: a disruption cuts production or shipments, nothing else", "[scenario]") {
    const auto disruption = [](const std::string& kind, const std::string& cuts) {
        return small_scenario(
            "  - id: a\n    kind: " + kind + "\n" +
            (kind == "supply_disruption" ? "    nodes: [mine]\n" : "    from: mine\n") +
            "    factor: 0.5\n    cuts: " + cuts + "\n    start: 2025-02-01\n");
    };
    const std::string path = write_temp("cuts.yaml", disruption("supply_disruption", "shipments"));
    CHECK(load_scenario(path).events[0].cuts_shipments);
    CHECK_FALSE(
        load_scenario(write_temp("cuts.yaml", disruption("supply_disruption", "production")))
            .events[0]
            .cuts_shipments);
    // Located, with the two words and a guess.
    const std::string typo = errors_of(disruption("supply_disruption", "shipment"));
    CHECK_THAT(typo, Catch::Contains(".yaml:12:11: error: events.a.cuts: expected"));
    CHECK_THAT(typo, Catch::Contains("expected 'production' (the nodes make less) or 'shipments'"));
    CHECK_THAT(typo, Catch::Contains("found 'shipment' (did you mean 'shipments'?)"));
    // A cut of shipments lets through at most the baseline flow.
    std::string surge = disruption("supply_disruption", "shipments");
    surge.replace(surge.find("factor: 0.5"), 11, "factor: 1.5");
    CHECK_THAT(errors_of(surge), Catch::Contains("a factor of shipments (0 to 1)"));
    // Only a supply disruption has the key.
    CHECK_THAT(errors_of(disruption("export_halt", "shipments")),
               Catch::Contains("unknown key 'cuts'"));
}

TEST_CASE("scenario: a products filter must name what the event's nodes have", "[scenario]") {
    // The mine makes and ships concentrate only: a disruption of its magnets does nothing.
    const auto event = [](const std::string& body) {
        return small_scenario("  - id: a\n" + body + "    start: 2025-02-01\n");
    };
    const std::string mine = "    kind: supply_disruption\n    nodes: [mine]\n    factor: 0.5\n";
    CHECK(errors_of(event(mine + "    products: [concentrate]\n")).empty());
    CHECK_THAT(errors_of(event(mine + "    products: [magnet]\n")),
               Catch::Contains("scenario.yaml:12:15: error: events.a.products: no node of the "
                               "event makes magnet: mine makes concentrate"));
    CHECK_THAT(errors_of(event(mine + "    cuts: shipments\n    products: [magnet]\n")),
               Catch::Contains("no node of the event ships magnet: mine ships concentrate"));
    // One node of several is enough.
    CHECK(errors_of(event("    kind: supply_disruption\n    nodes: [mine, refinery]\n"
                          "    factor: 0.5\n    products: [magnet]\n"))
              .empty());
    // What a node makes and what it ships differ: here the mine also makes a little magnet it
    // has no lane for, so a cut of its magnet production is an event, a cut of its magnet
    // shipments is not.
    std::ifstream in(chokepoint::testing::fixtures() / "small_model.yaml");
    std::string model((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string line = "      - {product: concentrate, capacity: 3200, cover_days: 20}\n";
    REQUIRE(model.find(line) != std::string::npos);
    model.insert(model.find(line) + line.size(),
                 "      - {product: magnet, capacity: 10, cover_days: 20}\n");
    (void)write_temp("two_lines.yaml", model);
    auto on_two_lines = [&](const std::string& body) {
        std::string text = event(body);
        text.replace(text.find("small_model.yaml"), 16, "two_lines.yaml");
        return text;
    };
    CHECK(errors_of(on_two_lines(mine + "    products: [magnet]\n")).empty());
    CHECK_THAT(errors_of(on_two_lines(mine + "    cuts: shipments\n    products: [magnet]\n")),
               Catch::Contains("no node of the event ships magnet: mine ships concentrate"));
    // A demand shock: what the buyers buy (no nodes: every buyer).
    const std::string shock = "    kind: demand_shock\n    factor: 1.2\n    duration_days: 30\n";
    CHECK(errors_of(event(shock + "    products: [magnet]\n")).empty());
    CHECK_THAT(
        errors_of(event(shock + "    products: [concentrate]\n")),
        Catch::Contains("events.a.products: no buyer of the model buys concentrate "
                        "(with no 'nodes:' the shock applies to every buyer; they buy magnet)"));
    CHECK_THAT(errors_of(event(shock + "    nodes: [buyer_x]\n    products: [concentrate]\n")),
               Catch::Contains("no node of the event buys concentrate: buyer_x buys magnet"));
}

TEST_CASE("scenario: a top-level typo does not hide event errors and errors come in line order",
          "[scenario]") {
    const std::string e = errors_of(small_scenario(R"(  - id: a
    kind: supply_disruption
    nodes: [mines]
    factor: 0.5
    start: 2025-02-01
)",
                                                   "trails: 5\n"));
    const auto typo = e.find("unknown key 'trails'");
    const auto node = e.find("unknown node 'mines'");
    REQUIRE(typo != std::string::npos);
    REQUIRE(node != std::string::npos);
    CHECK(typo < node);  // line 7 before line 10
}

TEST_CASE("scenario: a scenario parameter is range-checked where the model uses it", "[scenario]") {
    // The model's magnet controlled_share is $magnet_share; a scenario (or --set) that moves the
    // parameter outside [0, 1] must fail at load, not be clamped silently in the kernel.
    CHECK_THAT(errors_of(small_scenario("", "parameters:\n  magnet_share: 1.3\n")),
               Catch::Contains("a controlled share must be between 0 and 1; parameter "
                               "'magnet_share' ranges from 1.3 to 1.3"));
    CHECK_THAT(errors_of(small_scenario(""), {{"parameters.magnet_share",
                                               "{dist: uniform, min: "
                                               "0.5, max: 1.2}"}}),
               Catch::Contains("parameter 'magnet_share' ranges from 0.5 to 1.2 (given at --set "
                               "parameters.magnet_share={dist: uniform, min: 0.5, max: 1.2})"));
    CHECK(errors_of(small_scenario(""), {{"parameters.magnet_share", "0.95"}}).empty());
    // The error is at the use, in the model; it also says where the value came from.
    const std::string e = errors_of(small_scenario("", "parameters:\n  magnet_share: 1.3\n"));
    const auto given = e.find("ranges from 1.3 to 1.3 (given at ");
    REQUIRE(given != std::string::npos);
    CHECK(e.find("scenario.yaml:", given) != std::string::npos);
    // A part of the parameter set elsewhere: both places are named.
    CHECK_THAT(errors_of(small_scenario(""),
                         {{"parameters.magnet_share", "{dist: uniform, min: 0.5, max: 0.9}"},
                          {"parameters.magnet_share.max", "1.2"}}),
               Catch::Contains("ranges from 0.5 to 1.2 (given at --set "
                               "parameters.magnet_share={dist: uniform, min: 0.5, max: 0.9}, "
                               "--set parameters.magnet_share.max=1.2)"));
}

TEST_CASE("scenario: --set of an unknown parameter is an error, not a new parameter",
          "[scenario]") {
    CHECK_THAT(errors_of(small_scenario(""), {{"parameters.magnet_shar", "0.5"}}),
               Catch::Contains("--set parameters.magnet_shar=0.5: error: parameters.magnet_shar: "
                               "no parameter 'magnet_shar' in the scenario or its model (did you "
                               "mean 'magnet_share'?)"));
}

TEST_CASE("scenario: malformed YAML names the line", "[scenario]") {
    const std::string e = errors_of("name: t\nmodel: [unclosed\n");
    CHECK_THAT(e, Catch::Contains("scenario.yaml:"));
    CHECK_THAT(e, Catch::Contains("malformed YAML"));
}

TEST_CASE("scenario: bad distributions and parameters", "[scenario]") {
    CHECK_THAT(
        errors_of(small_scenario("", "parameters:\n  x: {dist: triangle, min: 0, max: 1}\n")),
        Catch::Contains("unknown distribution 'triangle' (did you mean 'triangular'?)"));
    CHECK_THAT(errors_of(small_scenario("", "parameters:\n  x: {dist: uniform, min: 2, max: 1}\n")),
               Catch::Contains("uniform needs min <= max"));
    CHECK_THAT(errors_of(small_scenario(R"(  - id: a
    kind: demand_shock
    factor: $nope
    start: 2025-02-01
)")),
               Catch::Contains("unknown parameter 'nope'"));
}

TEST_CASE("scenario: licence events must name an earlier export control", "[scenario]") {
    CHECK_THAT(errors_of(small_scenario(R"(  - id: a
    kind: licence_delay
    control: missing
    approval_rate: 0.5
    start: 2025-02-01
)")),
               Catch::Contains("no export_control event 'missing'"));
}

TEST_CASE("scenario: model errors - negative capacity unbalanced processor", "[scenario]") {
    std::ifstream in(chokepoint::testing::fixtures() / "small_model.yaml");
    std::string model((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto replaced = [&](const std::string& from, const std::string& to) {
        std::string m = model;
        m.replace(m.find(from), from.size(), to);
        return m;
    };
    write_temp("small_model.yaml", "");  // makes the directory
    const auto dir = std::filesystem::path(write_temp("x.yaml", "")).parent_path();
    auto load_with_model = [&](const std::string& model_text) -> std::string {
        std::ofstream(dir / "bad_model.yaml") << model_text;
        std::ofstream(dir / "uses_bad.yaml")
            << "name: t\nmodel: bad_model.yaml\nstart: 2025-01-01\nhorizon: 2025-12\n";
        try {
            (void)load_scenario((dir / "uses_bad.yaml").string());
        } catch (const InputError& e) {
            return e.what();
        }
        return "";
    };
    CHECK_THAT(load_with_model(replaced("capacity: 3200", "capacity: -5")),
               Catch::Contains("bad_model.yaml:18:42: error: nodes[0].production[0].capacity: a "
                               "capacity (t/month) must be >= 0, found -5"));
    CHECK_THAT(load_with_model(replaced("feed_per_tonne: 1.0", "feed_per_tonne: 2.0")),
               Catch::Contains("processor 'refinery' is not balanced"));
    CHECK_THAT(load_with_model(replaced("to: buyer_y", "to: buyer_why")),
               Catch::Contains("unknown node 'buyer_why' (did you mean 'buyer_y'?)"));
    // A buyer's demand changed without its lanes (the lanes' flows still the old level).
    CHECK_THAT(load_with_model(replaced("demand: 500,", "demand: 650,")),
               Catch::Contains("buyer 'buyer_y' uses 650 t/month of magnet but its lanes carry "
                               "500 t/month at baseline (tolerance 2%)"));
    CHECK(load_with_model(replaced("demand: 500,", "demand: 505,")).empty());  // within 2%
}

TEST_CASE("scenario: extends merges events with the same id override", "[scenario]") {
    const Scenario s =
        load_scenario((chokepoint::testing::fixtures() / "small_controls.yaml").string());
    CHECK(s.trials == 64);  // the child's value
    CHECK(s.seed == 42);
    CHECK(s.events.size() == 8);
    write_temp("small_baseline.yaml", "");
    const std::string child = write_temp("child.yaml", R"(extends: parent.yaml
trials: 5
events:
  - id: cut
    factor: 0.25
)");
    write_temp("parent.yaml", small_scenario(R"(  - id: cut
    kind: supply_disruption
    nodes: [mine]
    factor: 0.5
    start: 2025-03-01
)"));
    const Scenario c = load_scenario(child);
    CHECK(c.trials == 5);
    REQUIRE(c.events.size() == 1);
    CHECK(c.events[0].factor.value == 0.25);
}

TEST_CASE("scenario: --set overrides by path events by id", "[scenario]") {
    const std::string path = write_temp("s.yaml", small_scenario(R"(  - id: cut
    kind: supply_disruption
    nodes: [mine]
    factor: 0.5
    start: 2025-03-01
)"));
    const Scenario s =
        load_scenario(path, {{"trials", "11"},
                             {"events.cut.factor", "0.1"},
                             {"parameters.magnet_share", "{dist: uniform, min: 0.1, max: 0.2}"}});
    CHECK(s.trials == 11);
    CHECK(s.events[0].factor.value == 0.1);
    CHECK(s.parameters[0].distribution.upper() == 0.2);
    try {
        (void)load_scenario(path, {{"events.kut.factor", "0.1"}});
        FAIL("expected an error");
    } catch (const InputError& e) {
        CHECK_THAT(std::string(e.what()), Catch::Contains("no event with id 'kut' (did you mean "
                                                          "'cut'?)"));
    }
    CHECK_THAT(errors_of(small_scenario(""), {{"trials", "zero"}}),
               Catch::Contains("--set trials=zero: error: trials: expected a whole number"));
}

TEST_CASE("input cache: the same scenario as without one, its files read once", "[scenario]") {
    const std::string path = write_temp("cached.yaml", small_scenario(""));
    const std::vector<Override> overrides{{"seed", "7"}, {"trials", "12"}};
    const Scenario fresh = load_scenario(path, overrides);
    InputCache cache;
    const Scenario cached = load_scenario(path, overrides, cache);
    CHECK(cached.resolved_yaml == fresh.resolved_yaml);
    CHECK(cached.seed == 7);
    CHECK(cached.trials == 12);
    CHECK(cached.network.nodes().size() == fresh.network.nodes().size());
    // The file changes on disk (a sweep's later points): the cache keeps what it read, so every
    // point is built from the same bytes, and another point's overrides still apply.
    std::ofstream(path) << "not: a scenario\n";
    CHECK_THROWS_AS(load_scenario(path), InputError);
    const Scenario again = load_scenario(path, {{"seed", "8"}}, cache);
    CHECK(again.seed == 8);
    CHECK(again.trials == 8);
    // A point that does not show its scenario skips writing the merged YAML out.
    CHECK(load_scenario(path, overrides, cache, ResolvedYaml::skip).resolved_yaml.empty());
}

TEST_CASE("overrides: a plain number reads as the YAML parser reads it", "[scenario]") {
    const std::string path =
        write_temp("plain_number.yaml", small_scenario("", "parameters:\n  rate: 0.5\n"));
    // The leading space sends the value through the YAML parser; without it, the shortcut.
    for (const char* v : {"0.25", "-3", "1e-3", "2E+5", "17", "5."}) {
        INFO(v);
        const Scenario shortcut = load_scenario(path, {{"parameters.rate", v}});
        const Scenario parsed = load_scenario(path, {{"parameters.rate", std::string(" ") + v}});
        CHECK(shortcut.resolved_yaml == parsed.resolved_yaml);
    }
}
