// Properties that must hold for any scenario: tonnes are conserved, nothing arrives before its
// lead time, and results do not depend on the number of threads.
#include <catch2/catch.hpp>

#include <limits>

#include <algorithm>
#include <cstring>

#include "chokepoint/core/calendar.hpp"
#include "chokepoint/kernel/trial.hpp"
#include "chokepoint/runner/runner.hpp"
#include "chokepoint/scenario/scenario.hpp"
#include "chokepoint/stats/quantile_sketch.hpp"
#include "test_support.hpp"

using namespace chokepoint;

namespace {
std::vector<std::string> scenario_paths() {
    return {(chokepoint::testing::fixtures() / "small_controls.yaml").string(),
            (chokepoint::testing::source_dir() / "scenarios/april_controls.yaml").string()};
}
}  // namespace

TEST_CASE("property: tonnes are conserved at every node and over the system", "[property]") {
    for (const auto& path : scenario_paths()) {
        const Scenario s = load_scenario(path);
        const OutputLayout layout = OutputLayout::build(s);
        Kernel kernel(s, layout);
        TrialResult r;
        for (std::uint64_t trial = 0; trial < 5; ++trial) {
            kernel.run(s.seed, 0, trial, r);
            double shipped = 0.0;
            double refunded = 0.0;
            double received = 0.0;
            for (std::size_t n = 0; n < r.balance.size(); ++n) {
                const NodeBalance& b = r.balance[n];
                const double in = b.start_stock + b.produced + b.received + b.refunded;
                const double out = b.consumed + b.shipped + b.end_stock;
                INFO(path << " trial " << trial << " node " << s.network.nodes()[n].id);
                CHECK(in == Approx(out).epsilon(1e-9).margin(1e-6));
                shipped += b.shipped;
                refunded += b.refunded;
                received += b.received;
            }
            // What left stocks either arrived, is still on the way, or waits for a licence.
            CHECK(shipped - refunded ==
                  Approx(received + (r.in_transit_end - r.in_transit_start) + r.held_end)
                      .epsilon(1e-9));
        }
    }
}

TEST_CASE("property: nothing arrives before its lead time", "[property]") {
    for (const auto& path : scenario_paths()) {
        const Scenario s = load_scenario(path);
        const OutputLayout layout = OutputLayout::build(s);
        Kernel kernel(s, layout);
        TrialResult r;
        kernel.run(s.seed, 0, 1, r, TrialOptions{true});
        const auto& edges = s.network.edges();
        for (std::size_t e = 0; e < edges.size(); ++e) {
            const int lead = edges[e].lead_time_days;
            const double prefill = edges[e].flow / 30.4375;
            for (std::size_t d = 0; d < r.trace.size(); ++d) {
                const double arrived = r.trace[d][e].arrived;
                if (static_cast<int>(d) < lead) {
                    // The pipeline at the start holds the baseline flow.
                    REQUIRE(arrived == Approx(prefill).epsilon(1e-12));
                } else {
                    // Exactly what departed `lead` days earlier, never sooner.
                    REQUIRE(arrived ==
                            Approx(r.trace[d - static_cast<std::size_t>(lead)][e].departed)
                                .epsilon(1e-12)
                                .margin(1e-12));
                }
            }
        }
    }
}

TEST_CASE("property: outputs are bit-identical on 1 2 and 3 threads", "[property]") {
    const Scenario s = load_scenario(scenario_paths()[0]);
    RunConfig config;
    config.trials = 300;  // more than one block of 256
    config.seed = 99;
    std::vector<RunResult> results;
    for (int threads : {1, 2, 3}) {
        config.threads = threads;
        results.push_back(run_scenario(s, config));
    }
    for (std::size_t i = 1; i < results.size(); ++i) {
        REQUIRE(results[i].monthly.size() == results[0].monthly.size());
        CHECK(std::memcmp(results[i].monthly.data(), results[0].monthly.data(),
                          results[0].monthly.size() * sizeof(Summary)) == 0);
        for (std::size_t b = 0; b < results[0].buyers.size(); ++b) {
            CHECK(results[i].buyers[b].shortage_probability ==
                  results[0].buyers[b].shortage_probability);
            CHECK(results[i].buyers[b].time_to_shortage.p50 ==
                  results[0].buyers[b].time_to_shortage.p50);
        }
    }
}

namespace {
/// Trials of one batch that part ways: a control that happens in some trials only and starts on
/// different days, a second control on part of its lanes (tonnes split between them), waiting
/// applications decided again from an uncertain date, and a lift on an uncertain date; daily
/// and weekly ticks.
std::vector<std::string> diverging_paths() {
    const std::string events = R"(  - id: a
    kind: export_control
    exporter: Exportland
    products: [magnet]
    share: 0.8
    start: {dist: uniform, min: 2025-02-01, max: 2025-04-01}
    probability: 0.7
    approval_delay: {dist: lognormal, median: 25, spread: 0.5}
    approval_rate: {dist: uniform, min: 0.3, max: 0.9}
  - id: b
    kind: export_control
    exporter: Exportland
    products: [magnet]
    destinations: [Importland]
    share: 0.4
    start: {dist: uniform, min: 2025-03-01, max: 2025-05-01}
    approval_delay: {dist: lognormal, median: 10, spread: 0.3}
    approval_rate: 0.7
  - id: faster
    kind: licence_delay
    control: a
    approval_delay: {dist: lognormal, median: 8, spread: 0.3}
    approval_rate: 0.95
    start: {dist: uniform, min: 2025-06-01, max: 2025-08-01}
    pending: redecide
  - id: lift
    kind: agreement
    control: b
    lifts: true
    start: {dist: uniform, min: 2025-09-01, max: 2025-11-01}
)";
    return {chokepoint::testing::write_temp("diverging_daily.yaml",
                                            chokepoint::testing::small_scenario(events)),
            chokepoint::testing::write_temp(
                "diverging_weekly.yaml",
                chokepoint::testing::small_scenario(events, "time_step_days: 7\n"))};
}
}  // namespace

TEST_CASE("property: a trial's result does not depend on the trials batched with it",
          "[property]") {
    // The kernel runs Kernel::BATCH trials in lock step; each must come out exactly as alone.
    std::vector<std::string> paths = scenario_paths();
    for (const auto& path : diverging_paths()) {
        paths.push_back(path);
    }
    for (const auto& path : paths) {
        const Scenario s = load_scenario(path);
        const OutputLayout layout = OutputLayout::build(s);
        Kernel kernel(s, layout);
        constexpr std::size_t n = Kernel::BATCH + 3;
        std::vector<TrialResult> alone(n);
        for (std::size_t i = 0; i < n; ++i) {
            kernel.run(s.seed, 0, i, alone[i]);
        }
        // Full batches from trial 0, or a short batch of `first` trials first: each trial sits in
        // other columns, with other batchmates.
        for (std::size_t first = 0; first < Kernel::BATCH; ++first) {
            std::vector<TrialResult> batched(n);
            std::size_t begin = first;
            if (first > 0) {
                kernel.run_batch(s.seed, 0, 0, first, batched.data());
            }
            while (begin < n) {
                const std::size_t count = std::min(Kernel::BATCH, n - begin);
                kernel.run_batch(s.seed, 0, begin, count, &batched[begin]);
                begin += count;
            }
            for (std::size_t i = 0; i < n; ++i) {
                INFO(path << " trial " << i << " batches from " << first);
                REQUIRE(batched[i].monthly.size() == alone[i].monthly.size());
                CHECK(std::memcmp(batched[i].monthly.data(), alone[i].monthly.data(),
                                  alone[i].monthly.size() * sizeof(double)) == 0);
                CHECK(std::memcmp(batched[i].buyers.data(), alone[i].buyers.data(),
                                  alone[i].buyers.size() * sizeof(double)) == 0);
                CHECK(std::memcmp(batched[i].balance.data(), alone[i].balance.data(),
                                  alone[i].balance.size() * sizeof(NodeBalance)) == 0);
                CHECK(batched[i].held_end == alone[i].held_end);
            }
        }
    }
}

TEST_CASE("property: quantiles are monotone in every series", "[property]") {
    // On the raw sketches (Summary clamps its five quantiles into order, so checking a Summary
    // could never fail): every series-month's values of 200 trials go into a sketch, whose
    // quantile function must not decrease on a fine grid.
    const Scenario s = load_scenario(scenario_paths()[0]);
    const OutputLayout layout = OutputLayout::build(s);
    std::vector<QuantileSketch> sketches(layout.monthly_size(), QuantileSketch(100));
    RunConfig config;
    config.trials = 200;
    config.seed = 5;
    config.only_series = std::vector<std::size_t>{};
    config.observer = [&](std::uint64_t, const TrialResult& r) {
        for (std::size_t c = 0; c < r.monthly.size(); ++c) {
            sketches[c].add(r.monthly[c]);
        }
    };
    (void)run_scenario(s, config);
    std::size_t checked = 0;
    for (const auto& sketch : sketches) {
        double previous = -std::numeric_limits<double>::infinity();
        for (int i = 0; i <= 100; ++i) {
            const double q = sketch.quantile(i / 100.0);
            REQUIRE(q >= previous);
            previous = q;
        }
        ++checked;
    }
    CHECK(checked == layout.monthly_size());
}

TEST_CASE("property: a country's days short never exceed the days of the month", "[property]") {
    // Japan, the United States, South Korea and Vietnam each have two buyers of magnets (of
    // China's and of those made outside China) on one days-short series: a day both are short
    // counts once. Checked on every trial of april_controls, where both kinds run short.
    const Scenario s = load_scenario(scenario_paths()[1]);
    const OutputLayout layout = OutputLayout::build(s);
    RunConfig config;
    config.trials = 64;
    config.seed = 11;
    config.only_series = std::vector<std::size_t>{};
    double worst = -1e9;
    std::size_t short_cells = 0;
    config.observer = [&](std::uint64_t, const TrialResult& r) {
        for (std::size_t series = 0; series < layout.series.size(); ++series) {
            if (layout.series[series].metric != "days_short") {
                continue;
            }
            for (int m = 0; m < layout.months; ++m) {
                const double days = r.monthly[series * static_cast<std::size_t>(layout.months) +
                                              static_cast<std::size_t>(m)];
                worst = std::max(worst, days - days_in_month(layout.first_month + m));
                short_cells += days > 0.0 ? 1 : 0;
            }
        }
    };
    (void)run_scenario(s, config);
    CHECK(short_cells > 0);
    CHECK(worst <= 0.0);
}

TEST_CASE("property: cancellation stops cleanly between blocks", "[property]") {
    const Scenario s = load_scenario(scenario_paths()[0]);
    std::atomic<bool> cancel{false};
    RunConfig config;
    config.trials = 1000;
    config.block_size = 100;
    config.cancel = &cancel;
    config.progress = [&](int done, int) {
        if (done >= 300) {
            cancel.store(true);
        }
    };
    const RunResult r = run_scenario(s, config);
    CHECK(r.partial);
    CHECK(r.trials_completed == 300);
    // The partial result equals a full run of those 300 trials.
    RunConfig full;
    full.trials = 300;
    full.block_size = 100;
    const RunResult f = run_scenario(s, full);
    CHECK(std::memcmp(r.monthly.data(), f.monthly.data(), r.monthly.size() * sizeof(Summary)) == 0);
}
