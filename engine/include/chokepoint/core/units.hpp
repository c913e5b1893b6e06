#pragma once
/// Units used throughout: masses in tonnes, time in days, rates in tonnes per month in files and
/// tonnes per day inside the kernel.

namespace chokepoint {

/// Average days in a calendar month (365.25 / 12); converts t/month in model files to t/day.
inline constexpr double DAYS_PER_MONTH = 365.25 / 12.0;
/// Quantities below this many tonnes are treated as zero (shortage and backlog detection).
inline constexpr double TONNES_EPSILON = 1e-9;

}  // namespace chokepoint
