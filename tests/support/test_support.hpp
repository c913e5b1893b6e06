#pragma once
// Helpers shared by the test programs: paths to the fixtures and temporary scenario files.
#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <string>

namespace chokepoint::testing {

inline std::filesystem::path source_dir() {
    return CHOKEPOINT_SOURCE_DIR;
}
inline std::filesystem::path fixtures() {
    return source_dir() / "tests/regression/scenarios";
}

/// Writes `text` to a fresh file in a per-process temporary directory that also holds a copy of
/// the small model and its material, so scenarios can say `model: small_model.yaml`. Returns the
/// path.
inline std::string write_temp(const std::string& name, const std::string& text) {
    const auto dir =
        std::filesystem::temp_directory_path() / ("chokepoint-tests-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    for (const char* f : {"small_model.yaml", "small_material.yaml"}) {
        std::filesystem::copy_file(fixtures() / f, dir / f,
                                   std::filesystem::copy_options::overwrite_existing);
    }
    const auto path = dir / name;
    std::ofstream(path) << text;
    return path.string();
}

/// The header of a reported-figures CSV (models/reported/), without the optional `status`.
inline constexpr const char* REPORTED_HEADER =
    "series,region_from,region_to,product,period_start,period_end,value,unit,yoy_pct,mom_pct,"
    "source,source_date,url,note\n";

/// A one-lane model: `plant` in country A ships magnets (all controlled tonnes) to `buyer` in
/// country B at 1,000 t a month, 5 days' lead time, with ample capacity; `more` is YAML appended
/// at the model's top level (e.g. a stock_policy: or demand_trend: key).
inline std::string lane_model(double adjust_days, int buyer_cover_days, const std::string& more) {
    return "name: lane\nadjust_days: " + std::to_string(adjust_days) +
           "\nproducts:\n  - {id: magnet, controlled_share: 1.0}\nnodes:\n"
           "  - id: plant\n    country: A\n    kind: source\n    production:\n"
           "      - {product: magnet, capacity: 100000, cover_days: 30}\n"
           "  - id: buyer\n    country: B\n    kind: buyer\n    inputs:\n"
           "      - {product: magnet, demand: 1000, cover_days: " +
           std::to_string(buyer_cover_days) +
           "}\nedges:\n"
           "  - {from: plant, to: buyer, product: magnet, flow: 1000, lead_time_days: 5}\n" +
           more;
}

/// A scenario on the small model with the given events block (YAML list items).
inline std::string small_scenario(const std::string& events, const std::string& extra = "") {
    return "name: t\nmodel: small_model.yaml\nstart: 2025-01-01\nhorizon: 2025-12\n"
           "trials: 8\nseed: 3\n" +
           extra + (events.empty() ? "" : "events:\n" + events);
}

}  // namespace chokepoint::testing
