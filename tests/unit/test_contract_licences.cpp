// Contract licences (ExporterPolicy::filing_lead_days, licence_validity_days), on one lane whose
// every tonne needs a licence (lane_model: 1,000 t a month, no calendar: Monday to Friday).
// The control starts on 2025-01-01 with decisions 20 working days after filing; on Monday
// 2025-06-02 a licence_delay event changes the review. Known answers:
// The buyer plans for the whole wait it faces (precautionary share 1), so what it has on order
// follows the wait. Known answers:
// - Without a lead, tonnes wait for their decision: a review 20 working days (28 calendar days)
//   slower stops approvals for 28 days, and a month's exports fall by up to 28 days of flow
//   (measured: July 249 t against 1,022 t, 23.5 days), never by more than the approvals lost.
// - With contracts filed 45 working days (63 calendar days) ahead, an order ships at once when
//   its contract was approved by then: the same change moves no month by more than 1%; a review
//   slower than the lead (60 working days) loses at most the 15 working days beyond it, 21
//   calendar days, and with contracts of 180 days renewed evenly only 21^2/360 = 1.2 days.
// - An easing never ships more than the buyers' open orders: with a lead, a faster review
//   decided again ships nothing early (June within 1%); without one, it ships the waiting
//   orders at once. A lift ships at most what waits plus the month's orders.
#include <catch2/catch.hpp>

#include <algorithm>
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
const double FLOW_DAY = 1000.0 / DAYS_PER_MONTH;  // the lane's flow, t/day
const int JUNE = 5;                               // month index of 2025-06

RunResult run(int lead, const std::string& change, const std::string& name, int validity = 0,
              int step = 1) {
    // The buyer plans for the wait it faces (its whole expected wait added to its stock
    // target), so what it has on order follows the wait and nothing else.
    std::string policy = "stock_policy: {precautionary_share: 1}\n";
    if (lead > 0 || validity > 0) {
        policy += "exporter_policy: {filing_lead_days: " + std::to_string(lead) +
                  ", licence_validity_days: " + std::to_string(validity) + "}\n";
    }
    write_temp(name + "_model.yaml", lane_model(30, 30, policy));
    const std::string text = "name: " + name + "\nmodel: " + name +
                             "_model.yaml\nstart: 2025-01-01\nhorizon: 2025-12\ntrials: 2\n"
                             "seed: 5\ntime_step_days: " +
                             std::to_string(step) +
                             "\nevents:\n"
                             "  - id: control\n    kind: export_control\n    exporter: A\n"
                             "    products: [magnet]\n    share: 1\n    start: 2025-01-01\n"
                             "    approval_delay: {dist: fixed, value: 20}\n"
                             "    approval_rate: 1\n" +
                             change;
    const Scenario s = load_scenario(write_temp(name + ".yaml", text));
    RunConfig config;
    config.trials = s.trials;
    return run_scenario(s, config);
}

std::string review(int working_days, const std::string& kind = "licence_delay",
                   const std::string& more = "") {
    return "  - id: change\n    kind: " + kind +
           "\n    control: control\n    start: 2025-06-02\n"
           "    approval_delay: {dist: fixed, value: " +
           std::to_string(working_days) + "}\n" + more;
}

double month(const RunResult& r, const SeriesKey& key, int m) {
    const int series = r.layout.find(key);
    REQUIRE(series >= 0);
    return r.at(static_cast<std::size_t>(series), m).mean;
}

// The largest fall of a month's exports in `changed` below `base`, in days of the lane's flow.
double worst_fall_days(const RunResult& base, const RunResult& changed) {
    double worst = 0.0;
    for (int m = 0; m < base.layout.months; ++m) {
        worst = std::max(worst, month(base, EXPORTS, m) - month(changed, EXPORTS, m));
    }
    return worst / FLOW_DAY;
}

}  // namespace

TEST_CASE("contract licences: a slower review within the lead moves no month by more than 1%",
          "[contracts]") {
    const RunResult base = run(45, "", "lead_base");
    const RunResult slower = run(45, review(40), "lead_slower");
    for (int m = 0; m < base.layout.months; ++m) {
        INFO("month " << m);
        CHECK(month(slower, EXPORTS, m) == Approx(month(base, EXPORTS, m)).epsilon(0.01));
    }
    // Once every contract was filed ahead (63 days after the control), orders ship the tick
    // after they are placed: at a month's end about a day of flow waits, not 28 days.
    CHECK(month(base, BACKLOG, 8) < 2.0 * FLOW_DAY);
}

TEST_CASE("contract licences: without a lead, a slower review stops the approvals it delays",
          "[contracts]") {
    const RunResult base = run(0, "", "nolead_base");
    const RunResult slower = run(0, review(40), "nolead_slower");
    const double fall = worst_fall_days(base, slower);
    CHECK(fall > 20.0);          // the trap: most of the 28 days without approvals in one month
    CHECK(fall <= 28.0 * 1.02);  // at most the approvals lost
}

TEST_CASE("contract licences: a review slower than the lead loses at most the days beyond it",
          "[contracts]") {
    const RunResult base = run(45, "", "beyond_base");
    const RunResult slower = run(45, review(60), "beyond_slower");
    const double fall = worst_fall_days(base, slower);
    CHECK(fall > 10.0);
    CHECK(fall <= 21.0 * 1.02);  // 60 - 45 = 15 working days, 21 calendar days
    // Contracts of 180 days renewed evenly: an order waits max(0, 21 - U) days with U uniform on
    // [0, 180), 21^2 / 360 = 1.2 days of flow in all, spread over the renewals.
    const RunResult spread_base = run(45, "", "spread_base", 180);
    const RunResult spread = run(45, review(60), "spread_slower", 180);
    CHECK(worst_fall_days(spread_base, spread) <= 3.0);
}

TEST_CASE("contract licences: an easing ships nothing early, a lift no more than waits",
          "[contracts]") {
    const std::string redecide = review(5, "agreement", "    pending: redecide\n");
    const RunResult lead_base = run(45, "", "ease_lead_base");
    const RunResult lead_eased = run(45, redecide, "ease_lead");
    CHECK(month(lead_eased, EXPORTS, JUNE) ==
          Approx(month(lead_base, EXPORTS, JUNE)).epsilon(0.01));
    // Without a lead the same easing ships the orders waiting beyond 5 working days at once.
    const RunResult base = run(0, "", "ease_base");
    const RunResult eased = run(0, redecide, "ease");
    CHECK(month(eased, EXPORTS, JUNE) - month(base, EXPORTS, JUNE) > 5.0 * FLOW_DAY);
    // A lift ships what waits at once, and no more: June's exports are at most May's backlog
    // plus June's orders (30 days of flow), with or without a lead.
    const std::string lift =
        "  - {id: change, kind: agreement, control: control, "
        "start: 2025-06-02, lifts: true}\n";
    for (int lead : {0, 45}) {
        const RunResult lifted = run(lead, lift, "lift" + std::to_string(lead));
        INFO("lead " << lead);
        CHECK(month(lifted, EXPORTS, JUNE) <=
              month(lifted, BACKLOG, JUNE - 1) + 30.0 * FLOW_DAY + 1e-6);
        CHECK(month(lifted, EXPORTS, JUNE) > month(lifted, BACKLOG, JUNE - 1));
    }
}

TEST_CASE("contract licences: weekly ticks keep the regular flow under its contracts",
          "[contracts]") {
    // The regular share compares a tick's order with a tick's use: with 7-day ticks the same
    // slower review within the lead moves no month by more than a few days of flow (comparing a
    // week's order with a day's use filed 6/7 of the flow as urgent, and it waited the review).
    const RunResult base = run(45, "", "week_base", 0, 7);
    const RunResult slower = run(45, review(40), "week_slower", 0, 7);
    CHECK(worst_fall_days(base, slower) < 3.0);
}

TEST_CASE("contract licences: a contract is not filed before the latest control covering it",
          "[contracts]") {
    // A second control on the same tonnes from 2025-06-02, deciding in 60 working days (84
    // calendar days): contracts under both cannot have been filed before it, so orders from
    // 2025-06-02 wait for its first decisions (2025-08-25) and July ships nothing of them.
    // Bounded by the first control's start only, they would wait 21 days beyond the lead.
    const std::string second =
        "  - id: second\n    kind: export_control\n    exporter: A\n"
        "    products: [magnet]\n    share: 1\n    start: 2025-06-02\n"
        "    approval_delay: {dist: fixed, value: 60}\n"
        "    approval_rate: 1\n";
    const RunResult base = run(45, "", "two_base");
    const RunResult two = run(45, second, "two_controls");
    const int july = 6;
    CHECK(month(two, EXPORTS, july) < 0.1 * month(base, EXPORTS, july));
}
