#include <catch2/catch.hpp>

#include "chokepoint/core/calendar.hpp"
#include "chokepoint/core/diagnostics.hpp"

using namespace chokepoint;

TEST_CASE("calendar: known day numbers and round trips", "[calendar]") {
    CHECK(day_from_date({1970, 1, 1}) == 0);
    CHECK(day_from_date({2000, 3, 1}) == 11017);
    CHECK(day_from_date({2025, 4, 4}) == 20182);
    for (Day d = -1000; d < 30000; d += 37) {
        const Date x = date_from_day(d);
        CHECK(day_from_date(x) == d);
    }
    CHECK(format_date(20182) == "2025-04-04");
    CHECK(weekday(20182) == 4);  // 2025-04-04 was a Friday
}

TEST_CASE("calendar: parsing accepts only real dates and months", "[calendar]") {
    CHECK(parse_date("2024-02-29").has_value());
    CHECK_FALSE(parse_date("2025-02-29").has_value());
    CHECK_FALSE(parse_date("2025-13-01").has_value());
    CHECK_FALSE(parse_date("2025-4-04").has_value());
    CHECK_FALSE(parse_date("tomorrow").has_value());
    CHECK(parse_month("2025-06") == 2025 * 12 + 5);
    CHECK_FALSE(parse_month("2025-00").has_value());
    CHECK(format_month(2025 * 12 + 5) == "2025-06");
    CHECK(days_in_month(2024 * 12 + 1) == 29);
    CHECK(days_in_month(2025 * 12 + 1) == 28);
    CHECK(month_of(*parse_date("2025-04-30")) == 2025 * 12 + 3);
    CHECK(first_day_of(2025 * 12 + 3) == *parse_date("2025-04-01"));
}

TEST_CASE("calendar: working days skip weekends", "[calendar]") {
    const Day friday = *parse_date("2025-04-04");
    CHECK(add_working_days(friday, 0) == friday);
    CHECK(format_date(add_working_days(friday, 1)) == "2025-04-07");  // Monday
    CHECK(format_date(add_working_days(friday, 5)) == "2025-04-11");
    // The 45 working days of a No. 18 review from 2025-04-04: nine weeks later.
    CHECK(format_date(add_working_days(friday, 45)) == "2025-06-06");
    const Day saturday = friday + 1;
    CHECK(format_date(add_working_days(saturday, 1)) == "2025-04-07");
    CHECK(format_date(add_working_days(saturday, 5)) == "2025-04-11");
    // Brute force against counting day by day.
    for (Day start = friday - 10; start < friday + 10; ++start) {
        for (int n = 1; n < 30; ++n) {
            Day d = start;
            int left = n;
            while (left > 0) {
                ++d;
                if (is_working_day(d)) {
                    --left;
                }
            }
            CHECK(add_working_days(start, n) == d);
        }
    }
}

TEST_CASE("diagnostics: did-you-mean suggestions", "[diagnostics]") {
    CHECK(edit_distance("trials", "trails") == 2);
    CHECK(closest_match("trails", {"trials", "seed", "horizon"}) == "trials");
    CHECK(closest_match("zzzzzz", {"trials", "seed"}).empty());
    const Diagnostic d{SourceLocation{"a.yaml", 3, 5}, "events[0].kind", "unknown"};
    CHECK(d.format() == "a.yaml:3:5: error: events[0].kind: unknown");
}
