// The demand trend (DemandTrend, docs/model.md "Demand that grows") on one lane with no noise:
// a buyer whose use grows 10% a year. Known answers: (1) in steady growth every flow of the
// order-up-to loop grows at the same rate, so the exports of one year over the year before are
// 1.10 (a linear trend, 1 + 0.1 t, would give 1.25 / 1.15 = 1.087 from 2026 to 2027); (2) the
// model's figure is the buyer's imports at the base, so the year centred on the base (2026, base
// 2026-07-01) ships 12 x 1,000 t: with 180 days of cover, a use not divided by (1 + r c) would
// ship 4.8% more. Tolerances: the loop's lag and the calendar's month lengths move both by under
// 0.3% (measured: ratio 1.0999, base year +0.03%).
#include <catch2/catch.hpp>

#include "chokepoint/runner/runner.hpp"
#include "chokepoint/scenario/scenario.hpp"
#include "test_support.hpp"

using namespace chokepoint;
using chokepoint::testing::lane_model;
using chokepoint::testing::write_temp;

namespace {

double year_total(const RunResult& r, const SeriesKey& key, int year) {
    const int series = r.layout.find(key);
    REQUIRE(series >= 0);
    double total = 0.0;
    for (int m = 0; m < r.layout.months; ++m) {
        if (format_month(r.layout.first_month + m).rfind(std::to_string(year), 0) == 0) {
            total += r.at(static_cast<std::size_t>(series), m).mean;
        }
    }
    return total;
}

RunResult run_trend(const std::string& growth, const std::string& extra = "") {
    write_temp("trend_model.yaml",
               lane_model(30, 180,
                          "demand_trend:\n  base: 2026-07-01\n  growth: {magnet: " + growth +
                              "}\n" + extra));
    const std::string path = write_temp("trend.yaml", R"(name: trend
model: trend_model.yaml
start: 2025-01-01
horizon: 2027-12
trials: 2
seed: 5
)");
    const Scenario s = load_scenario(path);
    RunConfig config;
    config.trials = s.trials;
    return run_scenario(s, config);
}

}  // namespace

TEST_CASE("demand trend: flows grow at the trend's rate, and the base year ships the figure",
          "[trend]") {
    const RunResult r = run_trend("0.10");
    const SeriesKey exports{"exports", "magnet", "A", "World"};
    const double y2026 = year_total(r, exports, 2026);
    const double y2027 = year_total(r, exports, 2027);
    CHECK(y2027 / y2026 == Approx(1.10).epsilon(0.003));
    // 2026 has 365 days: 12,000 t at 1,000 t per month of 30.44 days is 11,992 t.
    CHECK(y2026 == Approx(1000.0 * 365.0 / 30.4375).epsilon(0.003));
}

TEST_CASE("demand trend: a rate of 0 and an excluded buyer keep the model's figure", "[trend]") {
    const SeriesKey exports{"exports", "magnet", "A", "World"};
    const RunResult off = run_trend("0");
    const RunResult excluded = run_trend("0.10", "  exclude: [buyer]\n");
    for (int m = 0; m < off.layout.months; ++m) {
        const int series = off.layout.find(exports);
        INFO("month " << m);
        CHECK(off.at(static_cast<std::size_t>(series), m).mean ==
              excluded.at(static_cast<std::size_t>(series), m).mean);
    }
    CHECK(year_total(off, exports, 2027) == Approx(1000.0 * 365.0 / 30.4375).epsilon(0.002));
}

TEST_CASE("demand trend: located errors", "[trend]") {
    write_temp("bad_trend_model.yaml", R"(name: trend
products:
  - {id: magnet}
nodes:
  - {id: plant, country: A, kind: source, production: [{product: magnet, capacity: 2000}]}
  - {id: buyer, country: B, kind: buyer, inputs: [{product: magnet, demand: 1000}]}
edges:
  - {from: plant, to: buyer, product: magnet, flow: 1000, lead_time_days: 5}
demand_trend:
  growth: {magnt: 0.1, magnet: 2}
  exclude: [plant]
)");
    const std::string path = write_temp("bad_trend.yaml", R"(name: trend
model: bad_trend_model.yaml
start: 2025-01-01
horizon: 2025-12
)");
    try {
        load_scenario(path);
        FAIL("accepted");
    } catch (const InputError& e) {
        std::string all;
        for (const auto& d : e.diagnostics()) {
            all += d.format() + "\n";
        }
        CHECK_THAT(all, Catch::Contains("demand trend needs 'base:'"));
        CHECK_THAT(all, Catch::Contains("unknown product 'magnt' (did you mean 'magnet'?)"));
        CHECK_THAT(all, Catch::Contains("demand_trend.growth.magnet"));
        CHECK_THAT(all, Catch::Contains("'plant' is not a buyer"));
        CHECK_THAT(all, Catch::Contains("bad_trend_model.yaml:10:"));
    }
}
