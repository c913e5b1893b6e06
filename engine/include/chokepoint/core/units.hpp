#pragma once
/// Units used throughout: masses in the material's unit (tonnes unless it says kilograms), time in
/// days, rates per month in files and per day inside the kernel.

#include <string>

namespace chokepoint {

/// Kilograms in one mass `unit` ("t" or "kg", a material's unit); 0 for anything else.
inline double kilograms_per(const std::string& unit) {
    return unit == "t" ? 1000.0 : unit == "kg" ? 1.0 : 0.0;
}
/// A mass unit as a word, plural: "kilograms" for "kg", else "tonnes".
inline std::string mass_unit_name(const std::string& unit) {
    return unit == "kg" ? "kilograms" : "tonnes";
}
/// The same in the singular: "kilogram", "tonne".
inline std::string mass_unit_singular(const std::string& unit) {
    return unit == "kg" ? "kilogram" : "tonne";
}

/// Average days in a calendar month (365.25 / 12); converts t/month in model files to t/day.
inline constexpr double DAYS_PER_MONTH = 365.25 / 12.0;
/// Quantities below this many tonnes are treated as zero (shortage and backlog detection).
inline constexpr double TONNES_EPSILON = 1e-9;

}  // namespace chokepoint
