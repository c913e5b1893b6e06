#pragma once
/// Reported customs figures (models/reported/*.csv) and how each row maps to the engine's series.
#include <string>
#include <vector>

#include "chokepoint/core/calendar.hpp"
#include "chokepoint/kernel/output_layout.hpp"

namespace chokepoint {

/// One row of a reported-figures file, as written (value converted to tonnes where the unit is
/// a mass: t or kg).
struct ReportedRow {
    std::string file;
    int line = 0;  ///< 1-based line in `file`
    std::string series;
    std::string from;  ///< region_from
    std::string to;    ///< region_to
    std::string product;
    MonthIndex first = 0;  ///< period_start
    MonthIndex last = 0;   ///< period_end (inclusive)
    bool has_value = false;
    double value = 0.0;  ///< as written
    std::string unit;
    double tonnes = 0.0;  ///< value in tonnes, when the unit is t or kg
    bool is_mass = false;
    std::string source;
    std::string source_date;
    std::string url;
    std::string note;
    /// "metric|from|to|product-group", identifies rows that describe the same quantity.
    std::string key() const;
};

/// Reads one CSV file or every *.csv in a directory (sorted by name). The header must be
/// `series,region_from,region_to,product,period_start,period_end,value,unit,yoy_pct,mom_pct,
/// source,source_date,url,note`. Throws InputError naming file and line on malformed input.
std::vector<ReportedRow> load_reported(const std::string& file_or_dir);

/// A reported row matched to engine series: the per-trial sum of `series` over `first..last`
/// months (offsets from the scenario's first month) is the simulated counterpart.
struct ReportedTarget {
    std::size_t row = 0;
    std::vector<int> series;  ///< indices into the OutputLayout
    int first = 0;            ///< month offsets
    int last = 0;
    std::string label;  ///< e.g. "exports magnet China->World"
};

/// A row that could not be compared, and why.
struct Unmapped {
    std::size_t row = 0;
    std::string reason;
};

struct ReportedMapping {
    std::vector<ReportedTarget> targets;
    std::vector<Unmapped> unmapped;
};

/// Maps rows to series of `layout`. Rows outside [from, to] (months) are left out silently only
/// when `from`/`to` were given by the user; rows outside the scenario are listed as unmapped.
ReportedMapping map_reported(const std::vector<ReportedRow>& rows, const OutputLayout& layout,
                             MonthIndex from, MonthIndex to);

}  // namespace chokepoint
