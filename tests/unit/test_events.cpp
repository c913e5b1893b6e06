// Each event kind, on the small model, changes what it should and nothing it should not.
#include <catch2/catch.hpp>

#include <cmath>
#include <set>

#include "chokepoint/kernel/trial.hpp"
#include "chokepoint/runner/runner.hpp"
#include "chokepoint/scenario/scenario.hpp"
#include "test_support.hpp"

using namespace chokepoint;
using chokepoint::testing::small_scenario;
using chokepoint::testing::write_temp;

namespace {

struct Run {
    Scenario scenario;
    OutputLayout layout;
    TrialResult result;

    double monthly(const std::string& metric, const std::string& to, const std::string& month,
                   const std::string& from = "Exportland") const {
        const int s = layout.find({metric, "magnet", from, to});
        REQUIRE(s >= 0);
        const int m = *parse_month(month) - layout.first_month;
        return result.monthly[static_cast<std::size_t>(s) * layout.months + m];
    }
};

Run run(const std::string& events, std::uint64_t trial = 0) {
    Run r;
    r.scenario = load_scenario(write_temp("events.yaml", small_scenario(events)));
    r.layout = OutputLayout::build(r.scenario);
    Kernel kernel(r.scenario, r.layout);
    kernel.run(r.scenario.seed, 0, trial, r.result);
    return r;
}

const Run& baseline() {
    static const Run b = run("");
    return b;
}

}  // namespace

TEST_CASE("events: no events - exports equal the baseline flows", "[events]") {
    const Run& b = baseline();
    // 1000 t/month to Importland: a 31-day month carries 31 days at 1000 / 30.4375 t/day.
    CHECK(b.monthly("exports", "Importland", "2025-03") == Approx(1000.0 * 31 / 30.4375));
    CHECK(b.monthly("exports", "Otherland", "2025-04") == Approx(500.0 * 30 / 30.4375));
    CHECK(b.monthly("exports", "World", "2025-03") == Approx(1500.0 * 31 / 30.4375));
}

TEST_CASE("events: export_control holds shipments for licences", "[events]") {
    const Run r = run(R"(  - id: c
    kind: export_control
    exporter: Exportland
    products: [magnet]
    share: 1.0
    start: 2025-03-01
    approval_delay: {dist: lognormal, median: 40, spread: 0.1}
    approval_rate: 0.5
)");
    // Nothing is approved within a month (40 working days), so March exports stop.
    CHECK(r.monthly("exports", "Importland", "2025-03") == Approx(0.0).margin(1e-9));
    CHECK(r.monthly("licence_backlog", "Importland", "2025-03") > 900.0);
    // Approvals arrive from late April; refusals come back in the same window.
    CHECK(r.monthly("exports", "Importland", "2025-05") > 0.0);
    CHECK(r.monthly("licence_refused", "Importland", "2025-05") > 0.0);
    // Importland runs short once its 30 days of cover are gone.
    const int shortage = r.layout.find({"shortage", "magnet", "", "Importland"});
    double total = 0.0;
    for (int m = 0; m < r.layout.months; ++m) {
        total += r.result.monthly[static_cast<std::size_t>(shortage) * r.layout.months + m];
    }
    CHECK(total > 100.0);
}

TEST_CASE("events: licence_delay and agreement change the regime per destination", "[events]") {
    const std::string control = R"(  - id: c
    kind: export_control
    exporter: Exportland
    products: [magnet]
    share: 1.0
    start: 2025-03-01
    approval_delay: {dist: lognormal, median: 40, spread: 0.1}
    approval_rate: 0.2
)";
    const Run slow = run(control);
    const Run faster = run(control + R"(  - id: fast
    kind: licence_delay
    control: c
    destinations: [Importland]
    approval_delay: {dist: lognormal, median: 2, spread: 0.1}
    approval_rate: 1.0
    start: 2025-03-01
)");
    CHECK(faster.monthly("exports", "Importland", "2025-03") >
          0.8 * baseline().monthly("exports", "Importland", "2025-03"));
    // Otherland is not named: unchanged.
    CHECK(faster.monthly("exports", "Otherland", "2025-03") ==
          Approx(slow.monthly("exports", "Otherland", "2025-03")));
    // A licence_delay may change the share that needs a licence: none for Importland.
    const Run exempt = run(control + R"(  - id: exempt
    kind: licence_delay
    control: c
    destinations: [Importland]
    share: 0
    start: 2025-03-01
)");
    CHECK(exempt.monthly("exports", "Importland", "2025-03") ==
          Approx(baseline().monthly("exports", "Importland", "2025-03")));
    CHECK(exempt.monthly("exports", "Otherland", "2025-03") ==
          Approx(slow.monthly("exports", "Otherland", "2025-03")));
    const Run lifted = run(control + R"(  - id: deal
    kind: agreement
    control: c
    lifts: true
    start: 2025-04-01
)");
    // Lifting releases everything waiting: April carries the backlog on top of the flow.
    CHECK(lifted.monthly("licence_backlog", "Importland", "2025-04") == Approx(0.0).margin(1e-9));
    CHECK(lifted.monthly("exports", "Importland", "2025-04") >
          1.5 * baseline().monthly("exports", "Importland", "2025-04"));
}

TEST_CASE("events: supply_disruption cuts capacity", "[events]") {
    const Run r = run(R"(  - id: flood
    kind: supply_disruption
    nodes: [mine]
    factor: 0.0
    start: 2025-02-01
    duration_days: 120
)");
    // Stocks buffer the first weeks; by April the refinery has run dry.
    CHECK(r.monthly("exports", "Importland", "2025-02") >
          0.5 * baseline().monthly("exports", "Importland", "2025-02"));
    CHECK(r.monthly("exports", "World", "2025-04") <
          0.2 * baseline().monthly("exports", "World", "2025-04"));
}

TEST_CASE("events: supply_disruption with cuts: shipments holds output at the node", "[events]") {
    // A closed border: from March to April only 40% of each lane's baseline flow may leave the
    // refinery. Its production goes on (the buyers still order), so a stockpile builds, and it
    // leaves once the border opens.
    const std::string cut = R"(  - id: border
    kind: supply_disruption
    nodes: [refinery]
    cuts: shipments
    factor: 0.4
    start: 2025-03-01
    end: 2025-05-01
)";
    const Run r = run(cut);
    const Run& b = baseline();
    // Exactly the factor of the baseline flow leaves, day by day: 0.4 x 1000 t/month, 31 days.
    CHECK(r.monthly("exports", "Importland", "2025-03") == Approx(0.4 * 1000.0 * 31 / 30.4375));
    CHECK(r.monthly("exports", "Otherland", "2025-04") == Approx(0.4 * 500.0 * 30 / 30.4375));
    // Nothing changes before the cut.
    CHECK(r.monthly("exports", "Importland", "2025-02") ==
          Approx(b.monthly("exports", "Importland", "2025-02")));
    // What was held leaves in May, on top of the baseline, to refill the buyers.
    CHECK(r.monthly("exports", "World", "2025-05") >
          1.3 * b.monthly("exports", "World", "2025-05"));
    // Over March to August the buyers get back most of what the cut held: more than the two
    // months' shortfall of 0.6 x 1,500 t a month would leave them without a stockpile.
    double cut_total = 0.0;
    double base_total = 0.0;
    for (const char* m : {"2025-03", "2025-04", "2025-05", "2025-06", "2025-07", "2025-08"}) {
        cut_total += r.monthly("exports", "World", m);
        base_total += b.monthly("exports", "World", m);
    }
    CHECK(cut_total > base_total - 0.25 * 2 * 0.6 * 1500.0);
    // Two cuts on one node multiply: 0.4 x 0.5 of the flow leaves while both are on.
    const Run both = run(cut + R"(  - id: floods
    kind: supply_disruption
    nodes: [refinery]
    cuts: shipments
    factor: 0.5
    start: 2025-03-01
    end: 2025-04-01
)");
    CHECK(both.monthly("exports", "Importland", "2025-03") == Approx(0.2 * 1000.0 * 31 / 30.4375));
    CHECK(both.monthly("exports", "Importland", "2025-04") == Approx(0.4 * 1000.0 * 30 / 30.4375));
    // Weekly ticks: a tick carries seven days of the capped flow. Ticks start on 2025-01-01, so
    // the cut is seen from the tick of 2025-03-05 to that of 2025-04-30 (nine ticks, 63 days
    // of 0.4 x 1,500 t a month); a tick counts in the month it starts in, so March and April
    // hold all of it.
    Run weekly;
    weekly.scenario =
        load_scenario(write_temp("weekly.yaml", small_scenario(cut, "time_step_days: 7\n")));
    weekly.layout = OutputLayout::build(weekly.scenario);
    Kernel(weekly.scenario, weekly.layout).run(weekly.scenario.seed, 0, 0, weekly.result);
    const double cut_days = weekly.monthly("exports", "World", "2025-03") +
                            weekly.monthly("exports", "World", "2025-04");
    CHECK(cut_days == Approx(63 * 0.4 * 1500.0 / 30.4375));
    // The same factor on production: the refinery's stock carries March (the old reading of a
    // disruption, which left a two-month border closure almost invisible in exports).
    std::string production = cut;
    production.replace(production.find("shipments"), 9, "production");
    const Run p = run(production);
    CHECK(p.monthly("exports", "Importland", "2025-03") >
          0.6 * b.monthly("exports", "Importland", "2025-03"));
    // The two readings, stopped on the day the border opens (horizon 2025-04), against the 1,800 t
    // (0.6 x 2 months x 1,500 t) that did not leave: held at the node, the refinery goes on
    // making nearly what its buyers order (it loses under half of that; its stock above target
    // slows it) and most of it is a stockpile to release; cut at the node, it makes most of that
    // less and has little to release.
    const auto until_april = [](const std::string& events) {
        std::string text = small_scenario(events);
        text.replace(text.find("horizon: 2025-12"), 16, "horizon: 2025-04");
        Run x;
        x.scenario = load_scenario(write_temp("events.yaml", text));
        x.layout = OutputLayout::build(x.scenario);
        Kernel kernel(x.scenario, x.layout);
        kernel.run(x.scenario.seed, 0, 0, x.result);
        return x.result.balance[1];  // nodes: mine, refinery, buyer_x, buyer_y
    };
    const NodeBalance base = until_april("");
    const NodeBalance held = until_april(cut);
    const NodeBalance made_less = until_april(production);
    const double not_shipped = 0.6 * 2 * 1500.0;
    CHECK(held.produced > base.produced - 0.5 * not_shipped);
    CHECK(made_less.produced < base.produced - 0.75 * not_shipped);
    CHECK(held.end_stock - base.end_stock > 0.75 * not_shipped);
    CHECK(made_less.end_stock - base.end_stock < 0.25 * not_shipped);
}

TEST_CASE("events: a cut of shipments out of a source keeps its lumpy months", "[events]") {
    // The mine's lane carries 0.5 x its baseline flow times the month's supply-noise factor
    // (mean 1, sd about 0.3): March's departures over 0.5 x 3,000 t/month x 31 days are that
    // factor. Over 200 trials its mean is 1 within 5 standard errors, and it varies.
    const Scenario s = load_scenario(write_temp(
        "cut_noise.yaml", small_scenario(R"(  - id: border
    kind: supply_disruption
    nodes: [mine]
    cuts: shipments
    factor: 0.5
    start: 2025-03-01
    end: 2025-06-01
)",
                                         "supply_noise: {sd: 0.3, monthly_correlation: 0, "
                                         "common_share: 0}\n")));
    const OutputLayout layout = OutputLayout::build(s);
    Kernel kernel(s, layout);
    TrialOptions trace;
    trace.trace = true;
    const Day march = *parse_date("2025-03-01");
    const int trials = 200;
    double sum = 0.0;
    double sum_sq = 0.0;
    for (int t = 0; t < trials; ++t) {
        TrialResult r;
        kernel.run(s.seed, 0, static_cast<std::uint64_t>(t), r, trace);
        double departed = 0.0;
        for (int d = 0; d < 31; ++d) {
            departed += r.trace[static_cast<std::size_t>(march - s.start + d)][0].departed;
        }
        const double factor = departed / (0.5 * 3000.0 * 31 / 30.4375);
        sum += factor;
        sum_sq += factor * factor;
    }
    const double mean = sum / trials;
    const double sd = std::sqrt(sum_sq / trials - mean * mean);
    INFO("mean " << mean << ", sd " << sd);
    CHECK(std::abs(mean - 1.0) < 5.0 * sd / std::sqrt(trials));
    CHECK(sd > 0.2);
}

TEST_CASE("events: export_halt stops one flow", "[events]") {
    const Run r = run(R"(  - id: halt
    kind: export_halt
    from: refinery
    to: buyer_y
    start: 2025-03-01
    end: 2025-05-01
)");
    CHECK(r.monthly("exports", "Otherland", "2025-03") == Approx(0.0).margin(1e-9));
    CHECK(r.monthly("exports", "Importland", "2025-03") ==
          Approx(baseline().monthly("exports", "Importland", "2025-03")));
    // Goods already on the water still arrive: 20 days of lead time into March.
    CHECK(r.monthly("imports", "Otherland", "2025-03") > 0.0);
    CHECK(r.monthly("imports", "Otherland", "2025-04") == Approx(0.0).margin(1e-9));
}

TEST_CASE("events: tariff lowers the importer's demand through the elasticity", "[events]") {
    const Run r = run(R"(  - id: t
    kind: tariff
    importer: Otherland
    exporter: Exportland
    rate: 1.0
    elasticity: 1.0
    start: 2025-01-01
)");
    // (1 + 1.0)^-1 = half the demand; after stocks adjust, half the flow.
    CHECK(r.monthly("exports", "Otherland", "2025-09") ==
          Approx(0.5 * baseline().monthly("exports", "Otherland", "2025-09")).epsilon(0.02));
}

TEST_CASE("events: capacity_change on a buyer is substitution", "[events]") {
    const Run r = run(R"(  - id: sub
    kind: capacity_change
    nodes: [buyer_x]
    products: [magnet]
    change: -500
    start: 2025-02-01
)");
    CHECK(r.monthly("exports", "Importland", "2025-08") ==
          Approx(0.5 * baseline().monthly("exports", "Importland", "2025-08")).epsilon(0.02));
}

TEST_CASE("events: demand_shock raises demand - stockpiling raises target stock only", "[events]") {
    const Run shock = run(R"(  - id: rush
    kind: demand_shock
    nodes: [buyer_x]
    factor: 1.3
    start: 2025-02-01
    end: 2025-04-01
)");
    CHECK(shock.monthly("exports", "Importland", "2025-03") >
          1.2 * baseline().monthly("exports", "Importland", "2025-03"));
    const Run stockpile = run(R"(  - id: rush
    kind: demand_shock
    nodes: [buyer_x]
    factor: 1.3
    stockpile: true
    start: 2025-02-01
    end: 2025-03-01
)");
    // A 30% higher target stock (9 more days of use) is mostly bought within the month.
    CHECK(stockpile.monthly("exports", "Importland", "2025-02") >
          1.15 * baseline().monthly("exports", "Importland", "2025-02"));
    // Afterwards the extra stock is run down: orders fall below the flow.
    CHECK(stockpile.monthly("exports", "Importland", "2025-03") <
          baseline().monthly("exports", "Importland", "2025-03"));
}

TEST_CASE("events: probability 0 never happens uncertain dates vary by trial", "[events]") {
    const Run never = run(R"(  - id: halt
    kind: export_halt
    from: refinery
    probability: 0
    start: 2025-03-01
)");
    CHECK(never.monthly("exports", "World", "2025-06") ==
          Approx(baseline().monthly("exports", "World", "2025-06")));
    const std::string uncertain = R"(  - id: halt
    kind: export_halt
    from: refinery
    start: {dist: uniform, min: 2025-03-01, max: 2025-08-01}
)";
    std::set<double> seen;
    for (std::uint64_t t = 0; t < 6; ++t) {
        seen.insert(run(uncertain, t).monthly("exports", "World", "2025-05"));
    }
    CHECK(seen.size() > 1);
}

TEST_CASE("demand noise: mean-preserving month-to-month variability", "[events]") {
    const std::string path = write_temp(
        "noise.yaml", small_scenario("", "demand_noise: {sd: 0.2, monthly_correlation: 0.5}\n"));
    const Scenario s = load_scenario(path);
    CHECK(s.demand_noise.sd == 0.2);
    RunConfig config;
    config.trials = 2000;
    config.seed = 4;
    const RunResult r = run_scenario(s, config);
    const int series = r.layout.find({"exports", "magnet", "Exportland", "Importland"});
    const Summary& june = r.at(static_cast<std::size_t>(series), 5);
    const double flat = baseline().monthly("exports", "Importland", "2025-06");
    // The factor exp(sd z - sd^2/2) has mean 1, so the mean stays at the flat flow; the
    // tolerance is 5 standard errors of the mean over 2000 trials.
    CHECK(std::abs(june.mean - flat) < 5.0 * june.sd / std::sqrt(2000.0));
    CHECK(june.sd > 0.05 * flat);
    CHECK(june.p95 > june.p05);
    // Out of range.
    try {
        (void)load_scenario(
            write_temp("noise_bad.yaml", small_scenario("", "demand_noise: {sd: 1.5}\n")));
        FAIL("expected an error");
    } catch (const InputError& e) {
        CHECK_THAT(std::string(e.what()),
                   Catch::Contains("demand_noise.sd: must be between 0 and 1, found 1.5"));
    }
}

namespace {
std::string control(const std::string& id, double share, const std::string& delay, double rate) {
    return "  - id: " + id +
           "\n    kind: export_control\n    exporter: Exportland\n    products: [magnet]\n"
           "    destinations: [Importland]\n    share: " +
           std::to_string(share) + "\n    start: 2025-03-01\n    approval_delay: " + delay +
           "\n    approval_rate: " + std::to_string(rate) + "\n";
}
double total(const Run& r, const std::string& metric, int first_month, int last_month) {
    double sum = 0.0;
    for (int m = first_month; m <= last_month; ++m) {
        sum += r.monthly(metric, "Importland",
                         "2025-" + std::string(m < 10 ? "0" : "") + std::to_string(m));
    }
    return sum;
}
}  // namespace

TEST_CASE("events: export controls on one lane compose - a second control never eases the first",
          "[events]") {
    // Decisions take 40 working days, so nothing is decided in March: what leaves in March is
    // exactly the tonnes no control covers, (1 - 0.95) alone and (1 - 0.95)(1 - 0.3) with both.
    const std::string slow = "{dist: uniform, min: 40, max: 40}";
    const Run a = run(control("a", 0.95, slow, 0.1));
    const Run ab = run(control("a", 0.95, slow, 0.1) + control("b", 0.3, slow, 0.5));
    const double alone = a.monthly("exports", "Importland", "2025-03");
    REQUIRE(alone > 0.0);
    CHECK(ab.monthly("exports", "Importland", "2025-03") / alone == Approx(0.7).epsilon(1e-9));
    CHECK(ab.monthly("licence_backlog", "Importland", "2025-03") >
          a.monthly("licence_backlog", "Importland", "2025-03"));
    // Otherland's lane is covered by neither.
    CHECK(ab.monthly("exports", "Otherland", "2025-03") ==
          Approx(a.monthly("exports", "Otherland", "2025-03")));
}

TEST_CASE("events: tonnes covered by two controls wait for the later decision and need both",
          "[events]") {
    const std::string fast = "{dist: uniform, min: 5, max: 5}";
    const std::string slower = "{dist: uniform, min: 20, max: 20}";
    // Both approve everything: every tonne waits 20 working days (28 calendar days), not 5.
    const Run one = run(control("a", 1.0, fast, 1.0));
    const Run both = run(control("a", 1.0, fast, 1.0) + control("b", 1.0, slower, 1.0));
    CHECK(one.monthly("exports", "Importland", "2025-03") > 500.0);
    CHECK(both.monthly("exports", "Importland", "2025-03") <
          0.15 * one.monthly("exports", "Importland", "2025-03"));
    CHECK(both.monthly("exports", "Importland", "2025-05") > 500.0);
    // Each approves half, independently: a tonne ships with probability 0.25. Over ~200 daily
    // applications the refused share of decided tonnes is 0.75 with sd ~0.03; 0.1 is > 3 sd.
    const Run halves = run(control("a", 1.0, fast, 0.5) + control("b", 1.0, slower, 0.5));
    const double refused = total(halves, "licence_refused", 3, 12);
    const double approved = total(halves, "exports", 3, 12);  // every tonne is controlled
    REQUIRE(refused + approved > 0.0);
    CHECK(refused / (refused + approved) == Approx(0.75).margin(0.1));
}

TEST_CASE("events: more than eight export controls from one exporter are refused", "[events]") {
    std::string events;
    for (int i = 0; i < 9; ++i) {
        events += control("c" + std::to_string(i), 0.5, "{dist: uniform, min: 5, max: 5}", 0.5);
    }
    try {
        (void)load_scenario(write_temp("many.yaml", small_scenario(events)));
        FAIL("expected an error");
    } catch (const InputError& e) {
        CHECK_THAT(std::string(e.what()),
                   Catch::Contains("at most 8 export_control events per exporter"));
    }
}

TEST_CASE("supply noise: lumpy shipments out of sources keep the yearly tonnes", "[events]") {
    const Scenario s = load_scenario(write_temp(
        "supply.yaml",
        small_scenario("", "supply_noise: {sd: 0.3, monthly_correlation: 0, common_share: 0}\n")));
    CHECK(s.supply_noise.sd == 0.3);
    const Scenario flat = load_scenario(write_temp("flat.yaml", small_scenario("")));
    // Lane 0 is mine -> refinery, the only lane out of a source; sum its departures by month.
    auto monthly = [](const Scenario& sc, std::uint64_t trial) {
        const OutputLayout layout = OutputLayout::build(sc);
        Kernel kernel(sc, layout);
        TrialResult r;
        TrialOptions trace;
        trace.trace = true;
        kernel.run(sc.seed, 0, trial, r, trace);
        std::vector<double> by_month(static_cast<std::size_t>(layout.months), 0.0);
        for (std::size_t d = 0; d < r.trace.size(); ++d) {
            const int m = month_of(sc.start + static_cast<Day>(d)) - layout.first_month;
            by_month[static_cast<std::size_t>(m)] += r.trace[d][0].departed;
        }
        return by_month;
    };
    const std::vector<double> base = monthly(flat, 0);
    double base_year = 0.0;
    for (double x : base) {
        base_year += x;
    }
    const int trials = 200;
    double sum_year = 0.0, sum_sq_year = 0.0, sum_cv = 0.0;
    for (int t = 0; t < trials; ++t) {
        const std::vector<double> m = monthly(s, static_cast<std::uint64_t>(t));
        double year = 0.0, sq = 0.0;
        for (double x : m) {
            year += x;
        }
        const double mean = year / static_cast<double>(m.size());
        for (double x : m) {
            sq += (x - mean) * (x - mean);
        }
        sum_cv += std::sqrt(sq / static_cast<double>(m.size() - 1)) / mean;
        sum_year += year;
        sum_sq_year += year * year;
    }
    const double mean_year = sum_year / trials;
    const double sd_year = std::sqrt(sum_sq_year / trials - mean_year * mean_year);
    // Months are lumpy: the factor has sd ~0.3 and the refinery's stock feedback damps it.
    CHECK(sum_cv / trials > 0.1);
    // The refinery's use pulls the year's tonnes back to the flat level; what is left is the
    // change in its stock at the year end, which the noise moves both ways. 5 standard errors.
    CHECK(std::abs(mean_year - base_year) < 5.0 * sd_year / std::sqrt(trials) + 1e-6 * base_year);
    INFO("flat " << base_year << ", noisy mean " << mean_year << ", sd " << sd_year);
    CHECK(std::abs(mean_year - base_year) < 0.02 * base_year);
    CHECK_THAT(
        [] {
            try {
                (void)load_scenario(
                    write_temp("supply_bad.yaml", small_scenario("", "supply_noise: {sd: 2}\n")));
            } catch (const InputError& e) {
                return std::string(e.what());
            }
            return std::string();
        }(),
        Catch::Contains("supply_noise.sd: must be between 0 and 1, found 2"));
}

TEST_CASE("events: pending: redecide decides waiting applications again from their filing day",
          "[events]") {
    // March: every tonne needs a licence, decided after 60 working days and always refused.
    // 2025-04-01: reviews take 5 working days and approve everything.
    const std::string control = R"(  - id: c
    kind: export_control
    exporter: Exportland
    products: [magnet]
    destinations: [Importland]
    share: 1.0
    start: 2025-03-01
    approval_delay: {dist: uniform, min: 60, max: 60}
    approval_rate: 0
)";
    auto easing = [](const std::string& pending) {
        return R"(  - id: e
    kind: agreement
    control: c
    approval_delay: {dist: uniform, min: 5, max: 5}
    approval_rate: 1
    start: 2025-04-01
)" + (pending.empty() ? std::string() : "    pending: " + pending + "\n");
    };
    const Run keep = run(control + easing(""));
    const Run keep_explicit = run(control + easing("keep"));
    const Run redecide = run(control + easing("redecide"));
    auto sum = [](const Run& r, const std::string& metric) {
        double total = 0.0;
        for (const char* m : {"2025-03", "2025-04", "2025-05", "2025-06", "2025-07", "2025-08"}) {
            total += r.monthly(metric, "Importland", m);
        }
        return total;
    };
    CHECK(sum(keep, "exports") == sum(keep_explicit, "exports"));
    // Kept: March's applications are refused in late May and filed again.
    CHECK(sum(keep, "licence_refused") > 500.0);
    // Decided again: March's applications (filed 5 or more working days before 2025-04-01) are
    // approved on 2025-04-01, the rest within a week; nothing is ever refused.
    CHECK(sum(redecide, "licence_refused") == Approx(0.0).margin(1e-9));
    CHECK(redecide.monthly("licence_backlog", "Importland", "2025-04") <
          0.5 * keep.monthly("licence_backlog", "Importland", "2025-04"));
    CHECK(redecide.monthly("exports", "Importland", "2025-04") >
          keep.monthly("exports", "Importland", "2025-04") + 500.0);
    CHECK_THAT(
        [&] {
            try {
                (void)load_scenario(
                    write_temp("pending.yaml", small_scenario(control + easing("redecided"))));
            } catch (const InputError& e) {
                return std::string(e.what());
            }
            return std::string();
        }(),
        Catch::Contains("found 'redecided' (did you mean 'redecide'?)"));
}
