// How much the Sobol indices' intervals mean what they say (issue 26): repeats a Saltelli design
// on functions with known indices under many design seeds and compares, for each S1,
// - the spread of the estimates over the seeds (what an interval should describe),
// - the interval the sweep reports (1.96 x the sd of a bootstrap over the design's rows), and
// - two alternatives: a delete-a-group jackknife over 8 consecutive blocks of the same design,
//   and 8 independently shifted designs of n/8 rows each (replicated randomised QMC).
// Build and run (not part of the test suite):
//   cmake --build --preset dev --target sobol_intervals
//   build/dev/tests/sobol_intervals [linear|ishigami] [n]
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <numbers>
#include <numeric>
#include <string>
#include <vector>

#include "chokepoint/sweep/design.hpp"
#include "chokepoint/sweep/indices.hpp"

using namespace chokepoint;

namespace {

using Function = std::function<double(const std::vector<double>&)>;

// S1 of every factor over `rows` (the sweep's estimator: Saltelli 2010, centred).
std::vector<double> first_order(const std::vector<double>& y, std::size_t k,
                                const std::vector<std::size_t>& rows) {
    const std::size_t per = k + 2;
    const double centre = mean_of(y);
    const auto fa = [&](std::size_t j) { return y[j * per] - centre; };
    const auto fb = [&](std::size_t j) { return y[j * per + per - 1] - centre; };
    const auto fab = [&](std::size_t j, std::size_t c) { return y[j * per + 1 + c] - centre; };
    const auto rn = static_cast<double>(rows.size());
    double m = 0.0;
    for (std::size_t j : rows) {
        m += fa(j) + fb(j);
    }
    m /= 2.0 * rn;
    double v = 0.0;
    for (std::size_t j : rows) {
        v += (fa(j) - m) * (fa(j) - m) + (fb(j) - m) * (fb(j) - m);
    }
    v /= 2.0 * rn;
    std::vector<double> s1(k);
    for (std::size_t c = 0; c < k; ++c) {
        double sum = 0.0;
        for (std::size_t j : rows) {
            sum += fb(j) * (fab(j, c) - fa(j));
        }
        s1[c] = v > 0.0 ? sum / rn / v : 0.0;
    }
    return s1;
}

// Standard errors by a delete-a-group jackknife over `groups` consecutive blocks of rows.
std::vector<double> jackknife_se(const std::vector<double>& y, std::size_t k, std::size_t n,
                                 std::size_t groups) {
    const std::size_t size = n / groups;
    std::vector<std::vector<double>> left_out;
    for (std::size_t g = 0; g < groups; ++g) {
        std::vector<std::size_t> rows;
        for (std::size_t j = 0; j < n; ++j) {
            if (j / size != g) {
                rows.push_back(j);
            }
        }
        left_out.push_back(first_order(y, k, rows));
    }
    std::vector<double> se(k);
    const auto gd = static_cast<double>(groups);
    for (std::size_t c = 0; c < k; ++c) {
        double mean = 0.0;
        for (const auto& e : left_out) {
            mean += e[c] / gd;
        }
        double ss = 0.0;
        for (const auto& e : left_out) {
            ss += (e[c] - mean) * (e[c] - mean);
        }
        se[c] = std::sqrt(ss * (gd - 1.0) / gd);
    }
    return se;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string which = argc > 1 ? argv[1] : "linear";
    const std::size_t n = argc > 2 ? static_cast<std::size_t>(std::atoi(argv[2])) : 64;
    constexpr std::size_t GROUPS = 8;
    constexpr int SEEDS = 300;
    constexpr double T7 = 2.365;  // Student's t, 7 degrees of freedom, 97.5%
    Function f;
    std::vector<double> truth;
    std::size_t k = 0;
    if (which == "ishigami") {
        k = 3;
        f = [](const std::vector<double>& x) {
            const double pi = std::numbers::pi;
            const double a = pi * (2 * x[0] - 1), b = pi * (2 * x[1] - 1), c = pi * (2 * x[2] - 1);
            return std::sin(a) + 7 * std::sin(b) * std::sin(b) + 0.1 * std::pow(c, 4) * std::sin(a);
        };
        truth = {0.3139, 0.4424, 0.0};
    } else {
        k = 4;
        f = [](const std::vector<double>& x) { return x[0] + 2 * x[1] + 3 * x[2]; };
        truth = {1.0 / 14, 4.0 / 14, 9.0 / 14, 0.0};
    }
    if (n < 2 * GROUPS || n % GROUPS != 0) {
        std::fprintf(stderr, "n must be a multiple of %zu, at least %zu\n", GROUPS, 2 * GROUPS);
        return 2;
    }
    const char* names[] = {"row bootstrap (the sweep's)", "block jackknife, same design",
                           "8 shifted designs of n/8, jackknife"};
    for (int scheme = 0; scheme < 3; ++scheme) {
        std::vector<std::vector<double>> estimates(k);
        std::vector<double> se_sum(k, 0.0);
        std::vector<int> covered(k, 0);
        for (int s = 0; s < SEEDS; ++s) {
            const auto seed = static_cast<std::uint64_t>(1000 + s);
            std::vector<std::vector<double>> points;
            if (scheme < 2) {
                points = saltelli_design(n, k, {}, seed).points;
            } else {
                for (std::size_t g = 0; g < GROUPS; ++g) {
                    const auto part = saltelli_design(n / GROUPS, k, {}, seed * 100 + g).points;
                    points.insert(points.end(), part.begin(), part.end());
                }
            }
            std::vector<double> y;
            for (const auto& x : points) {
                y.push_back(f(x));
            }
            std::vector<std::size_t> rows(n);
            std::iota(rows.begin(), rows.end(), 0);
            const std::vector<double> s1 = first_order(y, k, rows);
            std::vector<double> half(k);
            if (scheme == 0) {
                const auto r = sobol_indices(saltelli_design(n, k, {}, seed), y, 500, seed);
                for (std::size_t c = 0; c < k; ++c) {
                    half[c] = r.factors[c].s1_conf;
                }
            } else {
                const auto se = jackknife_se(y, k, n, GROUPS);
                for (std::size_t c = 0; c < k; ++c) {
                    half[c] = T7 * se[c];
                }
            }
            for (std::size_t c = 0; c < k; ++c) {
                estimates[c].push_back(s1[c]);
                se_sum[c] += scheme == 0 ? half[c] / 1.96 : half[c] / T7;
                covered[c] += std::abs(s1[c] - truth[c]) <= half[c] + 1e-12 ? 1 : 0;
            }
        }
        std::printf("%s, %s, n = %zu, %d seeds:\n", which.c_str(), names[scheme], n, SEEDS);
        for (std::size_t c = 0; c < k; ++c) {
            const double sd = sample_sd(estimates[c]);
            const double se = se_sum[c] / SEEDS;
            std::printf(
                "  S1[%zu] true %.3f  mean %.3f  sd over seeds %.4f  mean se %.4f  "
                "se/sd %5.2f  coverage %.2f\n",
                c, truth[c], mean_of(estimates[c]), sd, se, sd > 0 ? se / sd : 0.0,
                static_cast<double>(covered[c]) / SEEDS);
        }
    }
    return 0;
}
