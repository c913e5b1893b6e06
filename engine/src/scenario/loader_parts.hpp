#pragma once
// Internal to the scenario module: what loader.cpp (model files, extends, overrides) and
// event_reader.cpp (the events: block) share.
#include <string>
#include <vector>

#include "chokepoint/scenario/scenario.hpp"
#include "reader.hpp"

namespace chokepoint::detail {

/// `path[i]`, the YAML path of a list item without an id.
std::string at(const std::string& path, std::size_t i);
/// A node's index by id, or -1 after a located "unknown node" error with a guess.
int lookup_node(Reader& r, const std::vector<Node>& nodes, const YNode& node,
                const std::string& path);
/// One node id or a list of them, as indices; unknown ones are reported and left out.
std::vector<int> read_nodes(Reader& r, const Network& net, const YNode& node,
                            const std::string& path);
/// Reads the `events:` list into `s.events`; `s`'s network, dates and calendars are set.
void read_events(const YNode* node, Reader& r, Scenario& s);

}  // namespace chokepoint::detail
