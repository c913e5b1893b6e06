// A processor's ingredient (`per_tonne:`, `needed_by:`): an input used per tonne made and not
// pooled with the feed, like the Dy/Tb of high-grade magnets. A maker in Makerland makes 1,000 t
// of magnets a month for buyers in Userland from 100 t of metal (pooled feed) and 20 t of Dy/Tb
// (0.02 t a tonne on average, all of it used by the 60% of the output that needs it). Known
// answers, one trial, no noise, once every stock and pipeline has run out (September):
// - the Dy/Tb stopped from March: the maker makes the 40% that needs none, 400 t a month (not
//   40% of its capacity: the grades that need none do not stand in for those that cannot be made);
// - with needed_by 1: nothing;
// - Dy/Tb at half its flow from March: 0.4 + 0.6 x 0.5 = 70% of the output, 700 t;
// - the metal feed stopped instead: nothing (feed is needed by every tonne);
// - no stop: 1,000 t;
// - and the metal the maker draws, and so orders, follows what it makes: 40 t a month of 100.
#include <catch2/catch.hpp>

#include "chokepoint/core/diagnostics.hpp"
#include "chokepoint/scenario/scenario.hpp"
#include "run_support.hpp"
#include "test_support.hpp"

using namespace chokepoint;
using chokepoint::testing::write_temp;

namespace {

std::string model(const std::string& needed_by) {
    return R"(name: ingredients
adjust_days: 20
products:
  - {id: metal, controlled_share: 0}
  - {id: dy_tb, controlled_share: 1}
  - {id: magnet, controlled_share: 0}
nodes:
  - id: metal_mine
    country: Exportland
    kind: source
    production:
      - {product: metal, capacity: 150, cover_days: 20}
  - id: dy_mine
    country: Exportland
    kind: source
    production:
      - {product: dy_tb, capacity: 30, cover_days: 20}
  - id: maker
    country: Makerland
    kind: processor
    inputs:
      - {product: metal, feed_yield: 1.0, cover_days: 30}
      - {product: dy_tb, per_tonne: 0.02, needed_by: )" +
           needed_by + R"(, cover_days: 30}
    production:
      - {product: magnet, capacity: 1200, feed_per_tonne: 0.1, cover_days: 20}
  - id: users
    country: Userland
    kind: buyer
    inputs:
      - {product: magnet, demand: 1000, cover_days: 30}
edges:
  - {from: metal_mine, to: maker, product: metal, flow: 100, lead_time_days: 5}
  - {from: dy_mine, to: maker, product: dy_tb, flow: 20, lead_time_days: 5}
  - {from: maker, to: users, product: magnet, flow: 1000, lead_time_days: 5}
)";
}

std::string disruption(const std::string& node, double factor) {
    return "events:\n  - id: cut\n    kind: supply_disruption\n    nodes: [" + node +
           "]\n    cuts: shipments\n    factor: " + std::to_string(factor) +
           "\n    start: 2025-03-01\n";
}

// Magnets shipped to Userland (or, with `product` metal, metal to the maker) in 2025-09, one
// trial.
double september(const std::string& needed_by, const std::string& events, const std::string& name,
                 const std::string& product = "magnet") {
    write_temp(name + "_model.yaml", model(needed_by));
    const Scenario s = load_scenario(write_temp(
        name + ".yaml", "name: " + name + "\nmodel: " + name +
                            "_model.yaml\nstart: 2025-01-01\nhorizon: 2025-12\ntrials: 1\n"
                            "seed: 5\n" +
                            events));
    const auto months = product == "magnet"
                            ? chokepoint::testing::one_trial_series(
                                  s, {"exports", "magnet", "Makerland", "Userland"})
                            : chokepoint::testing::one_trial_series(
                                  s, {"exports", product, "Exportland", "Makerland"});
    return months[8];
}

}  // namespace

TEST_CASE("ingredients: a short ingredient cuts the share of the output that needs it",
          "[ingredients]") {
    // September has 30 of a month's 30.44 days.
    const double free = september("0.6", "", "ing_free");
    CHECK(free == Approx(1000.0 * 30 / 30.4375).epsilon(0.005));
    CHECK(september("0.6", disruption("dy_mine", 0.0), "ing_stop") ==
          Approx(0.4 * free).epsilon(0.02));
    CHECK(september("1.0", disruption("dy_mine", 0.0), "ing_all") == Approx(0.0).margin(1.0));
    CHECK(september("0.6", disruption("dy_mine", 0.5), "ing_half") ==
          Approx(0.7 * free).epsilon(0.02));
    CHECK(september("0.6", disruption("metal_mine", 0.0), "ing_feed") == Approx(0.0).margin(1.0));
    // The feed drawn follows what is made: with the Dy/Tb stopped the maker uses, and so orders,
    // 40% of its metal.
    const double metal = september("0.6", "", "ing_metal_free", "metal");
    CHECK(metal == Approx(100.0 * 30 / 30.4375).epsilon(0.005));
    CHECK(september("0.6", disruption("dy_mine", 0.0), "ing_metal_stop", "metal") ==
          Approx(0.4 * metal).epsilon(0.02));
}

TEST_CASE("ingredients: validate names a bad per_tonne or needed_by and an unbalanced maker",
          "[ingredients]") {
    auto error = [](const std::string& m) -> std::string {
        write_temp("ing_bad_model.yaml", m);
        try {
            (void)load_scenario(write_temp(
                "ing_bad.yaml",
                "name: t\nmodel: ing_bad_model.yaml\nstart: 2025-01-01\nhorizon: 2025-12\n"));
        } catch (const InputError& e) {
            return e.what();
        }
        return "";
    };
    const std::string good = model("0.6");
    auto replaced = [&](const std::string& from, const std::string& to) {
        std::string m = good;
        m.replace(m.find(from), from.size(), to);
        return m;
    };
    CHECK(error(good).empty());
    CHECK_THAT(error(replaced("needed_by: 0.6", "needed_by: 1.5")),
               Catch::Contains("ing_bad_model.yaml:") &&
                   Catch::Contains("needed_by: must be above 0 and at most 1"));
    CHECK_THAT(error(replaced("per_tonne: 0.02", "per_tonne: -1")),
               Catch::Contains("per_tonne: must be above 0"));
    CHECK_THAT(error(replaced("per_tonne: 0.02, needed_by: 0.6",
                              "per_tonne: 0.02, feed_yield: 1.0, needed_by: 0.6")),
               Catch::Contains("either feed ('feed_yield:') or an ingredient"));
    CHECK_THAT(error(replaced("{product: metal, feed_yield: 1.0,",
                              "{product: metal, feed_yield: 1.0, needed_by: 0.5,")),
               Catch::Contains("'needed_by:' goes with 'per_tonne:'"));
    // An ingredient on a processor with two lines: which line needs it is not said.
    {
        std::string m = replaced("  - {id: magnet, controlled_share: 0}\n",
                                 "  - {id: magnet, controlled_share: 0}\n  - {id: alloy}\n");
        const std::string line = "feed_per_tonne: 0.1, cover_days: 20}\n";
        m.insert(m.find(line) + line.size(),
                 "      - {product: alloy, capacity: 10, feed_per_tonne: 0.1, cover_days: 20}\n");
        CHECK_THAT(error(m), Catch::Contains("an ingredient needs a processor with one line"));
    }
    // 20 t of Dy/Tb a month where 1,000 t made at 0.03 t a tonne use 30 t.
    CHECK_THAT(error(replaced("per_tonne: 0.02", "per_tonne: 0.03")),
               Catch::Contains("processor 'maker' is not balanced at baseline: it receives 20 "
                               "t/month of dy_tb but makes 1000 t/month at 0.03 t per tonne"));
}
