#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "chokepoint/random/rng.hpp"
#include "chokepoint/stats/moments.hpp"
#include "chokepoint/stats/quantile_sketch.hpp"
#include "chokepoint/stats/summary.hpp"

using namespace chokepoint;

namespace {
double type7(std::vector<double> xs, double q) {
    std::sort(xs.begin(), xs.end());
    const double h = q * (xs.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(h));
    const std::size_t hi = std::min(lo + 1, xs.size() - 1);
    return xs[lo] + (h - lo) * (xs[hi] - xs[lo]);
}
}  // namespace

TEST_CASE("moments: mean and sd against two-pass formulas - merges agree", "[stats]") {
    Rng rng(9);
    std::vector<double> xs(1001);
    for (auto& x : xs) {
        x = 1000.0 + 50.0 * rng.normal();
    }
    RunningMoments all;
    RunningMoments a;
    RunningMoments b;
    RunningMoments c;
    for (std::size_t i = 0; i < xs.size(); ++i) {
        all.add(xs[i]);
        (i < 300 ? a : (i < 700 ? b : c)).add(xs[i]);
    }
    double mean = 0.0;
    for (double x : xs) {
        mean += x;
    }
    mean /= xs.size();
    double ss = 0.0;
    for (double x : xs) {
        ss += (x - mean) * (x - mean);
    }
    CHECK(all.mean() == Approx(mean).epsilon(1e-12));
    CHECK(all.sd() == Approx(std::sqrt(ss / (xs.size() - 1))).epsilon(1e-10));
    // (a + b) + c == a + (b + c): merges are associative up to rounding.
    RunningMoments left = a;
    left.merge(b);
    left.merge(c);
    RunningMoments right_inner = b;
    right_inner.merge(c);
    RunningMoments right = a;
    right.merge(right_inner);
    CHECK(left.mean() == Approx(right.mean()).epsilon(1e-12));
    CHECK(left.sd() == Approx(right.sd()).epsilon(1e-10));
    CHECK(left.count() == xs.size());
    CHECK(all.min() == *std::min_element(xs.begin(), xs.end()));
}

TEST_CASE("moments: an infinite value makes the mean that infinity, not NaN", "[stats]") {
    // A scenario whose factors overflow gives inf; Welford's inf - inf would give NaN, which
    // summary.csv writes as an empty cell (no value) instead of inf.
    RunningMoments m;
    for (double x : {1.0, static_cast<double>(INFINITY), 2.0}) {
        m.add(x);
    }
    CHECK(m.mean() == INFINITY);
    CHECK(m.sd() == INFINITY);
    RunningMoments all_inf;
    all_inf.add(-INFINITY);
    all_inf.add(-INFINITY);
    CHECK(all_inf.mean() == -INFINITY);
    CHECK(all_inf.sd() == 0.0);
    RunningMoments both;
    both.add(INFINITY);
    both.add(-INFINITY);
    CHECK(std::isnan(both.mean()));
    RunningMoments finite;
    finite.add(1.0);
    finite.add(3.0);
    CHECK(finite.mean() == 2.0);
}

TEST_CASE("quantile sketch: exact for small samples", "[stats]") {
    QuantileSketch sketch(100);
    std::vector<double> xs = {5, 1, 4, 2, 3, 10, 7};
    for (double x : xs) {
        sketch.add(x);
    }
    for (double q : {0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0}) {
        CHECK(sketch.quantile(q) == Approx(type7(xs, q)));
    }
    // Negative, tiny (subnormal) and huge values sort in numeric order (the sketch sorts by
    // the bits of its values).
    QuantileSketch signs(100);
    std::vector<double> ys = {-3.5, 2.0, -0.25, 1e300, -1e-300, 0.0, 1e-310, -7e5, -1e300};
    for (double y : ys) {
        signs.add(y);
    }
    std::sort(ys.begin(), ys.end());
    for (std::size_t k = 0; k < ys.size(); ++k) {
        // Type 7 at q = k / (n - 1) is the k-th order statistic.
        const double q = static_cast<double>(k) / static_cast<double>(ys.size() - 1);
        CHECK(signs.quantile(q) == Approx(ys[k]).margin(1e-300));
    }
}

TEST_CASE("quantile sketch: bounded memory and small rank error for large samples", "[stats]") {
    QuantileSketch sketch(100);
    Rng rng(11);
    std::vector<double> xs(100000);
    std::size_t centroids_at_10k = 0;
    for (std::size_t i = 0; i < xs.size(); ++i) {
        xs[i] = std::exp(rng.normal());  // skewed, like tonnes short
        sketch.add(xs[i]);
        if (i + 1 == 10000) {
            centroids_at_10k = sketch.centroid_count();
        }
    }
    // Memory grows with the logarithm of the count at most: ten times the values, far less
    // than twice the centroids.
    CHECK(sketch.centroid_count() < 1000);
    CHECK(sketch.centroid_count() < 1.5 * centroids_at_10k);
    std::vector<double> sorted = xs;
    std::sort(sorted.begin(), sorted.end());
    for (double q : {0.05, 0.25, 0.5, 0.75, 0.95}) {
        const double estimate = sketch.quantile(q);
        const auto rank = static_cast<double>(
            std::lower_bound(sorted.begin(), sorted.end(), estimate) - sorted.begin());
        // Rank error within 1% of n for compression 100 (the t-digest bound is ~1/compression
        // near the median and smaller in the tails).
        CHECK(std::abs(rank / xs.size() - q) < 0.01);
    }
}

TEST_CASE("quantile sketch: a constant start is counted, then added as if one by one", "[stats]") {
    // Constant series (zero in every trial) are only counted; the first other value adds them.
    QuantileSketch constant(100);
    for (int i = 0; i < 1000; ++i) {
        constant.add(3.5);
    }
    CHECK(constant.count() == 1000);
    for (double q : {0.0, 0.05, 0.5, 0.95, 1.0}) {
        CHECK(constant.quantile(q) == 3.5);
    }
    // 700 zeros, then values in (0, 1): the same quantiles as the sketch fed every value the
    // ordinary way, i.e. one that started with a different value and had the zeros after it.
    QuantileSketch run(100);
    QuantileSketch reference(100);
    Rng rng(13);
    std::vector<double> later;
    for (int i = 0; i < 1300; ++i) {
        later.push_back(rng.uniform());
    }
    reference.add(later[0]);
    for (int i = 0; i < 700; ++i) {
        run.add(0.0);
        reference.add(0.0);
    }
    run.add(later[0]);
    for (std::size_t i = 1; i < later.size(); ++i) {
        run.add(later[i]);
        reference.add(later[i]);
    }
    CHECK(run.count() == 2000);
    std::vector<double> all(later.begin(), later.end());
    all.insert(all.end(), 700, 0.0);
    std::sort(all.begin(), all.end());
    // 35% zeros: the 5th and 25th percentiles are exactly 0, the others within 1% in rank.
    CHECK(run.quantile(0.05) == 0.0);
    CHECK(run.quantile(0.25) == 0.0);
    for (double q : {0.5, 0.75, 0.95}) {
        const auto rank = static_cast<double>(
            std::lower_bound(all.begin(), all.end(), run.quantile(q)) - all.begin());
        CHECK(std::abs(rank / static_cast<double>(all.size()) - q) < 0.01);
        CHECK(run.quantile(q) == Approx(reference.quantile(q)).margin(0.01));
    }
    // Minus zero is never a run (the ordinary path would turn it into 0 in a centroid mean).
    QuantileSketch minus(100);
    minus.add(-0.0);
    minus.add(-0.0);
    CHECK(minus.count() == 2);
    CHECK(minus.quantile(0.5) == 0.0);
}

TEST_CASE("quantile sketch: merge keeps accuracy - summaries are monotone", "[stats]") {
    QuantileSketch a(100);
    QuantileSketch b(100);
    Rng rng(12);
    std::vector<double> xs;
    for (int i = 0; i < 20000; ++i) {
        const double x = rng.uniform();
        xs.push_back(x);
        (i % 2 ? a : b).add(x);
    }
    a.merge(b);
    CHECK(a.count() == xs.size());
    CHECK(a.quantile(0.5) == Approx(0.5).margin(0.01));
    CHECK(a.quantile(0.95) == Approx(0.95).margin(0.01));

    Accumulator acc;
    for (int i = 0; i < 5000; ++i) {
        acc.add(std::floor(rng.uniform() * 3));  // heavy ties
    }
    const Summary s = acc.summary();
    CHECK(s.p05 <= s.p25);
    CHECK(s.p25 <= s.p50);
    CHECK(s.p50 <= s.p75);
    CHECK(s.p75 <= s.p95);
    CHECK(s.count == 5000);
}
