#include "chokepoint/compare/charts.hpp"

#include <sstream>
#include <stdexcept>

#include "chokepoint/core/text.hpp"
#include "chokepoint/io/files.hpp"
#include "chokepoint/io/gnuplot.hpp"

namespace chokepoint {

std::vector<std::string> write_fan_charts(const std::filesystem::path& dir, const Comparison& c,
                                          const Scenario& scenario) {
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
    for (std::size_t b = 0; b < c.bands.size(); ++b) {
        const MonthlyBand& band = c.bands[b];
        const std::string name = chart_slug(band.label);
        std::ostringstream data;
        for (std::size_t m = 0; m < band.months.size(); ++m) {
            const Summary& s = band.months[m];
            data << format_month(first + static_cast<int>(m)) << "-15 " << s.p05 << ' ' << s.p25
                 << ' ' << s.p50 << ' ' << s.p75 << ' ' << s.p95 << '\n';
        }
        std::ostringstream points;
        int npoints = 0;
        for (const auto& f : c.figures) {
            const ReportedRow& r = c.rows[f.row];
            if (f.label == band.label && r.first == r.last) {
                points << format_month(r.first) << "-15 " << f.reported << '\n';
                ++npoints;
            }
        }
        const std::string data_file = name + ".dat";
        const std::string points_file = name + ".reported.dat";
        write_file_atomic(charts / data_file, data.str());
        write_file_atomic(charts / points_file, npoints ? points.str() : "# none\n");
        std::ostringstream gp;
        gp << "set xdata time\nset timefmt '%Y-%m-%d'\nset format x '%Y-%m'\n"
           << "set xtics rotate by 45 right\nset grid ytics lc rgb '#dddddd'\n"
           << "set ylabel 'tonnes per month'\nset key top left\n"
           << "set title " << gnuplot_quote(band.label + " (" + scenario.name + ")")
           << " noenhanced\nset yrange [0:*]\n"
           << "plot '" << data_file
           << "' using 1:2:6 with filledcurves lc rgb '#c6dbef' title 'P5-P95', '' using 1:3:5 "
              "with filledcurves lc rgb '#6baed6' title 'P25-P75', '' using 1:4 with lines lw 2 "
              "lc rgb '#08519c' title 'P50'";
        if (npoints) {
            gp << ", '" << points_file
               << "' using 1:2 with points pt 7 ps 1.2 lc rgb '#d94801' title 'reported'";
        }
        gp << "\n";
        for (const auto& file : draw_chart(charts, name, gp.str())) {
            written.push_back(file.string());
        }
        html << "<h2>" << html_escape(band.label) << "</h2>\n<img src=\"charts/" << name
             << ".png\" alt=\"" << html_escape(band.label) << "\">\n";
    }
    html << "</body></html>\n";
    write_file_atomic(dir / "index.html", html.str());
    written.push_back((dir / "index.html").string());
    return written;
}

}  // namespace chokepoint
