#pragma once
// Internal to the scenario module: checks and small readers of the events: block, used by
// EventReader (event_reader.cpp) and defined in event_checks.cpp.
#include <functional>
#include <string>
#include <vector>

#include "chokepoint/scenario/scenario.hpp"
#include "reader.hpp"
#include "yaml_tree.hpp"

namespace chokepoint::detail {

/// An event's `products:` filter as product indices; unknown ones are located errors with a
/// guess, and left out.
std::vector<int> read_products(Reader& r, const Network& net, const YNode& node,
                               const std::string& path);

/// `end_announced:` needs an end to announce (`end_written`: end:, duration_days: or holiday:,
/// even one that failed to parse), is not for a risk, and an end is not known before its event.
void check_end_announced(Reader& r, const YNode& node, const std::string& path, const EventSpec& ev,
                         bool end_written);

/// A `products:` filter naming a product that none of the event's nodes makes (a disruption of
/// production), ships (of shipments) or buys (a demand shock; no nodes: every buyer) would leave
/// that part of the event doing nothing: a located error that says what the nodes have.
void check_products_on_nodes(Reader& r, const YNode& list, const std::string& path,
                             const Network& net, const EventSpec& ev);

/// One of two words, each with what it means.
struct Choice {
    const char* word;
    const char* meaning;
};
/// True for the second word, false for the first (the default) or for anything else, which is a
/// located error naming both and a guess.
bool read_second_choice(Reader& r, const YNode& node, const std::string& path, Choice first,
                        Choice second);

/// A country some node of the model is in; another is a located error with a guess (and is
/// returned as given).
std::string read_country(Reader& r, const Network& net, const YNode& node, const std::string& path);

/// Checks a date (or the range of an uncertain one) against the scenario's horizon: (quantity,
/// its node, its path, whether it is an end).
using InHorizon = std::function<void(const Quantity&, const YNode&, const std::string&, bool)>;
/// `holiday: NAME YEAR` on an export_halt: the official holiday's days off, from the working
/// calendar of the `from` node's country (start: the first, end: the day after the last).
void read_holiday_dates(const YNode& e, const YNode& holiday, const std::string& path, Reader& r,
                        const Scenario& s, EventSpec& ev, const InHorizon& in_horizon);

}  // namespace chokepoint::detail
