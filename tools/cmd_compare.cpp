// `simulate compare` and `simulate backtest`: the model against reported customs figures
// (docs/validation.md). Each command's table on the terminal, and its result set
// (comparison.csv; backtest.csv and figures.csv), written whole or not at all. `calibrate` is in
// cmd_calibrate.cpp; the options all three share in comparison_options.hpp.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "chokepoint/compare/backtest.hpp"
#include "chokepoint/compare/charts.hpp"
#include "chokepoint/compare/compare.hpp"
#include "chokepoint/core/diagnostics.hpp"
#include "chokepoint/core/text.hpp"
#include "chokepoint/io/files.hpp"
#include "chokepoint/io/gnuplot.hpp"
#include "chokepoint/io/process.hpp"
#include "chokepoint/io/result_dir.hpp"
#include "chokepoint/report/run_report.hpp"
#include "chokepoint/runner/runner.hpp"
#include "chokepoint/scenario/scenario.hpp"
#include "cli_common.hpp"
#include "comparison_options.hpp"

namespace po = boost::program_options;
using namespace chokepoint;

namespace chokepoint::cli {

namespace {

// The months of --origins: "2024-06..2025-05" or "2024-06,2024-09,2025-01".
std::vector<MonthIndex> parse_origins(const std::string& text) {
    std::vector<MonthIndex> out;
    const auto dots = text.find("..");
    if (dots != std::string::npos) {
        const MonthIndex a = month_option("origins", text.substr(0, dots));
        const MonthIndex b = month_option("origins", text.substr(dots + 2));
        if (b < a) {
            throw UsageError("--origins " + text + ": the last origin is before the first");
        }
        if (b - a > 240) {
            throw UsageError("--origins " + text + ": at most 240 origins");
        }
        for (MonthIndex m = a; m <= b; ++m) {
            out.push_back(m);
        }
        return out;
    }
    std::stringstream items(text);
    for (std::string item; std::getline(items, item, ',');) {
        out.push_back(month_option("origins", item));
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    if (out.empty()) {
        throw UsageError("--origins needs months YYYY-MM..YYYY-MM or a comma-separated list");
    }
    return out;
}

// The screen's table of figures, sorted by series and period (the files' order is the
// publishers'): series, period, reported, P50, P5-P95, inside the 90% band, error, sources.
void print_figures(const Comparison& c, int wl) {
    char line[400];
    std::snprintf(line, sizeof line, "%-*s  %-15s  %9s  %9s  %-19s  %-4s  %7s\n", wl, "series",
                  "period", "reported", "P50", "P5-P95", "in90", "error");
    std::cout << line;
    std::vector<const ComparedFigure*> sorted;
    for (const auto& f : c.figures) {
        sorted.push_back(&f);
    }
    std::stable_sort(sorted.begin(), sorted.end(), [&](const auto* a, const auto* b) {
        const ReportedRow& ra = c.rows[a->row];
        const ReportedRow& rb = c.rows[b->row];
        return std::tie(a->label, ra.first, ra.last) < std::tie(b->label, rb.first, rb.last);
    });
    for (const ComparedFigure* fp : sorted) {
        const ComparedFigure& f = *fp;
        const ReportedRow& r = c.rows[f.row];
        const std::string period = r.first == r.last
                                       ? format_month(r.first)
                                       : format_month(r.first) + ".." + format_month(r.last);
        const std::string band = compact(f.p05) + "-" + compact(f.p95);
        const std::string sources = f.duplicates.empty()
                                        ? ""
                                        : "  (" + std::to_string(f.duplicates.size() + 1) +
                                              (f.conflict ? " sources, disagree)" : " sources)");
        std::snprintf(line, sizeof line, "%-*s  %-15s  %9.0f  %9.0f  %-19s  %-4s  %+6.1f%%%s\n", wl,
                      terminal_safe(f.label).c_str(), period.c_str(), f.reported, f.p50,
                      band.c_str(), f.inside90 ? "yes" : "NO", f.error_pct, sources.c_str());
        std::cout << line;
    }
}

// One group's scores on the screen, with the verdicts under them.
void print_group(const GroupScores& g, int wl) {
    char line[400];
    std::snprintf(line, sizeof line,
                  "%-*s  n=%-3d MAPE %6.1f%%  bias %+6.1f%%  cover50 %3.0f%%  cover90 %3.0f%%  "
                  "CRPS %8.0f t\n",
                  wl, terminal_safe(g.label).c_str(), g.model.count, g.model.mape(), g.model.bias(),
                  100 * g.model.coverage50(), 100 * g.model.coverage90(), g.model.crps());
    std::cout << line;
    for (const auto& v : verdicts(g)) {
        std::cout << std::string(static_cast<std::size_t>(wl) + 2, ' ') << v << "\n";
    }
}

// The reported rows not compared: how many, and the first five with their reasons.
void print_unmapped(const Comparison& c) {
    if (c.unmapped.empty()) {
        return;
    }
    std::cout << "\n"
              << c.unmapped.size()
              << (c.unmapped.size() == 1 ? " reported row was" : " reported rows were")
              << " not compared (listed with reasons in scores.json), for example:\n";
    for (std::size_t i = 0; i < std::min<std::size_t>(5, c.unmapped.size()); ++i) {
        const ReportedRow& r = c.rows[c.unmapped[i].row];
        std::cout << "  " << terminal_safe(r.file) << ":" << r.line << ": "
                  << terminal_safe(r.series) << ": " << terminal_safe(c.unmapped[i].reason) << "\n";
    }
}

}  // namespace

int cmd_compare(const std::vector<std::string>& args) {
    po::options_description opts("compare options");
    ComparisonOptions common;
    std::string origin;
    std::vector<std::string> sets;
    bool no_charts = false;
    common.add_to(opts);
    opts.add_options()("origin", po::value<std::string>(&origin),
                       "backtest origin YYYY-MM: score only periods after it")(
        "set", po::value<std::vector<std::string>>(&sets)->composing(),
        "override path=value in the scenario (repeatable)")(
        "no-charts", po::bool_switch(&no_charts), "skip charts/ and index.html");
    common.parse(args, opts, "compare");
    CompareConfig config;
    if (!origin.empty()) {
        config.origin = month_option("origin", origin);
    }
    const Scenario scenario = load_scenario(common.path, parse_overrides(sets));
    auto rows = common.apply(scenario, config, scenario.trials);
    const std::string& output = common.output;
    config.run.cancel = &g_interrupted;
    require_result_dir(output_dir(output, scenario.name + "-compare"), ResultKind::compare);
    Progress progress(!common.quiet && ::isatty(STDERR_FILENO));
    config.run.progress = [&](int done, int total) { progress(done, total); };
    const Comparison c = [&] {
        const InterruptHandlers interrupts;
        return compare_with_reported(scenario, std::move(rows), config);
    }();
    if (c.run.partial) {
        progress.finish();
        spdlog::error("interrupted: nothing written");
        return EXIT_INTERRUPTED;
    }
    const std::filesystem::path dir = output_dir(output, scenario.name + "-compare");
    StagedDirectory staged(dir);
    write_file_atomic(staged.path() / "comparison.csv", format_comparison_csv(c, scenario));
    write_file_atomic(staged.path() / "scores.json", format_scores_json(c, scenario, config));
    const std::size_t chart_files = draw_charts(staged.path(), no_charts, [&] {
        return write_fan_charts(staged.path(), c, scenario, config.origin).size();
    });
    staged.commit();
    if (common.quiet) {  // the files only: no tables
        std::cout << "Results written to " << dir.string() << "/ (comparison.csv, scores.json)\n";
        return EXIT_OK;
    }

    std::cout << "\n"
              << scenario.name << " against reported figures (" << c.run.trials_completed
              << " trials" << (config.origin ? ", out of sample after " + origin : "") << ")\n\n";
    std::size_t wl = 6;
    for (const auto& f : c.figures) {
        wl = std::max(wl, f.label.size());
    }
    print_figures(c, static_cast<int>(wl));
    std::cout << "\nScores (MAPE and bias of the P50; coverage of the 50% and 90% bands; CRPS "
                 "from the trials)\n\n";
    for (const auto& g : c.groups) {
        print_group(g, static_cast<int>(wl));
    }
    std::cout << "\n";
    print_group(c.overall, static_cast<int>(wl));
    print_unmapped(c);
    if (chart_files > 0) {
        std::cout << "\nCharts: " << (dir / "index.html").string() << " (" << chart_files - 1
                  << " files)\n";
    }
    std::cout << "Results written to " << dir.string() << "/ (comparison.csv, scores.json)\n";
    return EXIT_OK;
}

// One row of the backtest's table (figures, MAPE, bias, coverage of the 50% and 90% bands, CRPS,
// skill against persistence and seasonal naive with their figure counts), for the terminal and
// the page.
std::vector<std::string> score_cells(const GroupScores& g) {
    auto fmt = [](const char* format, auto... v) {
        char buf[64];
        std::snprintf(buf, sizeof buf, format, v...);
        return std::string(buf);
    };
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

// What a backtest did with an event whose end was announced after the origin.
std::string open_event_note(const Scenario& scenario, const std::string& id) {
    for (const auto& ev : scenario.events) {
        if (ev.id == id && ev.has_expected_duration) {
            return "expected duration drawn";
        }
    }
    return "in force to the horizon";
}

// Charts of a backtest: coverage and CRPS skill by lead, and the PIT histogram; the page has
// the table by lead and what each origin knew.
std::size_t backtest_charts(const std::filesystem::path& dir, const Backtest& b,
                            const Scenario& scenario) {
    const std::string& name = scenario.name;
    namespace fs = std::filesystem;
    const fs::path charts = dir / "charts";
    fs::create_directories(charts);
    std::ostringstream leads;
    leads << "# lead coverage_50 coverage_90 crps_skill_persistence crps_skill_seasonal figures\n";
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
              << sk(g.seasonal_skill()) << ' ' << g.model.count << '\n';
    }
    const std::string leads_block = gnuplot_datablock("leads", leads.str());
    std::vector<int> bins(10, 0);
    for (double p : b.pit) {
        bins[static_cast<std::size_t>(std::clamp(static_cast<int>(p * 10), 0, 9))]++;
    }
    std::ostringstream pit;
    for (int i = 0; i < 10; ++i) {
        pit << (i + 0.5) / 10 << ' ' << bins[static_cast<std::size_t>(i)] << '\n';
    }
    const std::string pit_block = gnuplot_datablock("pit", pit.str());
    std::size_t n = 0;
    const std::string title = gnuplot_quote(name + ": out-of-sample coverage by lead");
    n += draw_chart(charts, "coverage_by_lead",
                    leads_block + "set title " + title +
                        " noenhanced\nset xlabel 'months after the origin'\nset ylabel "
                        "'figures inside the band (%)'\nset yrange [0:100]\nset xrange [0.5:" +
                        std::to_string(b.by_lead.size()) +
                        ".5]\nset xtics 1\nset grid ytics lc rgb '#dddddd'\nset key outside "
                        "top center horizontal\nplot $leads using 1:3 with linespoints lw 2 pt 7 "
                        "lc rgb '#08519c' title '90% band', 90 with lines dt 2 lc rgb '#08519c' "
                        "title 'nominal 90%', $leads using 1:2 with linespoints lw 2 pt 5 lc "
                        "rgb '#6baed6' title '50% band', 50 with lines dt 2 lc rgb '#6baed6' title "
                        "'nominal 50%'\n")
             .size();
    n += draw_chart(charts, "crps_skill_by_lead",
                    leads_block + "set title " + gnuplot_quote(name + ": CRPS skill by lead") +
                        " noenhanced\nset xlabel 'months after the origin'\nset ylabel 'CRPS "
                        "skill (1 - CRPS / naive absolute error)'\nset xrange [0.5:" +
                        std::to_string(b.by_lead.size()) +
                        ".5]\nset xtics 1\nset grid ytics lc rgb '#dddddd'\nset xzeroaxis lt -1\n"
                        "set key outside top center horizontal\nset datafile missing 'NaN'\nplot "
                        "$leads using 1:4 with linespoints lw 2 pt 7 lc rgb '#d94801' title "
                        "'against persistence', '' using 1:5 with linespoints lw 2 pt 5 lc rgb "
                        "'#31a354' title 'against seasonal naive'\n")
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
         << "<th>bias</th><th>50% band</th><th>90% band</th><th>CRPS (t)</th><th>skill vs "
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
            "that have a naive forecast (their number in brackets).</p>\n<h2>By origin</h2>\n"
            "<table>\n<tr><th>origin</th><th>events known</th><th>not yet announced</th>"
            "<th>figures</th><th class=\"l\">end announced later</th></tr>\n";
    for (const auto& o : b.origins) {
        std::string open;
        for (const auto& id : o.open_events) {
            // An id is the user's text: escaped for the page.
            open += (open.empty() ? "" : ", ") + html_escape(id) + " (" +
                    open_event_note(scenario, id) + ")";
        }
        html << "<tr><td>" << format_month(o.origin) << "</td><td>" << o.events_known << "</td><td>"
             << o.events_dropped << "</td><td>" << o.figures.size() << "</td><td class=\"l\">"
             << open << "</td></tr>\n";
    }
    html
        << "</table>\n<p>Data: backtest.csv (by origin and lead), figures.csv (every figure).</p>\n"
        << "</body></html>\n";
    write_file_atomic(dir / "index.html", html.str());
    return n + 1;
}

// The screen's backtest tables: scores by lead and overall, then what each origin knew.
void print_backtest(const Backtest& b, const Scenario& scenario, const BacktestConfig& config) {
    std::cout << "\n"
              << scenario.name << ": rolling-origin backtest, " << config.origins.size()
              << " origins " << format_month(config.origins.front()) << ".."
              << format_month(config.origins.back()) << ", leads 1-" << config.max_lead << ", "
              << config.compare.run.trials << " trials each\n\n";
    char line[300];
    std::snprintf(line, sizeof line, "  %-5s %7s %8s %8s %8s %8s %10s %11s %11s\n", "lead",
                  "figures", "MAPE", "bias", "cover50", "cover90", "CRPS (t)", "skill pers.",
                  "skill seas.");
    std::cout << line;
    auto print = [&](const std::string& label, const GroupScores& g) {
        const auto c = score_cells(g);
        std::snprintf(line, sizeof line, "  %-5s %7s %8s %8s %8s %8s %10s %11s %11s\n",
                      label.c_str(), c[0].c_str(), c[1].c_str(), c[2].c_str(), c[3].c_str(),
                      c[4].c_str(), c[5].c_str(), c[6].c_str(), c[7].c_str());
        std::cout << line;
    };
    for (const auto& ls : b.by_lead) {
        if (ls.scores.model.count > 0) {
            print(std::to_string(ls.lead), ls.scores);
        }
    }
    print("all", b.overall);
    std::cout << "\nBy origin (events known by then and not yet announced, figures scored):\n";
    for (const auto& o : b.origins) {
        std::cout << "  " << format_month(o.origin) << ": " << o.events_known << " events known, "
                  << o.events_dropped << " not yet announced, " << o.figures.size() << " figures";
        if (!o.open_events.empty()) {
            // An id is the user's text: escaped for the terminal. An event with an expected
            // duration ends after a draw from it; one without runs to the horizon.
            std::cout << "; end announced later: ";
            for (std::size_t i = 0; i < o.open_events.size(); ++i) {
                std::cout << (i > 0 ? ", " : "") << terminal_safe(o.open_events[i]) << " ("
                          << open_event_note(scenario, o.open_events[i]) << ")";
            }
        }
        std::cout << "\n";
    }
}

int cmd_backtest(const std::vector<std::string>& args) {
    po::options_description opts("backtest options");
    ComparisonOptions common;
    std::string origins_text;
    std::vector<std::string> sets;
    int leads = 6;
    bool no_charts = false;
    common.add_to(opts);
    opts.add_options()("origins", po::value<std::string>(&origins_text),
                       "origin months, YYYY-MM..YYYY-MM or a comma-separated list (required)")(
        "leads", po::value<int>(&leads), "months after each origin to score, 1-24 (default: 6)")(
        "set", po::value<std::vector<std::string>>(&sets)->composing(),
        "override path=value in the scenario (repeatable)")(
        "no-charts", po::bool_switch(&no_charts), "skip charts/ and index.html");
    common.parse(args, opts, "backtest");
    if (origins_text.empty()) {
        throw UsageError("backtest needs --origins YYYY-MM..YYYY-MM");
    }
    if (leads < 1 || leads > 24) {
        throw UsageError("--leads must be between 1 and 24");
    }
    if (!common.from.empty() || !common.to.empty()) {
        throw UsageError(
            "backtest sets the months itself: use --origins and --leads, not "
            "--from/--to");
    }
    BacktestConfig config;
    config.origins = parse_origins(origins_text);
    config.max_lead = leads;
    const Scenario scenario = load_scenario(common.path, parse_overrides(sets));
    for (MonthIndex o : config.origins) {
        if (o < scenario.first_month() || o >= scenario.last_month()) {
            throw UsageError("origin " + format_month(o) + " is outside the scenario (" +
                             format_month(scenario.first_month()) + " to " +
                             format_month(scenario.last_month() - 1) + ")");
        }
    }
    const auto rows = common.apply(scenario, config.compare, scenario.trials);
    const std::filesystem::path dir = output_dir(common.output, scenario.name + "-backtest");
    require_result_dir(dir, ResultKind::backtest);
    Progress progress(!common.quiet && ::isatty(STDERR_FILENO), "origins");
    config.on_origin = [&](int done, int total) { progress(done, total); };
    const Backtest b = run_backtest(scenario, rows, config);
    StagedDirectory staged(dir);
    write_file_atomic(staged.path() / "backtest.csv", format_backtest_csv(b));
    write_file_atomic(staged.path() / "figures.csv", format_backtest_figures_csv(b));
    const std::size_t chart_files = draw_charts(
        staged.path(), no_charts, [&] { return backtest_charts(staged.path(), b, scenario); });
    staged.commit();
    if (common.quiet) {  // the files only: no tables
        std::cout << "Results written to " << dir.string() << "/ (backtest.csv, figures.csv)\n";
        return EXIT_OK;
    }

    print_backtest(b, scenario, config);
    for (const auto& v : verdicts(b.overall)) {
        std::cout << "\n" << v;
    }
    std::cout << "\n\n";
    if (chart_files > 0) {
        std::cout << "Charts: " << (dir / "index.html").string() << "\n";
    }
    std::cout << "Results written to " << dir.string() << "/ (backtest.csv, figures.csv)\n";
    return EXIT_OK;
}

}  // namespace chokepoint::cli
