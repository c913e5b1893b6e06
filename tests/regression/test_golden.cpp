// Golden files: small scenarios, fixed seed, fixed-format numbers. When a change moves them on
// purpose, run tools/update_golden.sh and review the diff like code.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "chokepoint/io/results.hpp"
#include "chokepoint/runner/runner.hpp"
#include "chokepoint/scenario/scenario.hpp"
#include "test_support.hpp"

using namespace chokepoint;

TEST_CASE("golden: small scenarios match their expected files", "[golden]") {
    for (const char* name : {"small_baseline", "small_controls"}) {
        const auto dir = chokepoint::testing::source_dir() / "tests/regression";
        const Scenario s =
            load_scenario((dir / "scenarios" / (std::string(name) + ".yaml")).string());
        RunConfig config;
        config.trials = s.trials;
        config.seed = s.seed;
        config.threads = 2;
        const RunResult r = run_scenario(s, config);
        const std::string actual = format_summary_csv(r) + format_buyers_csv(s, r);
        std::ifstream in(dir / "expected" / (std::string(name) + ".csv"));
        REQUIRE(in.good());
        std::stringstream expected;
        expected << in.rdbuf();
        INFO("golden file tests/regression/expected/" << name
                                                      << ".csv differs; if the change is "
                                                         "intended, run tools/update_golden.sh");
        CHECK(actual == expected.str());
    }
}
