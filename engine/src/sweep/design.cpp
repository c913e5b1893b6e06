#include "chokepoint/sweep/design.hpp"

#include <boost/random/sobol.hpp>

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "chokepoint/random/rng.hpp"

namespace chokepoint {

namespace {
// Uniform integer in [0, n) by rejection (no modulo bias; portable, unlike std:: distributions).
std::size_t below(Rng& rng, std::size_t n) {
    const std::uint64_t bound = static_cast<std::uint64_t>(n);
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    std::uint64_t x = rng.next();
    while (x >= limit) {
        x = rng.next();
    }
    return static_cast<std::size_t>(x % bound);
}

void shuffle(std::vector<std::size_t>& v, Rng& rng) {
    for (std::size_t i = v.size(); i > 1; --i) {
        std::swap(v[i - 1], v[below(rng, i)]);
    }
}
}  // namespace

std::vector<std::vector<double>> latin_hypercube(std::size_t n, std::size_t k, std::uint64_t seed) {
    Rng rng(mix64(seed ^ 0x4c4853ULL));
    std::vector<std::vector<double>> points(n, std::vector<double>(k));
    std::vector<std::size_t> strata(n);
    for (std::size_t j = 0; j < k; ++j) {
        std::iota(strata.begin(), strata.end(), 0);
        shuffle(strata, rng);
        for (std::size_t i = 0; i < n; ++i) {
            points[i][j] =
                (static_cast<double>(strata[i]) + rng.uniform_open()) / static_cast<double>(n);
        }
    }
    return points;
}

MorrisDesign morris_design(std::size_t r, std::size_t k, int levels, std::uint64_t seed) {
    if (levels < 2) {
        throw std::invalid_argument("Morris designs need at least 2 levels");
    }
    Rng rng(mix64(seed ^ 0x4d4f52ULL));
    MorrisDesign d;
    d.trajectories = r;
    const double step = 1.0 / static_cast<double>(levels - 1);
    d.delta = static_cast<double>(levels) / (2.0 * static_cast<double>(levels - 1));
    // Base values on the grid, low enough that base + delta stays on it (Morris, 1991).
    const auto base_levels = static_cast<std::size_t>(
        std::max(1, levels - static_cast<int>(std::lround(d.delta / step))));
    std::vector<std::size_t> order(k);
    for (std::size_t t = 0; t < r; ++t) {
        std::vector<double> x(k);
        for (auto& v : x) {
            v = static_cast<double>(below(rng, base_levels)) * step;
        }
        std::iota(order.begin(), order.end(), 0);
        shuffle(order, rng);
        // Each factor goes up by delta, or down if it starts in the upper half (random signs).
        std::vector<double> sign(k);
        for (std::size_t j = 0; j < k; ++j) {
            if (rng.uniform() < 0.5) {
                x[j] += d.delta;  // start high and step down
                sign[j] = -1.0;
            } else {
                sign[j] = 1.0;
            }
        }
        d.points.push_back(x);
        for (std::size_t j = 0; j < k; ++j) {
            const std::size_t f = order[j];
            x[f] += sign[f] * d.delta;
            d.points.push_back(x);
            d.moved.push_back(f);
            d.step.push_back(sign[f] * d.delta);
        }
    }
    return d;
}

namespace {
SaltelliDesign one_saltelli_design(std::size_t n, std::size_t k,
                                   const std::vector<std::vector<std::size_t>>& groups,
                                   std::uint64_t seed) {
    SaltelliDesign d;
    d.n = n;
    d.k = k;
    d.groups = groups;
    // 32-bit Sobol points from the first (Boost starts after the all-zero point, which is put
    // back: without it the first n points are not a balanced net, and at n = 64 the main
    // factors' indices of a linear function came out 0.01-0.09 high). Each coordinate is
    // scrambled by a random digital shift drawn from the design seed (an XOR of its 32 bits,
    // which keeps the net's balance), and taken at the middle of its cell, so no coordinate is 0
    // or 1 (a normal factor's quantile there would be infinite).
    boost::random::sobol_engine<std::uint32_t, 32> qrng(2 * k);
    Rng rng(mix64(seed ^ 0x534f424f4cULL));
    std::vector<std::uint32_t> shift(2 * k);
    for (auto& s : shift) {
        s = static_cast<std::uint32_t>(rng.next() >> 32);
    }
    std::vector<double> row(2 * k);
    d.points.reserve(n * d.per_row());
    for (std::size_t j = 0; j < n; ++j) {
        for (std::size_t c = 0; c < 2 * k; ++c) {
            const std::uint32_t v = j == 0 ? 0u : static_cast<std::uint32_t>(qrng());
            row[c] = (static_cast<double>(v ^ shift[c]) + 0.5) * 0x1.0p-32;
        }
        const std::vector<double> a(row.begin(), row.begin() + static_cast<long>(k));
        const std::vector<double> b(row.begin() + static_cast<long>(k), row.end());
        d.points.push_back(a);
        for (std::size_t i = 0; i < k; ++i) {
            auto ab = a;
            ab[i] = b[i];
            d.points.push_back(std::move(ab));
        }
        for (const auto& g : groups) {
            auto ab = a;
            for (std::size_t i : g) {
                ab[i] = b[i];
            }
            d.points.push_back(std::move(ab));
        }
        d.points.push_back(b);
    }
    return d;
}
}  // namespace

SaltelliDesign saltelli_design(std::size_t n, std::size_t k,
                               const std::vector<std::vector<std::size_t>>& groups,
                               std::uint64_t seed, std::size_t replicates) {
    if (replicates <= 1) {
        return one_saltelli_design(n, k, groups, seed);
    }
    if (n % replicates != 0) {
        throw std::invalid_argument("saltelli_design: the replicates must divide the samples");
    }
    // Each replicate's seed hashed from the design seed and its number (replicate g of one seed
    // is never replicate g + 1 of the next).
    const std::uint64_t base = mix64(seed ^ 0x5245504cULL);
    SaltelliDesign d = one_saltelli_design(n / replicates, k, groups, mix64(base));
    for (std::size_t g = 1; g < replicates; ++g) {
        const SaltelliDesign part = one_saltelli_design(n / replicates, k, groups, mix64(base + g));
        d.points.insert(d.points.end(), part.points.begin(), part.points.end());
    }
    d.n = n;
    d.replicates = replicates;
    return d;
}

std::vector<std::vector<std::size_t>> full_factorial(const std::vector<std::size_t>& counts) {
    std::size_t total = 1;
    for (std::size_t c : counts) {
        total *= c;
    }
    std::vector<std::vector<std::size_t>> out;
    out.reserve(total);
    std::vector<std::size_t> index(counts.size(), 0);
    for (std::size_t p = 0; p < total; ++p) {
        out.push_back(index);
        for (std::size_t j = counts.size(); j-- > 0;) {
            if (++index[j] < counts[j]) {
                break;
            }
            index[j] = 0;
        }
    }
    return out;
}

}  // namespace chokepoint
