// Analytic check of the licence queue. One lane ships a constant flow x t/day (adjust_days is
// huge, so orders never react to stocks); every tonne needs a licence; each day's shipment is
// one application, decided ceil(D) working days later, D ~ lognormal(median, spread), and
// approved with probability p. Then the expected exports on day t are
//     E[exports(t)] = sum over application days a, sum over n >= 1 of
//                     x * p * P(ceil(D) = n) * [decision(a, n) == t],
// with P(ceil(D) = n) = F(n) - F(n - 1). Summed by month, the simulated mean over N trials must
// agree within 5 * sd / sqrt(N), sd being the per-trial standard deviation of that month.
#include <catch2/catch.hpp>

#include <cmath>

#include "chokepoint/runner/runner.hpp"
#include "chokepoint/scenario/scenario.hpp"
#include "test_support.hpp"

using namespace chokepoint;
using chokepoint::testing::write_temp;

TEST_CASE("analytic: licence queue with lognormal approval delay", "[analytic]") {
    const double median = 12.0;
    const double spread = 0.5;
    const double p = 0.7;
    const double monthly_flow = 1000.0;
    write_temp("lane_model.yaml", R"(name: lane
adjust_days: 1000000000
products:
  - {id: magnet, controlled_share: 1.0}
nodes:
  - id: plant
    country: A
    kind: source
    production:
      - {product: magnet, capacity: 100000, cover_days: 30}
  - id: buyer
    country: B
    kind: buyer
    inputs:
      - {product: magnet, demand: 1000, cover_days: 30}
edges:
  - {from: plant, to: buyer, product: magnet, flow: 1000, lead_time_days: 5}
)");
    const std::string path = write_temp("lane.yaml", R"(name: lane
model: lane_model.yaml
start: 2025-01-01
horizon: 2025-06
trials: 4000
seed: 17
events:
  - id: control
    kind: export_control
    exporter: A
    products: [magnet]
    start: 2025-01-01
    approval_delay: {dist: lognormal, median: 12, spread: 0.5}
    approval_rate: 0.7
)");
    const Scenario s = load_scenario(path);
    RunConfig config;
    config.trials = s.trials;
    config.seed = s.seed;
    const RunResult r = run_scenario(s, config);
    const int series = r.layout.find({"exports", "magnet", "A", "B"});
    REQUIRE(series >= 0);

    const Distribution delay = Distribution::lognormal(median, spread);
    const double x = monthly_flow / (365.25 / 12.0);
    std::vector<double> expected(static_cast<std::size_t>(r.layout.months), 0.0);
    for (Day a = s.start; a <= s.end; ++a) {
        for (int n = 1; n < 400; ++n) {
            const double pn = delay.cdf(n) - delay.cdf(n - 1);
            const Day decided = std::max(add_working_days(a, n), a + 1);
            if (decided > s.end) {
                continue;
            }
            expected[static_cast<std::size_t>(month_of(decided) - r.layout.first_month)] +=
                x * p * pn;
        }
    }
    for (int m = 0; m < r.layout.months; ++m) {
        const Summary& sim = r.at(static_cast<std::size_t>(series), m);
        const double tolerance = 5.0 * sim.sd / std::sqrt(double(r.trials_completed)) + 1e-6;
        INFO("month " << format_month(r.layout.first_month + m) << ": simulated " << sim.mean
                      << ", expected " << expected[static_cast<std::size_t>(m)] << " +/- "
                      << tolerance);
        CHECK(std::abs(sim.mean - expected[static_cast<std::size_t>(m)]) <= tolerance);
    }
    // The test can fail: a wrong approval rate moves June by far more than the tolerance.
    const Summary& june = r.at(static_cast<std::size_t>(series), 5);
    CHECK(std::abs(june.mean - expected[5] * 0.8 / 0.7) >
          5.0 * june.sd / std::sqrt(double(r.trials_completed)));
}
