// `simulate diff`: what a change does, as the distribution of the per-trial difference between
// a base and a what-if run with common random numbers.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "chokepoint/core/text.hpp"
#include "chokepoint/io/files.hpp"
#include "chokepoint/io/gnuplot.hpp"
#include "chokepoint/io/result_dir.hpp"
#include "chokepoint/io/results.hpp"
#include "chokepoint/report/run_report.hpp"
#include "chokepoint/sweep/diff.hpp"
#include "cli_common.hpp"

namespace chokepoint::cli {

namespace {

// The headline series, World first (headline_series in cli_common).
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
           << "set ylabel 'what-if minus base, tonnes per month'\n"
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

// One side of a diff as diff.json and the titles name it.
struct DiffSide {
    const Scenario& scenario;
    const std::string& path;
    const std::vector<std::string>& sets;
};

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
void print_diff_table(const DiffResult& d, const std::vector<std::size_t>& series,
                      const std::string& whatif_label, const std::string& base_label,
                      double paired_worth) {
    const SeriesKey& k0 = d.layout.series[series[0]];
    std::cout << "\n"
              << terminal_safe(whatif_label) << " minus " << terminal_safe(base_label) << ": "
              << k0.product << " exports from " << k0.from
              << ", tonnes per month, mean [P5..P95] of the per-trial difference and "
                 "P(what-if lower), "
              << d.trials_completed << " paired trials\n\n";
    const std::size_t shown = std::min<std::size_t>(series.size(), 4);
    char cell[96];
    std::cout << "month  ";
    for (std::size_t c = 0; c < shown; ++c) {
        std::snprintf(cell, sizeof cell, "  %-30s",
                      terminal_safe(d.layout.series[series[c]].to).c_str());
        std::cout << cell;
    }
    std::cout << "\n";
    for (int m = 0; m < d.layout.months; ++m) {
        bool any = false;
        for (std::size_t c = 0; c < shown; ++c) {
            const Summary& x = d.at(series[c], m);
            any = any || x.p05 != 0.0 || x.p95 != 0.0 || x.mean != 0.0;
        }
        if (!any) {
            continue;
        }
        std::cout << format_month(d.layout.first_month + m);
        for (std::size_t c = 0; c < shown; ++c) {
            const Summary& x = d.at(series[c], m);
            const double pl = d.prob_lower[series[c] * static_cast<std::size_t>(d.layout.months) +
                                           static_cast<std::size_t>(m)];
            const std::string text = compact(x.mean) + " [" + compact(x.p05) + ".." +
                                     compact(x.p95) + "] " + format_number(100 * pl, 0) + "%";
            std::snprintf(cell, sizeof cell, "  %-30s", text.c_str());
            std::cout << cell;
        }
        std::cout << "\n";
    }
    if (std::isfinite(paired_worth)) {
        std::cout << "\nPairing: " << d.trials_completed
                  << " paired trials give the precision of about " << format_number(paired_worth, 0)
                  << " independent trials of each scenario (" << k0.to
                  << ", median over the months that differ).\n";
    }
}

}  // namespace

int cmd_diff(const std::vector<std::string>& args, const std::string& command_line) {
    po::options_description opts("diff options");
    std::string base_path;
    std::string whatif_path;
    std::vector<std::string> sets;
    std::vector<std::string> base_sets;
    std::string output;
    int trials = 0;
    long long seed = -1;
    int threads = 0;
    bool quiet = false;
    bool no_charts = false;
    opts.add_options()("base", po::value<std::string>(&base_path), "base scenario")(
        "whatif", po::value<std::string>(&whatif_path), "what-if scenario (default: the base)")(
        "set", po::value<std::vector<std::string>>(&sets)->composing(),
        "override path=value in the what-if")(
        "base-set", po::value<std::vector<std::string>>(&base_sets)->composing(),
        "override path=value in the base")("trials", po::value<int>(&trials),
                                           "trials (default: the what-if's)")(
        "seed", po::value<long long>(&seed), "master seed (default: the what-if's)")(
        "threads", po::value<int>(&threads), "worker threads (default: all cores)")(
        "output,o", po::value<std::string>(&output),
        "output directory (default: results/<what-if name>-diff)")(
        "no-charts", po::bool_switch(&no_charts), "skip the charts")(
        "quiet,q", po::bool_switch(&quiet), "no progress line and no table");
    const po::variables_map vm = parse_args(args, opts, {"base", "whatif"});
    if (base_path.empty()) {
        throw UsageError("diff needs a base scenario, and a what-if scenario or --set/--base-set");
    }
    if (whatif_path.empty()) {
        whatif_path = base_path;
        if (sets.empty() && base_sets.empty()) {
            throw UsageError(
                "diff of a scenario with itself: give a what-if scenario, --set "
                "(what-if) or --base-set (base)");
        }
    }
    check_run_options(vm, trials, threads, seed, 2);
    const Scenario base = load_scenario(base_path, parse_overrides(base_sets));
    const Scenario whatif = load_scenario(whatif_path, parse_overrides(sets));
    const std::filesystem::path dir = output_dir(output, whatif.name + "-diff");
    require_result_dir(dir, ResultKind::diff);
    RunConfig config = run_config(whatif, trials, seed, threads);
    Progress progress(!quiet && ::isatty(STDERR_FILENO));
    config.progress = [&](int done, int total) { progress(done, total); };
    DiffResult d;
    try {
        const InterruptHandlers interrupts;
        d = run_diff(base, whatif, config);
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
    if (d.partial) {
        progress.finish();
        spdlog::error("interrupted: nothing written");
        return EXIT_INTERRUPTED;
    }
    const auto series = headline(d.layout);
    const double paired_worth = pairing_worth(d, series);

    StagedDirectory staged(dir);
    write_file_atomic(staged.path() / "diff.csv", format_diff_csv(d));
    write_file_atomic(staged.path() / "diff.json",
                      diff_json(d, {base, base_path, base_sets}, {whatif, whatif_path, sets},
                                config.seed, paired_worth, command_line));
    const std::size_t charts = draw_charts(staged.path(), no_charts, [&] {
        return diff_charts(d, series, staged.path() / "charts",
                           label(whatif, sets) + " vs " + label(base, base_sets))
            .size();
    });
    staged.commit();
    if (!quiet && !series.empty()) {
        print_diff_table(d, series, label(whatif, sets), label(base, base_sets), paired_worth);
    }
    std::cout << "\nResults written to " << dir.string() << "/ (diff.csv, diff.json"
              << (charts ? ", charts/" : "") << ")\n";
    return EXIT_OK;
}

}  // namespace chokepoint::cli
