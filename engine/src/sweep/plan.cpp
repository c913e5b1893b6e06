#include "chokepoint/sweep/plan.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>

#include "chokepoint/io/files.hpp"
#include "chokepoint/kernel/output_layout.hpp"
#include "chokepoint/runner/runner.hpp"
#include "chokepoint/scenario/uncertain.hpp"

namespace chokepoint {

std::string exact_number(double v) {
    if (!std::isfinite(v)) {
        return "";
    }
    if (v == 0.0) {
        return "0";
    }
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

double SweepFactor::value_at(double u) const {
    u = std::clamp(u, 0.0, 1.0);
    double v = 0.0;
    switch (spec.source) {
        case FactorSpec::Source::range:
            v = spec.low + u * (spec.high - spec.low);
            break;
        case FactorSpec::Source::levels: {
            // Bins over the levels in increasing order, so the mapping is monotone however they
            // were written.
            auto sorted = spec.levels;
            std::sort(sorted.begin(), sorted.end());
            const auto n = sorted.size();
            const auto i = std::min(n - 1, static_cast<std::size_t>(u * static_cast<double>(n)));
            v = sorted[i];
            break;
        }
        case FactorSpec::Source::scenario: {
            const Distribution& d = *distribution;
            const bool bounded = std::isfinite(d.lower()) && std::isfinite(d.upper());
            v = d.quantile(bounded ? u : 0.01 + 0.98 * u);
            break;
        }
    }
    return spec.is_date ? std::round(v) : v;
}

std::string SweepFactor::format(double v) const {
    return spec.is_date ? format_date(static_cast<Day>(std::lround(v))) : exact_number(v);
}

double SweepOutput::value(const TrialResult& trial) const {
    double out = 0.0;
    if (!spec.is_buyer) {
        const double* m = trial.monthly.data() +
                          static_cast<std::size_t>(series) * static_cast<std::size_t>(months);
        switch (spec.stat) {
            case OutputSpec::Stat::sum:
            case OutputSpec::Stat::mean:
                for (int i = first; i <= last; ++i) {
                    out += m[i];
                }
                if (spec.stat == OutputSpec::Stat::mean) {
                    out /= static_cast<double>(last - first + 1);
                }
                break;
            case OutputSpec::Stat::min:
                out = *std::min_element(m + first, m + last + 1);
                break;
            case OutputSpec::Stat::max:
                out = *std::max_element(m + first, m + last + 1);
                break;
        }
    } else {
        const double* f =
            trial.buyers.data() + static_cast<std::size_t>(buyer) * BUYER_FIGURE_COUNT;
        switch (spec.measure) {
            case OutputSpec::Measure::shortage_probability:
                out = f[TIME_TO_SHORTAGE] >= 0.0 ? 1.0 : 0.0;
                break;
            case OutputSpec::Measure::shortage_mass:
                out = f[SHORTAGE_MASS];
                break;
            case OutputSpec::Measure::days_short:
                out = f[DAYS_SHORT];
                break;
            case OutputSpec::Measure::time_to_shortage:
                out = f[TIME_TO_SHORTAGE] >= 0.0 ? f[TIME_TO_SHORTAGE] : censor_days;
                break;
        }
    }
    return out == 0.0 ? 0.0 : out;  // one zero (never -0), so text and memory agree exactly
}

std::vector<Override> SweepPlan::overrides(std::size_t p) const {
    std::vector<Override> out = spec.set;
    for (std::size_t i = 0; i < factors.size(); ++i) {
        out.push_back(Override{factors[i].spec.path, factors[i].format(values[p][i]),
                               factors[i].spec.values_where});
    }
    return out;
}

namespace {

std::string series_name(const SeriesKey& k) {
    return k.metric + "/" + k.product + "/" + k.from + "/" + k.to;
}

// Checks that the scenario accepts `factor` at `value`; records a located error if not.
void check_value(const SweepSpec& spec, const SweepFactor& f, double value, const char* which,
                 InputCache& inputs, DiagnosticSink& sink) {
    std::vector<Override> o = spec.set;
    o.push_back(Override{f.spec.path, f.format(value), f.spec.values_where});
    try {
        (void)load_scenario(spec.scenario_path, o, inputs, ResolvedYaml::skip);
    } catch (const InputError& e) {
        const Diagnostic& d = e.diagnostics().front();
        sink.error(f.spec.values_where, f.spec.path,
                   std::string("at its ") + which + " (" + f.format(value) +
                       ") the scenario is invalid: " + (d.path.empty() ? "" : d.path + ": ") +
                       d.message);
    }
}

void resolve_outputs(const SweepSpec& spec, const Scenario& base, SweepPlan& plan,
                     DiagnosticSink& sink) {
    const OutputLayout layout = OutputLayout::build(base);
    std::vector<std::string> names;
    for (const auto& k : layout.series) {
        names.push_back(series_name(k));
    }
    for (const auto& o : spec.outputs) {
        SweepOutput out;
        out.spec = o;
        out.months = layout.months;
        if (!o.is_buyer) {
            const SeriesKey key{o.metric, o.product, o.from, o.to};
            out.series = layout.find(key);
            if (out.series < 0) {
                const std::string guess = closest_match(series_name(key), names);
                sink.error(o.where, "outputs." + o.id,
                           "the scenario reports no series " + series_name(key) +
                               (guess.empty() ? " (see summary.csv of a run for the series)"
                                              : " (did you mean " + guess + "?)"));
                continue;
            }
            const MonthIndex last = layout.first_month + layout.months - 1;
            if (o.first < layout.first_month || o.last > last) {
                sink.error(o.where, "outputs." + o.id,
                           "the period " + format_month(o.first) + ".." + format_month(o.last) +
                               " is not inside the scenario's " + format_month(layout.first_month) +
                               ".." + format_month(last));
                continue;
            }
            out.first = o.first - layout.first_month;
            out.last = o.last - layout.first_month;
        } else {
            std::vector<int> matches;
            std::vector<std::string> buyers;
            for (std::size_t b = 0; b < layout.buyers.size(); ++b) {
                const BuyerKey& k = layout.buyers[b];
                buyers.push_back(k.buyer);
                if ((k.buyer == o.buyer || k.country == o.buyer) && k.product_id == o.product) {
                    matches.push_back(static_cast<int>(b));
                }
            }
            if (matches.size() != 1) {
                const std::string guess = closest_match(o.buyer, buyers);
                sink.error(o.where, "outputs." + o.id,
                           matches.empty()
                               ? "no buyer '" + o.buyer + "' of " + o.product +
                                     (guess.empty() ? "" : " (did you mean '" + guess + "'?)")
                               : "several buyer nodes in " + o.buyer +
                                     " take this product; name the node id");
                continue;
            }
            out.buyer = matches.front();
            out.censor_days = static_cast<double>(base.end - base.reference_day + 1);
        }
        plan.outputs.push_back(std::move(out));
    }
}

// Points in the unit cube, each factor's coordinate mapped onto its range.
void add_unit_points(SweepPlan& plan, const std::vector<std::vector<double>>& unit) {
    const std::size_t k = plan.factors.size();
    for (const auto& u : unit) {
        std::vector<double> v(k);
        for (std::size_t i = 0; i < k; ++i) {
            v[i] = plan.factors[i].value_at(u[i]);
        }
        plan.values.push_back(std::move(v));
    }
    plan.unit = unit;
}

// One at a time: the base point, then each factor at its low and then its high end.
void oat_points(SweepPlan& plan) {
    const std::size_t k = plan.factors.size();
    std::vector<double> base(k);
    for (std::size_t i = 0; i < k; ++i) {
        base[i] = plan.factors[i].base;
    }
    plan.values.push_back(base);
    for (std::size_t i = 0; i < k; ++i) {
        for (double v : {plan.factors[i].low, plan.factors[i].high}) {
            auto p = base;
            p[i] = v;
            plan.values.push_back(std::move(p));
        }
    }
}

// Every combination of the factors' levels (a range factor: `levels` evenly spaced values), the
// last factor varying fastest.
void grid_points(SweepPlan& plan) {
    const SweepSpec& spec = plan.spec;
    const std::size_t k = plan.factors.size();
    std::vector<std::vector<double>> axis(k);
    std::vector<std::size_t> counts(k);
    for (std::size_t i = 0; i < k; ++i) {
        const SweepFactor& f = plan.factors[i];
        if (f.spec.source == FactorSpec::Source::levels) {
            axis[i] = f.spec.levels;
        } else {
            for (int l = 0; l < spec.levels; ++l) {
                axis[i].push_back(f.value_at(static_cast<double>(l) / (spec.levels - 1.0)));
            }
        }
        counts[i] = axis[i].size();
    }
    for (const auto& idx : full_factorial(counts)) {
        std::vector<double> v(k);
        for (std::size_t i = 0; i < k; ++i) {
            v[i] = axis[i][idx[i]];
        }
        plan.values.push_back(std::move(v));
    }
}

// A Latin hypercube of `samples` points.
void lhs_points(SweepPlan& plan) {
    const SweepSpec& spec = plan.spec;
    const std::size_t k = plan.factors.size();
    add_unit_points(plan,
                    latin_hypercube(static_cast<std::size_t>(spec.samples), k, spec.design_seed));
    if (spec.samples < static_cast<int>(10 * k)) {
        plan.warnings.push_back("an LHS of " + std::to_string(spec.samples) + " points for " +
                                std::to_string(k) +
                                " factors is small: correlations have wide intervals "
                                "(10 points per factor or more is usual)");
    }
}

// Morris trajectories on a grid of an even number of levels.
void morris_points(SweepPlan& plan, DiagnosticSink& sink) {
    const SweepSpec& spec = plan.spec;
    if (spec.levels % 2 != 0) {
        sink.error(spec.design_where, "design.levels",
                   "a Morris design needs an even number of levels (Morris, 1991)");
        return;
    }
    plan.morris = morris_design(static_cast<std::size_t>(spec.samples), plan.factors.size(),
                                spec.levels, spec.design_seed);
    add_unit_points(plan, plan.morris->points);
    if (spec.samples < 4) {
        plan.warnings.push_back(std::to_string(spec.samples) +
                                " Morris trajectories are too few to rank factors "
                                "reliably (10 or more is usual)");
    }
}

// Saltelli's points for Sobol indices; factors sharing a group of more than one move together.
void sobol_points(SweepPlan& plan, DiagnosticSink& sink) {
    const SweepSpec& spec = plan.spec;
    if (spec.samples < 2) {
        sink.error(spec.design_where, "design.samples",
                   "a Sobol design needs at least 2 base samples");
        return;
    }
    const std::size_t k = plan.factors.size();
    std::map<std::string, std::vector<std::size_t>> groups;
    for (std::size_t i = 0; i < k; ++i) {
        if (!plan.factors[i].spec.group.empty()) {
            groups[plan.factors[i].spec.group].push_back(i);
        }
    }
    std::vector<std::vector<std::size_t>> multi;
    for (const auto& [name, members] : groups) {
        if (members.size() > 1) {
            plan.group_names.push_back(name);
            multi.push_back(members);
        }
    }
    plan.saltelli = saltelli_design(static_cast<std::size_t>(spec.samples), k, multi,
                                    spec.design_seed, static_cast<std::size_t>(spec.replicates));
    add_unit_points(plan, plan.saltelli->points);
    if (spec.samples < 64) {
        plan.warnings.push_back(
            "N = " + std::to_string(spec.samples) +
            " base samples is small for Sobol indices: expect wide intervals (hundreds "
            "to thousands are usual)");
    }
}

// How many points the design makes, before any is made (a double: a grid's product can pass
// any integer).
double design_points(const SweepPlan& plan) {
    const SweepSpec& spec = plan.spec;
    const double k = static_cast<double>(plan.factors.size());
    const double n = static_cast<double>(spec.samples);
    switch (spec.design) {
        case DesignKind::oat:
            return 1.0 + 2.0 * k;
        case DesignKind::grid: {
            double total = 1.0;
            for (const SweepFactor& f : plan.factors) {
                total *= f.spec.source == FactorSpec::Source::levels
                             ? static_cast<double>(f.spec.levels.size())
                             : static_cast<double>(spec.levels);
            }
            return total;
        }
        case DesignKind::lhs:
            return n;
        case DesignKind::morris:
            return n * (k + 1.0);
        case DesignKind::sobol: {
            std::map<std::string, int> groups;
            for (const SweepFactor& f : plan.factors) {
                if (!f.spec.group.empty()) {
                    ++groups[f.spec.group];
                }
            }
            const auto multi = std::count_if(groups.begin(), groups.end(),
                                             [](const auto& g) { return g.second > 1; });
            return n * (k + 2.0 + static_cast<double>(multi));
        }
    }
    return 0.0;
}

void build_design(SweepPlan& plan, DiagnosticSink& sink, std::size_t max_points) {
    const double points = design_points(plan);
    if (points > static_cast<double>(max_points)) {
        // --max-points takes a whole number up to 2^63 - 1; a design past that cannot run.
        const bool countable = points < 9e18;
        const double trials = points * static_cast<double>(plan.trials);
        std::string fit;  // the samples: that fit, for designs sized by samples
        if (plan.spec.samples > 0 && plan.spec.design != DesignKind::grid &&
            plan.spec.design != DesignKind::oat) {
            const double per_sample = points / static_cast<double>(plan.spec.samples);
            const double most = std::floor(static_cast<double>(max_points) / per_sample);
            if (most >= 1.0) {
                fit = " (samples: " + format_number(most, 0) + " fits)";
            }
        }
        sink.error(
            plan.spec.design_where, "design",
            "the " + std::string(to_string(plan.spec.design)) + " design has " +
                (countable ? format_number(points, 0) : "more than 9e18") + " points" +
                (countable && trials < 9e18 ? " (" + format_number(trials, 0) + " trials at " +
                                                  std::to_string(plan.trials) + " a point)"
                                            : "") +
                ", more than the limit of " + std::to_string(max_points) +
                (max_points == DEFAULT_MAX_POINTS ? " (the default)" : " (--max-points)") +
                ": make it smaller" + fit +
                (countable ? ", or pass --max-points " + format_number(points, 0) +
                                 " to run it (the sweep prints an estimate of its time "
                                 "before it starts)"
                           : ""));
        return;
    }
    switch (plan.spec.design) {
        case DesignKind::oat:
            oat_points(plan);
            break;
        case DesignKind::grid:
            grid_points(plan);
            break;
        case DesignKind::lhs:
            lhs_points(plan);
            break;
        case DesignKind::morris:
            morris_points(plan, sink);
            break;
        case DesignKind::sobol:
            sobol_points(plan, sink);
            break;
    }
}

}  // namespace

SweepPlan plan_sweep(const SweepSpec& spec, std::optional<int> trials, std::size_t max_points) {
    SweepPlan plan;
    plan.spec = spec;
    plan.base = load_scenario(spec.scenario_path, spec.set, *plan.inputs);
    plan.trials = trials.value_or(spec.trials);
    plan.seed = spec.seed.value_or(plan.base.seed);
    const auto uncertain = list_uncertain(spec.scenario_path, spec.set, true);
    DiagnosticSink sink;
    for (const auto& fs : spec.factors) {
        SweepFactor f;
        f.spec = fs;
        const bool plain = std::all_of(fs.path.begin(), fs.path.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
        });
        if (!plain || fs.path.empty()) {
            sink.error(fs.where, "factors",
                       "a factor path holds letters, digits, '_', '-' and '.' only");
            continue;
        }
        const auto it = std::find_if(uncertain.begin(), uncertain.end(),
                                     [&](const UncertainQuantity& q) { return q.path == fs.path; });
        if (fs.source == FactorSpec::Source::scenario) {
            if (it == uncertain.end() || !it->distribution || !it->uncertain) {
                std::vector<std::string> paths;
                for (const auto& q : uncertain) {
                    if (q.uncertain && q.distribution) {
                        paths.push_back(q.path);
                    }
                }
                const std::string guess = closest_match(fs.path, paths);
                sink.error(fs.values_where, fs.path,
                           it == uncertain.end()
                               ? "no uncertain quantity '" + fs.path + "' in the scenario" +
                                     (guess.empty() ? " (see `simulate parameters`)"
                                                    : " (did you mean '" + guess + "'?)")
                               : "'" + fs.path +
                                     "' has no distribution of its own with fixed arguments; "
                                     "give range: or levels:");
                continue;
            }
            f.distribution = it->distribution;
            f.spec.is_date = it->is_date;
            f.low = f.value_at(0.0);
            f.high = f.value_at(1.0);
            f.base = fs.base ? *fs.base : f.value_at(0.5);
            if (f.spec.is_date) {
                f.base = std::round(f.base);
            }
        } else {
            f.low = fs.low;
            f.high = fs.high;
            if (fs.base) {
                f.base = *fs.base;
            } else if (fs.source == FactorSpec::Source::range) {
                f.base =
                    fs.is_date ? std::round(0.5 * (fs.low + fs.high)) : 0.5 * (fs.low + fs.high);
            } else {
                auto sorted = fs.levels;
                std::sort(sorted.begin(), sorted.end());
                f.base = sorted[(sorted.size() - 1) / 2];
            }
        }
        check_value(spec, f, f.low, "low end", *plan.inputs, sink);
        check_value(spec, f, f.high, "high end", *plan.inputs, sink);
        if (f.base != f.low && f.base != f.high) {
            check_value(spec, f, f.base, "base", *plan.inputs, sink);
        }
        plan.factors.push_back(std::move(f));
    }
    resolve_outputs(spec, plan.base, plan, sink);
    sink.throw_if_any();
    build_design(plan, sink, max_points);
    sink.throw_if_any();
    return plan;
}

std::vector<std::vector<double>> run_point(const SweepPlan& plan, std::size_t p, int threads,
                                           int first, int count) {
    const Scenario scenario =
        load_scenario(plan.spec.scenario_path, plan.overrides(p), *plan.inputs, ResolvedYaml::skip);
    RunConfig config;
    config.trials = count >= 0 ? count : plan.trials;
    config.first_trial = static_cast<std::uint64_t>(first);
    config.seed = plan.seed;
    config.sweep_point = 0;  // common random numbers: the same streams at every point
    config.threads = threads;
    config.only_series = std::vector<std::size_t>{};
    std::vector<std::vector<double>> values(plan.outputs.size());
    for (auto& v : values) {
        v.reserve(static_cast<std::size_t>(config.trials));
    }
    config.observer = [&](std::uint64_t, const TrialResult& trial) {
        for (std::size_t o = 0; o < plan.outputs.size(); ++o) {
            values[o].push_back(plan.outputs[o].value(trial));
        }
    };
    const RunResult result = run_scenario(scenario, config);
    // A factor never adds or removes series, so the layout is the base's; check it.
    for (const auto& o : plan.outputs) {
        if (!o.spec.is_buyer &&
            !(result.layout.series.at(static_cast<std::size_t>(o.series)) ==
              SeriesKey{o.spec.metric, o.spec.product, o.spec.from, o.spec.to})) {
            throw std::runtime_error("sweep point " + std::to_string(p) +
                                     " reports a different set of series than the base scenario");
        }
    }
    return values;
}

}  // namespace chokepoint
