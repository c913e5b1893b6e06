#include "yaml_tree.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>
#include <unordered_set>

#include "chokepoint/core/input_file.hpp"
#include "chokepoint/core/text.hpp"

namespace chokepoint::detail {

const YNode* YNode::find(const std::string& key) const {
    for (const auto& [k, v] : map) {
        if (k == key) {
            return &v;
        }
    }
    return nullptr;
}

YNode* YNode::find(const std::string& key) {
    for (auto& [k, v] : map) {
        if (k == key) {
            return &v;
        }
    }
    return nullptr;
}

YNode& YNode::set(const std::string& key, YNode value, SourceLocation key_location) {
    kind = Kind::map;
    for (std::size_t i = 0; i < map.size(); ++i) {
        if (map[i].first == key) {
            map[i].second = std::move(value);
            return map[i].second;
        }
    }
    map.emplace_back(key, std::move(value));
    key_where.push_back(std::move(key_location));
    return map.back().second;
}

namespace {

SourceLocation location(const YAML::Mark& mark, const std::string& file) {
    // yaml-cpp marks are 0-based; people count from 1.
    return SourceLocation{file, mark.line + 1, mark.column + 1};
}

// Limits that keep hostile files bounded in time and memory (docs/scenario-reference.md).
constexpr std::size_t MAX_FILE_BYTES = 16u << 20;  // 16 MiB
constexpr std::size_t MAX_VALUES = 250'000;  // values after alias expansion (~100 MB of trees)
constexpr const char* MAX_VALUES_TEXT = "250,000";
constexpr int MAX_DEPTH = 200;  // nesting of maps and lists

constexpr std::size_t MAX_TEXT_BYTES = 64u << 20;  // text after alias expansion

struct Budget {
    std::size_t values = 0;
    std::size_t bytes = 0;
};

YNode convert(const YAML::Node& node, const std::string& file, Budget& budget, int depth) {
    YNode out;
    if (++budget.values > MAX_VALUES || depth > MAX_DEPTH) {
        throw InputError(location(node.Mark(), file), "",
                         budget.values > MAX_VALUES
                             ? "more than " + std::string(MAX_VALUES_TEXT) +
                                   " values (aliases expand to more than a scenario can hold)"
                             : "nested more than 200 levels deep");
    }
    out.where = location(node.Mark(), file);
    switch (node.Type()) {
        case YAML::NodeType::Undefined:
        case YAML::NodeType::Null:
            out.kind = YNode::Kind::null;
            break;
        case YAML::NodeType::Scalar:
            out.kind = YNode::Kind::scalar;
            budget.bytes += node.Scalar().size();
            if (budget.bytes > MAX_TEXT_BYTES) {
                throw InputError(out.where, "",
                                 "more than 64 MiB of text (aliases expand to more than a "
                                 "scenario can hold)");
            }
            out.scalar = node.Scalar();
            if (!valid_utf8(out.scalar)) {
                throw InputError(out.where, "", "text that is not valid UTF-8");
            }
            break;
        case YAML::NodeType::Sequence:
            out.kind = YNode::Kind::sequence;
            for (const auto& item : node) {
                out.sequence.push_back(convert(item, file, budget, depth + 1));
            }
            break;
        case YAML::NodeType::Map: {
            out.kind = YNode::Kind::map;
            std::unordered_set<std::string> seen;  // duplicate keys in linear time
            for (const auto& kv : node) {
                const SourceLocation key_where = location(kv.first.Mark(), file);
                if (!kv.first.IsScalar()) {
                    throw InputError(key_where, "", "a mapping key must be a plain word");
                }
                const std::string key = kv.first.Scalar();
                if (!valid_utf8(key) || has_control_character(key)) {
                    throw InputError(
                        key_where, "",
                        "a mapping key must be valid UTF-8 without control characters");
                }
                if (!seen.insert(key).second) {
                    throw InputError(key_where, key, "duplicate key '" + key + "'");
                }
                out.map.emplace_back(key, convert(kv.second, file, budget, depth + 1));
                out.key_where.push_back(key_where);
            }
            break;
        }
    }
    return out;
}

// The values of a document counted from the parser's events, aliases expanded, before any tree
// is built: yaml-cpp's tree takes about 350 bytes a value, so a 16 MiB flow sequence would take
// gigabytes before convert() could count it. Memory here is the scanner's and one number per
// anchor and open collection.
class ValueCounter : public YAML::EventHandler {
  public:
    explicit ValueCounter(std::string file) : file_(std::move(file)) {}
    void OnDocumentStart(const YAML::Mark&) override {}
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { leaf(mark, anchor); }
    void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
        add(mark, anchor < sizes_.size() ? sizes_[anchor] : 1);
    }
    void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  const std::string&) override {
        leaf(mark, anchor);
    }
    void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                         YAML::EmitterStyle::value) override {
        open(mark, anchor);
    }
    void OnSequenceEnd() override { close(); }
    void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                    YAML::EmitterStyle::value) override {
        open(mark, anchor);
    }
    void OnMapEnd() override { close(); }

  private:
    void add(const YAML::Mark& mark, std::size_t n) {
        total_ += n;
        if (total_ > MAX_VALUES) {
            throw InputError(location(mark, file_), "",
                             "more than " + std::string(MAX_VALUES_TEXT) +
                                 " values (a file this size, or aliases expanding to it, is more "
                                 "than a scenario can hold)");
        }
    }
    void record(YAML::anchor_t anchor, std::size_t size) {
        if (anchor != YAML::NullAnchor) {
            if (anchor >= sizes_.size()) {
                sizes_.resize(anchor + 1, 1);
            }
            sizes_[anchor] = size;
        }
    }
    void leaf(const YAML::Mark& mark, YAML::anchor_t anchor) {
        add(mark, 1);
        record(anchor, 1);
    }
    void open(const YAML::Mark& mark, YAML::anchor_t anchor) {
        open_.emplace_back(anchor, total_);
        add(mark, 1);
    }
    void close() {
        if (!open_.empty()) {
            record(open_.back().first, total_ - open_.back().second);
            open_.pop_back();
        }
    }
    std::string file_;
    std::size_t total_ = 0;
    std::vector<std::size_t> sizes_;                            // by anchor
    std::vector<std::pair<YAML::anchor_t, std::size_t>> open_;  // anchor, total at its start
};

// yaml-cpp accepts a quoted scalar left open at the end of the file (the rest of the file
// becomes its text): find each quoted scalar's closing quote in the source.
void check_quotes_closed(const YAML::Node& node, const std::string& text, const std::string& file,
                         std::size_t& visited, std::unordered_set<int>& seen) {
    if (++visited > MAX_VALUES) {
        return;  // convert() reports the size
    }
    // An alias shares its anchor's node and source position: look at each position once.
    if (!seen.insert(node.Mark().pos).second) {
        return;
    }
    if (node.IsScalar() && node.Tag() == "!") {
        const auto pos = static_cast<std::size_t>(std::max(0, node.Mark().pos));
        if (pos < text.size() && (text[pos] == '"' || text[pos] == '\'')) {
            const char q = text[pos];
            bool closed = false;
            for (std::size_t i = pos + 1; i < text.size(); ++i) {
                if (q == '"' && text[i] == '\\') {
                    ++i;
                } else if (text[i] == q) {
                    if (q == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
                        ++i;  // '' inside single quotes
                    } else {
                        closed = true;
                        break;
                    }
                }
            }
            if (!closed) {
                throw InputError(location(node.Mark(), file), "",
                                 std::string("unterminated quoted text: the ") +
                                     (q == '"' ? "double" : "single") +
                                     " quote opened here is never closed");
            }
        }
    }
    if (node.IsSequence() || node.IsMap()) {
        for (const auto& item : node) {
            if (node.IsMap()) {
                check_quotes_closed(item.first, text, file, visited, seen);
                check_quotes_closed(item.second, text, file, visited, seen);
            } else {
                check_quotes_closed(item, text, file, visited, seen);
            }
        }
    }
}

// Bytes YAML does not allow in a stream (outside \t, \n, \r), and a second document: both
// found on the raw text, before yaml-cpp sees it (its LoadAll can loop for ever on some
// malformed streams, found by fuzzing: tests/fuzz/findings/scenario/).
void check_stream(const std::string& text, const std::string& origin) {
    int line = 1;
    int column = 1;
    bool content = false;  // a line of content seen (not blank, not a comment, not a marker)
    std::size_t start = 0;
    for (std::size_t i = 0; i <= text.size(); ++i) {
        if (i < text.size()) {
            const auto c = static_cast<unsigned char>(text[i]);
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
                throw InputError(
                    SourceLocation{origin, line, column}, "",
                    "a control character (byte " + std::to_string(c) + ") is not allowed in YAML");
            }
        }
        if (i == text.size() || text[i] == '\n') {
            const std::string l = text.substr(start, i - start);
            const bool marker = (l.rfind("---", 0) == 0 || l.rfind("...", 0) == 0) &&
                                (l.size() == 3 || l[3] == ' ' || l[3] == '\t' || l[3] == '\r');
            if (marker && content && l.rfind("---", 0) == 0) {
                throw InputError(SourceLocation{origin, line, 1}, "",
                                 "a second YAML document ('---'): a file holds one scenario, "
                                 "model or sweep");
            }
            const std::size_t first = l.find_first_not_of(" \t\r");
            if (!marker && first != std::string::npos && l[first] != '#') {
                content = true;
            }
            ++line;
            column = 1;
            start = i + 1;
        } else {
            ++column;
        }
    }
}

YNode parse(const std::string& text, const std::string& origin) {
    check_stream(text, origin);
    try {
        {
            std::istringstream stream(text);
            YAML::Parser parser(stream);
            ValueCounter counter(origin);
            while (parser.HandleNextDocument(counter)) {
            }
        }
        YAML::Node root = YAML::Load(text);
        std::size_t visited = 0;
        std::unordered_set<int> seen;
        check_quotes_closed(root, text, origin, visited, seen);
        Budget budget;
        YNode out = convert(root, origin, budget, 0);
        if (out.kind == YNode::Kind::null) {
            out.where = SourceLocation{origin, 1, 1};
        }
        return out;
    } catch (const YAML::Exception& e) {
        throw InputError(location(e.mark, origin), "", "malformed YAML: " + e.msg);
    }
}

void emit(YAML::Emitter& out, const YNode& node) {
    switch (node.kind) {
        case YNode::Kind::null:
            out << YAML::Null;
            break;
        case YNode::Kind::scalar:
            out << node.scalar;
            break;
        case YNode::Kind::sequence:
            out << YAML::BeginSeq;
            for (const auto& item : node.sequence) {
                emit(out, item);
            }
            out << YAML::EndSeq;
            break;
        case YNode::Kind::map:
            out << YAML::BeginMap;
            for (const auto& [k, v] : node.map) {
                out << YAML::Key << k << YAML::Value;
                emit(out, v);
            }
            out << YAML::EndMap;
            break;
    }
}

}  // namespace

YNode load_yaml_file(const std::string& path) {
    const std::string text = read_input_file(path, MAX_FILE_BYTES);
    return parse(text, path);
}

YNode load_yaml_text(const std::string& text, const std::string& origin) {
    return parse(text, origin);
}

std::string dump_yaml(const YNode& node) {
    YAML::Emitter out;
    emit(out, node);
    return std::string(out.c_str()) + "\n";
}

}  // namespace chokepoint::detail
