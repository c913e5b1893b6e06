#include "yaml_tree.hpp"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

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

YNode convert(const YAML::Node& node, const std::string& file) {
    YNode out;
    out.where = location(node.Mark(), file);
    switch (node.Type()) {
        case YAML::NodeType::Undefined:
        case YAML::NodeType::Null:
            out.kind = YNode::Kind::null;
            break;
        case YAML::NodeType::Scalar:
            out.kind = YNode::Kind::scalar;
            out.scalar = node.Scalar();
            if (!valid_utf8(out.scalar)) {
                throw InputError(out.where, "", "text that is not valid UTF-8");
            }
            break;
        case YAML::NodeType::Sequence:
            out.kind = YNode::Kind::sequence;
            for (const auto& item : node) {
                out.sequence.push_back(convert(item, file));
            }
            break;
        case YAML::NodeType::Map:
            out.kind = YNode::Kind::map;
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
                if (out.find(key) != nullptr) {
                    throw InputError(key_where, key, "duplicate key '" + key + "'");
                }
                out.map.emplace_back(key, convert(kv.second, file));
                out.key_where.push_back(key_where);
            }
            break;
    }
    return out;
}

YNode parse(const std::string& text, const std::string& origin) {
    try {
        YAML::Node root = YAML::Load(text);
        YNode out = convert(root, origin);
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
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw InputError(SourceLocation{path, 0, 0}, "", "cannot open file");
    }
    std::ostringstream text;
    text << in.rdbuf();
    return parse(text.str(), path);
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
