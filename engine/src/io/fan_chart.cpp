#include "chokepoint/io/fan_chart.hpp"

#include <algorithm>
#include <sstream>

#include "chokepoint/core/text.hpp"
#include "chokepoint/io/files.hpp"
#include "chokepoint/io/gnuplot.hpp"

namespace chokepoint {

namespace {

// A month is drawn at its 15th: points sit in the middle of their month, and so do the ticks.
std::string centre(MonthIndex m) {
    return format_month(m) + "-15";
}

// A full-precision number for a data file (gnuplot reads it back).
std::string number(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    return buf;
}

}  // namespace

std::vector<ChartMarker> merge_markers(std::vector<ChartMarker> markers, int min_days) {
    std::stable_sort(markers.begin(), markers.end(),
                     [](const ChartMarker& a, const ChartMarker& b) { return a.day < b.day; });
    std::vector<ChartMarker> out;
    std::vector<int> more;
    std::vector<int> best;  // priority of the label a group shows
    for (auto& m : markers) {
        if (!out.empty() && m.day - out.back().day < min_days) {
            ++more.back();
            if (m.priority > best.back()) {
                best.back() = m.priority;
                out.back().label = m.label;
            }
        } else {
            best.push_back(m.priority);
            out.push_back(std::move(m));
            more.push_back(0);
        }
    }
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (more[i] > 0) {
            out[i].label += " +" + std::to_string(more[i]);
        }
    }
    return out;
}

std::vector<std::filesystem::path> draw_fan_chart(const std::filesystem::path& dir,
                                                  const FanChart& chart) {
    const int months = chart.panels.empty() ? 0 : static_cast<int>(chart.panels[0].months.size());
    const MonthIndex first = chart.first_month;
    const MonthIndex last = first + std::max(months, 1) - 1;
    std::ostringstream gp;
    gp << "set xdata time\nset timefmt '%Y-%m-%d'\n"
       << "set xrange ['" << format_month(first) << "-01':'" << format_month(last + 1) << "-01']\n";
    // Ticks at month centres, labelled every `step` months so that at most 18 labels show.
    const int step = std::max(1, (months + 17) / 18);
    gp << "set xtics (";
    for (int m = 0; m < months; m += step) {
        gp << (m ? ", " : "") << "'" << format_month(first + m) << "' '" << centre(first + m)
           << "'";
    }
    gp << ") rotate by 45 right nomirror\nset mxtics 1\n"
       << "set grid ytics lc rgb '#dddddd'\nset border 3\nset ytics nomirror\n"
       << "set key outside below horizontal noenhanced\nset tmargin 3\n";
    if (chart.projection_from && *chart.projection_from <= last) {
        const MonthIndex p = std::max(*chart.projection_from, first);
        gp << "set object 1 rect from '" << format_month(p) << "-01', graph 0 to graph 1, graph 1"
           << " behind fc rgb '#f3f3f3' fs solid 1.0 noborder\n"
           << "set label 1 'projection' at '" << format_month(p)
           << "-01', graph 0.03 left offset 0.5,0 font ',9' tc rgb '#777777' front\n";
    }
    if (chart.counted_from && month_of(*chart.counted_from) >= first &&
        month_of(*chart.counted_from) <= last) {
        const std::string at = "'" + format_date(*chart.counted_from) + "'";
        gp << "set arrow 2 from " << at << ", graph 0 to " << at
           << ", graph 1 nohead lw 1.5 lc rgb '#333333' front\n"
           << "set label 2 "
           << gnuplot_quote("shortage risk counted from " + format_date(*chart.counted_from))
           << " at " << at
           << ", graph 0.10 left offset 0.5,0 font ',8' tc rgb '#333333' front noenhanced\n";
    }
    int label = 10;
    for (const auto& m : chart.markers) {
        const MonthIndex mm = month_of(m.day);
        if (mm < first || mm > last) {
            continue;
        }
        const std::string at = "'" + format_date(m.day) + "'";
        gp << "set arrow from " << at << ", graph 0 to " << at
           << ", graph 1 nohead dt 2 lw 1 lc rgb '#888888' front\n"
           << "set label " << label++ << " " << gnuplot_quote(m.label) << " at " << at
           << ", graph 0.98 rotate by 90 right offset character 0.7,0 front font ',7' tc rgb "
              "'#555555' "
              "noenhanced\n";
    }
    const std::size_t panels = chart.panels.size();
    if (panels > 1) {
        gp << "set multiplot layout " << panels << ",1\n";
    }
    for (std::size_t p = 0; p < panels; ++p) {
        const FanPanel& panel = chart.panels[p];
        const std::string data_block = "p" + std::to_string(p);
        const std::string points_block = "p" + std::to_string(p) + "_reported";
        std::ostringstream data;
        data << "# month_centre p05 p25 p50 p75 p95\n";
        for (std::size_t m = 0; m < panel.months.size(); ++m) {
            const Summary& s = panel.months[m];
            data << centre(first + static_cast<int>(m)) << ' ' << number(s.p05) << ' '
                 << number(s.p25) << ' ' << number(s.p50) << ' ' << number(s.p75) << ' '
                 << number(s.p95) << '\n';
        }
        gp << gnuplot_datablock(data_block, data.str());
        std::ostringstream points;
        for (const auto& [month, value] : panel.reported) {
            points << centre(month) << ' ' << number(value) << '\n';
        }
        if (!panel.reported.empty()) {
            gp << gnuplot_datablock(points_block, points.str());
        }
        gp << "set title " << gnuplot_quote(panel.title) << " noenhanced\n"
           << "set ylabel " << gnuplot_quote(panel.ylabel) << " noenhanced\n"
           << (panel.zero_floor ? "set yrange [0:*]\n" : "set yrange [*:*]\n") << "plot $"
           << data_block
           << " using 1:2:6 with filledcurves lc rgb '#c6dbef' title 'P5-P95', '' using 1:3:5 "
              "with filledcurves lc rgb '#6baed6' title 'P25-P75', '' using 1:4 with lines lw 2 "
              "lc rgb '#08519c' title 'P50 (median)'";
        if (!panel.reported.empty()) {
            gp << ", $" << points_block
               << " using 1:2 with points pt 7 ps 1.1 lc rgb '#d94801' title 'reported'";
        }
        gp << "\n";
    }
    const int height = panels > 1 ? 380 * static_cast<int>(panels) : 520;
    return draw_chart(dir, chart.name, gp.str(), 1000, height);
}

}  // namespace chokepoint
