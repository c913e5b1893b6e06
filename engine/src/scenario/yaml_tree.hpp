#pragma once
// Internal to the scenario module: a YAML document as a plain tree that remembers, for every
// value, the file, line and column it came from. Merging (`extends:`) and overrides (`--set`)
// happen on this tree, so diagnostics always point at the file a value was written in.
#include <string>
#include <utility>
#include <vector>

#include "chokepoint/core/diagnostics.hpp"

namespace chokepoint::detail {

struct YNode {
    enum class Kind { null, scalar, sequence, map };
    /// A key and its value (a pair-like type of its own: std::pair of the incomplete YNode is
    /// not allowed, and clang rejects it).
    struct Entry;
    Kind kind = Kind::null;
    std::string scalar;
    std::vector<Entry> map;                 // keys in file order
    std::vector<SourceLocation> key_where;  // location of each key
    std::vector<YNode> sequence;
    SourceLocation where;

    const YNode* find(const std::string& key) const;
    YNode* find(const std::string& key);
    /// Sets (or appends) a key.
    YNode& set(const std::string& key, YNode value, SourceLocation key_location);
    bool is_map() const { return kind == Kind::map; }
    bool is_sequence() const { return kind == Kind::sequence; }
    bool is_scalar() const { return kind == Kind::scalar; }
};

struct YNode::Entry {
    Entry(std::string key, YNode value) : first(std::move(key)), second(std::move(value)) {}
    std::string first;
    YNode second;
};

/// Parses a file; throws InputError with the parser's line and column on malformed YAML.
YNode load_yaml_file(const std::string& path);
/// Parses text given on the command line (`--set`); `origin` names it in diagnostics.
YNode load_yaml_text(const std::string& text, const std::string& origin);
/// Back to YAML text (block style), for run.json.
std::string dump_yaml(const YNode& node);

}  // namespace chokepoint::detail
