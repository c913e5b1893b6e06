#pragma once
/// Fan charts: the P5-P95 and P25-P75 bands and the P50 line of a monthly series, with reported
/// figures drawn on top, a dashed marker at each event and the projection shaded. Drawn by
/// gnuplot (Debian package gnuplot-nox) as PNG and SVG. Shared by `simulate`, `compare` and
/// `diff`, so every chart of the tool reads the same way.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "chokepoint/core/calendar.hpp"
#include "chokepoint/stats/summary.hpp"

namespace chokepoint {

/// A dated vertical marker with its label (an event's start).
struct ChartMarker {
    Day day = 0;
    std::string label;
    int priority = 0;  ///< of markers drawn as one, the highest names the line
};

/// One plot of a chart: bands per month from `first_month`, and reported single-month figures.
struct FanPanel {
    std::string title;
    std::string ylabel = "tonnes per month";
    std::vector<Summary> months;
    std::vector<std::pair<MonthIndex, double>> reported;
    bool zero_floor = true;  ///< the y axis starts at 0 (false for differences)
};

struct FanChart {
    std::string name;  ///< file stem; must be a chart_slug()
    MonthIndex first_month = 0;
    std::vector<FanPanel> panels;  ///< drawn one above the other
    std::vector<ChartMarker> markers;
    /// Months from here on are shaded and labelled "projection" (after the last reported figure).
    std::optional<MonthIndex> projection_from;
    /// The day the headline and the buyers' risk are counted from (a run's reference day; in a
    /// scenario of what is known now, today): a solid line labelled "counted from".
    std::optional<Day> counted_from;
};

/// Writes `<dir>/<name>.png` and `.svg` (and the data files gnuplot reads). Every text goes
/// through gnuplot_quote(). Throws std::runtime_error when gnuplot fails.
std::vector<std::filesystem::path> draw_fan_chart(const std::filesystem::path& dir,
                                                  const FanChart& chart);

/// Markers closer than `min_days` to the first of their group are drawn as one, at the first's
/// day, labelled with the highest-priority label and the number of others ("announcement_18
/// +2"), so labels do not overprint.
std::vector<ChartMarker> merge_markers(std::vector<ChartMarker> markers, int min_days);

}  // namespace chokepoint
