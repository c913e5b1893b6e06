// Licence batches (exporter_policy.licence_batch_days; docs/model.md, "Licence batches"): the
// orders of a batch of days on a lane share one application, decided as one. Known answers on
// one lane whose every tonne needs a licence.
#include <catch2/catch.hpp>

#include <cmath>

#include "chokepoint/core/units.hpp"
#include "chokepoint/runner/runner.hpp"
#include "chokepoint/scenario/scenario.hpp"
#include "test_support.hpp"

using namespace chokepoint;
using chokepoint::testing::lane_model;
using chokepoint::testing::write_temp;

namespace {

const SeriesKey EXPORTS{"exports", "magnet", "A", "World"};
const SeriesKey BACKLOG{"licence_backlog", "magnet", "A", "World"};
const double FLOW_DAY = 1000.0 / DAYS_PER_MONTH;

// `batch` 0: the key left out; `more`: further events.
RunResult run(int batch, double rate, int trials, const std::string& name,
              const std::string& more = "") {
    std::string policy = "stock_policy: {precautionary_share: 1}\n";
    if (batch > 0) {
        policy += "exporter_policy: {licence_batch_days: " + std::to_string(batch) + "}\n";
    }
    write_temp(name + "_model.yaml", lane_model(30, 30, policy));
    const std::string text =
        "name: " + name + "\nmodel: " + name +
        "_model.yaml\nstart: 2025-01-01\nhorizon: 2025-12\ntrials: " + std::to_string(trials) +
        "\nseed: 11\nevents:\n"
        "  - id: control\n    kind: export_control\n    exporter: A\n"
        "    products: [magnet]\n    share: 1\n    start: 2025-01-01\n"
        "    approval_delay: {dist: fixed, value: 20}\n"
        "    approval_rate: " +
        std::to_string(rate) + "\n" + more;
    const Scenario s = load_scenario(write_temp(name + ".yaml", text));
    RunConfig config;
    config.trials = s.trials;
    return run_scenario(s, config);
}

const Summary& month(const RunResult& r, const SeriesKey& key, int m) {
    const int series = r.layout.find(key);
    REQUIRE(series >= 0);
    return r.at(static_cast<std::size_t>(series), m);
}

}  // namespace

TEST_CASE("licence batches: a batch of one day is the queue without batches", "[batches]") {
    const RunResult none = run(0, 0.5, 8, "batch_none");
    const RunResult one = run(1, 0.5, 8, "batch_one");
    for (int m = 0; m < none.layout.months; ++m) {
        CHECK(month(one, EXPORTS, m).mean == month(none, EXPORTS, m).mean);
        CHECK(month(one, EXPORTS, m).sd == month(none, EXPORTS, m).sd);
    }
}

TEST_CASE("licence batches: an order placed after its batch's approval ships at once",
          "[batches]") {
    // Approval certain, 20 working days. Without batches every order waits 20 working days, so
    // about 28 days of flow wait at a month's end. With batches of 45 days the batch filed on
    // 2025-01-01 is approved on 2025-01-29 (20 working days, Monday to Friday): the orders of
    // 29-31 January ship the tick after they are placed, and at January's end about a day
    // waits. The next batch starts on 2025-02-15 and waits its own 20 working days: at
    // February's end its 14 days of orders wait (16 measured: the buyer tops up its stock).
    const RunResult daily = run(0, 1.0, 2, "batch_daily");
    const RunResult batched = run(45, 1.0, 2, "batch_45");
    CHECK(month(daily, BACKLOG, 0).mean > 25.0 * FLOW_DAY);
    CHECK(month(daily, BACKLOG, 1).mean > 25.0 * FLOW_DAY);
    CHECK(month(batched, BACKLOG, 0).mean < 2.0 * FLOW_DAY);
    CHECK(month(batched, BACKLOG, 1).mean > 12.0 * FLOW_DAY);
    CHECK(month(batched, BACKLOG, 1).mean < 18.0 * FLOW_DAY);  // and the buyer's top-up
}

TEST_CASE("licence batches: a batch ships or is refused as one", "[batches]") {
    // Half the applications approved. One application a day averages the refusals over about
    // 30 draws a month; one a month ships the month's orders or none of them, so months spread
    // across trials several times as widely, while the year's exports (refused orders are
    // ordered again) stay about the same.
    const RunResult daily = run(0, 0.5, 400, "spread_daily");
    const RunResult batched = run(30, 0.5, 400, "spread_batched");
    double sd_daily = 0.0, sd_batched = 0.0, year_daily = 0.0, year_batched = 0.0;
    for (int m = 3; m < 12; ++m) {
        sd_daily += month(daily, EXPORTS, m).sd / 9.0;
        sd_batched += month(batched, EXPORTS, m).sd / 9.0;
    }
    for (int m = 0; m < 12; ++m) {
        year_daily += month(daily, EXPORTS, m).mean;
        year_batched += month(batched, EXPORTS, m).mean;
    }
    CHECK(sd_batched > 3.0 * sd_daily);
    CHECK(year_batched == Approx(year_daily).epsilon(0.1));
}

TEST_CASE("licence batches: a batch's application goes in with its first order", "[batches]") {
    // Nothing ships from 1 to 15 January (a halt): the first batch's first order, and so its
    // application, is of 16 January, decided 20 working days later (13 February). January
    // ships nothing; decided from the control's start (1 January) it would have shipped the
    // orders of 16-28 January on the 29th.
    const std::string halt =
        "  - {id: halt, kind: export_halt, from: plant, start: 2025-01-01, end: 2025-01-15}\n";
    const RunResult batched = run(45, 1.0, 2, "batch_halt", halt);
    CHECK(month(batched, EXPORTS, 0).mean < 1.0);
    CHECK(month(batched, EXPORTS, 1).mean > 25.0 * FLOW_DAY);
}
