#pragma once
/// Calendar arithmetic on integer day ticks. A `Day` counts days since 1970-01-01 (proleptic
/// Gregorian), so day arithmetic is plain integer arithmetic and never depends on a time zone.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chokepoint {

/// Days since 1970-01-01.
using Day = std::int32_t;
/// Months since year 0: year * 12 + (month - 1). Used for calendar-month reporting periods.
using MonthIndex = std::int32_t;

struct Date {
    int year = 1970;
    int month = 1;  ///< 1..12
    int day = 1;    ///< 1..31
};

/// Day number of a civil date (Howard Hinnant's days_from_civil).
Day day_from_date(const Date& date);
/// Civil date of a day number.
Date date_from_day(Day day);
/// Parses "YYYY-MM-DD"; nullopt when the text is not a valid calendar date.
std::optional<Day> parse_date(std::string_view text);
/// Parses "YYYY-MM"; nullopt when malformed.
std::optional<MonthIndex> parse_month(std::string_view text);
/// "YYYY-MM-DD".
std::string format_date(Day day);
/// "YYYY-MM".
std::string format_month(MonthIndex month);
/// Calendar month that contains `day`.
MonthIndex month_of(Day day);
/// First day of a calendar month.
Day first_day_of(MonthIndex month);
/// Number of days in a calendar month.
int days_in_month(MonthIndex month);
/// 0 = Monday ... 6 = Sunday.
int weekday(Day day);
/// Monday to Friday (a country without a working calendar; see core/working_calendar.hpp).
bool is_working_day(Day day);
/// The day on which `working_days` working days have elapsed after `day`: a licence application
/// filed on `day` with an approval delay of n working days is decided on add_working_days(day, n).
/// n <= 0 returns `day`.
Day add_working_days(Day day, int working_days);

}  // namespace chokepoint
