// What a run shows on a screen: the headline, a table of P50 [P5-P95] by month, and the buyers.
#include <algorithm>
#include <cstdio>

#include "chokepoint/core/calendar.hpp"
#include "chokepoint/core/text.hpp"
#include "chokepoint/io/files.hpp"
#include "chokepoint/report/run_screen.hpp"

namespace chokepoint {

namespace {

// The table of `series` month by month, P50 [P5-P95], five columns at a time, over `months`.
void print_table(const Scenario& scenario, const RunResult& result, const ReportSeries& series,
                 const TableMonths& months, std::ostream& out) {
    const OutputLayout& layout = result.layout;
    std::vector<std::size_t> columns = series.parts;
    columns.insert(columns.end(), series.totals.begin(), series.totals.end());
    out << "\n"
        << scenario.name << ": " << series.describe() << ", "
        << (series.unit() == "days"             ? "days per month"
            : series.unit() == series.mass_unit ? scenario.material.unit_name() + " at month end"
                                                : scenario.material.unit_name() + " per month")
        << ", P50 [P5-P95] over " << result.trials_completed << " trials"
        << (result.partial ? " (PARTIAL: interrupted)" : "") << "\n";
    constexpr std::size_t PER_TABLE = 5;
    for (std::size_t first = 0; first < columns.size(); first += PER_TABLE) {
        const std::size_t last = std::min(columns.size(), first + PER_TABLE);
        std::vector<std::vector<std::string>> cells(
            static_cast<std::size_t>(months.last - months.first) + 2);
        cells[0].push_back("month");
        for (std::size_t c = first; c < last; ++c) {
            cells[0].push_back(layout.series[columns[c]].to);
        }
        for (int m = months.first; m <= months.last; ++m) {
            auto& row = cells[static_cast<std::size_t>(m - months.first) + 1];
            row.push_back(format_month(layout.first_month + m));
            for (std::size_t c = first; c < last; ++c) {
                const Summary& s = result.at(columns[c], m);
                row.push_back(compact(s.p50) + " [" + compact(s.p05) + "-" + compact(s.p95) + "]");
            }
        }
        std::vector<std::size_t> width(cells[0].size(), 0);
        for (const auto& row : cells) {
            for (std::size_t i = 0; i < row.size(); ++i) {
                width[i] = std::max(width[i], row[i].size());
            }
        }
        out << "\n";
        for (const auto& row : cells) {
            for (std::size_t i = 0; i < row.size(); ++i) {
                const std::string pad(width[i] - row[i].size(), ' ');
                out << (i == 0 ? row[i] + pad : "  " + pad + row[i]);
            }
            out << "\n";
        }
    }
}

void print_buyers(const Scenario& scenario, const RunResult& result, std::ostream& out) {
    const OutputLayout& layout = result.layout;
    const std::string horizon = format_month(layout.first_month + layout.months - 1);
    out << "\nBuyers: probability of any shortage from " << format_date(scenario.reference_day)
        << (scenario.reference_reason.empty() ? "" : " (" + scenario.reference_reason + ")")
        << " to " << horizon << "; days to the first shortage (P50 of the trials with one); "
        << scenario.material.unit_name() << " short in all that time (mean over every trial)\n\n";
    // Buyers by country; by country and node id where a country has more than one buyer node.
    auto buyer_name = [&](const BuyerKey& key) {
        const bool shared =
            std::any_of(layout.buyers.begin(), layout.buyers.end(), [&](const BuyerKey& other) {
                return other.country == key.country && other.buyer != key.buyer;
            });
        return (shared ? key.country + " " + key.buyer : key.country) + " (" + key.product_id + ")";
    };
    std::size_t wb = 5;
    for (const auto& b : layout.buyers) {
        wb = std::max(wb, buyer_name(b).size());
    }
    for (std::size_t b = 0; b < layout.buyers.size(); ++b) {
        const auto& key = layout.buyers[b];
        const auto& s = result.buyers[b];
        const std::string name = buyer_name(key);
        char line[160];
        std::snprintf(line, sizeof line, "  %-*s  %6s  ", static_cast<int>(wb), name.c_str(),
                      format_probability(s.shortage_probability, 1).c_str());
        out << line;
        if (s.time_to_shortage.count > 0) {
            out << (s.time_to_shortage.p50 < 1.0
                        ? std::string("already short when the count starts")
                        : "first shortage after " + compact(s.time_to_shortage.p50) + " days")
                << "; " << compact(s.shortage_mass.mean) << " " << layout.unit
                << " short in all (mean)";
        } else {
            out << "no shortage";
        }
        out << "\n";
    }
}

}  // namespace

void print_run(std::ostream& out, const Scenario& scenario, const RunResult& result,
               const ReportSeries& table, const TableMonths& months) {
    const Headline headline = compute_headline(scenario, result, headline_series(result.layout));
    out << "\n";
    for (const auto& line : headline.lines()) {
        out << terminal_safe(line) << "\n";
    }
    if (!table.parts.empty() || !table.totals.empty()) {
        print_table(scenario, result, table, months, out);
    }
    print_buyers(scenario, result, out);
}

}  // namespace chokepoint
