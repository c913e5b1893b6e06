#include "chokepoint/core/working_calendar.hpp"

#include <algorithm>
#include <sstream>

#include "chokepoint/core/diagnostics.hpp"

namespace chokepoint {

namespace {

// The first `n` comma-separated fields of a CSV line (the calendar's first four fields are never
// quoted; the source, last, may be).
std::vector<std::string> leading_fields(const std::string& line, std::size_t n) {
    std::vector<std::string> out;
    std::size_t begin = 0;
    while (out.size() < n) {
        const std::size_t comma = line.find(',', begin);
        if (comma == std::string::npos) {
            out.push_back(line.substr(begin));
            break;
        }
        out.push_back(line.substr(begin, comma - begin));
        begin = comma + 1;
    }
    return out;
}

// A calendar row's date, kind and notice year, checked; nothing after an error (in `sink`).
struct Row {
    Day day;
    bool working;
    int year;
};
std::optional<Row> read_row(const std::vector<std::string>& f, const SourceLocation& where,
                            DiagnosticSink& sink) {
    if (f.size() < 4) {
        sink.error(where, "", "expected date,kind,name,year,source");
        return std::nullopt;
    }
    const auto day = parse_date(f[0]);
    if (!day) {
        sink.error(where, "date", "expected a date YYYY-MM-DD, found '" + f[0] + "'");
        return std::nullopt;
    }
    if (f[1] != "holiday" && f[1] != "working_day") {
        sink.error(where, "kind", "expected holiday or working_day, found '" + f[1] + "'");
        return std::nullopt;
    }
    int year = 0;
    try {
        std::size_t used = 0;
        year = std::stoi(f[3], &used);
        if (used != f[3].size()) {
            throw std::invalid_argument("trailing text");
        }
    } catch (const std::exception&) {
        sink.error(where, "year", "expected the year of the notice, found '" + f[3] + "'");
        return std::nullopt;
    }
    const Date d = date_from_day(*day);
    if (year != d.year && year != d.year + 1 && year != d.year - 1) {
        sink.error(where, "year", "the notice's year " + f[3] + " is far from the date " + f[0]);
        return std::nullopt;
    }
    const bool working = f[1] == "working_day";
    if (working && weekday(*day) < 5) {
        sink.error(where, "kind",
                   f[0] +
                       " is a weekday: only a Saturday or Sunday can be an adjusted "
                       "working day");
        return std::nullopt;
    }
    return Row{*day, working, year};
}

}  // namespace

WorkingCalendar WorkingCalendar::parse(const std::string& text, const std::string& file) {
    WorkingCalendar cal;
    cal.file_ = file;
    DiagnosticSink sink;
    std::istringstream in(text);
    std::string line;
    int number = 0;
    bool header = false;
    while (std::getline(in, line)) {
        ++number;
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        if (line.empty()) {
            continue;
        }
        const SourceLocation where{file, number, 1};
        if (!header) {
            if (line.rfind("date,kind,name,year,source", 0) != 0) {
                throw InputError(where, "",
                                 "expected the header date,kind,name,year,source of a working "
                                 "calendar");
            }
            header = true;
            continue;
        }
        const auto f = leading_fields(line, 5);
        const auto row = read_row(f, where, sink);
        if (!row) {
            continue;
        }
        cal.days_.push_back({row->day, row->working, number, row->year, f[2]});
        cal.first_year_ = cal.first_year_ == 0 ? row->year : std::min(cal.first_year_, row->year);
        cal.last_year_ = std::max(cal.last_year_, row->year);
    }
    if (!header) {
        sink.error(SourceLocation{file, 1, 1}, "", "an empty working calendar");
    }
    std::stable_sort(cal.days_.begin(), cal.days_.end(),
                     [](const Entry& a, const Entry& b) { return a.day < b.day; });
    for (std::size_t i = 1; i < cal.days_.size(); ++i) {
        if (cal.days_[i].day == cal.days_[i - 1].day) {
            sink.error(SourceLocation{file, cal.days_[i].line, 1}, "date",
                       format_date(cal.days_[i].day) + " is listed twice (also on line " +
                           std::to_string(cal.days_[i - 1].line) + ")");
        }
    }
    sink.throw_if_any();
    return cal;
}

bool WorkingCalendar::is_working_day(Day day) const {
    const auto it = std::lower_bound(days_.begin(), days_.end(), day,
                                     [](const Entry& e, Day d) { return e.day < d; });
    if (it != days_.end() && it->day == day) {
        return it->working;
    }
    return weekday(day) < 5;
}

Day WorkingCalendar::add_working_days(Day day, int n) const {
    if (days_.empty()) {
        return chokepoint::add_working_days(day, n);
    }
    if (n <= 0) {
        return day;
    }
    // From a day off, count as from the last working day before it.
    while (!is_working_day(day)) {
        --day;
    }
    Day result = day;
    while (n > 0) {
        ++result;
        if (is_working_day(result)) {
            --n;
        }
    }
    return result;
}

std::optional<std::pair<Day, Day>> WorkingCalendar::holiday_period(const std::string& name,
                                                                   int year) const {
    std::optional<std::pair<Day, Day>> out;
    for (const auto& e : days_) {
        if (!e.working && e.year == year && e.name == name) {
            out = out ? std::pair<Day, Day>{out->first, e.day} : std::pair<Day, Day>{e.day, e.day};
        }
    }
    return out;
}

std::vector<std::string> WorkingCalendar::holiday_names(int year) const {
    std::vector<std::string> out;
    for (const auto& e : days_) {
        if (!e.working && e.year == year &&
            std::find(out.begin(), out.end(), e.name) == out.end()) {
            out.push_back(e.name);
        }
    }
    return out;
}

Day WorkingCalendar::covered_until() const {
    return day_from_date({last_year_, 12, 31});
}

std::size_t WorkingCalendar::holidays() const {
    return static_cast<std::size_t>(
        std::count_if(days_.begin(), days_.end(), [](const Entry& e) { return !e.working; }));
}

std::size_t WorkingCalendar::adjusted_working_days() const {
    return days_.size() - holidays();
}

}  // namespace chokepoint
