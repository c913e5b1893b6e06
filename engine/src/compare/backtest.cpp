#include "chokepoint/compare/backtest.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "chokepoint/core/diagnostics.hpp"
#include "chokepoint/io/files.hpp"
#include "chokepoint/random/rng.hpp"
#include "chokepoint/stats/scores.hpp"

namespace chokepoint {

Scenario known_by(const Scenario& scenario, Day day, int* dropped, std::vector<std::string>* open,
                  std::vector<std::string>* sized_later) {
    Scenario s = scenario;
    int n = 0;
    if (open != nullptr) {
        open->clear();
    }
    if (sized_later != nullptr) {
        sized_later->clear();
    }
    for (auto& ev : s.events) {
        if (ev.announced > day) {
            ev.probability = Quantity::constant_value(0.0);
            ++n;
            continue;
        }
        if (ev.has_sized_on && ev.sized_on > day && sized_later != nullptr) {
            sized_later->push_back(ev.id);
        }
        if (ev.has_end_announced && ev.end_announced > day) {
            // Known, but not yet when it ends: in force until further notice. The end is still
            // drawn (not applied), so the event's other draws are those of every other origin.
            ev.end_unknown = true;
            ev.in_force_on = day;
            if (open != nullptr) {
                open->push_back(ev.id);
            }
        }
        if (ev.has_hazard) {
            // A risk known by the origin counts from the day after it: the file's start is the
            // day after the last the file knows, and the backtest knows up to its origin (the
            // wait is memoryless, so nothing else changes).
            ev.start = Quantity::constant_value(static_cast<double>(day + 1));
        }
    }
    if (dropped != nullptr) {
        *dropped = n;
    }
    return s;
}

Interval block_bootstrap_ratio(const std::vector<double>& numerator,
                               const std::vector<double>& denominator, int block, int replicates,
                               std::uint64_t seed) {
    const std::size_t n = denominator.size();
    const std::size_t length = static_cast<std::size_t>(std::max(1, block));
    if (n < 2 * length) {
        return {};  // fewer than two blocks: every replicate would be the sample itself
    }
    std::vector<double> ratios;
    Rng rng(mix64(seed ^ 0x424c4f43ULL));
    for (int r = 0; r < replicates && n > 0; ++r) {
        double num = 0.0;
        double den = 0.0;
        for (std::size_t taken = 0; taken < n;) {
            const auto start =
                std::min(n - 1, static_cast<std::size_t>(rng.uniform() * static_cast<double>(n)));
            for (std::size_t k = 0; k < length && taken < n; ++k, ++taken) {
                num += numerator[(start + k) % n];
                den += denominator[(start + k) % n];
            }
        }
        if (den > 0.0) {
            ratios.push_back(num / den);
        }
    }
    Interval out;
    if (!ratios.empty()) {
        out.low = sample_quantile(ratios, 0.05);
        out.high = sample_quantile(std::move(ratios), 0.95);
    }
    return out;
}

int bootstrap_block(std::size_t origins) {
    return std::max(1, static_cast<int>(std::lround(std::cbrt(static_cast<double>(origins)))));
}

namespace {

// The intervals of scores pooled over origins, from each origin's scores of the same figures:
// coverage is inside over figures; skill is 1 - the model's CRPS over the naive absolute error,
// so its interval is that ratio's, turned round.
ScoreIntervals score_intervals(const std::vector<GroupScores>& per_origin, int block,
                               std::uint64_t seed) {
    constexpr int REPLICATES = 2000;
    std::vector<double> inside, figures, crps_p, naive_p, crps_s, naive_s;
    for (const GroupScores& g : per_origin) {
        inside.push_back(g.model.inside90);
        figures.push_back(g.model.count);
        crps_p.push_back(g.model_crps_p);
        naive_p.push_back(g.persistence_mae);
        crps_s.push_back(g.model_crps_s);
        naive_s.push_back(g.seasonal_mae);
    }
    const auto skill = [&](const std::vector<double>& crps, const std::vector<double>& naive) {
        const Interval ratio = block_bootstrap_ratio(crps, naive, block, REPLICATES, seed);
        return Interval{1.0 - ratio.high, 1.0 - ratio.low};
    };
    return {block_bootstrap_ratio(inside, figures, block, REPLICATES, seed), skill(crps_p, naive_p),
            skill(crps_s, naive_s)};
}

// The intervals per lead and over all leads, the origins resampled in blocks of bootstrap_block:
// from each origin's scores at the lead (its LeadScores), and of all its figures.
void add_score_intervals(Backtest& b, const BacktestConfig& config) {
    const std::uint64_t seed = config.compare.run.seed;
    const std::size_t n = b.origins.size();
    const int block = bootstrap_block(n);
    std::vector<std::vector<GroupScores>> at_lead(b.by_lead.size(), std::vector<GroupScores>(n));
    std::vector<GroupScores> all(n);
    for (std::size_t o = 0; o < n; ++o) {
        for (const LeadScores& ls : b.origins[o].leads) {
            at_lead[static_cast<std::size_t>(ls.lead - 1)][o] = ls.scores;
        }
        for (const ComparedFigure& f : b.origins[o].figures) {
            add_figure(all[o], f);
        }
    }
    for (LeadScores& ls : b.by_lead) {
        ls.intervals = score_intervals(at_lead[static_cast<std::size_t>(ls.lead - 1)], block,
                                       seed + static_cast<std::uint64_t>(ls.lead));
    }
    b.overall_intervals = score_intervals(all, block, seed);
}

}  // namespace

Backtest run_backtest(const Scenario& scenario, const std::vector<ReportedRow>& rows,
                      const BacktestConfig& config) {
    Backtest b;
    b.unit = scenario.material.unit;
    b.by_lead.resize(static_cast<std::size_t>(config.max_lead));
    for (int l = 1; l <= config.max_lead; ++l) {
        b.by_lead[static_cast<std::size_t>(l - 1)].lead = l;
        b.by_lead[static_cast<std::size_t>(l - 1)].scores.label = "lead " + std::to_string(l);
    }
    b.overall.label = "all leads";
    bool any = false;
    for (MonthIndex origin : config.origins) {
        BacktestOrigin o;
        o.origin = origin;
        const Day last_day = first_day_of(origin + 1) - 1;
        const Scenario s =
            known_by(scenario, last_day, &o.events_dropped, &o.open_events, &o.sized_later);
        o.events_known = static_cast<int>(s.events.size()) - o.events_dropped;
        CompareConfig cc = config.compare;
        cc.origin = origin;
        cc.to = origin + config.max_lead;
        try {
            Comparison c = compare_with_reported(s, rows, cc);
            std::vector<LeadScores> leads(static_cast<std::size_t>(config.max_lead));
            for (auto& f : c.figures) {
                const ReportedRow& r = c.rows[f.row];
                const int lead = r.last - origin;
                if (lead < 1 || lead > config.max_lead) {
                    continue;
                }
                LeadScores& ls = leads[static_cast<std::size_t>(lead - 1)];
                ls.lead = lead;
                ls.scores.label = "lead " + std::to_string(lead);
                add_figure(ls.scores, f);
                add_figure(b.by_lead[static_cast<std::size_t>(lead - 1)].scores, f);
                add_figure(b.overall, f);
                b.pit.push_back(f.pit);
                o.figures.push_back(f);
                o.figure_lead.push_back(lead);
            }
            for (auto& ls : leads) {
                if (ls.scores.model.count > 0) {
                    o.leads.push_back(std::move(ls));
                }
            }
            o.rows = std::move(c.rows);
            any = any || !o.figures.empty();
        } catch (const InputError&) {
            // No figure after this origin within the leads: the origin stays, empty.
        }
        b.origins.push_back(std::move(o));
        if (config.on_origin) {
            config.on_origin(static_cast<int>(b.origins.size()),
                             static_cast<int>(config.origins.size()));
        }
    }
    if (!any) {
        throw InputError(SourceLocation{scenario.path, 0, 0}, "",
                         "no reported figure falls 1 to " + std::to_string(config.max_lead) +
                             " months after any origin");
    }
    add_score_intervals(b, config);
    return b;
}

namespace {
void csv_row(std::ostringstream& out, const std::string& origin, const LeadScores& ls,
             const std::string& unit) {
    const GroupScores& g = ls.scores;
    const ScoreIntervals& in = ls.intervals;
    const auto x = format_exact;
    const auto maybe = [&](double v) { return std::isfinite(v) ? x(v) : std::string(); };
    const ScoreSet& m = g.model;
    out << origin << ',' << ls.lead << ',' << m.count << ',' << x(m.mape()) << ',' << x(m.bias())
        << ',' << x(m.coverage50()) << ',' << x(m.coverage90()) << ',' << x(m.crps()) << ',' << unit
        << ',' << g.persistence_count << ','
        << (g.persistence_skill() ? x(*g.persistence_skill()) : "") << ',' << g.seasonal_count
        << ',' << (g.seasonal_skill() ? x(*g.seasonal_skill()) : "");
    for (const Interval& i : {in.coverage90, in.skill_persistence, in.skill_seasonal}) {
        out << ',' << maybe(i.low) << ',' << maybe(i.high);
    }
    out << '\n';
}
}  // namespace

std::string format_backtest_csv(const Backtest& b) {
    std::ostringstream out;
    out << "origin,lead,figures,mape_pct,bias_pct,coverage_50,coverage_90,crps,unit,"
           "persistence_figures,crps_skill_persistence,seasonal_figures,crps_skill_seasonal,"
           "coverage_90_low,coverage_90_high,crps_skill_persistence_low,"
           "crps_skill_persistence_high,crps_skill_seasonal_low,crps_skill_seasonal_high\n";
    for (const auto& o : b.origins) {
        for (const auto& ls : o.leads) {
            csv_row(out, format_month(o.origin), ls, b.unit);
        }
    }
    for (const auto& ls : b.by_lead) {
        if (ls.scores.model.count > 0) {
            csv_row(out, "all", ls, b.unit);
        }
    }
    return out.str();
}

std::string format_backtest_figures_csv(const Backtest& b) {
    std::ostringstream out;
    out << "origin,lead,label,period_start,period_end,reported,p05,p50,p95,inside_90,crps,unit,"
           "pit,source,file,line\n";
    const auto x = format_exact;
    for (const auto& o : b.origins) {
        for (std::size_t i = 0; i < o.figures.size(); ++i) {
            const ComparedFigure& f = o.figures[i];
            const ReportedRow& r = o.rows[f.row];
            out << format_month(o.origin) << ',' << o.figure_lead[i] << ',' << csv_field(f.label)
                << ',' << format_month(r.first) << ',' << format_month(r.last) << ','
                << x(f.reported) << ',' << x(f.p05) << ',' << x(f.p50) << ',' << x(f.p95) << ','
                << (f.inside90 ? "true" : "false") << ',' << x(f.crps) << ',' << b.unit << ','
                << x(f.pit) << ',' << csv_field(r.source) << ',' << csv_field(r.file) << ','
                << r.line << '\n';
        }
    }
    return out.str();
}

}  // namespace chokepoint
