// Checks and small readers of the events: block that EventReader (event_reader.cpp) uses
// (event_checks.hpp).
#include <algorithm>
#include <string>

#include "chokepoint/core/working_calendar.hpp"
#include "event_checks.hpp"

namespace chokepoint::detail {

std::vector<int> read_products(Reader& r, const Network& net, const YNode& node,
                               const std::string& path) {
    std::vector<int> out;
    const auto ids = r.string_list(node, path);
    for (const auto& id : ids) {
        const int p = net.find_product(id);
        if (p < 0) {
            const std::string guess = closest_match(id, net.product_ids());
            r.error(node, path,
                    "unknown product '" + id + "'" +
                        (guess.empty() ? "" : " (did you mean '" + guess + "'?)"));
        } else {
            out.push_back(p);
        }
    }
    return out;
}

void check_end_announced(Reader& r, const YNode& node, const std::string& path, const EventSpec& ev,
                         bool end_written) {
    if (ev.has_hazard) {
        r.error(node, path,
                "a risk (hazard_per_year:) has no end to announce: its start is drawn, and "
                "duration_days: is its length");
    } else if (!end_written) {
        r.error(node, path,
                "'end_announced:' needs an end to announce: give 'end:' or 'duration_days:'");
    } else if (ev.end_announced < ev.announced) {
        r.error(node, path,
                "the end cannot be known before the event: end_announced " +
                    format_date(ev.end_announced) + " is before " +
                    (ev.has_announced ? "announced " + format_date(ev.announced)
                                      : "the event became known (" + format_date(ev.announced) +
                                            ", its earliest start)"));
    }
}

void check_products_on_nodes(Reader& r, const YNode& list, const std::string& path,
                             const Network& net, const EventSpec& ev) {
    const bool buys = ev.kind == EventKind::demand_shock;
    const char* verb = buys ? "buys" : ev.cuts_shipments ? "ships" : "makes";
    if (ev.nodes.empty() && !buys) {
        return;  // no node given or none found: already an error
    }
    std::vector<int> nodes = ev.nodes;
    if (nodes.empty()) {
        for (std::size_t n = 0; n < net.nodes().size(); ++n) {
            if (net.nodes()[n].kind == NodeKind::buyer) {
                nodes.push_back(static_cast<int>(n));
            }
        }
    }
    auto has = [&](int node, int product) {
        if (buys) {
            return net.find_input(node, product) >= 0;
        }
        if (!ev.cuts_shipments) {
            return net.find_line(node, product) >= 0;
        }
        return std::any_of(net.edges().begin(), net.edges().end(),
                           [&](const Edge& e) { return e.from == node && e.product == product; });
    };
    // The products any of `among` has, "a, b" (or "nothing").
    auto products_of = [&](const std::vector<int>& among) {
        std::string out;
        for (std::size_t q = 0; q < net.products().size(); ++q) {
            if (std::any_of(among.begin(), among.end(),
                            [&](int n) { return has(n, static_cast<int>(q)); })) {
                out += (out.empty() ? "" : ", ") + net.products()[q].id;
            }
        }
        return out.empty() ? std::string("nothing") : out;
    };
    for (int p : ev.products) {
        if (std::any_of(nodes.begin(), nodes.end(), [&](int n) { return has(n, p); })) {
            continue;
        }
        const std::string& id = net.products()[static_cast<std::size_t>(p)].id;
        if (ev.nodes.empty()) {
            r.error(list, path,
                    "no buyer of the model buys " + id +
                        " (with no 'nodes:' the shock applies to every buyer; they buy " +
                        products_of(nodes) + ")");
            continue;
        }
        std::string what;
        for (int n : ev.nodes) {
            what += (what.empty() ? ": " : "; ") + net.nodes()[static_cast<std::size_t>(n)].id +
                    " " + verb + " " + products_of({n});
        }
        r.error(list, path, std::string("no node of the event ") + verb + " " + id + what);
    }
}

bool read_second_choice(Reader& r, const YNode& node, const std::string& path, Choice first,
                        Choice second) {
    const auto what = r.string(node, path);
    if (!what || *what == first.word) {
        return false;
    }
    if (*what == second.word) {
        return true;
    }
    const std::string guess = closest_match(*what, {first.word, second.word});
    r.error(node, path,
            std::string("expected '") + first.word + "' (" + first.meaning + ") or '" +
                second.word + "' (" + second.meaning + "), found '" + *what + "'" +
                (guess.empty() ? "" : " (did you mean '" + guess + "'?)"));
    return false;
}

std::string read_country(Reader& r, const Network& net, const YNode& node,
                         const std::string& path) {
    auto c = r.string(node, path);
    if (!c) {
        return {};
    }
    if (!net.has_country(*c)) {
        const std::string guess = closest_match(*c, net.countries());
        r.error(node, path,
                "no node of the model is in '" + *c + "'" +
                    (guess.empty() ? "" : " (did you mean '" + guess + "'?)"));
    }
    return *c;
}

void read_holiday_dates(const YNode& e, const YNode& holiday, const std::string& path, Reader& r,
                        const Scenario& s, EventSpec& ev, const InHorizon& in_horizon) {
    for (const char* key : {"start", "end", "duration_days"}) {
        if (const YNode* v = member(e, key)) {
            r.error(*v, path + "." + key,
                    std::string("give 'holiday:' or '") + key + ":', not both");
            return;
        }
    }
    const auto text = r.string(holiday, path + ".holiday");
    if (!text) {
        return;
    }
    const auto space = text->rfind(' ');
    int year = 0;
    if (space != std::string::npos) {
        try {
            std::size_t used = 0;
            year = std::stoi(text->substr(space + 1), &used);
            if (used != text->size() - space - 1) {
                year = 0;
            }
        } catch (const std::exception&) {
            year = 0;
        }
    }
    if (year < 1900 || year > 2200) {
        r.error(holiday, path + ".holiday",
                "expected a holiday's name and the year of its notice, e.g. 'Spring Festival "
                "2025', found '" +
                    *text + "'");
        return;
    }
    const std::string name = text->substr(0, space);
    const YNode* from = member(e, "from");
    int node = -1;
    if (from != nullptr && from->is_scalar()) {
        for (std::size_t n = 0; n < s.network.nodes().size(); ++n) {
            if (s.network.nodes()[n].id == from->scalar) {
                node = static_cast<int>(n);
            }
        }
    }
    if (node < 0) {
        return;  // `from:` is reported missing or unknown below
    }
    const std::string& country = s.network.nodes()[static_cast<std::size_t>(node)].country;
    const WorkingCalendar& cal = s.calendar_of(country);
    if (!cal.has_holidays()) {
        r.error(holiday, path + ".holiday",
                "the model gives " + country +
                    " no working calendar (working_calendars:), so it has no official holidays; "
                    "write start: and end:");
        return;
    }
    const auto period = cal.holiday_period(name, year);
    if (!period) {
        std::string names;
        for (const auto& n : cal.holiday_names(year)) {
            names += (names.empty() ? "" : ", ") + n;
        }
        r.error(holiday, path + ".holiday",
                "no '" + name + "' in " + country + "'s calendar for " + std::to_string(year) +
                    " (" + cal.file() + " covers " + std::to_string(cal.first_year()) + "-" +
                    std::to_string(cal.last_year()) +
                    (names.empty() ? std::string(")")
                                   : "; " + std::to_string(year) + ": " + names + ")") +
                    "; write start: and end: for years it does not cover");
        return;
    }
    ev.holiday = *text;
    ev.seasonal = true;
    ev.start = Quantity::constant_value(period->first);
    ev.has_end = true;
    ev.end = Quantity::constant_value(period->second + 1);
    in_horizon(ev.start, holiday, path + ".holiday", false);
}

}  // namespace chokepoint::detail
