#include "chokepoint/compare/compare.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>
#include <unordered_map>

#include "../io/json.hpp"
#include "chokepoint/core/diagnostics.hpp"
#include "chokepoint/io/files.hpp"

namespace chokepoint {

bool figures_disagree(const ReportedRow& scored, const ReportedRow& other) {
    return std::abs(other.amount - scored.amount) > 0.005 * std::abs(scored.amount);
}

namespace {

// Rows by the label of the quantity they report, for the naive forecasts (an index: a file of
// thousands of rows is not searched once per figure).
//
// Out of sample, a naive forecast knows only what was published by the origin (the origin's
// last day): China's customs publish a month's figures by product and destination around the
// 20th of the next month (the headline groups around the 7th-10th), so at the end of month M
// the latest month known is M - 1, and a figure for a period ending in M is not.
constexpr int PUBLICATION_LAG_MONTHS = 1;

struct RowIndex {
    const std::vector<ReportedRow>* rows = nullptr;
    std::unordered_map<std::string, std::vector<std::size_t>> by_label;

    RowIndex(const std::vector<ReportedRow>& all, const std::vector<std::string>& labels)
        : rows(&all) {
        for (std::size_t i = 0; i < all.size(); ++i) {
            if (!labels[i].empty()) {
                by_label[labels[i]].push_back(i);
            }
        }
    }

    // The last figure of the same quantity and period length that ended before `row`'s period
    // (and, out of sample, was published by the origin: nothing published after it is known).
    std::optional<double> persistence(const std::string& label, const ReportedRow& row,
                                      std::optional<MonthIndex> origin) const {
        const auto it = by_label.find(label);
        if (it == by_label.end()) {
            return std::nullopt;
        }
        const int length = row.last - row.first;
        const ReportedRow* best = nullptr;
        for (std::size_t i : it->second) {
            const ReportedRow& r = (*rows)[i];
            if (r.last - r.first == length && r.last < row.first &&
                (!origin || r.last + PUBLICATION_LAG_MONTHS <= *origin) &&
                (best == nullptr || r.last > best->last)) {
                best = &r;
            }
        }
        return best ? std::optional<double>(best->amount) : std::nullopt;
    }

    // The same quantity and period a year earlier.
    std::optional<double> seasonal(const std::string& label, const ReportedRow& row,
                                   std::optional<MonthIndex> origin) const {
        const auto it = by_label.find(label);
        if (it == by_label.end()) {
            return std::nullopt;
        }
        for (std::size_t i : it->second) {
            const ReportedRow& r = (*rows)[i];
            if (r.first == row.first - 12 && r.last == row.last - 12 &&
                (!origin || r.last + PUBLICATION_LAG_MONTHS <= *origin)) {
                return r.amount;
            }
        }
        return std::nullopt;
    }
};

std::string pct(double x) {
    std::ostringstream s;
    s.precision(1);
    s << std::fixed << x << "%";
    return s.str();
}

}  // namespace

void add_figure(GroupScores& g, const ComparedFigure& f) {
    g.model.add(f.p50, f.reported, f.inside50, f.inside90, f.crps);
    if (f.reported == 0.0) {
        return;
    }
    if (f.persistence) {
        ++g.persistence_count;
        g.persistence_mape += absolute_percentage_error(*f.persistence, f.reported);
        g.persistence_mae += std::abs(*f.persistence - f.reported);
        g.model_mape_p += absolute_percentage_error(f.p50, f.reported);
        g.model_crps_p += f.crps;
    }
    if (f.seasonal_naive) {
        ++g.seasonal_count;
        g.seasonal_mape += absolute_percentage_error(*f.seasonal_naive, f.reported);
        g.seasonal_mae += std::abs(*f.seasonal_naive - f.reported);
        g.model_mape_s += absolute_percentage_error(f.p50, f.reported);
        g.model_crps_s += f.crps;
    }
}

std::vector<std::string> verdicts(const GroupScores& g) {
    std::vector<std::string> out;
    auto say = [&](const char* name, const char* missing, int n, double naive_mape,
                   double model_mape, double naive_mae, double model_crps) {
        if (n == 0) {
            out.push_back(std::string("No forecast by ") + name + " for these figures (" + missing +
                          ")");
            return;
        }
        naive_mape = 100.0 * naive_mape / n;
        model_mape = 100.0 * model_mape / n;
        const double skill = naive_mae > 0 ? 1.0 - model_crps / naive_mae : 0.0;
        std::ostringstream s;
        if (n < VERDICT_MIN_FIGURES) {
            s << "Too few figures to judge against " << name << " (" << n << "; "
              << VERDICT_MIN_FIGURES << " needed): MAPE " << pct(model_mape) << " against "
              << pct(naive_mape);
            out.push_back(s.str());
            return;
        }
        s.precision(2);
        if (std::abs(skill) < VERDICT_TIE_SKILL) {
            s << "The model is no better than " << name;
        } else if (skill > 0) {
            s << "The model beats " << name;
        } else {
            s << "The model LOSES to " << name;
        }
        s << " on the " << n << " figures that have one: CRPS skill " << std::fixed << skill
          << " (|skill| under " << VERDICT_TIE_SKILL << " is a tie); MAPE " << pct(model_mape)
          << " against " << pct(naive_mape);
        out.push_back(s.str());
    };
    say("persistence", "no earlier figure of the same series and period length",
        g.persistence_count, g.persistence_mape, g.model_mape_p, g.persistence_mae, g.model_crps_p);
    say("the seasonal naive forecast", "no figure for the same period a year earlier",
        g.seasonal_count, g.seasonal_mape, g.model_mape_s, g.seasonal_mae, g.model_crps_s);
    return out;
}

namespace {

// Why no row could be compared, as diagnostics: first at the scenario, how many rows fall outside
// the period asked for and how many figures start by the origin; then each row inside the period
// that is not compared, at its file and line with its reason (the first 20).
[[noreturn]] void nothing_compared(const Scenario& scenario, const std::vector<ReportedRow>& rows,
                                   const ReportedMapping& mapping, const CompareConfig& config,
                                   std::size_t before_origin) {
    constexpr std::size_t SHOWN = 20;
    const MonthIndex from = config.from.value_or(std::numeric_limits<MonthIndex>::min());
    const MonthIndex to = config.to.value_or(std::numeric_limits<MonthIndex>::max());
    auto inside = [&](const ReportedRow& r) { return r.first >= from && r.last <= to; };
    std::size_t outside = 0;
    for (const auto& r : rows) {
        outside += inside(r) ? 0 : 1;
    }
    std::vector<const Unmapped*> listed;
    for (const auto& u : mapping.unmapped) {
        if (inside(rows[u.row])) {
            listed.push_back(&u);
        }
    }
    const std::string period =
        config.from || config.to ? (config.from ? format_month(from) : std::string("start")) +
                                       " to " + (config.to ? format_month(to) : std::string("end"))
                                 : std::string("every month");
    std::string message =
        "no reported figure can be compared with this scenario in the period "
        "asked for (" +
        period + (config.origin ? ", after " + format_month(*config.origin) : "") +
        "): " + std::to_string(outside) + " of " + std::to_string(rows.size()) +
        " rows fall outside that period";
    if (before_origin > 0) {
        message += "; " + std::to_string(before_origin) +
                   " figures are for periods starting on or before the origin month (out of "
                   "sample only later periods are scored)";
    }
    if (!listed.empty()) {
        message += "; " + std::to_string(listed.size()) +
                   (listed.size() == 1 ? " row inside it cannot be compared"
                                       : " rows inside it cannot be compared") +
                   (listed.size() > SHOWN ? " (the first " + std::to_string(SHOWN) + " below)"
                                          : " (below)");
    }
    DiagnosticSink sink;
    sink.error(SourceLocation{scenario.path, 0, 0}, "", message);
    for (std::size_t i = 0; i < listed.size() && i < SHOWN; ++i) {
        const ReportedRow& row = rows[listed[i]->row];
        sink.error(SourceLocation{row.file, row.line, 0}, row.series,
                   "not compared: " + listed[i]->reason);
    }
    sink.throw_if_any();
    throw InputError(SourceLocation{scenario.path, 0, 0}, "", message);  // not reached
}

// The reported rows this scenario can be compared with in the period asked for (with an origin,
// only periods that start after it). Throws InputError, at the scenario, when there is none.
ReportedMapping compared_targets(const Scenario& scenario, const std::vector<ReportedRow>& rows,
                                 const OutputLayout& layout, const CompareConfig& config) {
    // Without --from/--to every row is considered, and rows outside the scenario are listed.
    const MonthIndex from = config.from.value_or(std::numeric_limits<MonthIndex>::min());
    const MonthIndex to = config.to.value_or(std::numeric_limits<MonthIndex>::max());
    ReportedMapping mapping = map_reported(rows, layout, scenario.material, from, to);
    std::size_t before_origin = 0;
    if (config.origin) {
        // Out of sample: only periods that start after the origin are scored.
        before_origin = std::erase_if(mapping.targets, [&](const ReportedTarget& t) {
            return rows[t.row].first <= *config.origin;
        });
    }
    if (mapping.targets.empty()) {
        nothing_compared(scenario, rows, mapping, config, before_origin);
    }
    return mapping;
}

// What the trials give for the compared figures: each figure's value in every trial, and each
// label's monthly band (the labels in the order their first figure comes).
struct FigureDraws {
    std::vector<std::vector<double>> samples;  ///< per target, one value a trial
    std::vector<std::string> labels;
    std::vector<const ReportedTarget*> label_target;  ///< a target of each label: its series
    std::vector<std::vector<Accumulator>> monthly;    ///< per label, per month
};

// Runs the trials with an observer that keeps only the compared figures and bands (summarising
// every series would be wasted).
RunResult run_for_figures(const Scenario& scenario, const RunConfig& config,
                          const ReportedMapping& mapping, const OutputLayout& layout,
                          FigureDraws& draws) {
    draws.samples.assign(mapping.targets.size(), {});
    for (const auto& t : mapping.targets) {
        if (std::find(draws.labels.begin(), draws.labels.end(), t.label) == draws.labels.end()) {
            draws.labels.push_back(t.label);
            draws.label_target.push_back(&t);
        }
    }
    draws.monthly.assign(draws.labels.size(),
                         std::vector<Accumulator>(static_cast<std::size_t>(layout.months)));
    RunConfig run = config;
    run.only_series = std::vector<std::size_t>{};
    const auto months = static_cast<std::size_t>(layout.months);
    run.observer = [&](std::uint64_t, const TrialResult& r) {
        for (std::size_t k = 0; k < mapping.targets.size(); ++k) {
            const ReportedTarget& t = mapping.targets[k];
            double sum = 0.0;
            for (int s : t.series) {
                for (int m = t.first; m <= t.last; ++m) {
                    sum += r.monthly[static_cast<std::size_t>(s) * months +
                                     static_cast<std::size_t>(m)];
                }
            }
            draws.samples[k].push_back(sum);
        }
        for (std::size_t l = 0; l < draws.labels.size(); ++l) {
            for (std::size_t m = 0; m < months; ++m) {
                double sum = 0.0;
                for (int s : draws.label_target[l]->series) {
                    sum += r.monthly[static_cast<std::size_t>(s) * months + m];
                }
                draws.monthly[l][m].add(sum);
            }
        }
    };
    return run_scenario(scenario, run);
}

// One reported figure against its trials' values `x`: the band, whether the figure is inside,
// the error of the P50, CRPS, PIT, the naive forecasts, and whether its sources disagree.
ComparedFigure score_figure(const ReportedTarget& t, const std::vector<ReportedRow>& rows,
                            const std::vector<double>& x, const RowIndex& index,
                            const std::optional<MonthIndex>& origin) {
    const ReportedRow& row = rows[t.row];
    ComparedFigure f;
    f.row = t.row;
    f.label = t.label;
    f.series = t.series;
    f.reported = row.amount;
    double mean = 0.0;
    for (double v : x) {
        mean += v;
    }
    f.mean = x.empty() ? 0.0 : mean / static_cast<double>(x.size());
    f.p05 = sample_quantile(x, 0.05);
    f.p25 = sample_quantile(x, 0.25);
    f.p50 = sample_quantile(x, 0.50);
    f.p75 = sample_quantile(x, 0.75);
    f.p95 = sample_quantile(x, 0.95);
    // A rounding tolerance, so a figure equal to a degenerate band counts as inside it.
    const double eps = 1e-6 * std::max(1.0, std::abs(f.reported));
    f.inside50 = f.reported >= f.p25 - eps && f.reported <= f.p75 + eps;
    f.inside90 = f.reported >= f.p05 - eps && f.reported <= f.p95 + eps;
    f.error_pct = f.reported != 0.0 ? 100.0 * (f.p50 - f.reported) / f.reported : 0.0;
    f.crps = crps_sample(x, f.reported);
    if (!x.empty()) {
        double below = 0.0;
        for (double v : x) {
            below += v < f.reported ? 1.0 : v == f.reported ? 0.5 : 0.0;
        }
        f.pit = below / static_cast<double>(x.size());
    }
    f.persistence = index.persistence(t.label, row, origin);
    f.seasonal_naive = index.seasonal(t.label, row, origin);
    f.duplicates = t.duplicates;
    for (std::size_t d : t.duplicates) {
        const ReportedRow& other = rows[d];
        if (figures_disagree(row, other)) {
            f.conflict = true;
        }
    }
    return f;
}

}  // namespace

Comparison compare_with_reported(const Scenario& scenario, std::vector<ReportedRow> rows,
                                 const CompareConfig& config) {
    Comparison c;
    c.rows = std::move(rows);
    const OutputLayout layout = OutputLayout::build(scenario);
    const ReportedMapping mapping = compared_targets(scenario, c.rows, layout, config);
    c.unmapped = mapping.unmapped;
    FigureDraws draws;
    c.run = run_for_figures(scenario, config.run, mapping, layout, draws);
    for (std::size_t l = 0; l < draws.labels.size(); ++l) {
        MonthlyBand band;
        band.label = draws.labels[l];
        for (const auto& a : draws.monthly[l]) {
            band.months.push_back(a.summary());
        }
        c.bands.push_back(std::move(band));
        GroupScores g;
        g.label = draws.labels[l];
        c.groups.push_back(g);
    }
    c.overall.label = "overall";
    const RowIndex index(c.rows, mapping.row_label);
    for (std::size_t k = 0; k < mapping.targets.size(); ++k) {
        ComparedFigure f =
            score_figure(mapping.targets[k], c.rows, draws.samples[k], index, config.origin);
        auto& g = *std::find_if(c.groups.begin(), c.groups.end(),
                                [&](const GroupScores& x2) { return x2.label == f.label; });
        for (GroupScores* target : {&g, &c.overall}) {
            add_figure(*target, f);
        }
        c.figures.push_back(std::move(f));
    }
    return c;
}

std::string format_comparison_csv(const Comparison& c, const Scenario&) {
    std::ostringstream out;
    // summary.csv's keys first (metric, product, from, to, period), so the two files join.
    out << "metric,product,from,to,period,period_start,period_end,unit,label,reported_series,"
           "reported_from,reported_to,series_count,reported,simulated_mean,p05,p25,p50,p75,p95,"
           "inside_50,inside_90,error_pct,crps,persistence,seasonal_naive,conflict,source,file,"
           "line,other_sources,trials,partial,status\n";
    const auto q = csv_field;
    const auto x = format_exact;
    const OutputLayout& layout = c.run.layout;
    for (const auto& f : c.figures) {
        const ReportedRow& r = c.rows[f.row];
        // The series' keys; a sum over several partners names them joined by '+'.
        std::string metric, product, from, to;
        for (int s : f.series) {
            const SeriesKey& k = layout.series[static_cast<std::size_t>(s)];
            auto add = [](std::string& into, const std::string& v) {
                if (into.empty()) {
                    into = v;
                } else if (into != v && into.find("+" + v) == std::string::npos &&
                           into.rfind(v + "+", 0) != 0) {
                    into += "+" + v;
                }
            };
            add(metric, k.metric);
            add(product, k.product);
            add(from, k.from);
            add(to, k.to);
        }
        // The same figure from other publishers or files: "source (value t, file:line); ...".
        std::string others;
        for (std::size_t d : f.duplicates) {
            const ReportedRow& o = c.rows[d];
            others += (others.empty() ? "" : "; ") + o.source + " (" + x(o.amount) + " " +
                      layout.unit + ", " + o.file + ":" + std::to_string(o.line) + ")";
        }
        out << q(metric) << ',' << q(product) << ',' << q(from) << ',' << q(to) << ','
            << (r.first == r.last ? format_month(r.first) : "") << ',' << format_month(r.first)
            << ',' << format_month(r.last) << ',' << layout.unit << ',' << q(f.label) << ','
            << q(r.series) << ',' << q(r.from) << ',' << q(r.to) << ',' << f.series.size() << ','
            << x(f.reported) << ',' << x(f.mean) << ',' << x(f.p05) << ',' << x(f.p25) << ','
            << x(f.p50) << ',' << x(f.p75) << ',' << x(f.p95) << ','
            << (f.inside50 ? "true" : "false") << ',' << (f.inside90 ? "true" : "false") << ','
            << x(f.error_pct) << ',' << x(f.crps) << ',' << (f.persistence ? x(*f.persistence) : "")
            << ',' << (f.seasonal_naive ? x(*f.seasonal_naive) : "") << ','
            << (f.conflict ? "true" : "false") << ',' << q(r.source) << ',' << q(r.file) << ','
            << r.line << ',' << q(others) << ',' << c.run.trials_completed << ','
            << (c.run.partial ? "true" : "false") << ',' << q(r.status) << '\n';
    }
    return out.str();
}

namespace {
nlohmann::ordered_json group_json(const GroupScores& g) {
    nlohmann::ordered_json j;
    j["label"] = g.label;
    j["figures"] = g.model.count;
    j["mape_pct"] = g.model.mape();
    j["bias_pct"] = g.model.bias();
    j["coverage_50"] = g.model.coverage50();
    j["coverage_90"] = g.model.coverage90();
    j["crps"] = g.model.crps();
    // The same keys whatever the counts (null where there is nothing to score), so the file has
    // one shape (docs/schemas/scores.schema.json).
    auto naive = [](int n, double naive_mape, double model_mape, double naive_mae,
                    double model_crps) {
        nlohmann::ordered_json k;
        k["figures"] = n;
        const double skill = naive_mae > 0 ? 1.0 - model_crps / naive_mae : 0.0;
        auto value = [&](double v) { return n > 0 ? nlohmann::ordered_json(v) : nullptr; };
        k["naive_mape_pct"] = value(100.0 * naive_mape / std::max(n, 1));
        k["model_mape_pct"] = value(100.0 * model_mape / std::max(n, 1));
        k["naive_mae"] = value(naive_mae / std::max(n, 1));
        k["model_crps"] = value(model_crps / std::max(n, 1));
        k["crps_skill"] = value(skill);
        k["verdict"] = n < VERDICT_MIN_FIGURES               ? "too few to judge"
                       : std::abs(skill) < VERDICT_TIE_SKILL ? "no better than"
                       : skill > 0                           ? "beats"
                                                             : "loses to";
        return k;
    };
    j["persistence"] = naive(g.persistence_count, g.persistence_mape, g.model_mape_p,
                             g.persistence_mae, g.model_crps_p);
    j["seasonal_naive"] =
        naive(g.seasonal_count, g.seasonal_mape, g.model_mape_s, g.seasonal_mae, g.model_crps_s);
    j["verdicts"] = verdicts(g);
    return j;
}
}  // namespace

std::string format_scores_json(const Comparison& c, const Scenario& scenario,
                               const CompareConfig& config) {
    nlohmann::ordered_json j;
    j["schema"] = "chokepoint/scores/2";
    j["scenario"] = scenario.name;
    j["unit"] = scenario.material.unit;
    j["trials"] = c.run.trials_completed;
    j["partial"] = c.run.partial;
    j["seed"] = config.run.seed;
    j["origin"] = config.origin ? nlohmann::ordered_json(format_month(*config.origin)) : nullptr;
    j["overall"] = group_json(c.overall);
    j["series"] = nlohmann::ordered_json::array();
    for (const auto& g : c.groups) {
        j["series"].push_back(group_json(g));
    }
    j["unmapped"] = nlohmann::ordered_json::array();
    for (const auto& u : c.unmapped) {
        const ReportedRow& r = c.rows[u.row];
        j["unmapped"].push_back({{"file", r.file},
                                 {"line", r.line},
                                 {"series", r.series},
                                 {"period", format_month(r.first) + ".." + format_month(r.last)},
                                 {"reason", u.reason}});
    }
    return json_text(j);
}

}  // namespace chokepoint
