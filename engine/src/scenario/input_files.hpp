#pragma once
// Internal to the scenario module: the files a scenario is built from, read through an optional
// InputCache (chokepoint/scenario/scenario.hpp).
#include <cstddef>
#include <string>

#include "chokepoint/scenario/scenario.hpp"
#include "yaml_tree.hpp"

namespace chokepoint::detail {

/// The YAML file at `path`, parsed (load_yaml_file), from `cache` when it holds it; without a
/// cache, read now.
YNode load_yaml_file(const std::string& path, InputCache* cache);

/// The bytes of the file at `path` (read_input_file, at most `max_bytes`), from `cache` when it
/// holds them; without a cache, read now.
std::string read_input_text(const std::string& path, std::size_t max_bytes, InputCache* cache);

}  // namespace chokepoint::detail
