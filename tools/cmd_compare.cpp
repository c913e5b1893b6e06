// `simulate compare`: the model against reported customs figures (docs/validation.md). Its table
// on the terminal, and its result set (comparison.csv, scores.json, the page), written whole or
// not at all. `backtest` is in cmd_backtest.cpp, `calibrate` in cmd_calibrate.cpp; the options
// all three share in comparison_options.hpp.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <tuple>

#include "chokepoint/compare/charts.hpp"
#include "chokepoint/compare/compare.hpp"
#include "chokepoint/core/text.hpp"
#include "chokepoint/io/files.hpp"
#include "chokepoint/io/result_dir.hpp"
#include "chokepoint/scenario/scenario.hpp"
#include "cli_common.hpp"
#include "comparison_options.hpp"

namespace po = boost::program_options;
using namespace chokepoint;

namespace chokepoint::cli {

namespace {

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

// Figures that another file gives too, from a file other than the scored row's: which was scored
// and which was not (the first read is scored: shipped files before --reported's), the first five.
void print_repeated(const Comparison& c) {
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
    std::cout << "\n"
              << repeats.size()
              << (repeats.size() == 1 ? " row gives a figure" : " rows give figures")
              << " (the same series and period) that another file gives too, and "
              << (repeats.size() == 1 ? "was" : "were")
              << " not scored: each figure is scored once, from the first file read (the "
                 "shipped files, then --reported's). --reported-only scores only yours:\n";
    for (std::size_t i = 0; i < std::min<std::size_t>(5, repeats.size()); ++i) {
        const ReportedRow& r = c.rows[repeats[i].second];
        const ReportedRow& scored = c.rows[repeats[i].first->row];
        std::cout << "  " << terminal_safe(r.file) << ":" << r.line << ": "
                  << terminal_safe(repeats[i].first->label) << " " << format_month(r.first)
                  << (r.first == r.last ? "" : ".." + format_month(r.last)) << ": "
                  << format_number(r.tonnes, 1) << " t"
                  << (figures_disagree(scored, r) ? " (conflicts)" : "") << ", not scored; scored "
                  << format_number(scored.tonnes, 1) << " t from " << terminal_safe(scored.file)
                  << ":" << scored.line << "\n";
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
    print_repeated(c);
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

}  // namespace chokepoint::cli
