#include "chokepoint/report/sweep_report.hpp"

#include "chokepoint/report/html.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <new>
#include <sstream>

#include "../io/json.hpp"
#include "chokepoint/core/text.hpp"
#include "chokepoint/io/files.hpp"
#include "chokepoint/io/gnuplot.hpp"
#include "chokepoint/io/results.hpp"
#include "chokepoint/sweep/run.hpp"

namespace chokepoint {

namespace fs = std::filesystem;

namespace {

std::string num(double v) {
    return std::isfinite(v) ? exact_number(v) : "";
}

nlohmann::ordered_json json_num(double v) {
    return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
}

// A label for a gnuplot data file: no quotes or control characters (data is never evaluated,
// but a stray quote would break the column).
std::string data_label(const std::string& s) {
    std::string out;
    for (char c : s) {
        out += (c == '"' || static_cast<unsigned char>(c) < 0x20) ? '\'' : c;
    }
    return "\"" + out + "\"";
}

struct BarSeries {
    std::string title;
    std::string colour;
    std::vector<double> value;
    std::vector<double> low;  ///< error bar ends; empty: none
    std::vector<double> high;
};

// Horizontal bars per label (top to bottom in the given order), one bar per series.
std::vector<fs::path> bar_chart(const fs::path& dir, const std::string& name,
                                const std::string& title, const std::string& xlabel,
                                const std::vector<std::string>& labels,
                                const std::vector<BarSeries>& series) {
    std::ostringstream data;
    const std::size_t n = labels.size();
    const double width = 0.8 / static_cast<double>(series.size());
    for (std::size_t i = 0; i < n; ++i) {
        const double y = static_cast<double>(n - 1 - i);
        data << y;
        for (std::size_t s = 0; s < series.size(); ++s) {
            const double v = series[s].value[i];
            const double lo = series[s].low.empty() ? v : series[s].low[i];
            const double hi = series[s].high.empty() ? v : series[s].high[i];
            data << ' ' << num(v) << ' ' << num(lo) << ' ' << num(hi);
        }
        data << ' ' << data_label(labels[i]) << '\n';
    }
    std::ostringstream gp;
    gp << gnuplot_datablock("bars", data.str());
    const int height = 160 + 34 * static_cast<int>(n * series.size());
    gp << "set title " << gnuplot_quote(title) << " noenhanced\n"
       << "set xlabel " << gnuplot_quote(xlabel) << " noenhanced\n"
       << "set ytics nomirror noenhanced\nset grid xtics lc rgb '#dddddd'\n"
       << "set key outside bottom center horizontal noenhanced\n"
       << "set yrange [-0.6:" << static_cast<double>(n) - 0.4
       << "]\nset arrow from 0, graph 0 to 0, graph 1 nohead lc rgb '#333333'\n"
       << "set offsets graph 0.05, "
       << "graph 0.05, 0, 0\nset style fill solid 0.85 border -1\n";
    const std::size_t label_col = 2 + 3 * series.size();
    gp << "plot ";
    for (std::size_t s = 0; s < series.size(); ++s) {
        const std::size_t c = 2 + 3 * s;
        const double off =
            (static_cast<double>(s) - (static_cast<double>(series.size()) - 1) / 2) * width;
        gp << (s ? ", " : "") << "$bars using ($" << c << "/2):($1-(" << exact_number(off)
           << ")):(abs($" << c << ")/2):(" << exact_number(width * 0.45) << ")"
           << (s == 0 ? ":ytic(" + std::to_string(label_col) + ")" : "")
           << " with boxxyerror lc rgb '" << series[s].colour << "' title "
           << gnuplot_quote(series[s].title);
        if (!series[s].low.empty()) {
            gp << ", '' using " << c << ":($1-(" << exact_number(off) << ")):" << c + 1 << ":"
               << c + 2 << " with xerrorbars pt -1 lc rgb '#333333' notitle";
        }
    }
    gp << "\n";
    return draw_chart(dir, name, gp.str(), 1000, std::max(320, std::min(height, 2400)));
}

std::vector<const IndexRow*> rows_of(const OutputIndices& r, const std::string& index) {
    std::vector<const IndexRow*> out;
    for (const auto& row : r.rows) {
        if (row.index == index) {
            out.push_back(&row);
        }
    }
    return out;
}

// The index that ranks factors for a design, and whether larger absolute values matter more.
const char* ranking_index(DesignKind d) {
    switch (d) {
        case DesignKind::oat:
            return "swing";
        case DesignKind::morris:
            return "mu_star";
        case DesignKind::sobol:
            return "ST";
        case DesignKind::lhs:
            return "spearman";
        case DesignKind::grid:
            return "main_effect_range";
    }
    return "";
}

std::vector<const IndexRow*> ranked(const OutputIndices& r, DesignKind d) {
    auto rows = rows_of(r, ranking_index(d));
    std::stable_sort(rows.begin(), rows.end(), [](const IndexRow* a, const IndexRow* b) {
        return std::abs(a->value) > std::abs(b->value);
    });
    return rows;
}

const IndexRow* find_row(const OutputIndices& r, const std::string& factor,
                         const std::string& index) {
    for (const auto& row : r.rows) {
        if (row.factor == factor && row.index == index) {
            return &row;
        }
    }
    return nullptr;
}

std::vector<fs::path> chart_for(const SweepPlan& plan, const OutputIndices& r, std::size_t position,
                                const fs::path& dir) {
    const DesignKind d = plan.spec.design;
    const auto order = ranked(r, d);
    std::vector<std::string> labels;
    for (const auto* row : order) {
        // A grouped index's factor is its group's name.
        labels.push_back(row->factor == row->group ? "group: " + row->factor : row->factor);
    }
    // The output's position keeps names apart when two ids differ only in case.
    const std::string name =
        chart_slug(r.output) + "_" + to_string(d) + "_" + std::to_string(position);
    const std::string title = r.output + " (" + r.unit + "): " + plan.spec.name;
    auto series_of = [&](const std::string& index, const std::string& title_text,
                         const std::string& colour, bool bars) {
        BarSeries s{title_text, colour, {}, {}, {}};
        for (const auto* row : order) {
            const IndexRow* x = find_row(r, row->factor, index);
            s.value.push_back(x ? x->value : 0.0);
            if (bars) {
                s.low.push_back(x && std::isfinite(x->conf_low) ? x->conf_low : s.value.back());
                s.high.push_back(x && std::isfinite(x->conf_high) ? x->conf_high : s.value.back());
            }
        }
        return s;
    };
    switch (d) {
        case DesignKind::oat:
            return bar_chart(dir, name, "Tornado: " + title,
                             "change from the base point (" + r.unit + "), 95% trial-noise bars",
                             labels,
                             {series_of("effect_low", "factor at its low end", "#6baed6", true),
                              series_of("effect_high", "factor at its high end", "#fd8d3c", true)});
        case DesignKind::morris:
            return bar_chart(
                dir, name, "Morris: " + title,
                "elementary effect (" + r.unit + " per unit of the factor's range)", labels,
                {series_of("mu_star", "mu* (importance)", "#3182bd", false),
                 series_of("sigma", "sigma (interaction, non-linearity)", "#bdbdbd", false)});
        case DesignKind::sobol:
            return bar_chart(dir, name, "Sobol indices: " + title,
                             plan.spec.replicates > 1
                                 ? "share of the output's variance (bars: 95%, from " +
                                       std::to_string(plan.spec.replicates) + " replicates)"
                                 : "share of the output's variance (bars: 95% bootstrap)",
                             labels,
                             {series_of("S1", "S1 (first order)", "#3182bd", true),
                              series_of("ST", "ST (total)", "#e6550d", true)});
        case DesignKind::lhs:
            return bar_chart(dir, name, "Rank correlation: " + title,
                             "Spearman correlation with the output (bars: 95%)", labels,
                             {series_of("spearman", "Spearman", "#3182bd", true)});
        case DesignKind::grid:
            return bar_chart(dir, name, "Main effects: " + title,
                             "range of the mean over the factor's levels (" + r.unit + ")", labels,
                             {series_of("main_effect_range", "range", "#3182bd", false)});
    }
    return {};
}

}  // namespace

std::string format_sweep_summary(const SweepPlan& plan, const std::vector<OutputIndices>& indices) {
    std::ostringstream s;
    const DesignKind d = plan.spec.design;
    char line[512];
    for (const auto& r : indices) {
        s << "\n"
          << terminal_safe(r.output) << " (" << r.unit << "), " << to_string(d) << " over "
          << plan.points() << " points x " << plan.trials << " trials:\n";
        std::size_t w = 6;
        for (const auto* row : ranked(r, d)) {
            w = std::max(w, row->factor.size());
        }
        for (const auto* row : ranked(r, d)) {
            const std::string f = terminal_safe(row->factor);
            switch (d) {
                case DesignKind::oat: {
                    const IndexRow* lo = find_row(r, row->factor, "effect_low");
                    const IndexRow* hi = find_row(r, row->factor, "effect_high");
                    std::snprintf(line, sizeof line,
                                  "  %-*s  low %+11.4g  high %+11.4g  swing %+11.4g +- %.3g\n",
                                  static_cast<int>(w), f.c_str(), lo->value, hi->value, row->value,
                                  1.96 * row->mc_se);
                    break;
                }
                case DesignKind::morris: {
                    const IndexRow* sg = find_row(r, row->factor, "sigma");
                    std::snprintf(
                        line, sizeof line, "  %-*s  mu* %11.4g  sigma %11.4g  (noise +- %.3g)\n",
                        static_cast<int>(w), f.c_str(), row->value, sg->value, 1.96 * row->mc_se);
                    break;
                }
                case DesignKind::sobol: {
                    const IndexRow* s1 = find_row(r, row->factor, "S1");
                    std::snprintf(line, sizeof line,
                                  "  %-*s  S1 %6.3f +- %.3f   ST %6.3f +- %.3f\n",
                                  static_cast<int>(w), f.c_str(), s1->value,
                                  (s1->conf_high - s1->conf_low) / 2, row->value,
                                  (row->conf_high - row->conf_low) / 2);
                    break;
                }
                case DesignKind::lhs:
                    std::snprintf(line, sizeof line, "  %-*s  Spearman %+6.3f [%+.3f, %+.3f]\n",
                                  static_cast<int>(w), f.c_str(), row->value, row->conf_low,
                                  row->conf_high);
                    break;
                case DesignKind::grid:
                    std::snprintf(line, sizeof line, "  %-*s  main-effect range %11.4g\n",
                                  static_cast<int>(w), f.c_str(), row->value);
                    break;
            }
            s << line;
        }
        for (const auto& n : r.notes) {
            s << "  note: " << terminal_safe(n) << "\n";
        }
    }
    for (const auto& w : plan.warnings) {
        s << "\nwarning: " << terminal_safe(w) << "\n";
    }
    return s.str();
}

namespace {

// indices.csv: tidy long form, one row per output, factor and index.
std::string indices_csv(const std::vector<OutputIndices>& indices) {
    std::ostringstream csv;
    csv << "output,unit,factor,group,index,value,mc_se,conf_low,conf_high,note\n";
    for (const auto& r : indices) {
        for (const auto& row : r.rows) {
            csv << csv_field(r.output) << ',' << csv_field(r.unit) << ',' << csv_field(row.factor)
                << ',' << csv_field(row.group) << ',' << row.index << ',' << num(row.value) << ','
                << num(row.mc_se) << ',' << num(row.conf_low) << ',' << num(row.conf_high) << ','
                << csv_field(row.note) << '\n';
        }
    }
    return csv.str();
}

// indices.json: the same, grouped by output, with the design and noise.
std::string indices_json(const SweepPlan& plan, const std::vector<OutputIndices>& indices) {
    nlohmann::ordered_json j;
    j["sweep"] = plan.spec.name;
    j["design"] = to_string(plan.spec.design);
    j["points"] = plan.points();
    j["trials_per_point"] = plan.trials;
    j["outputs"] = nlohmann::ordered_json::array();
    for (const auto& r : indices) {
        nlohmann::ordered_json o;
        o["output"] = r.output;
        o["unit"] = r.unit;
        o["noise_share"] = json_num(r.noise_share);
        o["indices"] = nlohmann::ordered_json::array();
        for (const auto& row : r.rows) {
            o["indices"].push_back({{"factor", row.factor},
                                    {"group", row.group},
                                    {"index", row.index},
                                    {"value", json_num(row.value)},
                                    {"mc_se", json_num(row.mc_se)},
                                    {"conf_low", json_num(row.conf_low)},
                                    {"conf_high", json_num(row.conf_high)},
                                    {"note", row.note}});
        }
        o["notes"] = r.notes;
        j["outputs"].push_back(o);
    }
    j["warnings"] = plan.warnings;
    return json_text(j);
}

// problem.json in the shape SALib's analyze functions read.
std::string problem_json(const SweepPlan& plan) {
    nlohmann::ordered_json problem;
    problem["num_vars"] = plan.factors.size();
    problem["names"] = nlohmann::ordered_json::array();
    problem["bounds"] = nlohmann::ordered_json::array();
    bool grouped = false;
    for (const auto& f : plan.factors) {
        problem["names"].push_back(f.spec.path);
        problem["bounds"].push_back({f.low, f.high});
        grouped = grouped || !f.spec.group.empty();
    }
    if (grouped) {
        problem["groups"] = nlohmann::ordered_json::array();
        for (const auto& f : plan.factors) {
            problem["groups"].push_back(f.spec.group.empty() ? f.spec.path : f.spec.group);
        }
    }
    return json_text(problem);
}

// One chart per output into dir/charts: each output's PNG (relative to dir), empty where it has
// none. Without gnuplot, or when a chart fails (not for a full disk: that ends the command, the
// points are saved and the next run resumes and writes the report), none, with a warning.
std::vector<std::string> sweep_charts(const SweepPlan& plan,
                                      const std::vector<OutputIndices>& indices,
                                      const fs::path& dir, std::vector<std::string>& warnings) {
    if (!gnuplot_available()) {
        warnings.push_back(
            "gnuplot not found: no charts (install the Debian package "
            "gnuplot-nox)");
        return {};
    }
    std::vector<std::string> images(indices.size());
    try {
        for (std::size_t i = 0; i < indices.size(); ++i) {
            for (const auto& f : chart_for(plan, indices[i], i + 1, dir / "charts")) {
                if (f.extension() == ".png") {
                    images[i] = "charts/" + f.filename().string();
                }
            }
        }
    } catch (const std::bad_alloc&) {
        throw;
    } catch (const std::exception& e) {
        if (is_no_space(e)) {
            throw;
        }
        std::error_code ec;
        fs::remove_all(dir / "charts", ec);
        warnings.push_back(std::string("no charts: ") + e.what());
        return {};
    }
    return images;
}

// index.html: provenance, warnings, and per output its chart and table of indices.
std::string sweep_page(const SweepPlan& plan, const std::vector<OutputIndices>& indices,
                       const std::vector<std::string>& images) {
    std::ostringstream html;
    const std::string name = html_escape(plan.spec.name);
    html << page_head(plan.spec.name + ": sweep") << "<h1>" << name << ": "
         << to_string(plan.spec.design) << " sweep</h1>\n";
    html << "<p>" << plan.points() << " points &times; " << plan.trials
         << " trials, common random numbers (trial i draws the same streams at every "
            "point). Files: points.csv, trials.csv, indices.csv, indices.json, problem.json.</p>\n"
            "<table><tr><th class=\"l\">provenance</th><th class=\"l\"></th></tr>\n";
    const auto id = nlohmann::json::parse(sweep_identity(plan));
    for (const auto& [k, v] : id.items()) {
        html << "<tr><td class=\"l\">" << html_escape(k) << "</td><td class=\"l\">"
             << html_escape(v.is_string() ? v.template get<std::string>() : v.dump())
             << "</td></tr>\n";
    }
    html << "<tr><td class=\"l\">sweep file</td><td class=\"l\">" << html_escape(plan.spec.path)
         << "</td></tr>\n<tr><td class=\"l\">scenario</td><td class=\"l\">"
         << html_escape(plan.spec.scenario_path) << "</td></tr></table>\n";
    for (const auto& w : plan.warnings) {
        html << "<p><b>warning:</b> " << html_escape(w) << "</p>\n";
    }
    for (std::size_t o = 0; o < indices.size(); ++o) {
        const OutputIndices& r = indices[o];
        html << "<h2>" << html_escape(r.output) << " (" << html_escape(r.unit) << ")</h2>\n";
        if (o < images.size() && !images[o].empty()) {
            html << "<img src=\"" << html_escape(images[o]) << "\" alt=\"" << html_escape(r.output)
                 << "\">\n";
        }
        html << "<table><tr><th class=\"l\">factor</th><th>index</th><th>value</th>"
                "<th>trial-noise se</th><th>95% low</th><th>95% high</th><th class=\"l\">note"
                "</th></tr>\n";
        for (const auto& row : r.rows) {
            html << "<tr><td class=\"l\">" << html_escape(row.factor) << "</td><td>" << row.index
                 << "</td><td>" << format_number(row.value, 4) << "</td><td>"
                 << format_number(row.mc_se, 4) << "</td><td>" << format_number(row.conf_low, 4)
                 << "</td><td>" << format_number(row.conf_high, 4) << "</td><td class=\"l\">"
                 << html_escape(row.note) << "</td></tr>\n";
        }
        html << "</table>\n";
        for (const auto& n : r.notes) {
            html << "<p>" << html_escape(n) << "</p>\n";
        }
    }
    html << "</body></html>\n";
    return html.str();
}

}  // namespace

std::vector<std::string> write_sweep_report(const SweepPlan& plan,
                                            const std::vector<OutputIndices>& indices,
                                            const fs::path& dir, bool charts) {
    std::vector<std::string> warnings;
    write_file_atomic(dir / "indices.csv", indices_csv(indices));
    write_file_atomic(dir / "indices.json", indices_json(plan, indices));
    write_file_atomic(dir / "problem.json", problem_json(plan));
    const std::vector<std::string> images =
        charts ? sweep_charts(plan, indices, dir, warnings) : std::vector<std::string>{};
    write_file_atomic(dir / "index.html", sweep_page(plan, indices, images));
    return warnings;
}

}  // namespace chokepoint
