#pragma once
// Internal to the scenario module: the merged YAML trees a scenario was built from, for tools
// that need to see what was written (the list of uncertain quantities, sweep checks).
#include <string>
#include <vector>

#include "chokepoint/scenario/scenario.hpp"
#include "yaml_tree.hpp"

namespace chokepoint::detail {

struct ScenarioTrees {
    YNode scenario;  ///< after extends and overrides
    YNode model;     ///< the model file after `network.` overrides
};

/// load_scenario, also handing back the merged trees when `trees` is not null; files are read
/// through `cache` when one is given.
Scenario load_scenario_with_trees(const std::string& path, const std::vector<Override>& overrides,
                                  ScenarioTrees* trees, InputCache* cache = nullptr,
                                  ResolvedYaml resolved = ResolvedYaml::keep);

}  // namespace chokepoint::detail
