#pragma once
// Helpers that run the engine for tests: one trial's monthly series, every point of a sweep.
#include <vector>

#include <catch2/catch.hpp>

#include "chokepoint/kernel/output_layout.hpp"
#include "chokepoint/kernel/trial.hpp"
#include "chokepoint/scenario/scenario.hpp"
#include "chokepoint/sweep/plan.hpp"

namespace chokepoint::testing {

/// The monthly values of `key`'s series in one trial of `s` (trial 0 of its seed).
inline std::vector<double> one_trial_series(const Scenario& s, const SeriesKey& key) {
    const OutputLayout layout = OutputLayout::build(s);
    Kernel kernel(s, layout);
    TrialResult out;
    kernel.run(s.seed, 0, 0, out);
    const int series = layout.find(key);
    REQUIRE(series >= 0);
    const auto first = out.monthly.begin() + static_cast<std::ptrdiff_t>(series) * layout.months;
    return std::vector<double>(first, first + layout.months);
}

/// Every point of a sweep plan run in order: values[point][output][trial].
inline std::vector<std::vector<std::vector<double>>> run_every_point(const SweepPlan& plan,
                                                                     int threads) {
    std::vector<std::vector<std::vector<double>>> values;
    for (std::size_t p = 0; p < plan.points(); ++p) {
        values.push_back(run_point(plan, p, threads));
    }
    return values;
}

}  // namespace chokepoint::testing
