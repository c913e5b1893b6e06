#include "chokepoint/sweep/indices.hpp"

#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "chokepoint/random/rng.hpp"

namespace chokepoint {

double mean_of(const std::vector<double>& v) {
    double s = 0.0;
    for (double x : v) {
        s += x;
    }
    return v.empty() ? 0.0 : s / static_cast<double>(v.size());
}

double sample_sd(const std::vector<double>& v) {
    if (v.size() < 2) {
        return 0.0;
    }
    const double m = mean_of(v);
    double ss = 0.0;
    for (double x : v) {
        ss += (x - m) * (x - m);
    }
    return std::sqrt(ss / static_cast<double>(v.size() - 1));
}

namespace {
struct SobolSums {
    double s1 = 0.0, st = 0.0;
};
}  // namespace

PairedEffect paired_effect(const std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() != b.size()) {
        throw std::invalid_argument("paired_effect: different trial counts");
    }
    std::vector<double> d(a.size());
    PairedEffect out;
    for (std::size_t i = 0; i < a.size(); ++i) {
        d[i] = b[i] - a[i];
        out.exactly_zero = out.exactly_zero && d[i] == 0.0;
    }
    out.mean = mean_of(d);
    out.se = d.empty() ? 0.0 : sample_sd(d) / std::sqrt(static_cast<double>(d.size()));
    return out;
}

std::vector<MorrisIndex> morris_indices(const MorrisDesign& design, const std::vector<double>& y,
                                        std::size_t k) {
    std::vector<std::vector<double>> effects(k);
    for (std::size_t t = 0; t < design.trajectories; ++t) {
        for (std::size_t j = 0; j < k; ++j) {
            const std::size_t p = t * (k + 1) + j;
            const std::size_t f = design.moved[t * k + j];
            effects[f].push_back((y[p + 1] - y[p]) / design.step[t * k + j]);
        }
    }
    std::vector<MorrisIndex> out(k);
    for (std::size_t i = 0; i < k; ++i) {
        out[i].effects = static_cast<int>(effects[i].size());
        out[i].mu = mean_of(effects[i]);
        double abs_sum = 0.0;
        for (double e : effects[i]) {
            abs_sum += std::abs(e);
        }
        out[i].mu_star =
            effects[i].empty() ? 0.0 : abs_sum / static_cast<double>(effects[i].size());
        out[i].sigma = sample_sd(effects[i]);
    }
    return out;
}

SobolResult sobol_indices(const SaltelliDesign& d, const std::vector<double>& y, int resamples,
                          std::uint64_t seed) {
    const std::size_t n = d.n;
    const std::size_t per = d.per_row();
    const std::size_t columns = d.k + d.groups.size();
    if (y.size() != n * per || n < 2) {
        throw std::invalid_argument("sobol_indices: the results do not match the design");
    }
    // Centred on the mean of all results, as SALib does: the estimators are unchanged in
    // expectation, but f(B) (f(A_B) - f(A)) no longer carries the output's level, which makes
    // S1 noisy when the mean is large against the spread.
    double centre = 0.0;
    for (double v : y) {
        centre += v;
    }
    centre /= static_cast<double>(y.size());
    auto fa = [&](std::size_t j) { return y[j * per] - centre; };
    auto fb = [&](std::size_t j) { return y[j * per + per - 1] - centre; };
    auto fab = [&](std::size_t j, std::size_t c) { return y[j * per + 1 + c] - centre; };
    // Indices over a multiset of rows (the rows themselves, or a bootstrap resample).
    auto estimate = [&](const std::vector<std::size_t>& rows, std::vector<SobolSums>& out) {
        double sum = 0.0;
        for (std::size_t j : rows) {
            sum += fa(j) + fb(j);
        }
        const double m = sum / (2.0 * static_cast<double>(rows.size()));
        double ss = 0.0;
        for (std::size_t j : rows) {
            ss += (fa(j) - m) * (fa(j) - m) + (fb(j) - m) * (fb(j) - m);
        }
        const double v = ss / (2.0 * static_cast<double>(rows.size()));
        out.assign(columns, SobolSums{});
        for (std::size_t c = 0; c < columns; ++c) {
            double s1 = 0.0;
            double st = 0.0;
            for (std::size_t j : rows) {
                s1 += fb(j) * (fab(j, c) - fa(j));
                st += (fa(j) - fab(j, c)) * (fa(j) - fab(j, c));
            }
            const double rn = static_cast<double>(rows.size());
            out[c].s1 = v > 0.0 ? s1 / rn / v : 0.0;
            out[c].st = v > 0.0 ? st / rn / (2.0 * v) : 0.0;
        }
        return v;
    };
    std::vector<std::size_t> rows(n);
    std::iota(rows.begin(), rows.end(), 0);
    std::vector<SobolSums> point;
    SobolResult result;
    result.variance = estimate(rows, point);
    if (d.replicates > 1) {
        // Replicates: a delete-a-group jackknife over the independent designs, the interval
        // Student's t (R - 1 degrees of freedom) times its standard error.
        const std::size_t r = d.replicates;
        const std::size_t size = n / r;
        std::vector<std::vector<SobolSums>> left_out(r);
        for (std::size_t g = 0; g < r; ++g) {
            std::vector<std::size_t> kept;
            for (std::size_t j = 0; j < n; ++j) {
                if (j / size != g) {
                    kept.push_back(j);
                }
            }
            estimate(kept, left_out[g]);
        }
        const auto rd = static_cast<double>(r);
        const double t = boost::math::quantile(boost::math::students_t(rd - 1.0), 0.975);
        auto jackknife = [&](std::size_t c, double SobolSums::*field) {
            double mean = 0.0;
            for (const auto& e : left_out) {
                mean += e[c].*field / rd;
            }
            double ss = 0.0;
            for (const auto& e : left_out) {
                ss += (e[c].*field - mean) * (e[c].*field - mean);
            }
            return t * std::sqrt(ss * (rd - 1.0) / rd);
        };
        for (std::size_t c = 0; c < columns; ++c) {
            SobolIndex idx;
            idx.s1 = point[c].s1;
            idx.st = point[c].st;
            idx.s1_conf = jackknife(c, &SobolSums::s1);
            idx.st_conf = jackknife(c, &SobolSums::st);
            (c < d.k ? result.factors : result.groups).push_back(idx);
        }
        return result;
    }
    // Bootstrap: resample rows with replacement; the interval is 1.96 x the sd of the estimates.
    std::vector<std::vector<double>> s1s(columns), sts(columns);
    Rng rng(mix64(seed ^ 0x534f424fULL));
    std::vector<SobolSums> boot;
    for (int b = 0; b < resamples; ++b) {
        for (auto& r : rows) {
            r = static_cast<std::size_t>(rng.uniform() * static_cast<double>(n));
        }
        estimate(rows, boot);
        for (std::size_t c = 0; c < columns; ++c) {
            s1s[c].push_back(boot[c].s1);
            sts[c].push_back(boot[c].st);
        }
    }
    for (std::size_t c = 0; c < columns; ++c) {
        SobolIndex idx;
        idx.s1 = point[c].s1;
        idx.st = point[c].st;
        idx.s1_conf = 1.96 * sample_sd(s1s[c]);
        idx.st_conf = 1.96 * sample_sd(sts[c]);
        (c < d.k ? result.factors : result.groups).push_back(idx);
    }
    return result;
}

std::vector<double> ranks(const std::vector<double>& v) {
    std::vector<std::size_t> order(v.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
    std::vector<double> r(v.size());
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i;
        while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) {
            ++j;
        }
        const double rank = 0.5 * static_cast<double>(i + j) + 1.0;
        for (std::size_t t = i; t <= j; ++t) {
            r[order[t]] = rank;
        }
        i = j + 1;
    }
    return r;
}

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
    const double ma = mean_of(a);
    const double mb = mean_of(b);
    double sab = 0.0, saa = 0.0, sbb = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    return saa > 0.0 && sbb > 0.0 ? sab / std::sqrt(saa * sbb) : 0.0;
}

std::vector<Correlation> correlations(const std::vector<std::vector<double>>& x,
                                      const std::vector<double>& y) {
    const std::size_t n = y.size();
    const std::size_t k = n > 0 ? x[0].size() : 0;
    const std::vector<double> ry = ranks(y);
    const double half = n > 3 ? 1.96 / std::sqrt(static_cast<double>(n - 3)) : INFINITY;
    auto interval = [&](double r, double& lo, double& hi) {
        const double z = std::atanh(std::clamp(r, -0.999999999, 0.999999999));
        lo = std::tanh(z - half);
        hi = std::tanh(z + half);
    };
    std::vector<Correlation> out(k);
    std::vector<double> col(n);
    for (std::size_t j = 0; j < k; ++j) {
        for (std::size_t i = 0; i < n; ++i) {
            col[i] = x[i][j];
        }
        Correlation& c = out[j];
        c.pearson = pearson(col, y);
        c.spearman = pearson(ranks(col), ry);
        interval(c.pearson, c.pearson_low, c.pearson_high);
        interval(c.spearman, c.spearman_low, c.spearman_high);
    }
    return out;
}

}  // namespace chokepoint
