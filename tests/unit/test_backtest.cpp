// Rolling-origin backtests on a synthetic scenario whose events are announced at known dates.
#include <catch2/catch.hpp>

#include <cmath>

#include "chokepoint/compare/backtest.hpp"
#include "chokepoint/events/events.hpp"
#include "chokepoint/random/rng.hpp"
#include "chokepoint/scenario/scenario.hpp"
#include "test_support.hpp"

using namespace chokepoint;
using chokepoint::testing::small_scenario;
using chokepoint::testing::write_temp;

namespace {

// A control from 2025-04-01 announced on 2025-02-15, and a halt from 2025-03-01 announced on
// its start (the default).
Scenario synthetic() {
    return load_scenario(
        write_temp("bt.yaml", chokepoint::testing::small_scenario(R"(  - id: control
    kind: export_control
    exporter: Exportland
    products: [magnet]
    share: 1.0
    start: 2025-04-01
    announced: 2025-02-15
    approval_delay: {dist: fixed, value: 30}
    approval_rate: 0.5
  - id: halt
    kind: export_halt
    from: refinery
    start: 2025-03-01
    end: 2025-03-08
)")));
}

// A reported-figures file: one magnet figure of `value` t a month, 2025-0`first` to
// 2025-0`last`, for `series_regions` ("series,from,to").
std::string monthly_figures(const std::string& series_regions, int first, int last,
                            const std::string& value) {
    std::string csv =
        "series,region_from,region_to,product,period_start,period_end,value,unit,yoy_pct,"
        "mom_pct,source,source_date,url,note\n";
    for (int m = first; m <= last; ++m) {
        const std::string month = "2025-0" + std::to_string(m);
        csv += series_regions + ",magnet," + month + "," + month + "," + value + ",t,,,A,x,u,\n";
    }
    return csv;
}

}  // namespace

TEST_CASE("backtest: the scenario as known by a day keeps only events announced by then",
          "[backtest]") {
    const Scenario s = synthetic();
    REQUIRE(s.events.size() == 2);
    CHECK(format_date(s.events[0].announced) == "2025-02-15");
    CHECK(format_date(s.events[1].announced) == "2025-03-01");  // default: its start
    int dropped = -1;
    const Scenario jan = known_by(s, *parse_date("2025-01-31"), &dropped);
    CHECK(dropped == 2);
    CHECK(jan.events[0].probability.value == 0.0);
    const Scenario feb = known_by(s, *parse_date("2025-02-28"), &dropped);
    CHECK(dropped == 1);
    CHECK(feb.events[0].probability.value == 1.0);  // announced 15 February
    CHECK(feb.events[1].probability.value == 0.0);  // starts (and becomes known) 1 March
    known_by(s, *parse_date("2025-03-31"), &dropped);
    CHECK(dropped == 0);
}

TEST_CASE("backtest: figures are scored by origin and lead, out of sample", "[backtest]") {
    const Scenario s = synthetic();
    const std::string csv =
        monthly_figures("magnet_exports_by_destination,Exportland,Importland", 1, 9, "1000");
    BacktestConfig config;
    config.compare.run.trials = 8;
    config.origins = {*parse_month("2025-01"), *parse_month("2025-02"), *parse_month("2025-03")};
    config.max_lead = 3;
    const Backtest b = run_backtest(s, load_reported(write_temp("bt.csv", csv), "t"), config);
    REQUIRE(b.origins.size() == 3);
    CHECK(b.origins[0].events_dropped == 2);
    CHECK(b.origins[1].events_dropped == 1);
    CHECK(b.origins[2].events_dropped == 0);
    // Each origin scores the three months after it, one figure per lead.
    for (const auto& o : b.origins) {
        REQUIRE(o.figures.size() == 3);
        for (std::size_t i = 0; i < o.figures.size(); ++i) {
            const ReportedRow& r = o.rows[o.figures[i].row];
            CHECK(r.first - o.origin == o.figure_lead[i]);
            CHECK(r.first > o.origin);
        }
    }
    for (const auto& ls : b.by_lead) {
        CHECK(ls.scores.model.count == 3);
    }
    CHECK(b.overall.model.count == 9);
    // Three origins: blocks of one (the cube root of 3, rounded), so each interval holds its
    // pooled score (a ratio's resamples spread around it).
    CHECK(bootstrap_block(3) == 1);
    REQUIRE(b.by_lead.size() == 3);
    for (std::size_t l = 0; l < 3; ++l) {
        const ScoreIntervals& in = b.by_lead[l].intervals;
        const double coverage = b.by_lead[l].scores.model.coverage90();
        CHECK(in.coverage90.low <= coverage);
        CHECK(in.coverage90.high >= coverage);
        if (const auto skill = b.by_lead[l].scores.persistence_skill()) {
            CHECK(in.skill_persistence.low <= *skill + 1e-12);
            CHECK(in.skill_persistence.high >= *skill - 1e-12);
            CHECK(in.skill_persistence.low < in.skill_persistence.high);
        }
    }
    REQUIRE(b.pit.size() == 9);
    for (double p : b.pit) {
        CHECK(p >= 0.0);
        CHECK(p <= 1.0);
    }
    // The control is known at origins 2025-02 and 2025-03, not at 2025-01: April, lead 3 from
    // January, is simulated without it (1000 t/month by day count), with it from February.
    const auto april = [&](const BacktestOrigin& o) {
        for (const auto& f : o.figures) {
            if (o.rows[f.row].first == *parse_month("2025-04")) {
                return f.p50;
            }
        }
        FAIL("no April figure");
        return 0.0;
    };
    CHECK(april(b.origins[0]) == Approx(1000.0 * 30 / 30.4375));
    CHECK(april(b.origins[1]) < 500.0);  // held for 30 working days
    // Persistence uses only figures published by the origin (a month's about three weeks after
    // it ends): from January nothing is published yet, whatever January and February reported;
    // from February, April's persistence is January's figure.
    CHECK_FALSE(b.origins[0].figures[1].persistence.has_value());
    REQUIRE(b.origins[1].figures[1].persistence.has_value());
    CHECK(*b.origins[1].figures[1].persistence == 1000.0);
}

TEST_CASE("backtest: an event sized after its announcement is listed as sized later",
          "[backtest]") {
    // A disruption announced with its start (2025-02-01) whose factor the sources measured only
    // on 2025-04-15: origins before that run it at the factor written and say so.
    const std::string cut = R"(  - id: cut
    kind: supply_disruption
    nodes: [refinery]
    factor: 0.5
    start: 2025-02-01
    duration_days: 30
    sized_on: 2025-04-15
)";
    const Scenario s = load_scenario(write_temp("sized.yaml", small_scenario(cut)));
    REQUIRE(s.events.size() == 1);
    CHECK(format_date(s.events[0].sized_on) == "2025-04-15");
    int dropped = -1;
    std::vector<std::string> open, sized;
    (void)known_by(s, *parse_date("2025-01-31"), &dropped, &open, &sized);
    CHECK(sized.empty());  // not yet announced: dropped, not listed
    CHECK(dropped == 1);
    const Scenario mar = known_by(s, *parse_date("2025-03-31"), &dropped, &open, &sized);
    REQUIRE(sized.size() == 1);
    CHECK(sized[0] == "cut");
    CHECK(mar.events[0].probability.value == 1.0);  // still run, at its size
    (void)known_by(s, *parse_date("2025-04-30"), &dropped, &open, &sized);
    CHECK(sized.empty());
    // A size cannot be known before the event.
    const std::string early = R"(  - id: cut
    kind: supply_disruption
    nodes: [refinery]
    factor: 0.5
    start: 2025-02-01
    duration_days: 30
    announced: 2025-01-20
    sized_on: 2025-01-10
)";
    try {
        (void)load_scenario(write_temp("sized_early.yaml", small_scenario(early)));
        FAIL("a size known before the event was accepted");
    } catch (const InputError& e) {
        CHECK_THAT(e.what(), Catch::Contains("sized_on 2025-01-10 is before announced 2025-01-20"));
    }
    // Without announced:, the event became known at its start.
    const std::string before_start = R"(  - id: cut
    kind: supply_disruption
    nodes: [refinery]
    factor: 0.5
    start: 2025-02-01
    duration_days: 30
    sized_on: 2025-01-15
)";
    try {
        (void)load_scenario(write_temp("sized_before_start.yaml", small_scenario(before_start)));
        FAIL("a size known before the event's start was accepted");
    } catch (const InputError& e) {
        CHECK_THAT(e.what(), Catch::Contains("sized_on 2025-01-15 is before the event became "
                                             "known (2025-02-01, its earliest start)"));
    }
}

TEST_CASE("backtest: an event whose end is announced later runs without it before then",
          "[backtest]") {
    // A halt of the refinery's shipments from 2025-02-01, known from its start; that it ends on
    // 2025-03-01 became known only that day (as the KIA's release of Myanmar's border was).
    const std::string halt = R"(  - id: halt
    kind: export_halt
    from: refinery
    start: 2025-02-01
    end: 2025-03-01
    end_announced: 2025-03-01
)";
    const Scenario s = load_scenario(write_temp("open.yaml", small_scenario(halt)));
    REQUIRE(s.events.size() == 1);
    CHECK(format_date(s.events[0].end_announced) == "2025-03-01");
    int dropped = -1;
    std::vector<std::string> open;
    (void)known_by(s, *parse_date("2025-01-31"), &dropped, &open);
    CHECK(dropped == 1);
    CHECK(open.empty());
    const Scenario feb = known_by(s, *parse_date("2025-02-28"), &dropped, &open);
    CHECK(dropped == 0);
    CHECK(open.size() == 1);
    CHECK(feb.events[0].end_unknown);
    const Scenario mar = known_by(s, *parse_date("2025-03-31"), &dropped, &open);
    CHECK(open.empty());
    CHECK_FALSE(mar.events[0].end_unknown);

    // Scored: from the February origin, March and April are forecast with the halt in force
    // (nothing leaves the refinery); from March, with the refinery shipping again.
    const std::string csv = monthly_figures("magnet_exports_total,Exportland,World", 2, 5, "1500");
    BacktestConfig config;
    config.compare.run.trials = 8;
    config.origins = {*parse_month("2025-02"), *parse_month("2025-03")};
    config.max_lead = 2;
    const Backtest b = run_backtest(s, load_reported(write_temp("open.csv", csv), "t"), config);
    REQUIRE(b.origins.size() == 2);
    CHECK(b.origins[0].open_events.size() == 1);
    CHECK(b.origins[0].open_events == std::vector<std::string>{"halt"});
    CHECK(b.origins[1].open_events.empty());
    CHECK(b.origins[1].open_events.empty());
    const auto p50 = [](const BacktestOrigin& o, const char* month) {
        for (const auto& f : o.figures) {
            if (o.rows[f.row].first == *parse_month(month)) {
                return f.p50;
            }
        }
        FAIL("no figure for " << month);
        return 0.0;
    };
    CHECK(p50(b.origins[0], "2025-03") == Approx(0.0).margin(1e-9));
    CHECK(p50(b.origins[0], "2025-04") == Approx(0.0).margin(1e-9));
    // The buyers refill after the halt: April ships more than a month's 1,500 t.
    CHECK(p50(b.origins[1], "2025-04") > 1500.0);

    // An uncertain length, announced later: before then the event runs to the horizon, and its
    // other draws (here its start) are those it has once the end is known.
    const Scenario d = load_scenario(write_temp("open_duration.yaml", small_scenario(R"(  - id: halt
    kind: export_halt
    from: refinery
    start: {dist: uniform, min: 2025-02-01, max: 2025-02-10}
    duration_days: {dist: uniform, min: 10, max: 30}
    end_announced: 2025-03-01
)")));
    const auto resolved = [&](const char* day) {
        return resolve_events(known_by(d, *parse_date(day)).events, {}, 77).at(0);
    };
    const ResolvedEvent before = resolved("2025-02-28");
    const ResolvedEvent after = resolved("2025-03-31");
    CHECK(before.end == NEVER);
    CHECK(after.end != NEVER);
    CHECK(after.end - after.start >= 10);
    CHECK(before.start == after.start);

    // An end to announce, not before the event, and not for a risk.
    const auto errors = [](const std::string& events) {
        try {
            (void)load_scenario(write_temp("bad_open.yaml", small_scenario(events)));
        } catch (const InputError& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    CHECK_THAT(errors(R"(  - id: halt
    kind: export_halt
    from: refinery
    start: 2025-02-01
    end_announced: 2025-03-01
)"),
               Catch::Contains("events.halt.end_announced: 'end_announced:' needs an end to "
                               "announce: give 'end:' or 'duration_days:'"));
    CHECK_THAT(errors(R"(  - id: halt
    kind: export_halt
    from: refinery
    start: 2025-02-01
    duration_days: 20
    end_announced: 2025-01-15
)"),
               Catch::Contains("the end cannot be known before the event: end_announced "
                               "2025-01-15 is before the event became known (2025-02-01, its "
                               "earliest start)"));
    CHECK_THAT(errors(R"(  - id: risk
    kind: export_halt
    from: refinery
    start: 2025-02-01
    hazard_per_year: 1
    duration_days: 20
    end_announced: 2025-03-01
)"),
               Catch::Contains("a risk (hazard_per_year:) has no end to announce"));
}

TEST_CASE("backtest: before its end is announced, an event lasts its expected duration",
          "[backtest]") {
    // A halt from 2025-02-01 that ended on 2025-06-01, news that day; before then it was
    // expected to last 30 to 330 days (uniform). Seen on 2025-03-31 (58 days after the start)
    // it is known to be in force, so a length that rounds to 58 days or less is drawn again: the
    // length is uniform over 58.5 .. 330 days, mean 194.25 (2025-08-14), sd 78 days; over 4,000
    // trials the mean's sd is 1.2 days (5 sd: 6 days). Drawing without the condition gives a
    // mean of 180 days and ends before the origin; ending those the day after the origin
    // instead of drawing again gives about 181.
    const Scenario s = load_scenario(write_temp("expected.yaml", small_scenario(R"(  - id: halt
    kind: export_halt
    from: refinery
    start: 2025-02-01
    end: 2025-06-01
    end_announced: 2025-06-01
    expected_duration_days: {dist: uniform, min: 30, max: 330}
)")));
    REQUIRE(s.events.size() == 1);
    CHECK(s.events[0].has_expected_duration);
    const Day start = *parse_date("2025-02-01");
    const Day origin = *parse_date("2025-03-31");
    const Scenario before = known_by(s, origin);
    const Scenario after = known_by(s, *parse_date("2025-06-30"));
    const int n = 4000;
    double total = 0.0;
    Day lo = NEVER;
    Day hi = 0;
    for (int t = 0; t < n; ++t) {
        const std::uint64_t seed = derive_seed(11, 0, t, Stream::events);
        const ResolvedEvent b = resolve_events(before.events, {}, seed).at(0);
        const ResolvedEvent a = resolve_events(after.events, {}, seed).at(0);
        REQUIRE(b.end != NEVER);
        lo = std::min(lo, b.end);
        hi = std::max(hi, b.end);
        total += b.end - start;
        // Once the end is known, the file's end; the draw changes nothing else.
        CHECK(a.end == *parse_date("2025-06-01"));
        CHECK(a.start == b.start);
        CHECK(a.factor == b.factor);
    }
    CHECK(lo > origin);
    CHECK(hi <= start + 330);
    CHECK(total / n == Approx((58.5 + 330) / 2).margin(6.0));

    // An expected duration that ran out before the origin ends the day after it.
    const Scenario short_one =
        load_scenario(write_temp("expected_short.yaml", small_scenario(R"(  - id: halt
    kind: export_halt
    from: refinery
    start: 2025-02-01
    end: 2025-06-01
    end_announced: 2025-06-01
    expected_duration_days: 20
)")));
    CHECK(resolve_events(known_by(short_one, origin).events, {}, 5).at(0).end == origin + 1);
    CHECK(resolve_events(known_by(short_one, *parse_date("2025-02-10")).events, {}, 5).at(0).end ==
          start + 20);

    // The draw comes after the event's other draws: an uncertain start and factor are the same
    // whether the end is known or not.
    const Scenario uncertain =
        load_scenario(write_temp("expected_uncertain.yaml", small_scenario(R"(  - id: cut
    kind: supply_disruption
    nodes: [mine]
    cuts: shipments
    factor: {dist: uniform, min: 0.1, max: 0.5}
    start: {dist: uniform, min: 2025-02-01, max: 2025-02-20}
    end: 2025-06-01
    end_announced: 2025-06-01
    expected_duration_days: {dist: uniform, min: 30, max: 330}
)")));
    const Scenario unknown_end = known_by(uncertain, origin);
    for (int t = 0; t < 200; ++t) {
        const std::uint64_t seed = derive_seed(12, 0, t, Stream::events);
        const ResolvedEvent b = resolve_events(unknown_end.events, {}, seed).at(0);
        const ResolvedEvent a = resolve_events(uncertain.events, {}, seed).at(0);
        CHECK(b.start == a.start);
        CHECK(b.factor == a.factor);
        CHECK(b.end > origin);
        CHECK(a.end == *parse_date("2025-06-01"));
    }

    // The diagnostics of loading a scenario with `halt` (empty if it loaded).
    const auto errors_of = [](const std::string& halt) {
        try {
            (void)load_scenario(write_temp("expected_bad.yaml", small_scenario(R"(  - id: halt
    kind: export_halt
    from: refinery
    start: 2025-02-01
    end: 2025-06-01
)" + halt)));
        } catch (const InputError& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    // A parameter has one value a trial and cannot be drawn again: refused.
    CHECK_THAT(
        errors_of("    end_announced: 2025-06-01\n    expected_duration_days: $magnet_share\n"),
        Catch::Contains("events.halt.expected_duration_days: give a number of days or a "
                        "distribution ({dist: ...}), not a parameter"));
    // It says what was expected before end_announced, so it needs one.
    CHECK_THAT(errors_of("    expected_duration_days: 20\n"),
               Catch::Contains("events.halt.expected_duration_days: 'expected_duration_days:' is "
                               "how long the event was expected to last before its end was "
                               "announced: give 'end_announced:' too"));
}

TEST_CASE("hazard: an event that is a risk starts after an exponential wait", "[backtest]") {
    // 1 a year from 2025-01-01: over 20,000 trials the share started within 182 days is
    // 1 - exp(-182 / 365.25) = 0.3925 (binomial sd 0.0035: 4 sd is 0.014), the mean wait is
    // 365.25 days (sd of the mean 2.6 days: 4 sd is 10), and a duration follows the drawn
    // start.
    const Scenario s = load_scenario(write_temp("hazard.yaml", small_scenario(R"(  - id: risk
    kind: export_control
    exporter: Exportland
    products: [magnet]
    start: 2025-01-01
    hazard_per_year: 1
    duration_days: 30
    approval_delay: {dist: fixed, value: 10}
    approval_rate: 1
)")));
    REQUIRE(s.events.size() == 1);
    CHECK(s.events[0].has_hazard);
    const Day from = *parse_date("2025-01-01");
    const int n = 20000;
    int early = 0;
    double total_wait = 0.0;
    for (int t = 0; t < n; ++t) {
        const auto r = resolve_events(s.events, {}, derive_seed(7, 0, t, Stream::events));
        REQUIRE(r[0].happens);
        CHECK(r[0].start >= from);
        CHECK(r[0].end - r[0].start == 30);
        early += r[0].start - from <= 182 ? 1 : 0;
        total_wait += r[0].start - from;
    }
    CHECK(early / static_cast<double>(n) == Approx(1.0 - std::exp(-182.0 / 365.25)).margin(0.014));
    CHECK(total_wait / n == Approx(365.25).margin(10.0));
}

TEST_CASE("hazard: a backtest counts the wait from its origin", "[backtest]") {
    const Scenario s = load_scenario(write_temp("hazard_bt.yaml", small_scenario(R"(  - id: risk
    kind: export_control
    exporter: Exportland
    products: [magnet]
    start: 2025-06-01
    hazard_per_year: 0.5
    announced: 2024-12-01
    approval_delay: {dist: fixed, value: 10}
    approval_rate: 1
)")));
    int dropped = -1;
    // Known (announced 2024-12-01) at both origins; the risk counts from the day after each.
    const Scenario feb = known_by(s, *parse_date("2025-02-28"), &dropped);
    CHECK(dropped == 0);
    CHECK(format_date(static_cast<Day>(feb.events[0].start.value)) == "2025-03-01");
    const Scenario aug = known_by(s, *parse_date("2025-08-31"), &dropped);
    CHECK(format_date(static_cast<Day>(aug.events[0].start.value)) == "2025-09-01");
    known_by(s, *parse_date("2024-11-30"), &dropped);
    CHECK(dropped == 1);  // not yet a known risk
}

TEST_CASE("hazard: refused with an uncertain start or an end", "[backtest]") {
    const std::string base = R"(  - id: risk
    kind: export_control
    exporter: Exportland
    products: [magnet]
    approval_delay: {dist: fixed, value: 10}
    approval_rate: 1
)";
    const std::string rate = "    hazard_per_year: 0.5\n";
    CHECK_THROWS_WITH(load_scenario(write_temp("hazard_bad1.yaml",
                                               small_scenario(base + rate +
                                                              "    start: {dist: uniform, min: "
                                                              "2025-02-01, max: 2025-03-01}\n"))),
                      Catch::Contains("a hazard counts from a fixed start"));
    CHECK_THROWS_WITH(
        load_scenario(write_temp(
            "hazard_bad2.yaml",
            small_scenario(base + rate + "    start: 2025-02-01\n    end: 2025-06-01\n"))),
        Catch::Contains("give its length as 'duration_days:'"));
    CHECK_THROWS_WITH(load_scenario(write_temp("hazard_bad3.yaml",
                                               small_scenario(base + "    start: 2025-02-01\n"
                                                                     "    hazard_per_year: -1\n"))),
                      Catch::Contains("hazard_per_year"));
}

TEST_CASE("backtest: the intervals resample origins in blocks", "[backtest]") {
    SECTION("a ratio every block shares: the interval is the point, the right way up") {
        const Interval i = block_bootstrap_ratio({1, 1, 1, 1}, {2, 2, 2, 2}, 2, 500, 7);
        CHECK(i.low == 0.5);
        CHECK(i.high == 0.5);
    }
    SECTION("fewer than two blocks of origins: no interval") {
        CHECK(std::isnan(block_bootstrap_ratio({1, 0, 1}, {1, 1, 1}, 2, 500, 7).low));
        CHECK(std::isnan(block_bootstrap_ratio({1}, {1}, 1, 500, 7).high));
        CHECK(std::isfinite(block_bootstrap_ratio({1, 0, 1, 0}, {1, 1, 1, 1}, 2, 500, 7).low));
    }
    SECTION("the block grows as the cube root of the origins") {
        CHECK(bootstrap_block(1) == 1);
        CHECK(bootstrap_block(12) == 2);
        CHECK(bootstrap_block(27) == 3);
        CHECK(bootstrap_block(100) == 5);
    }
    SECTION("independent origins: the binomial's 5th and 95th percentiles") {
        // 200 origins of one figure each, half inside; blocks of one are a plain bootstrap, whose
        // share is Binomial(200, 0.5) / 200: 0.5 -+ 1.645 x sqrt(0.25 / 200) = 0.442 and 0.558.
        // 2,000 replicates put the percentiles within about 0.004 (their standard error); the
        // margin of 0.01 is 2% of the share.
        std::vector<double> inside(200);
        for (std::size_t o = 0; o < inside.size(); ++o) {
            inside[o] = o % 2 == 0 ? 1.0 : 0.0;
        }
        const std::vector<double> count(200, 1);
        const Interval i = block_bootstrap_ratio(inside, count, 1, 2000, 11);
        CHECK(i.low == Approx(0.442).margin(0.01));
        CHECK(i.high == Approx(0.558).margin(0.01));
    }
    SECTION("misses that come in runs widen the interval only when blocks keep the runs") {
        // 120 origins in runs of six inside and six outside, as when a control makes six origins
        // in a row miss. Blocks of one treat the origins as independent; blocks of six keep the
        // runs. A block of six from a random start holds k = 0..6 inside (0 and 6 with
        // probability 1/12, the others 2/12): variance 38/12, against 6 x 1/4 for six independent
        // origins, so the interval is sqrt(38/18) = 1.45 times as wide (1.44-1.50 over seeds 1-5).
        // With the block length ignored the ratio is 1.
        std::vector<double> inside(120);
        for (std::size_t o = 0; o < inside.size(); ++o) {
            inside[o] = (o / 6) % 2 == 0 ? 1.0 : 0.0;
        }
        const std::vector<double> count(120, 1);
        const Interval one = block_bootstrap_ratio(inside, count, 1, 2000, 3);
        const Interval six = block_bootstrap_ratio(inside, count, 6, 2000, 3);
        const double ratio = (six.high - six.low) / (one.high - one.low);
        CHECK(ratio > 1.3);
        CHECK(six.low < 0.5);
        CHECK(six.high > 0.5);
    }
    SECTION("origins without figures add nothing; none at all gives no interval") {
        const Interval none = block_bootstrap_ratio({0, 0}, {0, 0}, 1, 100, 1);
        CHECK(std::isnan(none.low));
        CHECK(std::isnan(none.high));
        const Interval some = block_bootstrap_ratio({0, 3, 0}, {0, 4, 0}, 1, 500, 1);
        CHECK(some.low == 0.75);
        CHECK(some.high == 0.75);
    }
    SECTION("the same seed gives the same interval") {
        const std::vector<double> inside{1, 0, 2, 1, 0, 3};
        const std::vector<double> count{2, 1, 3, 1, 2, 3};
        const Interval a = block_bootstrap_ratio(inside, count, 2, 300, 5);
        const Interval b = block_bootstrap_ratio(inside, count, 2, 300, 5);
        CHECK(a.low == b.low);
        CHECK(a.high == b.high);
    }
}
