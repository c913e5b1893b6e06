#include "chokepoint/compare/calibrate.hpp"

#include <nlohmann/json.hpp>
#include <nlopt.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "../io/json.hpp"
#include "chokepoint/core/diagnostics.hpp"
#include "chokepoint/io/files.hpp"

namespace chokepoint {

double calibration_objective(const Comparison& c) {
    double total = 0.0;
    int n = 0;
    for (const auto& f : c.figures) {
        double scale = std::abs(f.reported);
        if (scale == 0.0) {
            scale = std::max(1.0, std::abs(f.mean));
        }
        total += f.crps / scale;
        ++n;
    }
    return n ? total / n : 0.0;
}

std::string format_calibration_json(const Calibration& cal, const Scenario& scenario,
                                    const std::string& calibrated_scenario_path,
                                    const std::string& calibrated_scenario_text) {
    nlohmann::ordered_json j;
    j["scenario"] = scenario.name;
    j["unit"] = scenario.material.unit;  // of the scores' CRPS
    j["calibrated_scenario"] = calibrated_scenario_path;
    // The file `--write` names is renamed into place apart from this directory: its hash tells
    // a reader whether the file there is the one this report describes.
    j["calibrated_scenario_sha256"] = sha256_hex(calibrated_scenario_text);
    j["figures"] = cal.figures;
    j["evaluations"] = cal.evaluations;
    j["objective"] = "mean CRPS / reported value";
    j["objective_before"] = cal.objective_before;
    j["objective_at_prior_mean"] = cal.objective_at_prior_mean;
    j["objective_after"] = cal.objective_after;
    auto scores = [](const GroupScores& g) {
        return nlohmann::ordered_json{{"mape_pct", g.model.mape()},
                                      {"bias_pct", g.model.bias()},
                                      {"coverage_50", g.model.coverage50()},
                                      {"coverage_90", g.model.coverage90()},
                                      {"crps", g.model.crps()}};
    };
    j["scores_before"] = scores(cal.before);
    j["scores_after"] = scores(cal.after);
    j["parameters"] = nlohmann::ordered_json::array();
    for (const auto& p : cal.parameters) {
        j["parameters"].push_back({{"name", p.name},
                                   {"start", p.prior_mean},
                                   {"fitted", p.fitted},
                                   {"moved", p.fitted - p.prior_mean},
                                   {"range", {p.range_low, p.range_high}},
                                   {"bounds", {p.lower, p.upper}},
                                   {"identified", p.identified},
                                   {"objective_spread", p.objective_spread}});
    }
    return json_text(j);
}

namespace {

struct Problem {
    const Scenario* base;
    const std::vector<ReportedRow>* rows;
    const CalibrationConfig* config;
    std::vector<int> indices;
    int evaluations = 0;
    // The objective at every point evaluated. A comparison runs its trials from a fixed seed, so
    // a point asked for again (the optimiser's first call is the starting point just evaluated; a
    // step clipped to a bound lands on a point already tried) is not run, counted or printed
    // again. Only the value is kept: a comparison holds every figure's draws.
    std::map<std::vector<double>, double> seen;

    Comparison compare_at(const std::vector<double>& x) const {
        Scenario s = *base;
        for (std::size_t k = 0; k < indices.size(); ++k) {
            s.parameters[static_cast<std::size_t>(indices[k])].distribution =
                Distribution::fixed(x[k]);
        }
        return compare_with_reported(s, *rows, config->compare);
    }

    double evaluate(const std::vector<double>& x) {
        if (const auto found = seen.find(x); found != seen.end()) {
            return found->second;
        }
        const double value = calibration_objective(compare_at(x));
        seen.emplace(x, value);
        ++evaluations;
        if (config->on_evaluation) {
            config->on_evaluation(evaluations, value, x);
        }
        return value;
    }
};

double nlopt_objective(const std::vector<double>& x, std::vector<double>&, void* data) {
    return static_cast<Problem*>(data)->evaluate(x);
}

std::string number(double v) {
    std::ostringstream s;
    s.precision(6);
    s << v;
    return s.str();
}

// The parameters --fit names, with their search ranges (a prior's bounds, or the central 99.8%
// of an unbounded prior's draws) and prior means; their indices in the scenario into `indices`.
// Throws InputError listing every name that is unknown or fixed.
std::vector<FittedParameter> fitted_parameters(const Scenario& scenario,
                                               const CalibrationConfig& config,
                                               std::vector<int>& indices) {
    DiagnosticSink sink;
    std::vector<std::string> names;
    for (const auto& p : scenario.parameters) {
        names.push_back(p.name);
    }
    std::vector<FittedParameter> out;
    for (const auto& given : config.fit) {
        // `simulate parameters` lists them as --set takes them: parameters.NAME.
        const std::string prefix = "parameters.";
        const std::string name = given.rfind(prefix, 0) == 0 ? given.substr(prefix.size()) : given;
        const int i = scenario.parameter_index(name);
        if (i < 0) {
            const std::string guess = closest_match(name, names);
            sink.error(SourceLocation{"--fit", 0, 0}, name,
                       "no parameter '" + name + "' in the scenario or its model" +
                           (guess.empty() ? "" : " (did you mean '" + guess + "'?)"));
            continue;
        }
        indices.push_back(i);
        const Distribution& prior = scenario.parameters[static_cast<std::size_t>(i)].distribution;
        FittedParameter fp;
        fp.name = name;
        fp.lower = prior.lower();
        fp.upper = prior.upper();
        if (!std::isfinite(fp.lower) || !std::isfinite(fp.upper)) {
            // Unbounded priors: search the central 99.8% of 20,000 draws.
            Rng rng(12345);
            std::vector<double> draws(20000);
            for (auto& d : draws) {
                d = prior.sample(rng);
            }
            std::sort(draws.begin(), draws.end());
            fp.lower = std::isfinite(fp.lower) ? fp.lower : draws[20];
            fp.upper = std::isfinite(fp.upper) ? fp.upper : draws[draws.size() - 21];
        }
        if (!(fp.upper > fp.lower)) {
            sink.error(SourceLocation{"--fit", 0, 0}, name,
                       "parameter '" + name + "' is fixed; give it a distribution to fit it");
        }
        fp.prior_mean = std::clamp(prior.mean(), fp.lower, fp.upper);
        out.push_back(fp);
    }
    if (config.fit.empty()) {
        sink.error(SourceLocation{"--fit", 0, 0}, "", "name at least one parameter to fit");
    }
    sink.throw_if_any();
    return out;
}

// The profile range of parameter k: from the fitted point `x`, walks out in steps of 5% of the
// search width until the objective rises past `limit` or the walk reaches the bound (at most
// `steps` a side, so a flat objective gives the whole search range, never a range cut short by
// the walk).
void profile_range(Problem& problem, const std::vector<double>& x, std::size_t k, double at_x,
                   double limit, int steps, FittedParameter& fp) {
    const double width = fp.upper - fp.lower;
    double lowest = at_x;
    double highest = at_x;
    for (int side : {-1, 1}) {
        double edge = x[k];
        for (int i = 1; i <= steps; ++i) {
            const double candidate = std::clamp(x[k] + side * width * 0.05 * i, fp.lower, fp.upper);
            std::vector<double> y = x;
            y[k] = candidate;
            const double objective = problem.evaluate(y);
            lowest = std::min(lowest, objective);
            highest = std::max(highest, objective);
            if (objective > limit) {
                break;
            }
            edge = candidate;
            if (candidate == fp.lower || candidate == fp.upper) {
                break;
            }
        }
        (side < 0 ? fp.range_low : fp.range_high) = edge;
    }
    fp.objective_spread = lowest > 0.0 ? (highest - lowest) / lowest : 0.0;
}

}  // namespace

std::vector<FittedParameter> calibration_parameters(const Scenario& scenario,
                                                    const CalibrationConfig& config) {
    std::vector<int> indices;
    return fitted_parameters(scenario, config, indices);
}

Calibration calibrate(const Scenario& scenario, const std::vector<ReportedRow>& rows,
                      const CalibrationConfig& config) {
    constexpr int RANGE_STEPS = 20;  // steps of 5% of the width: the whole width a side
    Problem problem{&scenario, &rows, &config, {}, 0, {}};
    Calibration out;
    out.parameters = fitted_parameters(scenario, config, problem.indices);

    // Before: the scenario as written, parameters uncertain.
    {
        const Comparison c = compare_with_reported(scenario, rows, config.compare);
        out.objective_before = calibration_objective(c);
        out.before = c.overall;
        out.figures = c.overall.model.count;
    }
    const std::size_t n = out.parameters.size();
    std::vector<double> x(n), lower(n), upper(n), step(n);
    for (std::size_t k = 0; k < n; ++k) {
        x[k] = out.parameters[k].prior_mean;
        lower[k] = out.parameters[k].lower;
        upper[k] = out.parameters[k].upper;
        step[k] = 0.15 * (upper[k] - lower[k]);
    }
    out.objective_at_prior_mean = problem.evaluate(x);
    nlopt::opt opt(nlopt::LN_SBPLX, static_cast<unsigned>(n));
    opt.set_lower_bounds(lower);
    opt.set_upper_bounds(upper);
    opt.set_min_objective(nlopt_objective, &problem);
    opt.set_maxeval(config.max_evaluations);
    opt.set_xtol_rel(config.relative_tolerance);
    opt.set_initial_step(step);
    double best = 0.0;
    try {
        opt.optimize(x, best);
    } catch (const nlopt::roundoff_limited&) {
        // Converged as far as the noise allows; x holds the best point found.
        best = problem.evaluate(x);
    }
    // The fitted point's scores: a point already evaluated, run again for its comparison.
    const Comparison fitted = problem.compare_at(x);
    out.objective_after = calibration_objective(fitted);
    out.after = fitted.overall;

    // Each parameter's profile range, written as a triangular distribution around its value.
    for (std::size_t k = 0; k < n; ++k) {
        FittedParameter& fp = out.parameters[k];
        fp.fitted = x[k];
        profile_range(problem, x, k, out.objective_after,
                      out.objective_after * (1.0 + config.range_tolerance), RANGE_STEPS, fp);
        const double lo = std::min(fp.range_low, fp.fitted);
        const double hi = std::max(fp.range_high, fp.fitted);
        // Flat over the whole search range: the figures cannot pin it down; keep the prior.
        fp.identified = !(lo <= fp.lower && hi >= fp.upper &&
                          fp.objective_spread < config.identification_tolerance);
        if (!fp.identified) {
            continue;
        }
        out.overrides.push_back({"parameters." + fp.name,
                                 lo == hi ? number(fp.fitted)
                                          : "{dist: triangular, min: " + number(lo) + ", mode: " +
                                                number(fp.fitted) + ", max: " + number(hi) + "}"});
    }
    out.evaluations = problem.evaluations;
    return out;
}

}  // namespace chokepoint
