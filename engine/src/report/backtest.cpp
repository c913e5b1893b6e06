// What a backtest shows: its tables on a screen (print_backtest) and its files (backtest.csv,
// figures.csv, the charts and the page) into a staged result directory.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "chokepoint/compare/compare.hpp"
#include "chokepoint/core/calendar.hpp"
#include "chokepoint/core/text.hpp"
#include "chokepoint/io/files.hpp"
#include "chokepoint/io/gnuplot.hpp"
#include "chokepoint/report/backtest_report.hpp"
#include "chokepoint/report/run_report.hpp"

namespace chokepoint {

namespace {

// A table cell, printf-style.
template <class... Args>
std::string fmt(const char* format, Args... v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, format, v...);
    return std::string(buf);
}

// One row of the backtest's table (figures, MAPE, bias, coverage of the 50% and 90% bands, CRPS,
// skill against persistence and seasonal naive with their figure counts), for the terminal and
// the page.
std::vector<std::string> score_cells(const GroupScores& g) {
    auto sk = [&](std::optional<double> skill, int n) {
        return skill ? fmt("%+.2f (%d)", *skill, n) : std::string("-");
    };
    return {fmt("%d", g.model.count),
            fmt("%.1f%%", g.model.mape()),
            fmt("%+.1f%%", g.model.bias()),
            fmt("%.0f%%", 100 * g.model.coverage50()),
            fmt("%.0f%%", 100 * g.model.coverage90()),
            fmt("%.0f", g.model.crps()),
            sk(g.persistence_skill(), g.persistence_count),
            sk(g.seasonal_skill(), g.seasonal_count)};
}

// What the table of intervals is, for the screen and the page (where line breaks are spaces).
std::string intervals_note(std::size_t origins) {
    const int block = bootstrap_block(origins);
    return "How far these could move on other origins like these: 5th to 95th percentile when "
           "the " +
           std::to_string(origins) + " origins\nare resampled in blocks of " +
           std::to_string(block) +
           " consecutive ones (consecutive origins know nearly the same and face the\nsame "
           "events, so their misses come in runs). With few origins a rough guide, if anything "
           "too\nnarrow; none with fewer than " +
           std::to_string(2 * block) + " origins.";
}

// One row of the table of intervals: the 90% band's coverage and the CRPS skill against each
// naive forecast ("-" where there is nothing to resample).
std::vector<std::string> interval_cells(const ScoreIntervals& in) {
    auto skill = [&](const Interval& i) {
        return std::isfinite(i.low) ? fmt("%+.2f to %+.2f", i.low, i.high) : std::string("-");
    };
    return {std::isfinite(in.coverage90.low)
                ? fmt("%.0f-%.0f%%", 100 * in.coverage90.low, 100 * in.coverage90.high)
                : std::string("-"),
            skill(in.skill_persistence), skill(in.skill_seasonal)};
}

// What a backtest did with an event whose end was announced after the origin.
std::string open_event_note(const Scenario& scenario, const std::string& id) {
    for (const auto& ev : scenario.events) {
        if (ev.id == id && ev.has_expected_duration) {
            return "expected duration drawn";
        }
    }
    return "in force to the horizon";
}

// The data of the charts by lead: coverage of both bands and CRPS skill against both naive
// forecasts, per lead with figures.
std::string leads_datablock(const Backtest& b) {
    std::ostringstream leads;
    leads << "# lead coverage_50 coverage_90 crps_skill_persistence crps_skill_seasonal figures, "
             "then the 5% and 95% ends of coverage_90, crps_skill_persistence and "
             "crps_skill_seasonal over resampled origins\n";
    for (const auto& ls : b.by_lead) {
        const GroupScores& g = ls.scores;
        if (g.model.count == 0) {
            continue;
        }
        auto sk = [](std::optional<double> skill) {
            return skill ? format_exact(*skill) : std::string("NaN");
        };
        leads << ls.lead << ' ' << format_exact(100 * g.model.coverage50()) << ' '
              << format_exact(100 * g.model.coverage90()) << ' ' << sk(g.persistence_skill()) << ' '
              << sk(g.seasonal_skill()) << ' ' << g.model.count;
        const ScoreIntervals& in = ls.intervals;
        const auto end = [](double v, double scale) {
            return std::isfinite(v) ? format_exact(scale * v) : std::string("NaN");
        };
        leads << ' ' << end(in.coverage90.low, 100) << ' ' << end(in.coverage90.high, 100) << ' '
              << end(in.skill_persistence.low, 1) << ' ' << end(in.skill_persistence.high, 1) << ' '
              << end(in.skill_seasonal.low, 1) << ' ' << end(in.skill_seasonal.high, 1) << '\n';
    }
    return gnuplot_datablock("leads", leads.str());
}

// The PIT histogram's data: the figures in each tenth of the trials' distribution.
std::string pit_datablock(const Backtest& b) {
    std::vector<int> bins(10, 0);
    for (double p : b.pit) {
        bins[static_cast<std::size_t>(std::clamp(static_cast<int>(p * 10), 0, 9))]++;
    }
    std::ostringstream pit;
    for (int i = 0; i < 10; ++i) {
        pit << (i + 0.5) / 10 << ' ' << bins[static_cast<std::size_t>(i)] << '\n';
    }
    return gnuplot_datablock("pit", pit.str());
}

// The backtest's page: its charts, the table by lead and what each origin knew.
std::string backtest_page(const Backtest& b, const Scenario& scenario) {
    const std::string& name = scenario.name;
    std::ostringstream html;
    html << page_head(name + ": backtest") << "<h1>" << html_escape(name)
         << ": rolling-origin backtest</h1>\n<p>For each origin the scenario runs with only the "
            "events announced by the origin's last day, and is scored on the reported figures 1 "
            "to "
         << b.by_lead.size()
         << " months after it. Coverage should sit at the dashed nominal lines; a U-shaped PIT "
            "histogram means bands too narrow, a slope means bias.</p>\n"
         << "<img src=\"charts/coverage_by_lead.png\" alt=\"coverage by lead\">\n"
         << "<img src=\"charts/crps_skill_by_lead.png\" alt=\"CRPS skill by lead\">\n"
         << "<img src=\"charts/pit_histogram.png\" alt=\"PIT histogram\">\n"
         << "<h2>By lead</h2>\n<table>\n<tr><th>lead</th><th>figures</th><th>MAPE</th>"
         << "<th>bias</th><th>50% band</th><th>90% band</th><th>CRPS (" << scenario.material.unit
         << ")</th><th>skill vs "
            "persistence</th><th>skill vs seasonal naive</th></tr>\n";
    auto row = [&](const std::string& label, const GroupScores& g) {
        html << "<tr><td>" << label << "</td>";
        for (const auto& cell : score_cells(g)) {
            html << "<td>" << html_escape(cell) << "</td>";
        }
        html << "</tr>\n";
    };
    for (const auto& ls : b.by_lead) {
        if (ls.scores.model.count > 0) {
            row(std::to_string(ls.lead), ls.scores);
        }
    }
    row("all", b.overall);
    html << "</table>\n<p>Skill is 1 - CRPS / the naive forecast's absolute error, on the figures "
            "that have a naive forecast (their number in brackets).</p>\n<p>"
         << intervals_note(b.origins.size())
         << "</p>\n<table>\n<tr><th>lead</th><th>90% band</th><th>skill vs persistence</th>"
            "<th>skill vs seasonal naive</th></tr>\n";
    const auto interval_row = [&](const std::string& label, const ScoreIntervals& in) {
        html << "<tr><td>" << label << "</td>";
        for (const auto& cell : interval_cells(in)) {
            html << "<td>" << html_escape(cell) << "</td>";
        }
        html << "</tr>\n";
    };
    for (const auto& ls : b.by_lead) {
        if (ls.scores.model.count > 0) {
            interval_row(std::to_string(ls.lead), ls.intervals);
        }
    }
    interval_row("all", b.overall_intervals);
    html << "</table>\n<h2>By origin</h2>\n"
            "<table>\n<tr><th>origin</th><th>events known</th><th>not yet announced</th>"
            "<th>figures</th><th class=\"l\">end announced later</th>"
            "<th class=\"l\">sized later (hindsight: run at a size measured after this "
            "origin)</th></tr>\n";
    for (const auto& o : b.origins) {
        std::string sized;
        for (const auto& id : o.sized_later) {
            sized += (sized.empty() ? "" : ", ") + html_escape(id);
        }
        std::string open;
        for (const auto& id : o.open_events) {
            // An id is the user's text: escaped for the page.
            open += (open.empty() ? "" : ", ") + html_escape(id) + " (" +
                    open_event_note(scenario, id) + ")";
        }
        html << "<tr><td>" << format_month(o.origin) << "</td><td>" << o.events_known << "</td><td>"
             << o.events_dropped << "</td><td>" << o.figures.size() << "</td><td class=\"l\">"
             << open << "</td><td class=\"l\">" << sized << "</td></tr>\n";
    }
    html
        << "</table>\n<p>Data: backtest.csv (by origin and lead), figures.csv (every figure).</p>\n"
        << "</body></html>\n";
    return html.str();
}

}  // namespace

void write_backtest_data(const std::filesystem::path& dir, const Backtest& b) {
    write_file_atomic(dir / "backtest.csv", format_backtest_csv(b));
    write_file_atomic(dir / "figures.csv", format_backtest_figures_csv(b));
}

std::size_t write_backtest_charts(const std::filesystem::path& dir, const Backtest& b,
                                  const Scenario& scenario) {
    const std::string& name = scenario.name;
    const std::filesystem::path charts = dir / "charts";
    std::filesystem::create_directories(charts);
    const std::string leads_block = leads_datablock(b);
    const std::string pit_block = pit_datablock(b);
    std::size_t n = 0;
    const std::string title = gnuplot_quote(name + ": out-of-sample coverage by lead");
    n += draw_chart(charts, "coverage_by_lead",
                    leads_block + "set title " + title +
                        " noenhanced\nset xlabel 'months after the origin'\nset ylabel "
                        "'figures inside the band (%)'\nset yrange [0:100]\nset xrange [0.5:" +
                        std::to_string(b.by_lead.size()) +
                        ".5]\nset xtics 1\nset grid ytics lc rgb '#dddddd'\nset key outside "
                        "top center horizontal\nset datafile missing 'NaN'\nplot $leads using "
                        "1:3:7:8 with yerrorbars ps 0 lc rgb '#08519c' title '90% band: 5-95% "
                        "over resampled origins', $leads using 1:3 with linespoints lw 2 pt 7 lc "
                        "rgb '#08519c' title '90% band', 90 with lines dt 2 lc rgb '#08519c' "
                        "title 'nominal 90%', $leads using 1:2 with linespoints lw 2 pt 5 lc "
                        "rgb '#6baed6' title '50% band', 50 with lines dt 2 lc rgb '#6baed6' title "
                        "'nominal 50%'\n")
             .size();
    n += draw_chart(
             charts, "crps_skill_by_lead",
             leads_block + "set title " +
                 gnuplot_quote(name + ": CRPS skill by lead (bars: 5-95% over resampled origins)") +
                 " noenhanced\nset xlabel 'months after the origin'\nset ylabel 'CRPS "
                 "skill (1 - CRPS / naive absolute error)'\nset xrange [0.5:" +
                 std::to_string(b.by_lead.size()) +
                 ".5]\nset xtics 1\nset grid ytics lc rgb '#dddddd'\nset xzeroaxis lt -1\n"
                 "set key outside top center horizontal\nset datafile missing 'NaN'\nplot "
                 "$leads using ($1-0.05):4:9:10 with yerrorbars ps 0 lc rgb '#d94801' "
                 "notitle, '' using ($1+0.05):5:11:12 with yerrorbars ps 0 lc rgb "
                 "'#31a354' notitle, '' using ($1-0.05):4 with linespoints lw 2 pt 7 lc "
                 "rgb '#d94801' title 'against persistence', '' using ($1+0.05):5 with "
                 "linespoints lw 2 pt 5 lc rgb '#31a354' title 'against seasonal naive'\n")
             .size();
    n += draw_chart(charts, "pit_histogram",
                    pit_block + "set title " +
                        gnuplot_quote(name + ": PIT of the reported figures") +
                        " noenhanced\nset xlabel 'share of trials below the reported figure'\n"
                        "set ylabel 'figures'\nset xrange [0:1]\nset yrange [0:*]\nset style fill "
                        "solid 0.7\nset boxwidth 0.09\nset key off\nset grid ytics lc rgb "
                        "'#dddddd'\nplot $pit using 1:2 with boxes lc rgb '#6baed6', " +
                        std::to_string(static_cast<double>(b.pit.size()) / 10.0) +
                        " with lines dt 2 lc rgb '#08519c'\n")
             .size();
    write_file_atomic(dir / "index.html", backtest_page(b, scenario));
    return n + 1;
}

void print_backtest(std::ostream& out, const Backtest& b, const Scenario& scenario,
                    const BacktestConfig& config) {
    out << "\n"
        << scenario.name << ": rolling-origin backtest, " << config.origins.size() << " origins "
        << format_month(config.origins.front()) << ".." << format_month(config.origins.back())
        << ", leads 1-" << config.max_lead << ", " << config.compare.run.trials
        << " trials each\n\n";
    char line[300];
    std::snprintf(line, sizeof line, "  %-5s %7s %8s %8s %8s %8s %10s %11s %11s\n", "lead",
                  "figures", "MAPE", "bias", "cover50", "cover90",
                  ("CRPS (" + scenario.material.unit + ")").c_str(), "skill pers.", "skill seas.");
    out << line;
    auto print = [&](const std::string& label, const GroupScores& g) {
        const auto c = score_cells(g);
        std::snprintf(line, sizeof line, "  %-5s %7s %8s %8s %8s %8s %10s %11s %11s\n",
                      label.c_str(), c[0].c_str(), c[1].c_str(), c[2].c_str(), c[3].c_str(),
                      c[4].c_str(), c[5].c_str(), c[6].c_str(), c[7].c_str());
        out << line;
    };
    for (const auto& ls : b.by_lead) {
        if (ls.scores.model.count > 0) {
            print(std::to_string(ls.lead), ls.scores);
        }
    }
    print("all", b.overall);
    out << "\n" << intervals_note(b.origins.size()) << "\n\n";
    std::snprintf(line, sizeof line, "  %-5s %8s %16s %16s\n", "lead", "cover90", "skill pers.",
                  "skill seas.");
    out << line;
    const auto print_intervals = [&](const std::string& label, const ScoreIntervals& in) {
        const auto c = interval_cells(in);
        std::snprintf(line, sizeof line, "  %-5s %8s %16s %16s\n", label.c_str(), c[0].c_str(),
                      c[1].c_str(), c[2].c_str());
        out << line;
    };
    for (const auto& ls : b.by_lead) {
        if (ls.scores.model.count > 0) {
            print_intervals(std::to_string(ls.lead), ls.intervals);
        }
    }
    print_intervals("all", b.overall_intervals);
    out << "\nBy origin (events known by then and not yet announced, figures scored):\n";
    for (const auto& o : b.origins) {
        out << "  " << format_month(o.origin) << ": " << o.events_known << " events known, "
            << o.events_dropped << " not yet announced, " << o.figures.size() << " figures";
        if (!o.open_events.empty()) {
            // An id is the user's text: escaped for the terminal. An event with an expected
            // duration ends after a draw from it; one without runs to the horizon.
            out << "; end announced later: ";
            for (std::size_t i = 0; i < o.open_events.size(); ++i) {
                out << (i > 0 ? ", " : "") << terminal_safe(o.open_events[i]) << " ("
                    << open_event_note(scenario, o.open_events[i]) << ")";
            }
        }
        if (!o.sized_later.empty()) {
            out << "; sized later (hindsight: run at a size measured after this origin): ";
            for (std::size_t i = 0; i < o.sized_later.size(); ++i) {
                out << (i > 0 ? ", " : "") << terminal_safe(o.sized_later[i]);
            }
        }
        out << "\n";
    }
}

}  // namespace chokepoint
