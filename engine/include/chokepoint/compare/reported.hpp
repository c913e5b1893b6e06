#pragma once
/// Reported customs figures (models/reported/*.csv) and how each row maps to the engine's series.
#include <string>
#include <vector>

#include "chokepoint/core/calendar.hpp"
#include "chokepoint/kernel/output_layout.hpp"
#include "chokepoint/scenario/material.hpp"

namespace chokepoint {

/// One row of a reported-figures file, as written (value converted to the model's unit where the
/// unit is a mass: t or kg).
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
    /// The value in the unit of the model's material (load_reported's `unit`), when the row's
    /// unit is t or kg: exactly the value when the units agree.
    double amount = 0.0;
    bool is_mass = false;
    std::string source;
    std::string source_date;
    std::string url;
    std::string note;
    /// Optional `status` column: "" (or final, preliminary, revised, estimate) is scored;
    /// "disputed" and "excluded" rows are shown but never scored.
    std::string status;
    /// "series|from|to|product" as written.
    std::string key() const;
    bool scored_status() const { return status != "disputed" && status != "excluded"; }
};

/// Reads one CSV file or every *.csv in a directory (sorted by name). The header must be
/// `series,region_from,region_to,product,period_start,period_end,value,unit,yoy_pct,mom_pct,
/// source,source_date,url,note`, optionally followed by `status`. Masses are converted to `unit`
/// (the material's: "t" or "kg"). Throws InputError naming file and line on malformed input.
std::vector<ReportedRow> load_reported(const std::string& file_or_dir, const std::string& unit);

/// A reported row matched to engine series: the per-trial sum of `series` over `first..last`
/// months (offsets from the scenario's first month) is the simulated counterpart.
struct ReportedTarget {
    std::size_t row = 0;
    std::vector<int> series;  ///< indices into the OutputLayout
    int first = 0;            ///< month offsets
    int last = 0;
    std::string label;  ///< e.g. "exports magnet China->World"
    /// Other rows reporting the same figure (same label and period, from other publishers or
    /// files): shown with it, never scored twice. The scored row is the first in load order.
    std::vector<std::size_t> duplicates;
};

/// A row that could not be compared, and why.
struct Unmapped {
    std::size_t row = 0;
    std::string reason;
};

struct ReportedMapping {
    std::vector<ReportedTarget> targets;
    std::vector<Unmapped> unmapped;
    /// Per row: the label of the quantity it reports ("exports magnet China->World"), whatever
    /// its period; empty when the row maps to nothing. Naive forecasts look up earlier figures
    /// by it, so a figure from another publisher or file counts.
    std::vector<std::string> row_label;
};

/// Maps rows to series of `layout` by the material's customs series and regions. Rows outside
/// [from, to] (months) are left out silently only when `from`/`to` were given by the user; rows
/// outside the scenario are listed as unmapped.
ReportedMapping map_reported(const std::vector<ReportedRow>& rows, const OutputLayout& layout,
                             const Material& material, MonthIndex from, MonthIndex to);

}  // namespace chokepoint
