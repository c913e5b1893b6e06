#pragma once
/// Errors in user input (scenario files, model files, command-line overrides): every problem is
/// collected with its file, line, column and YAML path, and reported together.
#include <stdexcept>
#include <string>
#include <vector>

namespace chokepoint {

/// Where a value came from. line and column are 1-based; 0 means unknown.
struct SourceLocation {
    std::string file;
    int line = 0;
    int column = 0;
    /// "file:line:column", or the parts that are known.
    std::string format() const;
};

/// One problem in user input.
struct Diagnostic {
    SourceLocation where;
    std::string path;     ///< YAML path such as `events[2].start`; may be empty
    std::string message;  ///< what is wrong, and what would be right
    /// "file:line:column: error: path: message".
    std::string format() const;
};

/// Thrown when user input is invalid; carries every problem found, not just the first.
/// The command line maps it to exit code 2.
class InputError : public std::runtime_error {
  public:
    explicit InputError(std::vector<Diagnostic> diagnostics);
    InputError(SourceLocation where, std::string path, std::string message);
    const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

  private:
    std::vector<Diagnostic> diagnostics_;
};

/// Collects diagnostics during validation; throws them all at once.
class DiagnosticSink {
  public:
    void error(SourceLocation where, std::string path, std::string message);
    bool empty() const { return diagnostics_.empty(); }
    std::size_t size() const { return diagnostics_.size(); }
    /// Throws InputError if any diagnostic was recorded, in file order (files in the order they
    /// were first named, then by line and column).
    void throw_if_any() const;

  private:
    std::vector<Diagnostic> diagnostics_;
};

/// Edit distance, for "did you mean" suggestions.
std::size_t edit_distance(const std::string& a, const std::string& b);
/// The closest candidate within a small edit distance; failing that, the one candidate that has
/// `word` as one of its words in any case ("Korea": "South Korea"); or empty.
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace chokepoint
