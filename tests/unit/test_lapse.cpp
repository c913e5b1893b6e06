// Waiting applications lapse after the buyer's patience (StockPolicy::patience_days), on one
// lane under a control whose decisions come 60 working days (84 calendar days) after filing.
// Known answers: with a patience of 30 days every application lapses before its decision, so
// nothing is exported and every tonne filed is reported lapsed a month later (the backlog never
// exceeds 30 days of filings); with a patience of 120 days nothing lapses. On a lift, only the
// backlog still waiting (the last 30 days of filings, not everything filed) is released.
#include <catch2/catch.hpp>

#include "chokepoint/runner/runner.hpp"
#include "chokepoint/scenario/scenario.hpp"
#include "test_support.hpp"

using namespace chokepoint;
using chokepoint::testing::lane_model;
using chokepoint::testing::write_temp;

namespace {

RunResult run_lapse(int patience, const std::string& more_events = "") {
    write_temp(
        "lapse_model.yaml",
        lane_model(30, 30, "stock_policy: {patience_days: " + std::to_string(patience) + "}\n"));
    const std::string path = write_temp("lapse.yaml", R"(name: lapse
model: lapse_model.yaml
start: 2025-01-01
horizon: 2025-12
trials: 2
seed: 5
events:
  - id: control
    kind: export_control
    exporter: A
    products: [magnet]
    share: 1
    start: 2025-01-01
    approval_delay: {dist: fixed, value: 60}
    approval_rate: 1
)" + more_events);
    const Scenario s = load_scenario(path);
    RunConfig config;
    config.trials = s.trials;
    return run_scenario(s, config);
}

double month(const RunResult& r, const SeriesKey& key, int m) {
    const int series = r.layout.find(key);
    REQUIRE(series >= 0);
    return r.at(static_cast<std::size_t>(series), m).mean;
}

double total(const RunResult& r, const SeriesKey& key, int from = 0) {
    double sum = 0.0;
    for (int m = from; m < r.layout.months; ++m) {
        sum += month(r, key, m);
    }
    return sum;
}

const SeriesKey EXPORTS{"exports", "magnet", "A", "World"};
const SeriesKey LAPSED{"licence_lapsed", "magnet", "A", "World"};
const SeriesKey BACKLOG{"licence_backlog", "magnet", "A", "World"};

}  // namespace

TEST_CASE("lapse: applications undecided after the buyer's patience lapse", "[lapse]") {
    const RunResult r = run_lapse(30);
    CHECK(total(r, EXPORTS) == 0.0);  // no decision comes within 30 days
    // The first lapse is 30 days after the first filing: 2025-01-31, in January.
    CHECK(month(r, LAPSED, 0) > 0.0);
    for (int m = 2; m < r.layout.months; ++m) {
        INFO("month " << m);
        // Settled: what waits at a month's end is what was filed in its last 30 days, which
        // lapses within the next month (measured 1,065-1,068 t waiting, 1,065-1,117 t lapsed).
        CHECK(month(r, BACKLOG, m - 1) == Approx(month(r, LAPSED, m)).epsilon(0.1));
    }
}

TEST_CASE("lapse: a patience longer than the wait lapses nothing", "[lapse]") {
    const RunResult patient = run_lapse(120);  // decisions come after 84 days
    const RunResult forever = run_lapse(3650);
    CHECK(total(patient, LAPSED) == 0.0);
    for (int m = 0; m < patient.layout.months; ++m) {
        INFO("month " << m);
        CHECK(month(patient, EXPORTS, m) == month(forever, EXPORTS, m));
    }
    CHECK(total(patient, EXPORTS, 3) > 4000.0);  // approvals ship from March on
}

TEST_CASE("lapse: a lift releases only what is still waiting", "[lapse]") {
    const std::string lift =
        "  - {id: lift, kind: agreement, control: control, lifts: true, start: 2025-07-01}\n";
    const RunResult patient = run_lapse(3650, lift);
    const RunResult impatient = run_lapse(30, lift);
    // July: the release. Both buyers are still waiting for June's backlog; the impatient one's
    // is only its last 30 days of orders, the rest lapsed and went back to the exporter.
    CHECK(month(impatient, EXPORTS, 6) > month(impatient, BACKLOG, 5));
    CHECK(month(patient, EXPORTS, 6) > month(patient, BACKLOG, 5));
    CHECK(month(impatient, BACKLOG, 5) < month(patient, BACKLOG, 5));
    CHECK(month(impatient, EXPORTS, 6) < month(patient, EXPORTS, 6));
    CHECK(total(impatient, LAPSED, 6) == 0.0);  // nothing lapses after the lift
}

TEST_CASE("lapse: a faster regime that decides pending applications again", "[lapse]") {
    // From 2025-03-01 decisions take 5 working days and pending applications are decided again:
    // what waits then (filed within the last 30 days) is decided at once and ships, and with
    // 7-day decisions under a 30-day patience nothing lapses any more.
    const std::string faster =
        "  - {id: faster, kind: licence_delay, control: control, start: 2025-03-01,\n"
        "     approval_delay: {dist: fixed, value: 5}, pending: redecide}\n";
    const RunResult r = run_lapse(30, faster);
    CHECK(total(r, EXPORTS, 0) == Approx(total(r, EXPORTS, 2)));  // nothing ships before March
    CHECK(month(r, EXPORTS, 2) > month(r, BACKLOG, 1));           // February's backlog ships
    CHECK(total(r, LAPSED, 2) == 0.0);  // from March 1 on nothing lapses: re-decided at once
    CHECK(month(r, LAPSED, 1) > 0.0);   // but there were before
}

TEST_CASE("lapse: overlapping controls wait for the slower and lapse alike", "[lapse]") {
    // A second control on half the tonnes, decided in 5 working days: every tonne is still
    // covered by the 60-day control, waits for its decision and lapses after 30 days. With fixed
    // delays and certain approval nothing depends on the draws, so the lapses are the one
    // control's, to rounding (the shipment is filed as two applications of half each). After the
    // slow control is lifted on 2025-07-01, the fast one's 7-calendar-day decisions come well
    // within the patience: nothing lapses and tonnes ship again. (Debug builds also check that
    // tonnes are conserved and no stock goes negative at every tick.)
    const std::string fast =
        "  - {id: fast, kind: export_control, exporter: A, products: [magnet], share: 0.5,\n"
        "     start: 2025-01-01, approval_delay: {dist: fixed, value: 5}, approval_rate: 1}\n";
    const RunResult one = run_lapse(30);
    const RunResult two = run_lapse(30, fast);
    for (int m = 0; m < one.layout.months; ++m) {
        INFO("month " << m);
        CHECK(month(two, LAPSED, m) == Approx(month(one, LAPSED, m)).epsilon(1e-9));
        CHECK(month(two, EXPORTS, m) == 0.0);
    }
    const std::string lift =
        "  - {id: lift, kind: agreement, control: control, lifts: true, start: 2025-07-01}\n";
    const RunResult lifted = run_lapse(30, fast + lift);
    CHECK(total(lifted, LAPSED, 7) == 0.0);  // August on: decisions in 7 days, patience 30
    CHECK(total(lifted, EXPORTS, 7) > 0.0);
    CHECK(month(lifted, BACKLOG, 11) < month(lifted, BACKLOG, 5));  // only a week's half waits
}

TEST_CASE("lapse: what a lift released is not released again by a later re-decision", "[lapse]") {
    // January's applications wait for decisions due from 2025-03-26 (60 working days); the lift
    // in February releases them all (with February's orders and the restocking, 1,921 t ship in
    // February). The control is back from 2025-03-01, and on 2025-03-15 a faster regime decides
    // pending applications again: only March's are pending, so March ships less than a month of
    // use (1,000 t; measured 780 t, against 326 t when they are kept waiting). Were January's
    // still in the log, they would be approved a second time on 2025-03-15, about 1,000 t more
    // in March, and their old decisions (2025-03-26 to 2025-04-25) taken out of what waits,
    // which would go below zero. (Builds with CHOKEPOINT_CHECK_INVARIANTS also stop at the
    // tonnes that would not be conserved.)
    const std::string lift =
        "  - {id: lift, kind: agreement, control: control, lifts: true, start: 2025-02-01,\n"
        "     end: 2025-03-01}\n";
    const std::string faster =
        "  - {id: faster, kind: licence_delay, control: control, start: 2025-03-15,\n"
        "     approval_delay: {dist: fixed, value: 5}, pending: ";
    const RunResult r = run_lapse(3650, lift + faster + "redecide}\n");
    const RunResult kept = run_lapse(3650, lift + faster + "keep}\n");
    CHECK(month(r, EXPORTS, 1) > 1500.0);  // February: January's applications released
    CHECK(month(r, EXPORTS, 2) < 1000.0);
    CHECK(month(r, EXPORTS, 2) > month(kept, EXPORTS, 2) + 300.0);  // March's, decided again
    for (int m = 0; m < r.layout.months; ++m) {
        INFO("month " << m);
        CHECK(month(r, BACKLOG, m) >= 0.0);
    }
    // Deciding again moves when March's applications ship, not how much ships over the year
    // (both end the year with the same December backlog).
    CHECK(total(r, EXPORTS) == Approx(total(kept, EXPORTS)).epsilon(1e-9));
    CHECK(month(r, BACKLOG, 11) == Approx(month(kept, BACKLOG, 11)).epsilon(1e-9));
}
