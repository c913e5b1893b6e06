#include "chokepoint/core/diagnostics.hpp"

#include <algorithm>
#include <cctype>
#include <numeric>
#include <sstream>

namespace chokepoint {

std::string SourceLocation::format() const {
    std::string out = file.empty() ? std::string("<input>") : file;
    if (line > 0) {
        out += ":" + std::to_string(line);
        if (column > 0) {
            out += ":" + std::to_string(column);
        }
    }
    return out;
}

std::string Diagnostic::format() const {
    std::string out = where.format() + ": error: ";
    if (!path.empty()) {
        out += path + ": ";
    }
    return out + message;
}

namespace {
std::string join_diagnostics(const std::vector<Diagnostic>& diagnostics) {
    std::string out;
    for (const auto& d : diagnostics) {
        if (!out.empty()) {
            out += '\n';
        }
        out += d.format();
    }
    return out;
}
}  // namespace

InputError::InputError(std::vector<Diagnostic> diagnostics)
    : std::runtime_error(join_diagnostics(diagnostics)), diagnostics_(std::move(diagnostics)) {}

InputError::InputError(SourceLocation where, std::string path, std::string message)
    : InputError(std::vector<Diagnostic>{
          Diagnostic{std::move(where), std::move(path), std::move(message)}}) {}

void DiagnosticSink::error(SourceLocation where, std::string path, std::string message) {
    diagnostics_.push_back(Diagnostic{std::move(where), std::move(path), std::move(message)});
}

void DiagnosticSink::throw_if_any() const {
    if (diagnostics_.empty()) {
        return;
    }
    std::vector<std::string> files;
    auto file_rank = [&](const std::string& f) {
        auto it = std::find(files.begin(), files.end(), f);
        if (it == files.end()) {
            files.push_back(f);
            return files.size() - 1;
        }
        return static_cast<std::size_t>(it - files.begin());
    };
    for (const auto& d : diagnostics_) {
        file_rank(d.where.file);
    }
    auto sorted = diagnostics_;
    std::stable_sort(sorted.begin(), sorted.end(), [&](const Diagnostic& a, const Diagnostic& b) {
        const auto fa = file_rank(a.where.file);
        const auto fb = file_rank(b.where.file);
        if (fa != fb) {
            return fa < fb;
        }
        if (a.where.line != b.where.line) {
            return a.where.line < b.where.line;
        }
        return a.where.column < b.where.column;
    });
    throw InputError(std::move(sorted));
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> prev(b.size() + 1);
    std::vector<std::size_t> cur(b.size() + 1);
    std::iota(prev.begin(), prev.end(), std::size_t{0});
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
        }
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

namespace {
std::string lower(std::string s) {
    for (char& ch : s) {
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
    return s;
}
}  // namespace

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
    std::string best;
    std::size_t best_distance = std::max<std::size_t>(2, (word.size() + 2) / 3) + 1;
    for (const auto& c : candidates) {
        const std::size_t d = edit_distance(word, c);
        if (d < best_distance) {
            best_distance = d;
            best = c;
        }
    }
    if (!best.empty() || word.size() < 3) {
        return best;
    }
    // A short form of a longer name ("Korea" for "South Korea", "states" for "United States"):
    // the one candidate that has the word as one of its words, in any case.
    const std::string w = lower(word);
    for (const auto& c : candidates) {
        std::istringstream words(lower(c));
        for (std::string part; words >> part;) {
            if (part == w) {
                if (!best.empty() && best != c) {
                    return "";  // more than one: no guess
                }
                best = c;
            }
        }
    }
    return best;
}

}  // namespace chokepoint
