// Working calendars: China's official holidays and adjusted working days decide when a licence
// application is decided; the kernel uses the calendar of the control's exporter.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "chokepoint/core/diagnostics.hpp"
#include "chokepoint/core/working_calendar.hpp"
#include "chokepoint/kernel/trial.hpp"
#include "chokepoint/scenario/scenario.hpp"
#include "test_support.hpp"

using namespace chokepoint;
using chokepoint::testing::source_dir;
using chokepoint::testing::write_temp;

namespace {

const WorkingCalendar& china() {
    static const WorkingCalendar cal = [] {
        const auto path = source_dir() / "models/calendars/china_public_holidays.csv";
        std::ifstream in(path);
        std::stringstream text;
        text << in.rdbuf();
        return WorkingCalendar::parse(text.str(), path.string());
    }();
    return cal;
}

Day day(const char* text) {
    return *parse_date(text);
}

std::string parse_error(const std::string& text) {
    try {
        (void)WorkingCalendar::parse(text, "cal.csv");
    } catch (const InputError& e) {
        return e.diagnostics().front().format();
    }
    return "";
}

}  // namespace

TEST_CASE("working calendar: the shipped Chinese calendar", "[calendar]") {
    const WorkingCalendar& cal = china();
    CHECK(cal.first_year() == 2023);
    CHECK(cal.last_year() == 2026);
    CHECK(cal.holidays() == 120);
    CHECK(cal.adjusted_working_days() == 26);
    CHECK(cal.is_working_day(day("2025-09-28")));        // a Sunday worked before National Day
    CHECK_FALSE(cal.is_working_day(day("2025-10-01")));  // National Day
    CHECK_FALSE(cal.is_working_day(day("2025-10-08")));  // the last day of the Golden Week
    CHECK(cal.is_working_day(day("2025-10-11")));        // a Saturday worked after it
    CHECK_FALSE(cal.is_working_day(day("2025-10-12")));  // an ordinary Sunday
}

TEST_CASE("working calendar: a decision over the National Day week lands after it", "[calendar]") {
    // Filed Friday 2025-09-26 with 10 working days: Sun 28 Sep, Mon 29, Tue 30 (3), the
    // holidays of 1-8 October, Thu 9, Fri 10, Sat 11 (worked), Mon 13 .. Thu 16 (10).
    CHECK(format_date(china().add_working_days(day("2025-09-26"), 10)) == "2025-10-16");
    // Monday to Friday alone would decide inside the holiday week's aftermath, six days earlier.
    CHECK(format_date(add_working_days(day("2025-09-26"), 10)) == "2025-10-10");
    // Spring Festival 2025 (28 January - 4 February, Sunday 26 January worked).
    CHECK(format_date(china().add_working_days(day("2025-01-24"), 5)) == "2025-02-07");
    // Filed on a holiday: counted from the last working day before it.
    CHECK(china().add_working_days(day("2025-10-03"), 1) == day("2025-10-09"));
    CHECK(china().add_working_days(day("2025-10-03"), 0) == day("2025-10-03"));
}

TEST_CASE("working calendar: past its last notice, Monday to Friday", "[calendar]") {
    CHECK(china().covered_until() == day("2026-12-31"));
    // 2027-10-01 would be National Day; no notice covers 2027, so it is a working Friday.
    CHECK(china().is_working_day(day("2027-10-01")));
    CHECK(china().add_working_days(day("2027-09-30"), 1) == day("2027-10-01"));
}

TEST_CASE("working calendar: malformed files are located", "[calendar]") {
    const std::string header = "date,kind,name,year,source\n";
    CHECK(parse_error("day,kind\n") ==
          "cal.csv:1:1: error: expected the header date,kind,name,year,source of a working "
          "calendar");
    CHECK(parse_error(header + "2025-02-30,holiday,x,2025,s\n") ==
          "cal.csv:2:1: error: date: expected a date YYYY-MM-DD, found '2025-02-30'");
    CHECK(parse_error(header + "2025-10-01,day_off,x,2025,s\n") ==
          "cal.csv:2:1: error: kind: expected holiday or working_day, found 'day_off'");
    CHECK(parse_error(header + "2025-10-01,working_day,x,2025,s\n") ==
          "cal.csv:2:1: error: kind: 2025-10-01 is a weekday: only a Saturday or Sunday can be "
          "an adjusted working day");
    CHECK(
        parse_error(header + "2025-10-01,holiday,x,2025,s\n2025-10-01,holiday,x,2025,\"a, b\"\n") ==
        "cal.csv:3:1: error: date: 2025-10-01 is listed twice (also on line 2)");
    CHECK(parse_error(header + "2025-10-01,holiday,x,20x5,s\n") ==
          "cal.csv:2:1: error: year: expected the year of the notice, found '20x5'");
}

TEST_CASE("working calendar: the kernel decides licences on the exporter's working days",
          "[calendar][events]") {
    // The small model with a calendar for Exportland whose holidays run 27 January - 7 February
    // 2025. A control from Monday 2025-01-20 with a fixed 5-working-day delay: on weekdays the
    // first applications are decided on 27 January and January ships; with the holidays nothing
    // is decided before 10 February.
    std::ifstream in(chokepoint::testing::fixtures() / "small_model.yaml");
    std::stringstream model;
    model << in.rdbuf();
    std::string holidays = "date,kind,name,year,source\n";
    for (Day d = day("2025-01-27"); d <= day("2025-02-07"); ++d) {
        holidays += format_date(d) + ",holiday,test holiday,2025,test\n";
    }
    write_temp("exportland.csv", holidays);
    write_temp("small_model_cal.yaml",
               model.str() + "working_calendars:\n  Exportland: exportland.csv\n");
    const std::string control = R"(events:
  - id: c
    kind: export_control
    exporter: Exportland
    products: [magnet]
    share: 1.0
    start: 2025-01-20
    approval_delay: {dist: fixed, value: 5}
    approval_rate: 1.0
)";
    auto january_exports = [&](const std::string& model_file) {
        const Scenario s = load_scenario(write_temp(
            "cal.yaml", "name: t\nmodel: " + model_file +
                            "\nstart: 2025-01-01\nhorizon: 2025-04\ntrials: 4\nseed: 3\n" +
                            control));
        const OutputLayout layout = OutputLayout::build(s);
        Kernel kernel(s, layout);
        TrialResult r;
        kernel.run(s.seed, 0, 0, r);
        const int series = layout.find({"exports", "magnet", "Exportland", "Importland"});
        REQUIRE(series >= 0);
        return r.monthly[static_cast<std::size_t>(series) * layout.months + 0];
    };
    const double weekdays = january_exports("small_model.yaml");
    const double with_holidays = january_exports("small_model_cal.yaml");
    CHECK(weekdays > 50.0);  // shipped from 27 January (before the control, more)
    // The days before the control ship in both; after 20 January nothing is approved in
    // January with the holidays, so January loses what weekdays shipped from the 27th.
    CHECK(with_holidays < weekdays - 50.0);
}

TEST_CASE("working calendar: an export halt for an official holiday takes its dates",
          "[calendar][scenario]") {
    auto load = [](const std::string& halt) {
        return load_scenario(write_temp(
            "holiday.yaml",
            "name: t\nmodel: " + (source_dir() / "models/rare_earths_2024.yaml").string() +
                "\nstart: 2024-01-01\nhorizon: 2026-12\nevents:\n  - id: sf\n"
                "    kind: export_halt\n    from: china_magnets\n" +
                halt));
    };
    auto error_of = [&](const std::string& halt) {
        try {
            (void)load(halt);
        } catch (const InputError& e) {
            return e.diagnostics().front().message;
        }
        return std::string();
    };
    const Scenario s = load("    holiday: Spring Festival 2025\n");
    REQUIRE(s.events.size() == 1);
    CHECK(format_date(static_cast<Day>(s.events[0].start.value)) == "2025-01-28");
    REQUIRE(s.events[0].has_end);
    CHECK(format_date(static_cast<Day>(s.events[0].end.value)) == "2025-02-05");  // exclusive
    CHECK(error_of("    holiday: Spring Festival 2027\n")
              .find("no 'Spring Festival' in China's calendar for 2027") != std::string::npos);
    CHECK(error_of("    holiday: Spring Festivl 2025\n")
              .find("2025: New Year's Day, Spring Festival") != std::string::npos);
    CHECK(error_of("    holiday: Spring Festival\n").find("e.g. 'Spring Festival 2025'") !=
          std::string::npos);
    CHECK(error_of("    holiday: Spring Festival 2025\n    start: 2025-01-01\n") ==
          "give 'holiday:' or 'start:', not both");
}
