#pragma once
// Internal to the scenario module: typed reads from the YAML tree that record every problem
// (with file:line:column and YAML path) instead of stopping at the first.
#include <optional>
#include <string>
#include <vector>

#include "chokepoint/core/calendar.hpp"
#include "chokepoint/random/quantity.hpp"
#include "yaml_tree.hpp"

namespace chokepoint {
class InputCache;
}

namespace chokepoint::detail {

/// A distribution's name and arguments (`{dist: triangular, min:, mode:, max:}`).
struct DistributionShape {
    const char* name;
    DistributionKind kind;
    std::vector<std::string> args;      // required, in factory order
    std::vector<std::string> optional;  // optional, after the required ones
};
/// Every distribution the files may name (the reader and the JSON Schemas use this table).
const std::vector<DistributionShape>& distribution_shapes();

class Reader {
  public:
    Reader(DiagnosticSink& sink, std::vector<Parameter>& parameters)
        : sink_(sink), parameters_(parameters) {}

    void error(const YNode& at, const std::string& path, const std::string& message) {
        sink_.error(at.where, path, message);
    }
    DiagnosticSink& sink() { return sink_; }
    /// The cache the files this reader meets (model, material, calendars) are read through, if
    /// any.
    InputCache* cache() const { return cache_; }
    void use_cache(InputCache* cache) { cache_ = cache; }
    /// The material's mass unit ("t" or "kg") for messages about amounts: "t" until the model
    /// names its material.
    const std::string& unit() const { return unit_; }
    void use_unit(std::string unit) { unit_ = std::move(unit); }
    /// "t/month" or "kg/month".
    std::string per_month() const { return unit_ + "/month"; }

    /// Reports keys of `map` not in `allowed`, with a "did you mean" suggestion.
    void check_keys(const YNode& map, const std::string& path,
                    const std::vector<std::string>& allowed);
    bool expect_map(const YNode& node, const std::string& path);
    bool expect_sequence(const YNode& node, const std::string& path);

    std::optional<std::string> string(const YNode& node, const std::string& path);
    std::optional<double> number(const YNode& node, const std::string& path);
    std::optional<long long> integer(const YNode& node, const std::string& path);
    std::optional<bool> boolean(const YNode& node, const std::string& path);
    std::optional<Day> date(const YNode& node, const std::string& path);
    /// A scalar or a list of scalars, as strings.
    std::vector<std::string> string_list(const YNode& node, const std::string& path);

    /// A number, `$parameter`, or `{dist: ...}`; with `dates`, numbers are YYYY-MM-DD dates.
    std::optional<Quantity> quantity(const YNode& node, const std::string& path,
                                     bool dates = false);
    /// `{dist: ...}` only (kept as a distribution for per-draw use, e.g. approval delays).
    std::optional<DistributionSpec> distribution(const YNode& node, const std::string& path,
                                                 bool dates = false);
    /// Checks lower <= q <= upper over every value q can take.
    void check_range(const Quantity& q, const YNode& at, const std::string& path, double lower,
                     double upper, const std::string& what);

    /// Named parameter distributions (for bounds).
    std::vector<Distribution> parameter_distributions() const;

  private:
    /// The shape `dist:` names; nullptr after an error (not a map, no dist:, an unknown name).
    const DistributionShape* distribution_shape(const YNode& node, const std::string& path);
    /// The shape's required and optional arguments into `spec` (a beta's missing bounds are 0
    /// and 1); false when one is missing or does not read.
    bool read_arguments(const YNode& node, const std::string& path, const DistributionShape& shape,
                        bool dates, DistributionSpec& spec);
    /// Whether the arguments make a valid distribution: constant ones checked now (the message
    /// at the file), uncertain ones for every value they can take, on their bounds.
    bool check_arguments(const YNode& node, const std::string& path, const DistributionShape& shape,
                         const DistributionSpec& spec);
    /// A discrete distribution's `values:` and `weights:` into `spec` (`ok` false when one does not
    /// read); false after an error that leaves no distribution to check.
    bool read_discrete(const YNode& node, const std::string& path, bool dates,
                       DistributionSpec& spec, bool& ok);

    DiagnosticSink& sink_;
    std::vector<Parameter>& parameters_;
    InputCache* cache_ = nullptr;
    std::string unit_ = "t";
};

/// Optional member helpers.
inline const YNode* member(const YNode& map, const std::string& key) {
    return map.is_map() ? map.find(key) : nullptr;
}

}  // namespace chokepoint::detail
