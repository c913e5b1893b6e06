// Tests written to fail on realistic bugs that once passed the whole suite (issue 10, section
// 5; tests/mutation/run.sh plants each of them and checks that the suite now fails). Each says
// which bug it catches and why its tolerance can see it.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "chokepoint/compare/compare.hpp"
#include "chokepoint/kernel/trial.hpp"
#include "chokepoint/random/rng.hpp"
#include "chokepoint/runner/runner.hpp"
#include "chokepoint/scenario/scenario.hpp"
#include "chokepoint/stats/quantile_sketch.hpp"
#include "chokepoint/stats/scores.hpp"
#include "test_support.hpp"

using namespace chokepoint;
using chokepoint::testing::small_scenario;
using chokepoint::testing::write_temp;

namespace {
const char* const HEADER = chokepoint::testing::REPORTED_HEADER;

double month_value(const Scenario& s, const TrialResult& r, const std::string& metric,
                   const std::string& to, const std::string& month) {
    const OutputLayout layout = OutputLayout::build(s);
    const int series = layout.find({metric, "magnet", "Exportland", to});
    REQUIRE(series >= 0);
    return r.monthly[static_cast<std::size_t>(series) * layout.months +
                     (*parse_month(month) - layout.first_month)];
}

TrialResult one_trial(const Scenario& s, const TrialOptions& options = {}) {
    const OutputLayout layout = OutputLayout::build(s);
    Kernel kernel(s, layout);
    TrialResult r;
    kernel.run(s.seed, 0, 0, r, options);
    return r;
}
}  // namespace

TEST_CASE("planted bug: a tariff's rate and elasticity swapped", "[bugs]") {
    // rate 1.0 and elasticity 0.3: demand falls to 2^-0.3 = 0.812 of its level; swapped, to
    // 1.3^-1 = 0.769, 5% lower. After stocks settle the flow follows demand within 0.5%.
    const Scenario base = load_scenario(write_temp("t0.yaml", small_scenario("")));
    const Scenario tariff = load_scenario(write_temp(
        "t1.yaml", small_scenario("  - {id: t, kind: tariff, importer: Otherland, exporter: "
                                  "Exportland, rate: 1.0, elasticity: 0.3, start: 2025-01-01}\n")));
    const double flat = month_value(base, one_trial(base), "exports", "Otherland", "2025-10");
    const double taxed = month_value(tariff, one_trial(tariff), "exports", "Otherland", "2025-10");
    CHECK(taxed / flat == Approx(std::pow(2.0, -0.3)).epsilon(0.005));
}

TEST_CASE("planted bug: the monthly noise factor biased by 2%", "[bugs]") {
    // Independent months (correlation 0) and 4,000 trials: the mean over March-December of a
    // trial's exports has a relative standard error of about 0.2 / sqrt(10 x 4000) = 0.1%, so
    // 5 standard errors (0.5%) hold a mean-preserving factor and refuse a 2% bias.
    const Scenario s = load_scenario(
        write_temp("bias.yaml", small_scenario("",
                                               "demand_noise: {sd: 0.2, monthly_correlation: 0, "
                                               "common_share: 0}\n")));
    const Scenario flat = load_scenario(write_temp("flat.yaml", small_scenario("")));
    const OutputLayout layout = OutputLayout::build(s);
    const int series = layout.find({"exports", "magnet", "Exportland", "Importland"});
    RunConfig config;
    config.trials = 4000;
    config.seed = 8;
    config.only_series = std::vector<std::size_t>{};
    std::vector<double> means;
    config.observer = [&](std::uint64_t, const TrialResult& r) {
        double sum = 0.0;
        for (int m = 2; m < 12; ++m) {
            sum += r.monthly[static_cast<std::size_t>(series) * layout.months + m];
        }
        means.push_back(sum / 10.0);
    };
    (void)run_scenario(s, config);
    double flat_mean = 0.0;
    const TrialResult f = one_trial(flat);
    for (int m = 2; m < 12; ++m) {
        flat_mean += f.monthly[static_cast<std::size_t>(series) * layout.months + m] / 10.0;
    }
    double mean = 0.0;
    for (double x : means) {
        mean += x / means.size();
    }
    double var = 0.0;
    for (double x : means) {
        var += (x - mean) * (x - mean) / (means.size() - 1);
    }
    const double se = std::sqrt(var / means.size());
    CHECK(std::abs(mean - flat_mean) < 5.0 * se);
    CHECK(5.0 * se < 0.01 * flat_mean);  // the test can see a 2% bias
}

TEST_CASE("planted bug: an explicit event end treated as inclusive", "[bugs]") {
    // end: is exclusive: a halt from 2025-03-01 to 2025-03-10 ships nothing on the 1st to the
    // 9th and ships again on the 10th.
    const Scenario s = load_scenario(write_temp(
        "end.yaml", small_scenario("  - {id: h, kind: export_halt, from: refinery, to: buyer_y, "
                                   "start: 2025-03-01, end: 2025-03-10}\n")));
    TrialOptions trace;
    trace.trace = true;
    const TrialResult r = one_trial(s, trace);
    int edge = -1;
    const auto& nodes = s.network.nodes();
    for (std::size_t e = 0; e < s.network.edges().size(); ++e) {
        const auto& ed = s.network.edges()[e];
        if (nodes[static_cast<std::size_t>(ed.from)].id == "refinery" &&
            nodes[static_cast<std::size_t>(ed.to)].id == "buyer_y") {
            edge = static_cast<int>(e);
        }
    }
    REQUIRE(edge >= 0);
    auto departed = [&](const char* date) {
        return r
            .trace[static_cast<std::size_t>(*parse_date(date) - s.start)]
                  [static_cast<std::size_t>(edge)]
            .departed;
    };
    CHECK(departed("2025-02-28") > 0.0);
    CHECK(departed("2025-03-01") == 0.0);
    CHECK(departed("2025-03-09") == 0.0);
    CHECK(departed("2025-03-10") > 0.0);
}

TEST_CASE("planted bug: t-digest centroids placed at their upper rank", "[bugs]") {
    // Measured rank error of this sketch (compression 100) on 100,000 lognormal values: at most
    // 0.00025; a centroid placed at its upper rank is off by ten times that. 0.001 allows four
    // times the measured error.
    QuantileSketch sketch(100);
    Rng rng(11);
    std::vector<double> xs(100000);
    for (auto& x : xs) {
        x = std::exp(rng.normal());
        sketch.add(x);
    }
    std::sort(xs.begin(), xs.end());
    for (double q : {0.05, 0.25, 0.5, 0.75, 0.95}) {
        const double estimate = sketch.quantile(q);
        const double rank =
            static_cast<double>(std::lower_bound(xs.begin(), xs.end(), estimate) - xs.begin());
        CHECK(std::abs(rank / xs.size() - q) < 0.001);
    }
}

namespace {
// A compare run on a noisy small scenario against one reported figure.
Comparison compare_one(const std::string& period_start, const std::string& period_end,
                       double value) {
    const std::string scenario =
        write_temp("cov.yaml", small_scenario("",
                                              "demand_noise: {sd: 0.25, monthly_correlation: 0, "
                                              "common_share: 0}\n"));
    const std::string reported =
        write_temp("cov.csv", std::string(HEADER) +
                                  "magnet_exports_by_destination,Exportland,Importland,"
                                  "magnet," +
                                  period_start + "," + period_end + "," + std::to_string(value) +
                                  ",t,,,A,x,u,\n");
    CompareConfig config;
    config.run.trials = 400;
    config.run.seed = 3;
    return compare_with_reported(load_scenario(scenario), load_reported(reported, "t"), config);
}
}  // namespace

TEST_CASE("planted bug: the 90% coverage judged against the P25-P75 band", "[bugs]") {
    const Comparison probe = compare_one("2025-06", "2025-06", 1000.0);
    const ComparedFigure& f = probe.figures.at(0);
    REQUIRE(f.p05 < f.p25);
    // A figure between P5 and P25 is inside the 90% band and outside the 50% band.
    const Comparison c = compare_one("2025-06", "2025-06", 0.5 * (f.p05 + f.p25));
    CHECK(c.figures.at(0).inside90);
    CHECK_FALSE(c.figures.at(0).inside50);
    CHECK(c.overall.model.coverage90() == 1.0);
    CHECK(c.overall.model.coverage50() == 0.0);
}

TEST_CASE("planted bug: a cumulative period's band from sums of monthly percentiles", "[bugs]") {
    // With independent months, the P95 of a six-month total is well below the sum of the six
    // monthly P95s (about 6 x 1.645 sd against sqrt(6) x 1.645 sd above the mean); the figure's
    // band must be the former.
    const Comparison c = compare_one("2025-01", "2025-06", 6000.0);
    const ComparedFigure& f = c.figures.at(0);
    double sum_of_p95 = 0.0;
    for (int m = 0; m < 6; ++m) {
        sum_of_p95 += c.bands.at(0).months.at(static_cast<std::size_t>(m)).p95;
    }
    CHECK(f.p95 < sum_of_p95 - 0.02 * sum_of_p95);
    // And it is the P95 of per-trial sums, recomputed here from the same trials.
    const Scenario s = load_scenario(
        write_temp("cov.yaml", small_scenario("",
                                              "demand_noise: {sd: 0.25, monthly_correlation: 0, "
                                              "common_share: 0}\n")));
    const OutputLayout layout = OutputLayout::build(s);
    const int series = layout.find({"exports", "magnet", "Exportland", "Importland"});
    RunConfig config;
    config.trials = 400;
    config.seed = 3;
    config.only_series = std::vector<std::size_t>{};
    std::vector<double> sums;
    config.observer = [&](std::uint64_t, const TrialResult& r) {
        double sum = 0.0;
        for (int m = 0; m < 6; ++m) {
            sum += r.monthly[static_cast<std::size_t>(series) * layout.months + m];
        }
        sums.push_back(sum);
    };
    (void)run_scenario(s, config);
    CHECK(f.p95 == Approx(sample_quantile(sums, 0.95)).epsilon(1e-12));
}

namespace {
std::string first_error(const std::string& name, const std::string& text) {
    try {
        (void)load_scenario(write_temp(name, text));
    } catch (const InputError& e) {
        std::string all;
        for (const auto& d : e.diagnostics()) {
            all += d.format() + "\n";
        }
        return all;
    }
    return "no error";
}
}  // namespace

TEST_CASE("planted bug: unknown keys inside events, parameters and the model accepted", "[bugs]") {
    CHECK_THAT(first_error("k1.yaml", small_scenario("  - {id: c, kind: supply_disruption, "
                                                     "nodes: [mine], factr: 0.5, start: "
                                                     "2025-02-01}\n")),
               Catch::Contains("unknown key 'factr' (did you mean 'factor'?)"));
    CHECK_THAT(first_error("k2.yaml", small_scenario("",
                                                     "parameters:\n  p: {dist: uniform, min: "
                                                     "0, max: 1, mod: 0.5}\n")),
               Catch::Contains("unknown key 'mod'"));
    const std::string model = chokepoint::testing::write_temp("unused.yaml", "");
    std::ifstream in(chokepoint::testing::fixtures() / "small_model.yaml");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto at = text.find("kind: source");
    REQUIRE(at != std::string::npos);
    text.insert(at, "capacty: 5\n    ");
    write_temp("bad_model.yaml", text);
    std::string scenario = small_scenario("");
    scenario.replace(scenario.find("small_model.yaml"), 16, "bad_model.yaml");
    CHECK_THAT(first_error("k3.yaml", scenario), Catch::Contains("unknown key 'capacty'"));
}

TEST_CASE("planted bug: the upper end of an uncertain date not checked against the horizon",
          "[bugs]") {
    CHECK_THAT(first_error("d1.yaml", small_scenario("  - {id: c, kind: supply_disruption, "
                                                     "nodes: [mine], factor: 0.5, start: {dist: "
                                                     "uniform, min: 2025-03-01, max: "
                                                     "2026-03-01}}\n")),
               Catch::Contains("outside the scenario's horizon"));
    CHECK_THAT(first_error("d2.yaml", small_scenario("  - {id: c, kind: supply_disruption, "
                                                     "nodes: [mine], factor: 0.5, start: {dist: "
                                                     "uniform, min: 2024-03-01, max: "
                                                     "2025-03-01}}\n")),
               Catch::Contains("outside the scenario's horizon"));
}

TEST_CASE("rng: the published reference outputs of SplitMix64 and xoshiro256**", "[random]") {
    // SplitMix64 (Vigna, splitmix64.c) from 1477776061723855037: its first two outputs, as the
    // reference implementation prints them (also rand_xoshiro's test vectors). mix64(x) is one
    // step of SplitMix64 from state x.
    CHECK(mix64(1477776061723855037ULL) == 1985237415132408290ULL);
    CHECK(mix64(1477776061723855037ULL + 0x9E3779B97F4A7C15ULL) == 2979275885539914483ULL);
    // xoshiro256** (Blackman and Vigna, xoshiro256starstar.c) from the state {1, 2, 3, 4}.
    Rng rng = Rng::from_state(1, 2, 3, 4);
    const std::uint64_t expected[] = {11520ULL,
                                      0ULL,
                                      1509978240ULL,
                                      1215971899390074240ULL,
                                      1216172134540287360ULL,
                                      607988272756665600ULL};
    for (std::uint64_t e : expected) {
        CHECK(rng.next() == e);
    }
}
