#include "chokepoint/core/calendar.hpp"

#include <charconv>
#include <cstdio>

namespace chokepoint {

Day day_from_date(const Date& date) {
    // Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms".
    const int y = date.year - (date.month <= 2 ? 1 : 0);
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int mp = (date.month + 9) % 12;
    const int doy = (153 * mp + 2) / 5 + date.day - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

Date date_from_day(Day day) {
    const int z = day + 719468;
    const int era = (z >= 0 ? z : z - 146096) / 146097;
    const int doe = z - era * 146097;
    const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int mp = (5 * doy + 2) / 153;
    const int d = doy - (153 * mp + 2) / 5 + 1;
    const int m = mp < 10 ? mp + 3 : mp - 9;
    const int y = yoe + era * 400 + (m <= 2 ? 1 : 0);
    return Date{y, m, d};
}

namespace {
bool parse_int(std::string_view text, int& out) {
    if (text.empty()) {
        return false;
    }
    for (char c : text) {
        if (c < '0' || c > '9') {
            return false;
        }
    }
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && ptr == text.data() + text.size();
}
}  // namespace

std::optional<MonthIndex> parse_month(std::string_view text) {
    if (text.size() != 7 || text[4] != '-') {
        return std::nullopt;
    }
    int y = 0;
    int m = 0;
    if (!parse_int(text.substr(0, 4), y) || !parse_int(text.substr(5, 2), m) || m < 1 || m > 12) {
        return std::nullopt;
    }
    return y * 12 + (m - 1);
}

int days_in_month(MonthIndex month) {
    const int y = month / 12;
    const int m = month % 12 + 1;
    static constexpr int DAYS[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2) {
        const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        return leap ? 29 : 28;
    }
    return DAYS[m - 1];
}

std::optional<Day> parse_date(std::string_view text) {
    if (text.size() != 10 || text[7] != '-') {
        return std::nullopt;
    }
    auto month = parse_month(text.substr(0, 7));
    int d = 0;
    if (!month || !parse_int(text.substr(8, 2), d) || d < 1 || d > days_in_month(*month)) {
        return std::nullopt;
    }
    return day_from_date(Date{*month / 12, *month % 12 + 1, d});
}

std::string format_date(Day day) {
    const Date d = date_from_day(day);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
    return buf;
}

std::string format_month(MonthIndex month) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d", month / 12, month % 12 + 1);
    return buf;
}

MonthIndex month_of(Day day) {
    const Date d = date_from_day(day);
    return d.year * 12 + (d.month - 1);
}

Day first_day_of(MonthIndex month) {
    return day_from_date(Date{month / 12, month % 12 + 1, 1});
}

int weekday(Day day) {
    // 1970-01-01 was a Thursday (index 3 with Monday = 0).
    const int w = (day + 3) % 7;
    return w < 0 ? w + 7 : w;
}

bool is_working_day(Day day) {
    return weekday(day) < 5;
}

Day add_working_days(Day day, int working_days) {
    if (working_days <= 0) {
        return day;
    }
    // From a weekend, count as from the Friday before: no working day lies in between.
    while (!is_working_day(day)) {
        --day;
    }
    // Whole weeks from a working day land on a working day; then step over the remainder.
    Day result = day + (working_days / 5) * 7;
    int left = working_days % 5;
    while (left > 0) {
        ++result;
        if (is_working_day(result)) {
            --left;
        }
    }
    return result;
}

}  // namespace chokepoint
