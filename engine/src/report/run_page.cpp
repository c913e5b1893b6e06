#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>
#include <stdexcept>

#include "chokepoint/core/text.hpp"
#include "chokepoint/io/files.hpp"
#include "chokepoint/io/gnuplot.hpp"
#include "chokepoint/io/results.hpp"
#include "chokepoint/report/run_report.hpp"

namespace chokepoint {

namespace {

// Reported single-month figures that are exactly one series of the layout, by series index.
std::map<std::size_t, std::vector<std::pair<MonthIndex, double>>> reported_by_series(
    const std::vector<ReportedRow>& rows, const OutputLayout& layout, const Material& material) {
    std::map<std::size_t, std::vector<std::pair<MonthIndex, double>>> out;
    if (rows.empty()) {
        return out;
    }
    const ReportedMapping mapping = map_reported(rows, layout, material, layout.first_month,
                                                 layout.first_month + layout.months - 1);
    for (const auto& t : mapping.targets) {
        if (t.series.size() == 1 && t.first == t.last) {
            out[static_cast<std::size_t>(t.series[0])].push_back(
                {layout.first_month + t.first, rows[t.row].amount});
        }
    }
    return out;
}

std::vector<Summary> months_of(const RunResult& r, std::size_t series) {
    std::vector<Summary> out;
    for (int m = 0; m < r.layout.months; ++m) {
        out.push_back(r.at(series, m));
    }
    return out;
}

// The glossary of the run page; amounts in `unit` ("tonnes", "kilograms").
std::string glossary(const std::string& unit) {
    return std::string(
        "<h2>Reading the charts</h2>\n<dl>\n"
        "<dt>trial</dt><dd>one run of the scenario with every uncertain number drawn once; the "
        "bands are percentiles over all trials.</dd>\n"
        "<dt>P50 (median)</dt><dd>half of the trials are below the line, half above.</dd>\n"
        "<dt>P25-P75, P5-P95</dt><dd>the middle 50% and 90% of trials: a 90% band holds the "
        "month's "
        "value in nine trials out of ten.</dd>\n"
        "<dt>World</dt><dd>the total over all partners (a row of summary.csv with "
        "<code>partner_total</code> true), not a country.</dd>\n"
        "<dt>reported</dt><dd>customs figures from the dataset beside the model "
        "(reported/ beside the model file), where a figure is exactly one series and month.</dd>\n"
        "<dt>projection</dt><dd>months after the last reported figure (shaded).</dd>\n"
        "<dt>shortage risk counted from</dt><dd>the day the headline and the buyers' risk count "
        "from (the solid "
        "line): the scenario's <code>time_to_shortage_from</code>, by default its first export "
        "control; in a scenario of what is known now, today.</dd>\n"
        "<dt>licence backlog</dt><dd>" +
        unit +
        " whose licence application is waiting for a decision at "
        "the month's end.</dd>\n"
        "<dt>stock</dt><dd>a buyer's stock at the month's end, in " +
        unit +
        ".</dd>\n"
        "<dt>shortage</dt><dd>" +
        unit +
        " of a buyer's demand that stock and deliveries could not meet in "
        "the month.</dd>\n"
        "<dt>dashed lines</dt><dd>the start of each event of the scenario (~: an uncertain start, "
        "drawn at the middle of its range). Events within 12 days of each other share one line, "
        "labelled with the most important (export controls first) and +N for the others; the "
        "events table lists them all.</dd>\n</dl>\n");
}

/// The run page's chart sections and their navigation links, drawn into `charts/`.
class ChartSections {
  public:
    ChartSections(const std::filesystem::path& dir, const Scenario& scenario,
                  const RunResult& result, const std::vector<ReportedRow>& reported)
        : charts_(dir / "charts"),
          result_(result),
          layout_(result.layout),
          points_(reported_by_series(reported, layout_, scenario.material)),
          markers_(merge_markers(event_markers(scenario), 12)),
          projection_(projection_start(reported)),
          counted_from_(scenario.reference_day),
          per_month_(scenario.material.unit_name() + " per month"),
          at_end_(scenario.material.unit_name() + " at month end") {
        std::filesystem::create_directories(charts_);
    }

    /// The headline series: to World first, then each destination.
    void headline(const ReportSeries& head) {
        section("exports", head.describe());
        std::vector<std::size_t> order = head.totals;
        order.insert(order.end(), head.parts.begin(), head.parts.end());
        for (std::size_t s : order) {
            const SeriesKey& k = layout_.series[s];
            chart("exports_" + k.product + "_" + k.from + "_" + k.to,
                  {panel(s, head.describe() + " to " + k.to, per_month_)});
        }
    }

    /// The material's page groups: other products the headline's exporter ships (for rare
    /// earths, separation products: oxide, compound, metal, Dy/Tb), each to World.
    void export_group(const ReportSeries& head, const PageGroup& group) {
        bool any = false;
        for (std::size_t s = 0; s < layout_.series.size(); ++s) {
            const SeriesKey& k = layout_.series[s];
            if (k.metric == "exports" && k.to == "World" && k.from == head.exporter &&
                k.product != head.product &&
                std::find(group.products.begin(), group.products.end(), k.product) !=
                    group.products.end()) {
                if (!any) {
                    section(group.id, group.title + " exported from " + head.exporter);
                    any = true;
                }
                chart("exports_" + k.product + "_" + k.from + "_world",
                      {panel(s, k.product + " exports from " + k.from + " to World", per_month_)});
            }
        }
    }

    /// Licence backlogs: totals per product.
    void backlogs() {
        bool any_backlog = false;
        for (std::size_t s = 0; s < layout_.series.size(); ++s) {
            const SeriesKey& k = layout_.series[s];
            if (k.metric == "licence_backlog" && k.to == "World") {
                if (!any_backlog) {
                    section("backlog", "Licence backlogs");
                    any_backlog = true;
                }
                chart("licence_backlog_" + k.product + "_" + k.from,
                      {panel(
                          s,
                          k.product + " waiting for a licence in " + k.from + " (all destinations)",
                          at_end_)});
            }
        }
    }

    /// Buyers: stock above shortage, for each buyer country and product with a shortage in any
    /// percentile; the others are named in one sentence.
    void buyers() {
        section("buyers", "Buyers: stock and shortage");
        std::vector<std::string> never_short;
        for (std::size_t s = 0; s < layout_.series.size(); ++s) {
            const SeriesKey& k = layout_.series[s];
            if (k.metric != "shortage") {
                continue;
            }
            bool short_somewhere = false;
            for (int m = 0; m < layout_.months; ++m) {
                short_somewhere = short_somewhere || result_.at(s, m).p95 > 0.0;
            }
            const int stock = layout_.find({"stock", k.product, k.from, k.to});
            if (!short_somewhere || stock < 0) {
                never_short.push_back(k.to + " (" + k.product + ")");
                continue;
            }
            chart("buyer_" + k.to + "_" + k.product,
                  {panel(static_cast<std::size_t>(stock), k.to + ": " + k.product + " stock",
                         at_end_),
                   panel(s, k.to + ": " + k.product + " shortage", per_month_)});
        }
        if (!never_short.empty()) {
            std::string list;
            for (const auto& n : never_short) {
                list += (list.empty() ? "" : ", ") + n;
            }
            body_ << "<p>No chart where the P95 of the monthly shortage is zero in every month (a "
                     "shortage in fewer than 1 trial in 20 in any month; the headline and "
                     "buyers.csv give each buyer's probability): "
                  << html_escape(list) << ".</p>\n";
        }
    }

    std::string body() const { return body_.str(); }
    std::string nav() const { return nav_.str(); }
    /// The chart files written so far.
    std::vector<std::filesystem::path> written;

  private:
    void chart(const std::string& name, std::vector<FanPanel> panels) {
        FanChart c;
        c.name = chart_slug(name);
        c.first_month = layout_.first_month;
        c.panels = std::move(panels);
        c.markers = markers_;
        c.projection_from = projection_;
        c.counted_from = counted_from_;
        for (auto& f : draw_fan_chart(charts_, c)) {
            written.push_back(f);
        }
        body_ << "<img src=\"charts/" << c.name << ".png\" alt=\""
              << html_escape(c.panels.front().title) << "\">\n<p><a href=\"charts/" << c.name
              << ".svg\">SVG</a></p>\n";
    }
    FanPanel panel(std::size_t s, const std::string& title, const std::string& ylabel) const {
        FanPanel p;
        p.title = title;
        p.ylabel = ylabel;
        p.months = months_of(result_, s);
        if (auto it = points_.find(s); it != points_.end()) {
            p.reported = it->second;
        }
        return p;
    }
    void section(const std::string& id, const std::string& heading) {
        body_ << "<h2 id=\"" << html_escape(id) << "\">" << html_escape(heading) << "</h2>\n";
        nav_ << "<a href=\"#" << html_escape(id) << "\">" << html_escape(heading) << "</a>";
    }

    const std::filesystem::path charts_;
    const RunResult& result_;
    const OutputLayout& layout_;
    const std::map<std::size_t, std::vector<std::pair<MonthIndex, double>>> points_;
    const std::vector<ChartMarker> markers_;
    const std::optional<MonthIndex> projection_;
    const Day counted_from_;
    const std::string per_month_;  ///< "tonnes per month", in the material's unit
    const std::string at_end_;     ///< "tonnes at month end"
    std::ostringstream body_, nav_;
};

/// The events table's rows: each event's kind, start (and chance) and last day in force.
std::string event_rows(const Scenario& scenario) {
    std::ostringstream html;
    std::vector<Distribution> bounds;
    for (const auto& p : scenario.parameters) {
        bounds.push_back(p.distribution);
    }
    // A quantity's range as text: one value, "lo .. hi", or "uncertain" when unbounded.
    // `shift` days are added to both ends (-1: an exclusive end shown as the last day).
    auto range = [&](const Quantity& q, bool dates, double shift = 0.0) {
        const double lo = q.lower(bounds) + shift;
        const double hi = q.upper(bounds) + shift;
        if (!std::isfinite(lo) || !std::isfinite(hi)) {
            return std::string("uncertain");
        }
        auto one = [&](double v) {
            return dates ? format_date(static_cast<Day>(v)) : format_number(v);
        };
        return lo == hi ? one(lo) : one(lo) + " .. " + one(hi);
    };
    for (const auto& ev : scenario.events) {
        std::string start = range(ev.start, true);
        if (ev.has_hazard) {
            start = "a risk from " + start + " (an uncertain date)";
        }
        if (!ev.probability.is_constant() || ev.probability.value != 1.0) {
            start += " (chance " + range(ev.probability, false) + ")";
        }
        std::string end = "open (to the horizon)";
        if (ev.has_end) {
            end = range(ev.end, true, -1.0);
        } else if (ev.has_duration) {
            end = "after " + range(ev.duration_days, false) + " days";
        }
        if (ev.has_end_announced) {
            end +=
                " (known only from " + format_date(ev.end_announced) + "; backtests before " +
                (ev.has_expected_duration ? "draw its expected length" : "run it to the horizon") +
                ")";
        }
        std::string kind = to_string(ev.kind);
        if (ev.kind == EventKind::supply_disruption) {
            kind += ev.cuts_shipments ? " (cuts shipments)" : " (cuts production)";
        }
        html << "<tr><td class=\"l\">" << html_escape(ev.id) << "</td><td class=\"l\">" << kind
             << "</td><td class=\"l\">" << start << "</td><td class=\"l\">" << end
             << "</td></tr>\n";
    }
    return html.str();
}

}  // namespace

std::string provenance_table(const Provenance& p) {
    std::ostringstream html;
    html << "<table class=\"prov\">\n"
         << "<tr><td>version</td><td>" << html_escape(version()) << " (git "
         << html_escape(git_revision()) << ")</td></tr>\n"
         << "<tr><td>scenario</td><td>" << html_escape(p.scenario_path) << "</td></tr>\n"
         << "<tr><td>scenario SHA-256</td><td><code>" << html_escape(p.scenario_sha256)
         << "</code></td></tr>\n"
         << "<tr><td>seed</td><td>" << p.seed << "</td></tr>\n"
         << "<tr><td>trials</td><td>" << p.trials;
    if (p.partial) {
        html << " of " << p.trials_requested << " (PARTIAL: interrupted)";
    }
    html << "</td></tr>\n<tr><td>run</td><td>" << html_escape(p.run_date) << " UTC</td></tr>\n"
         << "</table>\n";
    return html.str();
}

std::vector<std::filesystem::path> write_run_page(const std::filesystem::path& dir,
                                                  const Scenario& scenario, const RunResult& result,
                                                  const std::vector<ReportedRow>& reported,
                                                  const Provenance& provenance) {
    if (!gnuplot_available()) {
        throw std::runtime_error(
            "gnuplot not found: install the Debian package gnuplot-nox to draw charts");
    }
    const ReportSeries head = headline_series(result.layout);
    ChartSections sections(dir, scenario, result, reported);
    sections.headline(head);
    for (const PageGroup& group : scenario.material.page_groups) {
        sections.export_group(head, group);
    }
    sections.backlogs();
    sections.buyers();

    // The page.
    const Headline headline = compute_headline(scenario, result, head);
    std::ostringstream html;
    html << page_head(scenario.name + ": projection") << "<h1>" << html_escape(scenario.name)
         << ": projection</h1>\n<p>" << html_escape(scenario.description) << "</p>\n";
    if (result.partial) {
        html << "<p><strong>PARTIAL: interrupted after " << result.trials_completed << " of "
             << result.trials_requested << " trials.</strong></p>\n";
    }
    html << "<pre class=\"headline\">";
    for (const auto& line : headline.lines()) {
        html << html_escape(line) << "\n";
    }
    html << "</pre>\n<nav>" << sections.nav()
         << "<a href=\"#glossary\">Reading the charts</a></nav>\n"
         << sections.body()
         << "<h2 id=\"events\">Events</h2>\n<table>\n<tr><th class=\"l\">event</th>"
         << "<th class=\"l\">kind</th><th class=\"l\">start</th><th class=\"l\">ends (last "
            "day in force)</th></tr>\n";
    html << event_rows(scenario);
    html << "</table>\n<div id=\"glossary\">" << glossary(scenario.material.unit_name())
         << "</div>\n<h2>Provenance</h2>\n"
         << provenance_table(provenance)
         << "<p>Data: summary.csv, buyers.csv and run.json beside this page.</p>\n"
         << "</body></html>\n";
    write_file_atomic(dir / "index.html", html.str());
    std::vector<std::filesystem::path> written = sections.written;
    written.push_back(dir / "index.html");
    return written;
}

}  // namespace chokepoint
