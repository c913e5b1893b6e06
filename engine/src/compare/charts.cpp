#include "chokepoint/compare/charts.hpp"

#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include "chokepoint/io/files.hpp"

namespace chokepoint {

namespace {
std::string slug(const std::string& s) {
    std::string out;
    for (char ch : s) {
        out += std::isalnum(static_cast<unsigned char>(ch)) ? static_cast<char>(std::tolower(ch))
                                                            : '_';
    }
    return out;
}

std::string html_escape(const std::string& s) {
    std::string out;
    for (char ch : s) {
        switch (ch) {
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '&':
                out += "&amp;";
                break;
            default:
                out += ch;
        }
    }
    return out;
}
}  // namespace

std::vector<std::string> write_fan_charts(const std::filesystem::path& dir, const Comparison& c,
                                          const Scenario& scenario) {
    namespace fs = std::filesystem;
    if (std::system("command -v gnuplot >/dev/null 2>&1") != 0) {
        throw std::runtime_error(
            "gnuplot not found: install the Debian package gnuplot-nox to draw charts");
    }
    const fs::path charts = dir / "charts";
    fs::create_directories(charts);
    std::vector<std::string> written;
    std::ostringstream html;
    html << "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>" << scenario.name
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
        const std::string name = slug(band.label);
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
        const fs::path data_file = charts / (name + ".dat");
        const fs::path points_file = charts / (name + ".reported.dat");
        write_file_atomic(data_file, data.str());
        write_file_atomic(points_file, npoints ? points.str() : "# none\n");
        std::ostringstream gp;
        gp << "set xdata time\nset timefmt '%Y-%m-%d'\nset format x '%Y-%m'\n"
           << "set xtics rotate by 45 right\nset grid ytics lc rgb '#dddddd'\n"
           << "set ylabel 'tonnes per month'\nset key top left\n"
           << "set title '" << band.label << " (" << scenario.name << ")' noenhanced\n"
           << "set yrange [0:*]\n";
        const std::string plot =
            "plot '" + data_file.string() +
            "' using 1:2:6 with filledcurves lc rgb '#c6dbef' title 'P5-P95', '' using 1:3:5 "
            "with filledcurves lc rgb '#6baed6' title 'P25-P75', '' using 1:4 with lines lw 2 "
            "lc rgb '#08519c' title 'P50'" +
            (npoints ? ", '" + points_file.string() +
                           "' using 1:2 with points pt 7 ps 1.2 lc rgb '#d94801' title 'reported'"
                     : std::string()) +
            "\n";
        for (const char* ext : {"png", "svg"}) {
            const fs::path out = charts / (name + "." + ext);
            const fs::path tmp = charts / ("." + name + "." + ext + ".tmp");
            std::ostringstream script;
            script << (std::string(ext) == "png"
                           ? "set terminal pngcairo size 1000,520 font 'sans,10'\n"
                           : "set terminal svg size 1000,520 dynamic font 'sans,10'\n")
                   << "set output '" << tmp.string() << "'\n"
                   << gp.str() << plot << "set output\n";
            const fs::path script_file = charts / (name + "." + ext + ".gp");
            write_file_atomic(script_file, script.str());
            const std::string cmd = "gnuplot '" + script_file.string() + "' 2>'" +
                                    (charts / (name + ".log")).string() + "'";
            if (std::system(cmd.c_str()) != 0) {
                throw std::runtime_error("gnuplot failed on " + script_file.string() + "; see " +
                                         (charts / (name + ".log")).string());
            }
            fs::rename(tmp, out);
            fs::remove(script_file);
            written.push_back(out.string());
        }
        fs::remove(charts / (name + ".log"));
        html << "<h2>" << html_escape(band.label) << "</h2>\n<img src=\"charts/" << name
             << ".png\" alt=\"" << html_escape(band.label) << "\">\n";
    }
    html << "</body></html>\n";
    write_file_atomic(dir / "index.html", html.str());
    written.push_back((dir / "index.html").string());
    return written;
}

}  // namespace chokepoint
