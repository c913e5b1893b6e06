#pragma once
/// A country's working days: Monday to Friday, minus official public holidays, plus the
/// weekend days officially declared working days (China's adjusted working days, 调休). Licence
/// applications are decided after a number of working days of the exporting country's calendar.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "chokepoint/core/calendar.hpp"

namespace chokepoint {

class WorkingCalendar {
  public:
    /// Monday to Friday, no holidays (a country without a calendar file).
    WorkingCalendar() = default;

    /// Parses a calendar file: header `date,kind,name,year,source`, one row per day, `kind`
    /// `holiday` (a day off, also when it falls on a weekday) or `working_day` (a weekend day
    /// worked). `year` is the year whose official notice lists the day (a holiday on 31 December
    /// can belong to the next year's notice). Years covered: the smallest to the largest `year`.
    /// Throws InputError naming `file` and the line on malformed input.
    static WorkingCalendar parse(const std::string& text, const std::string& file);

    bool is_working_day(Day day) const;
    /// As chokepoint::add_working_days, on this calendar: the day on which `n` working days
    /// have elapsed after `day` (from a day off, count as from the last working day before it).
    Day add_working_days(Day day, int n) const;

    /// True when the calendar lists official days (false for plain weekdays).
    bool has_holidays() const { return !days_.empty(); }
    int first_year() const { return first_year_; }
    int last_year() const { return last_year_; }
    /// Last day the official notices cover (31 December of last_year); after it, weekdays only.
    Day covered_until() const;
    const std::string& file() const { return file_; }
    /// First and last day off of the holiday `name` in the notice of `year` (e.g. "Spring
    /// Festival", 2025: 2025-01-28 and 2025-02-04); nullopt when the calendar lists none.
    std::optional<std::pair<Day, Day>> holiday_period(const std::string& name, int year) const;
    /// The holiday names of the notice of `year`, for messages.
    std::vector<std::string> holiday_names(int year) const;
    std::size_t holidays() const;
    std::size_t adjusted_working_days() const;

  private:
    struct Entry {
        Day day;
        bool working;
        int line;
        int year;          // of the notice
        std::string name;  // of the holiday, e.g. "Spring Festival"
    };
    std::vector<Entry> days_;  // sorted by day
    int first_year_ = 0;
    int last_year_ = 0;
    std::string file_;
};

}  // namespace chokepoint
