// Buyers who see risk coming (StockPolicy; docs/model.md), on one lane with no noise.
//  - Restocking: an export halt leaves the buyer short by S tonnes; with catch_up_share c it
//    makes up c x S later (below the cap of cover_days of use), so over the horizon the lane
//    ships c x S more than without (stocks end at the same target). Tolerance 1% of c x S: the
//    end state could differ by what is still in the pipeline in December (measured: 509.24 t
//    more for a shortage of 1,018.48 t, equal to the last digit shown).
//  - Precautionary stock: under a control whose approval delay is a fixed 10 working days (14
//    calendar days from 2025-01-01 in A's Monday-Friday calendar), share 1, rate 1, a buyer with
//    precautionary_share 1 adds 14 days of use to its target, so its stock at month end settles at
//    its cover (30 days of use) instead of 16 days; without, the waiting tonnes eat into its stock.
//    Compared on the mean of six settled month ends, tolerance 2.5%: what is waiting at a month's
//    end depends on its weekday (12 to 14 days of use), which moves one month by up to 7%
//    (measured: the mean with is 1.6% above 30 days; the difference with and without is 13.99
//    days).
#include <catch2/catch.hpp>

#include "chokepoint/runner/runner.hpp"
#include "chokepoint/scenario/scenario.hpp"
#include "test_support.hpp"

using namespace chokepoint;
using chokepoint::testing::lane_model;
using chokepoint::testing::write_temp;

namespace {

RunResult run_lane(const std::string& policy, const std::string& events) {
    write_temp("stock_model.yaml", lane_model(20, 30, "stock_policy: " + policy + "\n"));
    const std::string path = write_temp("stock.yaml", R"(name: stock
model: stock_model.yaml
start: 2025-01-01
horizon: 2025-12
trials: 2
seed: 5
events:
)" + events);
    const Scenario s = load_scenario(path);
    RunConfig config;
    config.trials = s.trials;
    return run_scenario(s, config);
}

double total(const RunResult& r, const SeriesKey& key) {
    const int series = r.layout.find(key);
    REQUIRE(series >= 0);
    double sum = 0.0;
    for (int m = 0; m < r.layout.months; ++m) {
        sum += r.at(static_cast<std::size_t>(series), m).mean;
    }
    return sum;
}

const std::string HALT =
    R"(  - {id: halt, kind: export_halt, from: plant, start: 2025-03-01, end: 2025-05-01}
)";

}  // namespace

TEST_CASE("restocking: a shortage of S tonnes is made up by catch_up_share x S", "[stock]") {
    const SeriesKey exports{"exports", "magnet", "A", "World"};
    const RunResult without = run_lane("{catch_up_share: 0}", HALT);
    const RunResult with = run_lane("{catch_up_share: 0.5}", HALT);
    const double shortage = without.buyers.at(0).shortage_mass.mean;
    REQUIRE(shortage > 500.0);  // the halt outlasts the buyer's 30 days of stock
    // The shortage itself is the same: the catch-up comes after it.
    CHECK(with.buyers.at(0).shortage_mass.mean == Approx(shortage).epsilon(1e-9));
    CHECK(total(with, exports) - total(without, exports) == Approx(0.5 * shortage).epsilon(0.01));
}

TEST_CASE("restocking is capped at cover_days of use", "[stock]") {
    // A four-month halt: about 3 months of use unmet, so 0.9 of it is far above the cap of 30
    // days (1,000 t at 1,000 t a month): the extra shipments are the cap.
    const std::string long_halt =
        "  - {id: halt, kind: export_halt, from: plant, start: 2025-03-01, end: 2025-07-01}\n";
    const SeriesKey exports{"exports", "magnet", "A", "World"};
    const RunResult without = run_lane("{catch_up_share: 0}", long_halt);
    const RunResult with = run_lane("{catch_up_share: 0.9}", long_halt);
    CHECK(total(with, exports) - total(without, exports) ==
          Approx(1000.0 * 30.0 / 30.4375).epsilon(0.02));
}

TEST_CASE("precautionary stock: the licence wait is added to the buyer's target", "[stock]") {
    const std::string control = R"(  - id: control
    kind: export_control
    exporter: A
    products: [magnet]
    share: 1
    start: 2025-01-01
    approval_delay: {dist: fixed, value: 10}
    approval_rate: 1
)";
    const SeriesKey stock{"stock", "magnet", "", "B"};
    const RunResult with = run_lane("{precautionary_share: 1}", control);
    const RunResult without = run_lane("{precautionary_share: 0}", control);
    const int series = with.layout.find(stock);
    REQUIRE(series >= 0);
    const double use_per_day = 1000.0 / 30.4375;
    double with_mean = 0.0, without_mean = 0.0;
    for (int m = 6; m < 12; ++m) {  // settled months
        with_mean += with.at(static_cast<std::size_t>(series), m).mean / 6.0;
        without_mean += without.at(static_cast<std::size_t>(series), m).mean / 6.0;
    }
    CHECK(with_mean == Approx(30.0 * use_per_day).epsilon(0.025));
    // The difference is the wait added to the target: 10 working days (14 calendar days) of use.
    CHECK(with_mean - without_mean == Approx(14.0 * use_per_day).epsilon(0.02));
}
