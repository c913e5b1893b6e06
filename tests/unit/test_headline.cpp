// The headline's trough leaves out the months of a seasonal halt (the Spring Festival): a
// festival's low is not a policy's (issue 24). current.yaml counts from 2026-12-01; its lowest
// P50 month after that is February 2027, when the Spring Festival halts magnet shipments.
#include <catch2/catch.hpp>

#include "chokepoint/core/calendar.hpp"
#include "chokepoint/report/run_report.hpp"
#include "chokepoint/runner/runner.hpp"
#include "chokepoint/scenario/scenario.hpp"
#include "test_support.hpp"

using namespace chokepoint;

namespace {

Headline headline_of(const std::vector<Override>& sets) {
    const Scenario s = load_scenario(
        (chokepoint::testing::source_dir() / "scenarios/current.yaml").string(), sets);
    RunConfig config;
    config.trials = 64;
    const RunResult r = run_scenario(s, config);
    return compute_headline(s, r, headline_series(r.layout));
}

}  // namespace

TEST_CASE("headline: the trough leaves out the months of a seasonal halt, and says so",
          "[headline]") {
    const MonthIndex festival = *parse_month("2027-02");
    const Headline seasonal = headline_of({});
    CHECK(seasonal.trough_month != festival);
    REQUIRE(seasonal.seasonal_left_out.size() == 1);
    CHECK(seasonal.seasonal_left_out[0] == "spring_festival_2027");
    bool said = false;
    for (const auto& line : seasonal.lines()) {
        said = said || line.find(
                           "the months of spring_festival_2027 left out (a seasonal halt, "
                           "not a policy)") != std::string::npos;
    }
    CHECK(said);
    // The same halt not marked seasonal is the trough, as before.
    const Headline plain = headline_of({{"events.spring_festival_2027.seasonal", "false"}});
    CHECK(plain.trough_month == festival);
    CHECK(plain.seasonal_left_out.empty());
}
