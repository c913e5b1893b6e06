// Known answers for the realistic bugs that once passed the whole suite (issue 25, section 4).
// Each has an entry in tests/mutation/run.sh that plants the bug; this file must kill it.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <iterator>
#include <numeric>

#include "chokepoint/compare/backtest.hpp"
#include "chokepoint/compare/reported.hpp"
#include "chokepoint/core/calendar.hpp"
#include "chokepoint/kernel/trial.hpp"
#include "chokepoint/report/sweep_report.hpp"
#include "chokepoint/runner/runner.hpp"
#include "chokepoint/scenario/scenario.hpp"
#include "chokepoint/scenario/sweep_file.hpp"
#include "chokepoint/sweep/plan.hpp"
#include "run_support.hpp"
#include "test_support.hpp"

using namespace chokepoint;
using chokepoint::testing::source_dir;
using chokepoint::testing::write_temp;

namespace {

// The OAT swings of the small sweep's first output (see the test below).
constexpr double SWING_RATE = 180.59284519347639;
constexpr double SWING_FASTER = 1279.0144949340552;
// Magnet exports to Importland in 2025-09 at weekly steps after a flood (see the test below).
constexpr double WEEKLY_FLOOD_SEPTEMBER = 441.9;

// The monthly magnet exports from Exportland to `to`, one trial of the small model (no noise:
// trial 0 of seed 3), for a scenario with `extra` top-level YAML and an events block.
std::vector<double> monthly_exports(const std::string& name, const std::string& extra,
                                    const std::string& events, const std::string& to) {
    const Scenario s = load_scenario(write_temp(
        name + ".yaml", "name: " + name +
                            "\nmodel: small_model.yaml\nstart: 2025-01-01\nhorizon: 2025-12\n"
                            "trials: 1\nseed: 3\n" +
                            extra + (events.empty() ? "" : "events:\n" + events)));
    return chokepoint::testing::one_trial_series(s, {"exports", "magnet", "Exportland", to});
}

std::string tariff(const std::string& id, double rate, const std::string& start,
                   const std::string& end = "") {
    return "  - id: " + id +
           "\n    kind: tariff\n    importer: Otherland\n    exporter: Exportland\n    rate: " +
           std::to_string(rate) + "\n    elasticity: 1.0\n    start: " + start + "\n" +
           (end.empty() ? "" : "    end: " + end + "\n");
}

}  // namespace

TEST_CASE("two overlapping tariffs on one lane: the most recently started applies", "[slipped]") {
    // A 100% tariff from January and a 10% one from May, the later listed first: from May the
    // 10% one sets the lane's rate (docs/model.md, Tariffs), so the run equals one in which the
    // 100% tariff ends when the 10% one starts, month by month and to the bit. Under a rule of
    // "the last in the file" or "the highest rate", May-December would follow the 100% tariff.
    const auto both = monthly_exports(
        "tariff_both", "", tariff("ten", 0.1, "2025-05-01") + tariff("hundred", 1.0, "2025-01-01"),
        "Otherland");
    const auto handed_over = monthly_exports(
        "tariff_handed_over", "",
        tariff("ten", 0.1, "2025-05-01") + tariff("hundred", 1.0, "2025-01-01", "2025-05-01"),
        "Otherland");
    CHECK(both == handed_over);
    // And the hand-over is visible: the 10% tariff lifts exports well above the 100% one's.
    const auto hundred_only =
        monthly_exports("tariff_hundred", "", tariff("hundred", 1.0, "2025-01-01"), "Otherland");
    CHECK(both[8] > 1.5 * hundred_only[8]);  // September: demand x 1/1.1 against x 1/2
}

TEST_CASE("weekly time steps: every flow per tick is scaled by the tick's length", "[slipped]") {
    // Without events, a month's exports are the buyers' use (1,000 t a month to Importland)
    // whatever the step: a use, order or shipment left unscaled is off by up to 7 times at weekly
    // steps. Tolerance: a month holds 4 or 5 weekly ticks, so single months differ by up to a
    // week's flow; the sums over June-December (30 weeks) agree within 2%.
    const auto daily = monthly_exports("step_daily", "time_step_days: 1\n", "", "Importland");
    const auto weekly = monthly_exports("step_weekly", "time_step_days: 7\n", "", "Importland");
    auto sum = [](const std::vector<double>& v, int first, int last) {
        return std::accumulate(v.begin() + first, v.begin() + last + 1, 0.0);
    };
    CHECK(sum(daily, 5, 11) == Approx(7 * 1000.0).epsilon(0.02));
    CHECK(sum(weekly, 5, 11) == Approx(sum(daily, 5, 11)).epsilon(0.02));
    // Some flows show only when supply fails. The smoothed outflow demand left unscaled (a
    // tick's tonnes taken for a day's) has the mine and the refinery produce to capacity, and
    // the stock they pile up carries their buyers through a flood that cuts the mine to 20% in
    // July and August: September's exports were 825 t so, against 442 t. Pinned at the weekly
    // run's value (2025-12-07, reviewed: the refinery's stocks of 20 days' flow run out in
    // September); 5% allows for a change of the stock policy's numbers, not of a scaling.
    // (The daily run rides the flood out, 986 t: at weekly steps each stage waits a tick for
    // what the one before made, as docs/model.md, Time, says.)
    const std::string flood =
        "  - {id: flood, kind: supply_disruption, nodes: [mine], factor: 0.2, start: 2025-07-01, "
        "end: 2025-08-31}\n";
    const auto flooded = monthly_exports("step_flood", "time_step_days: 7\n", flood, "Importland");
    CHECK(flooded[8] == Approx(WEEKLY_FLOOD_SEPTEMBER).epsilon(0.05));
}

TEST_CASE("OAT: the swing is high minus low, pinned on the small sweep", "[slipped]") {
    const std::string path = (source_dir() / "tests/regression/sweeps/small_oat.yaml").string();
    const SweepPlan plan = plan_sweep(load_sweep_file(path));
    REQUIRE(plan.points() == 7);
    const auto values = chokepoint::testing::run_every_point(plan, 2);
    const auto idx = sweep_indices(plan, values);
    auto index = [&](std::size_t output, const std::string& factor, const std::string& name) {
        for (const auto& row : idx[output].rows) {
            if (row.factor == factor && row.index == name) {
                return row.value;
            }
        }
        FAIL("no " << name << " of " << factor);
        return 0.0;
    };
    // Known from the values themselves: swing = mean(high - low) over paired trials, and
    // effect_low/high = mean(low/high - base); so swing = effect_high - effect_low.
    for (std::size_t i = 0; i < plan.factors.size(); ++i) {
        const std::string& f = plan.factors[i].spec.path;
        const auto& lo = values[1 + 2 * i][0];
        const auto& hi = values[2 + 2 * i][0];
        double sum = 0.0;
        for (std::size_t t = 0; t < lo.size(); ++t) {
            sum += hi[t] - lo[t];
        }
        CHECK(index(0, f, "swing") == Approx(sum / static_cast<double>(lo.size())).margin(1e-9));
        CHECK(index(0, f, "swing") ==
              Approx(index(0, f, "effect_high") - index(0, f, "effect_low")).margin(1e-6));
    }
    // Pinned: exports to Importland (output exports_x), 24 trials, seed 5. A change in the model
    // moves these on purpose: say which in the commit and update them (tools/update_golden.sh
    // does not).
    CHECK(index(0, "parameters.rate", "swing") == Approx(SWING_RATE).epsilon(1e-9));
    CHECK(index(0, "events.faster.approval_rate", "swing") == Approx(SWING_FASTER).epsilon(1e-9));
}

TEST_CASE("backtest: an event announced on the last day of the origin's month is known there",
          "[slipped]") {
    // The origin is the month whose last day has passed: everything announced up to and
    // including that day is known (docs/validation.md, Backtests). A halt announced 2025-02-28
    // is known at origin 2025-02, not at 2025-01.
    const Scenario s = load_scenario(write_temp(
        "last_day.yaml",
        chokepoint::testing::small_scenario("  - id: halt\n    kind: export_halt\n"
                                            "    from: refinery\n    start: 2025-04-01\n"
                                            "    end: 2025-04-08\n    announced: 2025-02-28\n")));
    std::string csv =
        "series,region_from,region_to,product,period_start,period_end,value,unit,yoy_pct,"
        "mom_pct,source,source_date,url,note\n";
    for (const char* m : {"2025-02", "2025-03", "2025-04", "2025-05"}) {
        csv += std::string("magnet_exports_by_destination,Exportland,Importland,magnet,") + m +
               "," + m + ",1000,t,,,A,x,u,\n";
    }
    BacktestConfig config;
    config.compare.run.trials = 4;
    config.origins = {*parse_month("2025-01"), *parse_month("2025-02")};
    config.max_lead = 2;
    const Backtest b = run_backtest(s, load_reported(write_temp("last_day.csv", csv), "t"), config);
    REQUIRE(b.origins.size() == 2);
    CHECK(b.origins[0].events_dropped == 1);  // 2025-01: announced a month later
    CHECK(b.origins[1].events_dropped == 0);  // 2025-02: announced on its last day
}

TEST_CASE("calendar: 29 February only in leap years of the Gregorian rule", "[slipped]") {
    CHECK(parse_date("2024-02-29").has_value());
    CHECK(parse_date("2000-02-29").has_value());        // divisible by 400
    CHECK_FALSE(parse_date("2100-02-29").has_value());  // by 100, not by 400
    CHECK_FALSE(parse_date("1900-02-29").has_value());
    CHECK(format_date(*parse_date("2100-02-28") + 1) == "2100-03-01");
    CHECK(*parse_date("2101-01-01") - *parse_date("2100-01-01") == 365);
}
