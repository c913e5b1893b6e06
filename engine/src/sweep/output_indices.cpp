// Each output's indices from a sweep's trial values, by design: OAT effects at each end, Morris
// mu* and sigma, Sobol S1 and ST, LHS rank correlations and grid main effects, each with its
// trial-noise standard error and notes (a factor that cannot reach the output, noise that
// blurs the indices). The statistics themselves are in indices.cpp; the files in report.cpp.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <optional>

#include "chokepoint/core/text.hpp"
#include "chokepoint/io/files.hpp"
#include "chokepoint/scenario/uncertain.hpp"
#include "chokepoint/sweep/indices.hpp"
#include "chokepoint/sweep/output_indices.hpp"
#include "chokepoint/sweep/run.hpp"

namespace chokepoint {

namespace {

constexpr double NaN = std::numeric_limits<double>::quiet_NaN();

IndexRow make_row(const std::string& factor, const std::string& group, const std::string& index,
                  double value, double se = NaN, double low = NaN, double high = NaN,
                  const std::string& note = "") {
    return IndexRow{factor, group, index, value, se, low, high, note};
}

double se_of_mean(const std::vector<double>& v) {
    return v.size() < 2 ? 0.0 : sample_sd(v) / std::sqrt(static_cast<double>(v.size()));
}

double variance_of(const std::vector<double>& v) {
    const double sd = sample_sd(v);
    return sd * sd;
}

using Values = std::vector<std::vector<std::vector<double>>>;

// The one value output `o` takes in every trial at every point, if it takes one.
std::optional<double> constant_output(const Values& values, std::size_t o) {
    std::optional<double> only;
    for (const auto& point : values) {
        for (double v : point[o]) {
            if (!only) {
                only = v;
            } else if (v != *only) {
                return std::nullopt;
            }
        }
    }
    return only;
}

// "no effect" with what overrides the factor on this output's lane, where the engine can tell. An
// output that is the same in every trial at every point of the sweep is saturated (every trial
// short, or none): the factor may matter where it is not, and the note says so.
std::string no_effect_note(const SweepPlan& plan, const SweepOutput& o, const std::string& path,
                           const Values& values, std::size_t index) {
    std::string note = "no effect: every trial is identical at every value of this factor";
    if (const auto c = constant_output(values, index)) {
        note = "no effect here: the output is " + format_number(*c) +
               " in every trial at every point of the sweep (saturated: the factor may matter "
               "where the output is not at a limit)";
    }
    if (!o.spec.is_buyer && (o.spec.metric == "exports" || o.spec.metric == "imports")) {
        const auto why = overridden_on(plan.base, path, o.spec.to, o.spec.product);
        for (const auto& w : why) {
            note += "; " + w;
        }
    }
    return note;
}

bool includes_zero(double low, double high) {
    return low <= 0.0 && high >= 0.0;
}

void oat_rows(const SweepPlan& plan, const SweepOutput& out, std::size_t o,
              const std::vector<std::vector<std::vector<double>>>& values, OutputIndices& res) {
    const auto& base = values[0][o];
    for (std::size_t i = 0; i < plan.factors.size(); ++i) {
        const auto& lo = values[1 + 2 * i][o];
        const auto& hi = values[2 + 2 * i][o];
        const PairedEffect el = paired_effect(base, lo);
        const PairedEffect eh = paired_effect(base, hi);
        const PairedEffect sw = paired_effect(lo, hi);
        const std::string& path = plan.factors[i].spec.path;
        std::string note;
        if (el.exactly_zero && eh.exactly_zero) {
            note = no_effect_note(plan, out, path, values, o);
        } else if (includes_zero(sw.mean - 1.96 * sw.se, sw.mean + 1.96 * sw.se)) {
            note = "the swing is within trial noise (its 95% interval includes zero)";
        }
        for (const auto& [name, e] : {std::pair<const char*, PairedEffect>{"effect_low", el},
                                      {"effect_high", eh},
                                      {"swing", sw}}) {
            res.rows.push_back(make_row(path, plan.factors[i].spec.group, name, e.mean, e.se,
                                        e.mean - 1.96 * e.se, e.mean + 1.96 * e.se,
                                        std::string(name) == "swing" ? note : ""));
        }
        if (!note.empty()) {
            res.notes.push_back(path + ": " + note);
        }
    }
}

void morris_rows(const SweepPlan& plan, const SweepOutput& out, std::size_t o,
                 const std::vector<std::vector<std::vector<double>>>& values,
                 const std::vector<double>& y, OutputIndices& res) {
    const MorrisDesign& d = *plan.morris;
    const std::size_t k = plan.factors.size();
    const auto idx = morris_indices(d, y, k);
    std::vector<double> noise(k, 0.0);
    std::vector<bool> zero(k, true);
    for (std::size_t t = 0; t < d.trajectories; ++t) {
        for (std::size_t j = 0; j < k; ++j) {
            const std::size_t p = t * (k + 1) + j;
            const std::size_t f = d.moved[t * k + j];
            const PairedEffect e = paired_effect(values[p][o], values[p + 1][o]);
            noise[f] += (e.se / std::abs(d.step[t * k + j])) * (e.se / std::abs(d.step[t * k + j]));
            zero[f] = zero[f] && e.exactly_zero;
        }
    }
    for (std::size_t i = 0; i < k; ++i) {
        const double se = idx[i].effects > 0 ? std::sqrt(noise[i]) / idx[i].effects : NaN;
        const std::string& path = plan.factors[i].spec.path;
        const std::string note = zero[i] ? no_effect_note(plan, out, path, values, o) : "";
        res.rows.push_back(make_row(path, plan.factors[i].spec.group, "mu", idx[i].mu, se));
        res.rows.push_back(
            make_row(path, plan.factors[i].spec.group, "mu_star", idx[i].mu_star, se));
        res.rows.push_back(
            make_row(path, plan.factors[i].spec.group, "sigma", idx[i].sigma, NaN, NaN, NaN, note));
        if (!note.empty()) {
            res.notes.push_back(path + ": " + note);
        }
    }
}

void sobol_rows(const SweepPlan& plan, const SweepOutput& out, std::size_t o,
                const std::vector<std::vector<std::vector<double>>>& values,
                const std::vector<double>& y, OutputIndices& res) {
    const SaltelliDesign& d = *plan.saltelli;
    const SobolResult s = sobol_indices(d, y, plan.spec.bootstrap, plan.spec.design_seed);
    const std::size_t per = d.per_row();
    auto add = [&](const std::string& name, const std::string& group, const SobolIndex& x,
                   std::size_t column) {
        bool zero = true;
        for (std::size_t j = 0; j < d.n && zero; ++j) {
            zero = values[j * per][o] == values[j * per + 1 + column][o];
        }
        std::string note;
        if (zero) {
            note = no_effect_note(plan, out, name, values, o);
        } else if (includes_zero(x.st - x.st_conf, x.st + x.st_conf)) {
            note = "ST's interval includes zero: no effect can be ruled out at this sample size";
        }
        res.rows.push_back(
            make_row(name, group, "S1", x.s1, NaN, x.s1 - x.s1_conf, x.s1 + x.s1_conf, ""));
        res.rows.push_back(
            make_row(name, group, "ST", x.st, NaN, x.st - x.st_conf, x.st + x.st_conf, note));
        if (!note.empty()) {
            res.notes.push_back(name + ": " + note);
        }
    };
    for (std::size_t i = 0; i < d.k; ++i) {
        add(plan.factors[i].spec.path, plan.factors[i].spec.group, s.factors[i], i);
    }
    for (std::size_t g = 0; g < s.groups.size(); ++g) {
        add(plan.group_names[g], plan.group_names[g], s.groups[g], d.k + g);
    }
    double noise = 0.0;
    for (const auto& p : values) {
        const double se = se_of_mean(p[o]);
        noise += se * se;
    }
    res.noise_share =
        s.variance > 0.0 ? noise / static_cast<double>(values.size()) / s.variance : NaN;
}

void lhs_rows(const SweepPlan& plan, const std::vector<double>& y, OutputIndices& res) {
    const auto c = correlations(plan.values, y);
    for (std::size_t i = 0; i < plan.factors.size(); ++i) {
        const std::string& path = plan.factors[i].spec.path;
        const std::string& g = plan.factors[i].spec.group;
        res.rows.push_back(make_row(path, g, "pearson", c[i].pearson, NaN, c[i].pearson_low,
                                    c[i].pearson_high, ""));
        res.rows.push_back(make_row(path, g, "spearman", c[i].spearman, NaN, c[i].spearman_low,
                                    c[i].spearman_high,
                                    includes_zero(c[i].spearman_low, c[i].spearman_high)
                                        ? "the rank correlation's interval includes zero"
                                        : ""));
    }
}

void grid_rows(const SweepPlan& plan, const std::vector<double>& y, OutputIndices& res) {
    for (std::size_t i = 0; i < plan.factors.size(); ++i) {
        std::map<double, std::pair<double, int>> by_level;
        for (std::size_t p = 0; p < plan.points(); ++p) {
            auto& [sum, count] = by_level[plan.values[p][i]];
            sum += y[p];
            ++count;
        }
        double lo = INFINITY;
        double hi = -INFINITY;
        for (const auto& [level, sc] : by_level) {
            const double m = sc.first / sc.second;
            lo = std::min(lo, m);
            hi = std::max(hi, m);
        }
        res.rows.push_back(make_row(plan.factors[i].spec.path, plan.factors[i].spec.group,
                                    "main_effect_range", hi - lo));
    }
}

}  // namespace

std::vector<OutputIndices> sweep_indices(
    const SweepPlan& plan, const std::vector<std::vector<std::vector<double>>>& values) {
    std::vector<OutputIndices> out;
    for (std::size_t o = 0; o < plan.outputs.size(); ++o) {
        const SweepOutput& output = plan.outputs[o];
        OutputIndices res;
        res.output = output.spec.id;
        res.unit = output.spec.unit(plan.base.material.unit);
        std::vector<double> y(plan.points());
        for (std::size_t p = 0; p < plan.points(); ++p) {
            y[p] = mean_of(values[p][o]);
        }
        switch (plan.spec.design) {
            case DesignKind::oat:
                oat_rows(plan, output, o, values, res);
                break;
            case DesignKind::morris:
                morris_rows(plan, output, o, values, y, res);
                break;
            case DesignKind::sobol:
                sobol_rows(plan, output, o, values, y, res);
                break;
            case DesignKind::lhs:
            case DesignKind::grid: {
                if (plan.spec.design == DesignKind::lhs) {
                    lhs_rows(plan, y, res);
                } else {
                    grid_rows(plan, y, res);
                }
                double noise = 0.0;
                for (const auto& p : values) {
                    const double se = se_of_mean(p[o]);
                    noise += se * se;
                }
                const double v = variance_of(y);
                res.noise_share = v > 0.0 ? noise / static_cast<double>(values.size()) / v : NaN;
                break;
            }
        }
        if (std::isfinite(res.noise_share) && res.noise_share > 0.05) {
            res.notes.push_back("trial noise is " + format_number(100 * res.noise_share, 1) +
                                "% of the variance between points: raise trials: for sharper "
                                "indices");
        }
        out.push_back(std::move(res));
    }
    return out;
}

}  // namespace chokepoint
