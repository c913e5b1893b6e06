#pragma once
// Internal to the scenario module: what its readers share, each under the file that defines it.
// loader.cpp reads a scenario, model_reader.cpp the model file, extends.cpp merges an `extends:`
// chain and applies `--set`, event_reader.cpp reads the `events:` block.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "chokepoint/core/working_calendar.hpp"
#include "chokepoint/scenario/material.hpp"
#include "chokepoint/scenario/scenario.hpp"
#include "reader.hpp"
#include "yaml_tree.hpp"

namespace chokepoint::detail {

// --- loader.cpp

/// `path[i]`, the YAML path of a list item without an id.
std::string at(const std::string& path, std::size_t i);
/// A node's index by id, or -1 after a located "unknown node" error with a guess.
int lookup_node(Reader& r, const std::vector<Node>& nodes, const YNode& node,
                const std::string& path);
/// One node id or a list of them, as indices; unknown ones are reported and left out.
std::vector<int> read_nodes(Reader& r, const Network& net, const YNode& node,
                            const std::string& path);

// --- model_reader.cpp

/// What a model file defines.
struct ModelFile {
    Network network;
    std::map<std::string, WorkingCalendar> calendars;
    double adjust_days = 30.0;
    MonthlyNoise demand_noise;
    MonthlyNoise supply_noise{0.0, 0.0, 0.0};
    DemandTrend demand_trend;
    StockPolicy stock_policy;
    ExporterPolicy exporter_policy;
    Diversion diversion;
    Material material;
};
/// Reads a model file's tree. `overriding` is a scenario's parameters: they replace the model's
/// before any model number that refers to them is range-checked, so `--set parameters.share=1.3`
/// cannot slip through.
ModelFile build_model(const YNode& root, Reader& r, std::vector<Parameter>& parameters,
                      const std::string& model_path, const YNode* overriding = nullptr);
/// `demand_noise:` or `supply_noise:` (the same keys), in a model or a scenario.
void read_noise(const YNode* node, Reader& r, const std::string& key, MonthlyNoise& out);

// --- material_reader.cpp

/// The material file a model's `material:` names (relative to the model file), parsed once: its
/// unit is wanted before the network is read (for the network's messages), the rest after (it
/// is checked against the network). `tree` is empty when the file cannot be read; why is in
/// `errors`, reported with the material's other problems, after the network's.
struct MaterialSource {
    std::string path;
    std::optional<YNode> tree;
    std::vector<Diagnostic> errors;
    /// Its `unit:` when it is one ("t" or "kg"), else "t" (a bad unit is reported when read).
    std::string unit() const;
};
MaterialSource load_material_source(const YNode& named_by, const std::string& model_path,
                                    InputCache* cache);
/// The material, checked against the model's products and countries.
Material read_material(const MaterialSource& source, Reader& r, const Network& net);
/// A material file's tree; products and countries are checked when `net` is given.
Material read_material_tree(const YNode& root, Reader& r, const Network* net);

// --- network_reader.cpp

/// A model file's `products:`, `nodes:` (production lines, inputs) and `edges:`, as a network
/// checked for structure when they were read without errors, in the reader's mass unit.
Network read_network(const YNode& root, Reader& r);

// --- extends.cpp

/// Notices of what a child scenario overrides in the file it extends ("file:line:col: notice:
/// ..."), for `simulate validate`.
using Notices = std::vector<std::string>;
/// A scenario file's tree with the files of its `extends:` chain merged in; `named_by` is the
/// `extends:` value that named `path` (for messages), `chain` the files read so far; files are
/// read through `cache` when one is given.
YNode load_with_extends(const std::string& path, std::vector<std::string>& chain, Notices& notices,
                        const YNode* named_by = nullptr, InputCache* cache = nullptr);
/// `--set path=value` applied to a tree (events and nodes addressed by id, lines and inputs by
/// product); a located error for a path that names nothing.
void apply_override(YNode& root, const Override& o);

// --- event_reader.cpp

/// Reads the `events:` list into `s.events`; `s`'s network, dates and calendars are set.
void read_events(const YNode* node, Reader& r, Scenario& s);

}  // namespace chokepoint::detail
