// What a library user writes: load a scenario, run trials, read one month's projection.
#include <chokepoint/runner/runner.hpp>
#include <chokepoint/scenario/scenario.hpp>
#include <iostream>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: consumer SCENARIO.yaml\n";
        return 2;
    }
    const chokepoint::Scenario scenario = chokepoint::load_scenario(argv[1]);
    chokepoint::RunConfig config;
    config.trials = 50;
    const chokepoint::RunResult result = chokepoint::run_scenario(scenario, config);
    const int series = result.layout.find({"exports", "magnet", "China", "World"});
    if (series < 0) {
        std::cerr << "no magnet exports from China\n";
        return 1;
    }
    const auto& last = result.at(static_cast<std::size_t>(series), result.layout.months - 1);
    std::cout << scenario.name << ": " << result.trials_completed << " trials, last month P50 "
              << last.p50 << " t\n";
    return 0;
}
