// What a diff shows: its table on a screen, and its files (diff.csv, diff.json, the charts).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "chokepoint/core/calendar.hpp"
#include "chokepoint/core/text.hpp"
#include "chokepoint/io/files.hpp"
#include "chokepoint/io/gnuplot.hpp"
#include "chokepoint/io/results.hpp"
#include "chokepoint/report/diff_report.hpp"
#include "chokepoint/report/run_report.hpp"

namespace chokepoint {

namespace {

// The headline series, World first (headline_series, run_report.hpp).
std::vector<std::size_t> headline(const OutputLayout& layout) {
    const ReportSeries h = headline_series(layout);
    std::vector<std::size_t> out = h.totals;
    out.insert(out.end(), h.parts.begin(), h.parts.end());
    return out;
}

std::vector<std::string> diff_charts(const DiffResult& d, const std::vector<std::size_t>& series,
                                     const std::filesystem::path& dir, const std::string& title) {
    std::vector<std::string> written;
    for (std::size_t s : series) {
        const SeriesKey& k = d.layout.series[s];
        const std::string name = chart_slug("diff_" + k.metric + "_" + k.product + "_" + k.to);
        std::ostringstream data;
        for (int m = 0; m < d.layout.months; ++m) {
            const Summary& x = d.at(s, m);
            data << format_month(d.layout.first_month + m) << "-15 " << x.p05 << ' ' << x.p25 << ' '
                 << x.p50 << ' ' << x.p75 << ' ' << x.p95 << ' ' << x.mean << '\n';
        }
        std::ostringstream gp;
        gp << gnuplot_datablock("diff", data.str())
           << "set xdata time\nset timefmt '%Y-%m-%d'\nset format x '%Y-%m'\n"
           << "set xtics rotate by 45 right\nset grid ytics lc rgb '#dddddd'\n"
           << "set ylabel 'what-if minus base, " << mass_unit_name(d.layout.unit) << " per month'\n"
           << "set key outside bottom center horizontal\nset xzeroaxis lt -1\n"
           << "set title "
           << gnuplot_quote(k.product + " " + k.metric + " " + k.from + " to " + k.to + ": " +
                            title)
           << " noenhanced\n"
           << "plot $diff using 1:2:6 with filledcurves lc rgb '#c6dbef' title 'P5-P95', '' using "
              "1:3:5 with filledcurves lc rgb '#6baed6' title 'P25-P75', '' using 1:4 with lines "
              "lw 2 lc rgb '#08519c' title 'P50', '' using 1:7 with lines dt 2 lw 2 lc rgb "
              "'#d94801' title 'mean'\n";
        for (const auto& f : draw_chart(dir, name, gp.str())) {
            written.push_back(f.string());
        }
    }
    return written;
}

// A scenario's name with the overrides that made it, for titles.
std::string label(const Scenario& s, const std::vector<std::string>& sets) {
    std::string out = s.name;
    for (const auto& x : sets) {
        out += " [" + x + "]";
    }
    return out;
}

// How many independent trials the pairing is worth, on the headline World series over the
// months where the two differ (median over those months); NaN where none differs.
double pairing_worth(const DiffResult& d, const std::vector<std::size_t>& series) {
    std::vector<double> worth;
    if (!series.empty()) {
        for (int m = 0; m < d.layout.months; ++m) {
            const std::size_t col =
                series[0] * static_cast<std::size_t>(d.layout.months) + static_cast<std::size_t>(m);
            const double e = d.independent_equivalent(col);
            if (std::isfinite(e) && d.monthly[col].mean != 0.0) {
                worth.push_back(e);
            }
        }
    }
    std::sort(worth.begin(), worth.end());
    return worth.empty() ? NAN : worth[worth.size() / 2];
}

// diff.json: provenance of both sides, the seed, the trials and what the pairing is worth.
std::string diff_json(const DiffResult& d, const DiffSide& base, const DiffSide& whatif,
                      std::uint64_t seed, double paired_worth, const std::string& command_line) {
    nlohmann::ordered_json j;
    j["tool"] = "chokepoint simulate diff";
    j["version"] = version();
    j["git_revision"] = git_revision();
    j["command_line"] = command_line;
    for (const auto& [key, side] : {std::pair<const char*, const DiffSide&>{"base", base},
                                    std::pair<const char*, const DiffSide&>{"whatif", whatif}}) {
        j[key] = {{"name", side.scenario.name},
                  {"path", side.path},
                  {"sha256", sha256_hex(side.scenario.resolved_yaml)},
                  {"set", side.sets}};
    }
    j["seed"] = seed;
    j["trials"] = d.trials_completed;
    j["common_random_numbers"] = true;
    j["independent_trials_equivalent"] =
        std::isfinite(paired_worth) ? nlohmann::ordered_json(paired_worth) : nullptr;
    j["files"] = {"diff.csv"};
    // Paths are bytes: any that are not UTF-8 are written as U+FFFD, never failing the write.
    return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

// The screen's table: the headline series' per-trial difference by month (months where all
// shown are zero left out), and what the pairing is worth.
void print_diff_table(std::ostream& out, const DiffResult& d,
                      const std::vector<std::size_t>& series, const std::string& whatif_label,
                      const std::string& base_label, double paired_worth) {
    const SeriesKey& k0 = d.layout.series[series[0]];
    out << "\n"
        << terminal_safe(whatif_label) << " minus " << terminal_safe(base_label) << ": "
        << k0.product << " exports from " << k0.from << ", " << mass_unit_name(d.layout.unit)
        << " per month, mean [P5..P95] of the per-trial difference and "
           "P(what-if lower), "
        << d.trials_completed << " paired trials\n\n";
    const std::size_t shown = std::min<std::size_t>(series.size(), 4);
    char cell[96];
    out << "month  ";
    for (std::size_t c = 0; c < shown; ++c) {
        std::snprintf(cell, sizeof cell, "  %-30s",
                      terminal_safe(d.layout.series[series[c]].to).c_str());
        out << cell;
    }
    out << "\n";
    for (int m = 0; m < d.layout.months; ++m) {
        bool any = false;
        for (std::size_t c = 0; c < shown; ++c) {
            const Summary& x = d.at(series[c], m);
            any = any || x.p05 != 0.0 || x.p95 != 0.0 || x.mean != 0.0;
        }
        if (!any) {
            continue;
        }
        out << format_month(d.layout.first_month + m);
        for (std::size_t c = 0; c < shown; ++c) {
            const Summary& x = d.at(series[c], m);
            const double pl = d.prob_lower[series[c] * static_cast<std::size_t>(d.layout.months) +
                                           static_cast<std::size_t>(m)];
            const std::string text = compact(x.mean) + " [" + compact(x.p05) + ".." +
                                     compact(x.p95) + "] " + format_number(100 * pl, 0) + "%";
            std::snprintf(cell, sizeof cell, "  %-30s", text.c_str());
            out << cell;
        }
        out << "\n";
    }
    if (std::isfinite(paired_worth)) {
        out << "\nPairing: " << d.trials_completed << " paired trials give the precision of about "
            << format_number(paired_worth, 0) << " independent trials of each scenario (" << k0.to
            << ", median over the months that differ).\n";
    }
}

}  // namespace

void print_diff(std::ostream& out, const DiffResult& d, const DiffSide& base,
                const DiffSide& whatif) {
    const auto series = headline(d.layout);
    if (!series.empty()) {
        print_diff_table(out, d, series, label(whatif.scenario, whatif.sets),
                         label(base.scenario, base.sets), pairing_worth(d, series));
    }
}

void write_diff_data(const std::filesystem::path& dir, const DiffResult& d, const DiffSide& base,
                     const DiffSide& whatif, std::uint64_t seed, const std::string& command_line) {
    write_file_atomic(dir / "diff.csv", format_diff_csv(d));
    write_file_atomic(
        dir / "diff.json",
        diff_json(d, base, whatif, seed, pairing_worth(d, headline(d.layout)), command_line));
}

std::size_t write_diff_charts(const std::filesystem::path& dir, const DiffResult& d,
                              const DiffSide& base, const DiffSide& whatif) {
    return diff_charts(
               d, headline(d.layout), dir / "charts",
               label(whatif.scenario, whatif.sets) + " vs " + label(base.scenario, base.sets))
        .size();
}

}  // namespace chokepoint
