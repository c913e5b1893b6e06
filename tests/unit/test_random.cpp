#include <catch2/catch.hpp>

#include <cmath>
#include <set>
#include <vector>

#include "chokepoint/random/distribution.hpp"
#include "chokepoint/random/rng.hpp"

using namespace chokepoint;

TEST_CASE("rng: known answers lock the generator and the seeding", "[random]") {
    // If these change, every golden file and every published number changes with them.
    Rng rng(1);
    const std::uint64_t first = rng.next();
    const std::uint64_t second = rng.next();
    Rng again(1);
    CHECK(again.next() == first);
    CHECK(again.next() == second);
    CHECK(mix64(0) == 0xE220A8397B1DCDAFULL);
    CHECK(derive_seed(1, 0, 0, Stream::parameters) != derive_seed(1, 0, 0, Stream::events));
    CHECK(derive_seed(1, 0, 0, Stream::parameters) != derive_seed(1, 0, 1, Stream::parameters));
    CHECK(derive_seed(1, 0, 0, Stream::parameters) != derive_seed(2, 0, 0, Stream::parameters));
    CHECK(derive_seed(1, 0, 0, Stream::parameters) != derive_seed(1, 1, 0, Stream::parameters));
    std::set<std::uint64_t> seeds;
    for (std::uint64_t t = 0; t < 10000; ++t) {
        seeds.insert(derive_seed(20250404, 0, t, Stream::licences));
    }
    CHECK(seeds.size() == 10000);
}

TEST_CASE("rng: uniforms lie in 0 to 1 and are centred", "[random]") {
    Rng rng(42);
    double sum = 0.0;
    const int n = 200000;
    for (int i = 0; i < n; ++i) {
        const double u = rng.uniform();
        REQUIRE(u >= 0.0);
        REQUIRE(u < 1.0);
        sum += u;
    }
    // sd of a uniform is 1/sqrt(12); 5 sigma / sqrt(n).
    CHECK(std::abs(sum / n - 0.5) < 5.0 * std::sqrt(1.0 / 12.0) / std::sqrt(double(n)));
}

namespace {
// Sample mean and variance within 5 standard errors of the exact values, and the empirical CDF
// within 5 / sqrt(n) of the exact CDF at a few points (a Kolmogorov-Smirnov-style bound).
void check_distribution(const Distribution& d, std::uint64_t seed, const std::vector<double>& at) {
    Rng rng(seed);
    const int n = 100000;
    std::vector<double> xs(n);
    double sum = 0.0;
    for (auto& x : xs) {
        x = d.sample(rng);
        sum += x;
    }
    const double mean = sum / n;
    double ss = 0.0;
    for (double x : xs) {
        ss += (x - mean) * (x - mean);
    }
    const double var = ss / (n - 1);
    INFO("mean " << mean << " vs " << d.mean() << ", variance " << var << " vs " << d.variance());
    CHECK(std::abs(mean - d.mean()) <= 5.0 * std::sqrt(d.variance() / n) + 1e-12);
    // The variance of the sample variance needs the fourth moment; a 5% relative bound is
    // far above its standard error for these shapes at n = 100,000.
    CHECK(std::abs(var - d.variance()) <= 0.05 * d.variance() + 1e-12);
    for (double x : at) {
        double below = 0.0;
        for (double v : xs) {
            below += v <= x ? 1.0 : 0.0;
        }
        CHECK(std::abs(below / n - d.cdf(x)) < 5.0 / std::sqrt(double(n)));
    }
}
}  // namespace

TEST_CASE("distributions: moments and CDFs match theory", "[random]") {
    check_distribution(Distribution::uniform(2.0, 5.0), 1, {2.5, 4.0});
    check_distribution(Distribution::triangular(0.15, 0.25, 0.45), 2, {0.2, 0.25, 0.3});
    check_distribution(Distribution::normal(10.0, 2.0), 3, {8.0, 10.0, 13.0});
    check_distribution(Distribution::lognormal(45.0, 0.35), 4, {30.0, 45.0, 70.0});
    check_distribution(Distribution::beta(2.0, 5.0), 5, {0.1, 0.3, 0.5});
    check_distribution(Distribution::beta(0.5, 0.5, 10.0, 20.0), 6, {11.0, 15.0});
    check_distribution(Distribution::bernoulli(0.3), 7, {0.0, 0.5});
    check_distribution(Distribution::discrete({1.0, 2.0, 5.0}, {1.0, 2.0, 1.0}), 8, {1.0, 2.0});
}

TEST_CASE("distributions: exact values", "[random]") {
    CHECK(Distribution::fixed(3.5).sample(*std::make_unique<Rng>(1)) == 3.5);
    CHECK(Distribution::lognormal(45.0, 0.35).cdf(45.0) == Approx(0.5));
    CHECK(Distribution::triangular(0, 1, 2).cdf(1.0) == Approx(0.5));
    CHECK(Distribution::beta(1, 1).cdf(0.3) == Approx(0.3));
    CHECK(Distribution::beta(2, 2).cdf(0.5) == Approx(0.5));
    CHECK(standard_normal_cdf(1.959963985) == Approx(0.975).epsilon(1e-9));
}

// The special functions (Boost.Math in double precision) against closed forms: I_x(2, 3) is a
// binomial tail, I_x(1/2, 1/2) = (2 / pi) asin(sqrt(x)) and its inverse sin^2(pi p / 2). Relative
// 1e-13: a double's last few bits, and far below any error that would move a draw.
TEST_CASE("distributions: the incomplete beta and the quantiles have known answers", "[random]") {
    CHECK(incomplete_beta(2.0, 3.0, 0.5) == Approx(11.0 / 16.0).epsilon(1e-13));
    CHECK(incomplete_beta(0.5, 0.5, 0.3) == Approx(0.36901011956554536).epsilon(1e-13));
    CHECK(incomplete_beta(2.0, 3.0, 0.0) == 0.0);
    CHECK(incomplete_beta(2.0, 3.0, 1.0) == 1.0);
    CHECK(Distribution::beta(2.0, 3.0).quantile(11.0 / 16.0) == Approx(0.5).epsilon(1e-13));
    CHECK(Distribution::beta(0.5, 0.5, 10.0, 20.0).quantile(0.3) ==
          Approx(10.0 + 10.0 * 0.2061073738537634).epsilon(1e-13));
    CHECK(Distribution::beta(2.0, 3.0, 10.0, 20.0).quantile(0.0) == 10.0);
    CHECK(Distribution::beta(2.0, 3.0, 10.0, 20.0).quantile(1.0) == Approx(20.0));
    CHECK(std::isinf(standard_normal_quantile(0.0)));
    CHECK(standard_normal_quantile(0.0) < 0.0);
    CHECK(std::isinf(standard_normal_quantile(1.0)));
    CHECK(standard_normal_quantile(1e-300) == Approx(-37.047096299361199).epsilon(1e-13));
}

TEST_CASE("distributions: invalid arguments are refused", "[random]") {
    CHECK_THROWS_AS(Distribution::uniform(2, 1), std::invalid_argument);
    CHECK_THROWS_AS(Distribution::triangular(0, 3, 2), std::invalid_argument);
    CHECK_THROWS_AS(Distribution::lognormal(0, 1), std::invalid_argument);
    CHECK_THROWS_AS(Distribution::normal(0, -1), std::invalid_argument);
    CHECK_THROWS_AS(Distribution::beta(0, 1), std::invalid_argument);
    CHECK_THROWS_AS(Distribution::bernoulli(1.5), std::invalid_argument);
    CHECK_THROWS_AS(Distribution::discrete({1.0}, {0.0}), std::invalid_argument);
}

TEST_CASE("ceiling sampler: exact cases by hand", "[random]") {
    Rng rng(5);
    // ceil(2.5) = 3 always; X <= 0 gives 0.
    const CeilingSampler fixed(Distribution::fixed(2.5), 100);
    const CeilingSampler zero(Distribution::fixed(-1.0), 100);
    for (int i = 0; i < 100; ++i) {
        REQUIRE(fixed.sample(rng) == 3);
        REQUIRE(zero.sample(rng) == 0);
    }
    // Uniform(0, 3): N is 1, 2 or 3, each with probability 1/3; the table is F(n) = n/3.
    const CeilingSampler uniform(Distribution::uniform(0.0, 3.0), 100);
    CHECK(uniform.cdf(0) == 0.0);
    CHECK(uniform.cdf(1) == Approx(1.0 / 3.0));
    CHECK(uniform.cdf(3) == 1.0);
    CHECK(uniform.cdf(50) == 1.0);
    // A table cut at max_value sends the rest of the mass to max_value + 1.
    const CeilingSampler cut(Distribution::uniform(0.0, 10.0), 4);
    CHECK(cut.cdf(4) == Approx(0.4));
    int beyond = 0;
    const int n = 100000;
    for (int i = 0; i < n; ++i) {
        const int k = cut.sample(rng);
        REQUIRE(k >= 1);
        REQUIRE(k <= 5);
        beyond += k == 5;
    }
    // Binomial(n, 0.6): sd = sqrt(n 0.6 0.4) ~ 155; 5 sd.
    CHECK(std::abs(beyond - 0.6 * n) < 5 * std::sqrt(n * 0.6 * 0.4));
}

TEST_CASE("ceiling sampler: frequencies follow F(n) - F(n-1) for a lognormal delay", "[random]") {
    // The approval delay of april_controls: lognormal(median 40, spread 0.35), in working days.
    const Distribution d = Distribution::lognormal(40.0, 0.35);
    const CeilingSampler s(d, 2000);
    Rng rng(20250404);
    const int n = 400000;
    std::vector<int> count(2002, 0);
    for (int i = 0; i < n; ++i) {
        ++count[static_cast<std::size_t>(s.sample(rng))];
    }
    // Each cell is binomial: |observed - n p| < 5 sqrt(n p (1 - p)) + 1 for every n.
    for (int k = 0; k < 200; ++k) {
        const double p = d.cdf(k) - (k > 0 ? d.cdf(k - 1) : 0.0);
        INFO("k = " << k << ", p = " << p);
        CHECK(std::abs(count[static_cast<std::size_t>(k)] - n * p) <
              5.0 * std::sqrt(n * p * (1.0 - p)) + 1.0);
    }
    // The tail beyond the table holds under 1e-12 of the mass.
    CHECK(1.0 - s.cdf(1000) < 1e-12);
}
