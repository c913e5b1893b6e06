#include "chokepoint/report/compare_report.hpp"
#include "chokepoint/report/html.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <stdexcept>
#include <tuple>

#include "chokepoint/core/calendar.hpp"
#include "chokepoint/core/text.hpp"
#include "chokepoint/io/fan_chart.hpp"
#include "chokepoint/io/files.hpp"
#include "chokepoint/io/gnuplot.hpp"

// What a comparison shows: its tables on a screen, its data files, and its fan charts and page.
namespace chokepoint {

namespace {

// The screen's table of figures, sorted by series and period (the files' order is the
// publishers'): series, period, reported, P50, P5-P95, inside the 90% band, error, sources.
void print_figures(std::ostream& out, const Comparison& c, int wl) {
    char line[400];
    std::snprintf(line, sizeof line, "%-*s  %-15s  %9s  %9s  %-19s  %-4s  %7s\n", wl, "series",
                  "period", "reported", "P50", "P5-P95", "in90", "error");
    out << line;
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
        // A reported zero has no percentage error: "n/a", not a perfect "+0.0%".
        char error[16];
        if (f.reported == 0.0) {
            std::snprintf(error, sizeof error, "%7s", "n/a");
        } else {
            std::snprintf(error, sizeof error, "%+6.1f%%", f.error_pct);
        }
        std::snprintf(line, sizeof line, "%-*s  %-15s  %9.0f  %9.0f  %-19s  %-4s  %s%s\n", wl,
                      terminal_safe(f.label).c_str(), period.c_str(), f.reported, f.p50,
                      band.c_str(), f.inside90 ? "yes" : "NO", error, sources.c_str());
        out << line;
    }
}

// One group's scores on the screen, with the verdicts under them.
void print_group(std::ostream& out, const GroupScores& g, int wl, const std::string& unit) {
    char line[400];
    std::snprintf(line, sizeof line,
                  "%-*s  n=%-3d MAPE %6.1f%%  bias %+6.1f%%  cover50 %3.0f%%  cover90 %3.0f%%  "
                  "CRPS %8.0f %s\n",
                  wl, terminal_safe(g.label).c_str(), g.model.count, g.model.mape(), g.model.bias(),
                  100 * g.model.coverage50(), 100 * g.model.coverage90(), g.model.crps(),
                  unit.c_str());
    out << line;
    for (const auto& v : verdicts(g)) {
        out << std::string(static_cast<std::size_t>(wl) + 2, ' ') << v << "\n";
    }
}

// The reported rows not compared: how many, and the first five with their reasons.
void print_unmapped(std::ostream& out, const Comparison& c) {
    if (c.unmapped.empty()) {
        return;
    }
    out << "\n"
        << c.unmapped.size()
        << (c.unmapped.size() == 1 ? " reported row was" : " reported rows were")
        << " not compared (listed with reasons in scores.json), for example:\n";
    for (std::size_t i = 0; i < std::min<std::size_t>(5, c.unmapped.size()); ++i) {
        const ReportedRow& r = c.rows[c.unmapped[i].row];
        out << "  " << terminal_safe(r.file) << ":" << r.line << ": " << terminal_safe(r.series)
            << ": " << terminal_safe(c.unmapped[i].reason) << "\n";
    }
}

// Figures that another file gives too, from a file other than the scored row's: which was scored
// and which was not (the first read is scored: shipped files before --reported's), the first five.
void print_repeated(std::ostream& out, const Comparison& c) {
    std::vector<std::pair<const ComparedFigure*, std::size_t>> repeats;
    for (const auto& f : c.figures) {
        for (std::size_t d : f.duplicates) {
            if (c.rows[d].file != c.rows[f.row].file) {
                repeats.emplace_back(&f, d);
            }
        }
    }
    if (repeats.empty()) {
        return;
    }
    out << "\n"
        << repeats.size() << (repeats.size() == 1 ? " row gives a figure" : " rows give figures")
        << " (the same series and period) that another file gives too, and "
        << (repeats.size() == 1 ? "was" : "were")
        << " not scored: each figure is scored once, from the first file read (the "
           "shipped files, then --reported's). --reported-only scores only yours:\n";
    for (std::size_t i = 0; i < std::min<std::size_t>(5, repeats.size()); ++i) {
        const ReportedRow& r = c.rows[repeats[i].second];
        const ReportedRow& scored = c.rows[repeats[i].first->row];
        out << "  " << terminal_safe(r.file) << ":" << r.line << ": "
            << terminal_safe(repeats[i].first->label) << " " << format_month(r.first)
            << (r.first == r.last ? "" : ".." + format_month(r.last)) << ": "
            << format_number(r.amount, 1) << " " << c.run.layout.unit
            << (figures_disagree(scored, r) ? " (conflicts)" : "") << ", not scored; scored "
            << format_number(scored.amount, 1) << " " << c.run.layout.unit << " from "
            << terminal_safe(scored.file) << ":" << scored.line << "\n";
    }
}

}  // namespace

void print_comparison(std::ostream& out, const Comparison& c, const Scenario& scenario,
                      const CompareConfig& config) {
    out << "\n"
        << scenario.name << " against reported figures (" << c.run.trials_completed << " trials"
        << (config.origin ? ", out of sample after " + format_month(*config.origin) : "")
        << ")\n\n";
    std::size_t wl = 6;
    for (const auto& f : c.figures) {
        wl = std::max(wl, f.label.size());
    }
    print_figures(out, c, static_cast<int>(wl));
    print_repeated(out, c);
    out << "\nScores (MAPE and bias of the P50; coverage of the 50% and 90% bands; CRPS "
           "from the trials)\n\n";
    for (const auto& g : c.groups) {
        print_group(out, g, static_cast<int>(wl), c.run.layout.unit);
    }
    out << "\n";
    print_group(out, c.overall, static_cast<int>(wl), c.run.layout.unit);
    print_unmapped(out, c);
}

void write_comparison_data(const std::filesystem::path& dir, const Comparison& c,
                           const Scenario& scenario, const CompareConfig& config) {
    write_file_atomic(dir / "comparison.csv", format_comparison_csv(c, scenario));
    write_file_atomic(dir / "scores.json", format_scores_json(c, scenario, config));
}

std::vector<ChartMarker> event_markers(const Scenario& scenario) {
    std::vector<Distribution> bounds;
    for (const auto& p : scenario.parameters) {
        bounds.push_back(p.distribution);
    }
    std::vector<ChartMarker> out;
    for (const auto& ev : scenario.events) {
        // A risk (hazard_per_year) has no date to mark; the page's events table names it.
        if ((ev.probability.is_constant() && ev.probability.value <= 0.0) || ev.has_hazard) {
            continue;
        }
        const double lo = ev.start.lower(bounds);
        const double hi = ev.start.upper(bounds);
        if (!std::isfinite(lo) && !std::isfinite(hi)) {
            continue;
        }
        const double day = !std::isfinite(lo) ? hi : !std::isfinite(hi) ? lo : 0.5 * (lo + hi);
        // Export controls name a shared line first, then licence regimes, then halts and tariffs.
        const int priority =
            ev.kind == EventKind::export_control                                     ? 3
            : ev.kind == EventKind::licence_delay || ev.kind == EventKind::agreement ? 2
            : ev.kind == EventKind::export_halt || ev.kind == EventKind::tariff      ? 1
                                                                                     : 0;
        out.push_back(
            {static_cast<Day>(std::lround(day)), (lo == hi ? "" : "~") + ev.id, priority});
    }
    return out;
}

std::vector<std::string> write_comparison_charts(const std::filesystem::path& dir,
                                                 const Comparison& c, const Scenario& scenario,
                                                 std::optional<MonthIndex> origin) {
    namespace fs = std::filesystem;
    if (!gnuplot_available()) {
        throw std::runtime_error(
            "gnuplot not found: install the Debian package gnuplot-nox to draw charts");
    }
    const fs::path charts = dir / "charts";
    fs::create_directories(charts);
    std::vector<std::string> written;
    std::ostringstream html;
    html << page_head(scenario.name + ": simulated against reported") << "<h1>"
         << html_escape(scenario.name) << ": simulated against reported</h1>\n<p>"
         << c.run.trials_completed
         << " trials. Bands: P5-P95 (light) and P25-P75 (dark); line: P50; points: reported "
            "single-month figures. Multi-month totals are in comparison.csv.</p>\n";
    html << "<h2>Scores</h2><table><tr><th>series</th><th>figures</th><th>MAPE</th><th>bias</th>"
            "<th>50% cover</th><th>90% cover</th><th>CRPS ("
         << c.run.layout.unit << ")</th></tr>\n";
    auto row = [&](const GroupScores& g) {
        char buf[512];
        std::snprintf(buf, sizeof buf,
                      "<tr><td style=\"text-align:left\">%s</td><td>%d</td><td>%.1f%%</td>"
                      "<td>%+.1f%%</td><td>%.0f%%</td><td>%.0f%%</td><td>%.0f</td></tr>\n",
                      html_escape(g.label).c_str(), g.model.count, g.model.mape(), g.model.bias(),
                      100 * g.model.coverage50(), 100 * g.model.coverage90(), g.model.crps());
        html << buf;
    };
    for (const auto& g : c.groups) {
        row(g);
    }
    row(c.overall);
    html << "</table>\n<ul>";
    for (const auto& v : verdicts(c.overall)) {
        html << "<li>" << html_escape(v) << "</li>";
    }
    html << "</ul>\n";
    const MonthIndex first = c.run.layout.first_month;
    const auto markers = merge_markers(event_markers(scenario), 12);
    for (std::size_t b = 0; b < c.bands.size(); ++b) {
        const MonthlyBand& band = c.bands[b];
        FanChart chart;
        chart.name = chart_slug(band.label);
        chart.first_month = first;
        chart.markers = markers;
        if (origin) {
            chart.projection_from = *origin + 1;
        }
        FanPanel panel;
        panel.title = band.label + " (" + scenario.name + ")";
        panel.ylabel = scenario.material.unit_name() + " per month";
        panel.months = band.months;
        for (const auto& f : c.figures) {
            const ReportedRow& r = c.rows[f.row];
            if (f.label == band.label && r.first == r.last) {
                panel.reported.push_back({r.first, f.reported});
            }
        }
        chart.panels.push_back(std::move(panel));
        for (const auto& file : draw_fan_chart(charts, chart)) {
            written.push_back(file.string());
        }
        html << "<h2>" << html_escape(band.label) << "</h2>\n<img src=\"charts/" << chart.name
             << ".png\" alt=\"" << html_escape(band.label) << "\">\n";
    }
    html << "</body></html>\n";
    write_file_atomic(dir / "index.html", html.str());
    written.push_back((dir / "index.html").string());
    return written;
}

}  // namespace chokepoint
