#pragma once
/// What one trial reports: the monthly series (exports, imports, shortages, backlogs, ...) and
/// the per-trial buyer figures (total shortage, days short, time to shortage). Built once from a
/// scenario and shared by the kernel, the runner and the writers.
#include <string>
#include <vector>

#include "chokepoint/core/calendar.hpp"

namespace chokepoint {

struct Scenario;

/// One reported series; `from`/`to` are countries for trade ("World" for the total over all
/// partners), and the buyer's country for buyer metrics.
struct SeriesKey {
    std::string metric;  ///< exports, imports, shortage, days_short, stock, licence_backlog, ...
    std::string product;
    std::string from;
    std::string to;
    bool operator==(const SeriesKey&) const = default;
};

/// One buyer and product, for the per-trial figures.
struct BuyerKey {
    int node = -1;
    int product = -1;
    std::string buyer;    ///< node id
    std::string country;  ///< node country
    std::string product_id;
};

/// Per-trial figures recorded for each buyer and product.
enum BuyerFigure : int {
    SHORTAGE_MASS = 0,     ///< demand not met (the material's unit), from the reference day on
    DAYS_SHORT = 1,        ///< days with any shortage, from the reference day on
    TIME_TO_SHORTAGE = 2,  ///< days from the reference day to the first shortage; -1 if none
    BUYER_FIGURE_COUNT = 3,
};

struct OutputLayout {
    std::vector<SeriesKey> series;
    std::vector<BuyerKey> buyers;
    MonthIndex first_month = 0;
    int months = 0;
    /// The mass unit of every amount (the model's material: "t" or "kg").
    std::string unit = "t";
    /// The series reports lead with (the material's `headline:`; empty: the first exported
    /// product, from its first exporter).
    std::string headline_product;
    std::string headline_exporter;

    /// Size of a trial's monthly block: series.size() * months (series-major).
    std::size_t monthly_size() const { return series.size() * static_cast<std::size_t>(months); }
    std::size_t buyer_size() const { return buyers.size() * BUYER_FIGURE_COUNT; }
    /// -1 when absent.
    int find(const SeriesKey& key) const;
    /// Finds or adds.
    int intern(const SeriesKey& key);

    static OutputLayout build(const Scenario& scenario);
};

}  // namespace chokepoint
