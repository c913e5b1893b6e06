// Exporters who stop making for a backlogged lane (ExporterPolicy::backlog_days), on one lane
// whose every tonne needs a licence decided 60 working days (84 calendar days) after filing.
// Known answers: the tonnes waiting never exceed the cap (backlog_days x the lane's controlled
// flow, its baseline flow x licensed share) and reach it, with one control or two; the exporter
// then files only as decisions free room, so a year exports the cap once per 84 days of decisions;
// the line makes only what it ships (no finished goods pile up behind the queue); a lane no control
// covers, from the same line, is never starved; and the uncontrolled share of a partly controlled
// lane keeps shipping.
#include <catch2/catch.hpp>

#include <algorithm>

#include "chokepoint/core/units.hpp"
#include "chokepoint/kernel/trial.hpp"
#include "chokepoint/runner/runner.hpp"
#include "chokepoint/scenario/scenario.hpp"
#include "test_support.hpp"

using namespace chokepoint;
using chokepoint::testing::lane_model;
using chokepoint::testing::write_temp;

namespace {

const std::string CONTROL = R"(
events:
  - id: control
    kind: export_control
    exporter: A
    products: [magnet]
    share: SHARE
    start: 2025-01-01
    approval_delay: {dist: fixed, value: 60}
    approval_rate: 1
)";

std::string scenario_text(const std::string& model, double share) {
    std::string events = CONTROL;
    events.replace(events.find("SHARE"), 5, std::to_string(share));
    return "name: withhold\nmodel: " + model +
           "\nstart: 2025-01-01\nhorizon: 2025-12\ntrials: 2\nseed: 5\n" + events;
}

RunResult run(const std::string& model_text, double share, const std::string& name) {
    write_temp(name + "_model.yaml", model_text);
    const Scenario s =
        load_scenario(write_temp(name + ".yaml", scenario_text(name + "_model.yaml", share)));
    RunConfig config;
    config.trials = s.trials;
    return run_scenario(s, config);
}

double month(const RunResult& r, const SeriesKey& key, int m) {
    const int series = r.layout.find(key);
    REQUIRE(series >= 0);
    return r.at(static_cast<std::size_t>(series), m).mean;
}

double total(const RunResult& r, const SeriesKey& key) {
    double sum = 0.0;
    for (int m = 0; m < r.layout.months; ++m) {
        sum += month(r, key, m);
    }
    return sum;
}

double peak(const RunResult& r, const SeriesKey& key) {
    double top = 0.0;
    for (int m = 0; m < r.layout.months; ++m) {
        top = std::max(top, month(r, key, m));
    }
    return top;
}

const SeriesKey EXPORTS{"exports", "magnet", "A", "World"};
const SeriesKey BACKLOG{"licence_backlog", "magnet", "A", "World"};
// The lane's baseline flow: 1,000 t a month (lane_model), in tonnes a day.
const double FLOW_DAY = 1000.0 / DAYS_PER_MONTH;

}  // namespace

TEST_CASE("exporter policy: the backlog stops at its cap and the year exports the cap per 84 days",
          "[exporter_policy]") {
    const RunResult capped =
        run(lane_model(30, 30, "exporter_policy: {backlog_days: 20}\n"), 1.0, "withhold20");
    const RunResult free = run(lane_model(30, 30, ""), 1.0, "withhold_none");
    const double cap = 20.0 * FLOW_DAY;  // 657 t
    // Month ends at the cap (never above it: the exporter files only into the room left).
    CHECK(peak(capped, BACKLOG) <= cap * (1.0 + 1e-9));
    CHECK(peak(capped, BACKLOG) == Approx(cap).epsilon(0.01));
    // Without the cap, up to 84 days of orders wait (measured: 1,786 t at the end of February).
    CHECK(peak(free, BACKLOG) > 2.0 * cap);
    // Decisions come 84 days after filing: the cap fills in about 20 days from 2025-01-01 and
    // again as each filing window is decided (from days 84, 168 and 252; the one from day 336
    // is still waiting at the year's end), so 2025 exports the cap four times (measured:
    // 2,614 t against 4 x 657 t = 2,628 t).
    CHECK(total(capped, EXPORTS) == Approx(4.0 * cap).epsilon(0.02));
}

TEST_CASE("exporter policy: what is withheld is not made", "[exporter_policy]") {
    // Run the kernel itself for the node balances: what the plant makes over the year is what
    // left its stock (exported, or waiting) plus what its stock changed by. With the cap that is
    // the cap's four fillings and the one still waiting; the orders it withholds are not made
    // and do not pile up in its stock. Without the cap, what the buyer orders is made and waits
    // (its orders count what waits as on order, so they stop at about its cover and lead time).
    auto plant_balance = [](const std::string& policy, const std::string& name) {
        write_temp(name + "_model.yaml", lane_model(30, 30, policy));
        const Scenario s =
            load_scenario(write_temp(name + ".yaml", scenario_text(name + "_model.yaml", 1.0)));
        const OutputLayout layout = OutputLayout::build(s);
        Kernel kernel(s, layout);
        TrialResult out;
        kernel.run(s.seed, 0, 0, out);
        return out.balance[0];
    };
    const NodeBalance plant = plant_balance("exporter_policy: {backlog_days: 20}\n", "made20");
    const double cap = 20.0 * FLOW_DAY;
    // Shipped = exported (4 fillings) + still waiting (one cap) at the end.
    CHECK(plant.shipped == Approx(5.0 * cap).epsilon(0.03));
    // Its stock does not grow: it stops making what it cannot ship (when the withheld orders
    // still drive its production plan, the stock ends far above where it started).
    CHECK(plant.end_stock <= plant.start_stock * 1.01);
}

TEST_CASE("exporter policy: two controls on one lane divide what the exporter files",
          "[exporter_policy]") {
    // A second control covering half the tonnes, as slow as the first: the licensed share is
    // 1 - (1 - 0.5)(1 - 0.5) = 0.75, the cap 20 days x 0.75 of the flow, and the applications of
    // the several controls together stay within it (filing each control's share of the whole
    // shipment would overshoot it).
    const std::string second =
        "  - {id: second, kind: export_control, exporter: A, products: [magnet], share: 0.5,\n"
        "     start: 2025-01-01, approval_delay: {dist: fixed, value: 60}, approval_rate: 1}\n";
    write_temp("two_controls_model.yaml",
               lane_model(30, 30, "exporter_policy: {backlog_days: 20}\n"));
    std::string text = scenario_text("two_controls_model.yaml", 0.5) + second;
    const Scenario s = load_scenario(write_temp("two_controls.yaml", text));
    RunConfig config;
    config.trials = s.trials;
    const RunResult r = run_scenario(s, config);
    const double cap = 20.0 * FLOW_DAY * 0.75;
    CHECK(peak(r, BACKLOG) <= cap * (1.0 + 1e-9));
    CHECK(peak(r, BACKLOG) == Approx(cap).epsilon(0.01));
}

TEST_CASE("exporter policy: an uncontrolled lane from the same line is never starved",
          "[exporter_policy]") {
    // Two buyers of one plant that can make 2,100 t a month of their 2,000; the control covers
    // only country B's. The withheld tonnes are neither made nor shipped, so they take nothing
    // from country C's buyer, which gets exactly what it gets with no control at all (a first
    // attempt counted held tonnes as the exporter's stock and starved such lanes).
    const std::string model = R"(name: two_lanes
adjust_days: 30
products:
  - {id: magnet, controlled_share: 1.0}
nodes:
  - id: plant
    country: A
    kind: source
    production:
      - {product: magnet, capacity: 2100, cover_days: 30}
  - id: held_buyer
    country: B
    kind: buyer
    inputs:
      - {product: magnet, demand: 1000, cover_days: 30}
  - id: free_buyer
    country: C
    kind: buyer
    inputs:
      - {product: magnet, demand: 1000, cover_days: 30}
edges:
  - {from: plant, to: held_buyer, product: magnet, flow: 1000, lead_time_days: 5}
  - {from: plant, to: free_buyer, product: magnet, flow: 1000, lead_time_days: 5}
exporter_policy: {backlog_days: 20}
)";
    auto run_two = [&](bool control, const std::string& name) {
        write_temp(name + "_model.yaml", model);
        std::string scenario = scenario_text(name + "_model.yaml", 1.0);
        scenario.replace(scenario.find("    share:"), 0, "    destinations: [B]\n");
        if (!control) {
            scenario.erase(scenario.find("events:"));
        }
        const Scenario s = load_scenario(write_temp(name + ".yaml", scenario));
        RunConfig config;
        config.trials = s.trials;
        return run_scenario(s, config);
    };
    const RunResult capped = run_two(true, "two_capped");
    const RunResult free = run_two(false, "two_uncontrolled");
    const SeriesKey to_b{"exports", "magnet", "A", "B"};
    const SeriesKey to_c{"exports", "magnet", "A", "C"};
    const SeriesKey short_c{"shortage", "magnet", "", "C"};
    CHECK(total(capped, to_b) < 0.5 * total(free, to_b));  // the cap binds on B's lane
    for (int m = 0; m < capped.layout.months; ++m) {
        INFO("month " << m);
        CHECK(month(capped, to_c, m) == Approx(month(free, to_c, m)).epsilon(1e-9));
        CHECK(month(capped, short_c, m) == 0.0);
    }
}

TEST_CASE("exporter policy: the uncontrolled share keeps shipping", "[exporter_policy]") {
    const RunResult r =
        run(lane_model(30, 30, "exporter_policy: {backlog_days: 20}\n"), 0.5, "withhold_half");
    // Half of every tonne needs no licence and ships as ordered; the licensed half waits behind
    // its cap (20 days of the half that needs a licence). The buyer orders at least its use
    // (more, short of the held half), so at least half its use leaves every month.
    const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    for (int m = 0; m < r.layout.months; ++m) {
        INFO("month " << m);
        CHECK(month(r, EXPORTS, m) >= 0.5 * days[m] * FLOW_DAY);
    }
    CHECK(peak(r, BACKLOG) <= 20.0 * FLOW_DAY * 0.5 * (1.0 + 1e-9));
    CHECK(peak(r, BACKLOG) == Approx(20.0 * FLOW_DAY * 0.5).epsilon(0.01));
}
