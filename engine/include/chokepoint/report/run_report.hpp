#pragma once
/// What a run tells its reader: the series a table shows, the headline (level before, trough,
/// recovery, buyers most at risk) and the run's page of fan charts (charts/ and index.html).
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "chokepoint/compare/reported.hpp"
#include "chokepoint/io/fan_chart.hpp"
#include "chokepoint/report/compare_report.hpp"
#include "chokepoint/report/html.hpp"
#include "chokepoint/runner/runner.hpp"
#include "chokepoint/scenario/scenario.hpp"

namespace chokepoint {

/// The series of one metric and product a report shows: one per partner, and the total over
/// partners ("World") where the metric has one.
struct ReportSeries {
    std::string metric;
    std::string product;
    std::string exporter;             ///< exports and licence figures: the exporting country
    std::vector<std::size_t> parts;   ///< series indices, totals excluded, in layout order
    std::vector<std::size_t> totals;  ///< the total over partners (at most one)
    /// "magnet exports from China", "stock of magnet at buyers", ...
    std::string describe() const;
    std::string mass_unit = "t";  ///< the layout's (the material's) unit
    std::string unit() const;     ///< series_unit(): "t/month", "t" (levels) or "days"
};

/// Metrics `--report` accepts.
std::vector<std::string> report_metrics();

/// The series of `metric` and `product` (empty product: the material's headline product if the
/// metric has it, else the first product the metric has). Exports and licence figures are those
/// of the material's headline exporter when it has them, else of the first exporter. Throws
/// std::invalid_argument naming what exists when the metric or product has no series.
ReportSeries report_series(const OutputLayout& layout, const std::string& metric,
                           const std::string& product = "");

/// The series a report leads with: the material's headline (for rare earths, magnet exports from
/// China) when the model has it, else the first exported product.
ReportSeries headline_series(const OutputLayout& layout);

/// A probability (0 to 1) as a percentage with `decimals` decimals ("84%", "99.7%"), but never
/// rounded up to certainty: a probability short of 1 that would print as 100 is ">99.9%".
std::string format_probability(double probability, int decimals);

/// One buyer and product most at risk of a shortage.
struct BuyerRisk {
    std::string name;  ///< "Japan (magnet)"
    double probability = 0.0;
    std::optional<Day> first_shortage_p50;  ///< P50 date of the first shortage
};

/// The manager's answer for one series: the level before the first event, the trough, the
/// recovery, and the buyers most at risk.
struct Headline {
    std::string series;      ///< describe() of the series, with its partner
    std::string unit = "t";  ///< the material's mass unit
    Day counted_from = 0;
    MonthIndex before_first = 0, before_last = 0;  ///< months averaged for the level before
    double before = 0.0;                           ///< mean P50 over those months
    bool has_before = false;
    MonthIndex trough_month = 0;
    double trough = 0.0;                       ///< P50 at the trough
    std::optional<MonthIndex> recovery_month;  ///< first month after the trough back to 90%
    /// The seasonal halts (export halts on an official holiday of the series' exporter) whose
    /// months the trough leaves out: a festival's low is not a policy's.
    std::vector<std::string> seasonal_left_out;
    std::vector<BuyerRisk> buyers;  ///< at most 3, highest probability first
    /// The countries that supply those buyers in the model ("China"): short means short of
    /// what they deliver, not of every supply in the world.
    std::vector<std::string> suppliers;
    /// The countries whose makers serve the model's other buyers of those products (buyers of
    /// their own, listed apart): a buyer does not switch to them within the horizon.
    std::vector<std::string> other_suppliers;
    /// Plain-language lines for the terminal and the page.
    std::vector<std::string> lines() const;
};

/// Share of the level before that counts as recovered.
inline constexpr double RECOVERY_SHARE = 0.9;

/// The headline of `series` (a total if it has one, else its first part). The level before is
/// the mean P50 over the 12 months before the month of `counted_from` (fewer if the scenario
/// starts later); the trough is the lowest P50 from that month on; the recovery is the first
/// later month whose P50 is at least RECOVERY_SHARE of the level before.
Headline compute_headline(const Scenario& scenario, const RunResult& result,
                          const ReportSeries& series);

/// Provenance shown on a page.
struct Provenance {
    std::string scenario_path;
    std::string scenario_sha256;
    std::uint64_t seed = 0;
    int trials = 0;
    int trials_requested = 0;
    bool partial = false;
    std::string run_date;  ///< UTC, "YYYY-MM-DD HH:MM"
};

/// The first month after the last single-month reported figure of any compared series: where
/// the projection starts.
std::optional<MonthIndex> projection_start(const std::vector<ReportedRow>& rows);

/// Writes charts/ (PNG and SVG) and index.html into `dir`: magnet exports from China to World and
/// each destination, separation-product exports, licence backlogs, each buyer's stock and
/// shortage; events marked, reported figures drawn on top. Returns the files written; throws
/// std::runtime_error when gnuplot is missing or fails.
std::vector<std::filesystem::path> write_run_page(const std::filesystem::path& dir,
                                                  const Scenario& scenario, const RunResult& result,
                                                  const std::vector<ReportedRow>& reported,
                                                  const Provenance& provenance);

/// The provenance table of a run's page.
std::string provenance_table(const Provenance& p);

}  // namespace chokepoint
