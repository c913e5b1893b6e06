#include "chokepoint/compare/charts.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>

#include "chokepoint/core/text.hpp"
#include "chokepoint/io/fan_chart.hpp"
#include "chokepoint/io/files.hpp"
#include "chokepoint/io/gnuplot.hpp"

namespace chokepoint {

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

std::vector<std::string> write_fan_charts(const std::filesystem::path& dir, const Comparison& c,
                                          const Scenario& scenario,
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
    html << "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>"
         << html_escape(scenario.name)
         << ": simulated against reported</title>\n<style>body{font-family:sans-serif;margin:2em;"
            "max-width:1000px}img{width:100%;border:1px solid #ddd}td,th{padding:2px 8px;"
            "text-align:right}</style></head><body>\n<h1>"
         << html_escape(scenario.name) << ": simulated against reported</h1>\n<p>"
         << c.run.trials_completed
         << " trials. Bands: P5-P95 (light) and P25-P75 (dark); line: P50; points: reported "
            "single-month figures. Multi-month totals are in comparison.csv.</p>\n";
    html << "<h2>Scores</h2><table><tr><th>series</th><th>figures</th><th>MAPE</th><th>bias</th>"
            "<th>50% cover</th><th>90% cover</th><th>CRPS (t)</th></tr>\n";
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
