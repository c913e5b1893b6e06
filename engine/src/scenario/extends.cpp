#include <algorithm>
#include <cctype>
#include <filesystem>

#include "chokepoint/core/input_file.hpp"
#include "input_files.hpp"
#include "loader_parts.hpp"
#include "yaml_tree.hpp"

// A scenario's file tree before it is read: the files of an `extends:` chain merged (with a
// notice for each value a child replaces), and `--set path=value` applied (loader_parts.hpp).

namespace chokepoint::detail {

namespace {

void merge_into(YNode& base, const YNode& top, const std::string& prefix, Notices& notices);

std::string where_of(const YNode& n) {
    return n.where.format();
}

void merge_events(YNode& base, const YNode& top, Notices& notices) {
    if (!base.is_sequence() || !top.is_sequence()) {
        base = top;
        return;
    }
    for (const auto& event : top.sequence) {
        const YNode* id = event.is_map() ? event.find("id") : nullptr;
        YNode* same = nullptr;
        if (id != nullptr) {
            for (auto& b : base.sequence) {
                const YNode* bid = b.is_map() ? b.find("id") : nullptr;
                if (bid != nullptr && bid->scalar == id->scalar) {
                    same = &b;
                }
            }
        }
        if (same != nullptr) {
            // Same id: the child overrides keys of the parent's event.
            std::string keys;
            for (const auto& entry : event.map) {
                if (entry.first != "id") {
                    keys += (keys.empty() ? "" : ", ") + entry.first;
                }
            }
            notices.push_back(where_of(event) + ": notice: event '" + id->scalar +
                              "' is also defined at " + where_of(*same) +
                              "; this file's keys replace the parent's" +
                              (keys.empty() ? std::string() : " (" + keys + ")"));
            Notices ignored;  // one notice per event, not one per key
            merge_into(*same, event, "", ignored);
        } else {
            base.sequence.push_back(event);
        }
    }
}

void merge_into(YNode& base, const YNode& top, const std::string& prefix, Notices& notices) {
    if (!base.is_map() || !top.is_map()) {
        base = top;
        return;
    }
    for (std::size_t i = 0; i < top.map.size(); ++i) {
        const auto& [key, value] = top.map[i];
        YNode* existing = base.find(key);
        const std::string path = prefix.empty() ? key : prefix + "." + key;
        if (existing == nullptr) {
            base.set(key, value, top.key_where[i]);
        } else if (key == "events" && prefix.empty()) {
            merge_events(*existing, value, notices);
        } else if (prefix == "parameters" && existing->is_map() && value.is_map()) {
            // One notice per parameter, naming the keys this file replaces. A child that names
            // `dist:` gives a new distribution: it replaces the parent's whole (its arguments
            // differ: a normal's mean and sd mean nothing to a triangular), keeping the parent's
            // description unless it gives one. Without `dist:`, keys are replaced one by one.
            std::string keys;
            for (const auto& entry : value.map) {
                keys += (keys.empty() ? "" : ", ") + entry.first;
            }
            const bool new_dist = value.find("dist") != nullptr;
            notices.push_back(top.key_where[i].format() + ": notice: parameter '" + key +
                              "' is also defined at " + where_of(*existing) +
                              (new_dist ? "; this file's distribution replaces the parent's ("
                                        : "; this file's keys replace the parent's (") +
                              keys + ")");
            if (new_dist) {
                YNode replaced = value;
                if (replaced.find("description") == nullptr) {
                    for (std::size_t k = 0; k < existing->map.size(); ++k) {
                        if (existing->map[k].first == "description") {
                            replaced.set("description", existing->map[k].second,
                                         existing->key_where[k]);
                        }
                    }
                }
                *existing = std::move(replaced);
            } else {
                Notices ignored;
                merge_into(*existing, value, path, ignored);
            }
        } else if ((key == "parameters" && prefix.empty()) ||
                   (existing->is_map() && value.is_map())) {
            merge_into(*existing, value, path, notices);
        } else {
            // A child always names and describes itself: no notice for those.
            if (!(prefix.empty() && (key == "name" || key == "description"))) {
                const std::string before =
                    existing->is_scalar() ? " (was " + existing->scalar + ")" : std::string();
                notices.push_back(top.key_where[i].format() + ": notice: " + path +
                                  " replaces the value at " + where_of(*existing) + before);
            }
            *existing = value;
        }
    }
}

}  // namespace

YNode load_with_extends(const std::string& path, std::vector<std::string>& chain, Notices& notices,
                        const YNode* named_by, InputCache* cache) {
    constexpr std::size_t MAX_EXTENDS = 32;
    const SourceLocation here = named_by != nullptr ? named_by->where : SourceLocation{path, 0, 0};
    const std::string canonical = [&] {
        std::error_code ec;
        const auto c = std::filesystem::weakly_canonical(path, ec);
        return ec ? path : c.string();
    }();
    if (std::find(chain.begin(), chain.end(), canonical) != chain.end()) {
        throw InputError(here, "extends",
                         "scenario extends itself: " + path + " is already in the chain");
    }
    if (chain.size() >= MAX_EXTENDS) {
        throw InputError(here, "extends", "more than 32 files in an extends: chain");
    }
    chain.push_back(canonical);
    YNode node = detail::load_yaml_file(path, cache);
    YNode* ext = node.is_map() ? node.find("extends") : nullptr;
    if (ext == nullptr) {
        return node;
    }
    if (!ext->is_scalar()) {
        throw InputError(ext->where, "extends", "expected the path of another scenario file");
    }
    const std::filesystem::path parent = std::filesystem::path(path).parent_path() / ext->scalar;
    if (const std::string why = why_not_regular_file(parent.string()); !why.empty()) {
        throw InputError(ext->where, "extends",
                         describe_unusable_file("scenario", parent.string(), why));
    }
    YNode base = load_with_extends(parent.lexically_normal().string(), chain, notices, ext, cache);
    if (!base.is_map()) {
        // A text file that is not a scenario (`extends: /etc/passwd`) reads as one YAML scalar:
        // named here, not later as a missing 'model:'.
        throw InputError(ext->where, "extends",
                         parent.lexically_normal().string() +
                             " is not a scenario file: its top level is " +
                             (base.kind == YNode::Kind::null ? std::string("empty")
                              : base.is_scalar()             ? std::string("plain text")
                                                             : std::string("a list")) +
                             ", not keys such as model: and events:");
    }
    // The model path of the base is relative to the base file: make it absolute-ish.
    if (YNode* model = base.is_map() ? base.find("model") : nullptr) {
        if (model->is_scalar() && !std::filesystem::path(model->scalar).is_absolute()) {
            // A bare file name has an empty parent: that is the current directory.
            auto dir_of = [](const std::filesystem::path& p) {
                return p.parent_path().empty() ? std::filesystem::path(".") : p.parent_path();
            };
            model->scalar = (dir_of(parent) / model->scalar).lexically_normal().string();
            // The error_code form: a name the file system refuses keeps the joined path, and
            // loading the model then reports it, located.
            std::error_code rel_ec;
            const std::filesystem::path rel = std::filesystem::relative(
                model->scalar, dir_of(std::filesystem::path(path)), rel_ec);
            if (!rel_ec && !rel.empty()) {
                model->scalar = rel.string();
            }
        }
    }
    auto& m = node.map;
    for (std::size_t i = 0; i < m.size(); ++i) {
        if (m[i].first == "extends") {
            m.erase(m.begin() + static_cast<long>(i));
            node.key_where.erase(node.key_where.begin() + static_cast<long>(i));
            break;
        }
    }
    merge_into(base, node, "", notices);
    return base;
}

namespace {

// Whether `text` is a plain decimal number ("0.35", "-2", "1e-3"), which YAML reads as the
// scalar of the same text: a sweep sets one at each of thousands of points, so it skips the
// parser.
bool plain_number(const std::string& text) {
    std::size_t i = text.empty() || text[0] != '-' ? 0 : 1;
    const auto digits = [&] {
        const std::size_t from = i;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
            ++i;
        }
        return i > from;
    };
    if (!digits()) {
        return false;
    }
    if (i < text.size() && text[i] == '.') {
        ++i;
        (void)digits();
    }
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
            ++i;
        }
        if (!digits()) {
            return false;
        }
    }
    return i == text.size();
}

// An override's value parsed, every location inside it set to the override's place.
YNode override_value(const Override& o, const SourceLocation& where) {
    YNode value;
    if (plain_number(o.value)) {
        value.kind = YNode::Kind::scalar;
        value.scalar = o.value;
    } else if (o.origin.file.empty()) {
        value = detail::load_yaml_text(o.value, where.file);
    } else {
        // Written in a file (a sweep's set: or factor): its error at that place, not at a line
        // and column inside the value.
        try {
            value = detail::load_yaml_text(o.value, where.file);
        } catch (const InputError& e) {
            throw InputError(where, o.path, e.diagnostics().front().message);
        }
    }
    std::vector<YNode*> stack{&value};
    while (!stack.empty()) {
        YNode* n = stack.back();
        stack.pop_back();
        n->where = where;
        for (auto& kw : n->key_where) {
            kw = where;
        }
        for (auto& [k, v] : n->map) {
            stack.push_back(&v);
        }
        for (auto& v : n->sequence) {
            stack.push_back(&v);
        }
    }
    return value;
}

// The parts of a dotted path ("events.mp_halt.start": events, mp_halt, start).
std::vector<std::string> path_parts(const std::string& path) {
    std::vector<std::string> parts;
    std::size_t begin = 0;
    while (begin <= path.size()) {
        const std::size_t dot = path.find('.', begin);
        parts.push_back(path.substr(begin, dot - begin));
        if (dot == std::string::npos) {
            break;
        }
        begin = dot + 1;
    }
    return parts;
}

// The item of a list that `part` names: events and nodes by id (events.<id>.key), a node's
// production lines and inputs by product (network.nodes.<id>.production.<product>.capacity).
// Throws InputError, with a guess, when none has it; `in_events`: the list is events:.
YNode& find_item(YNode& list, const std::string& part, bool in_events, const Override& o,
                 const SourceLocation& where) {
    YNode* found = nullptr;
    for (auto& item : list.sequence) {
        const YNode* id = item.is_map() ? item.find("id") : nullptr;
        if (id != nullptr && id->scalar == part) {
            found = &item;
        }
    }
    for (auto& item : list.sequence) {
        const YNode* product = item.is_map() ? item.find("product") : nullptr;
        if (found == nullptr && product != nullptr && product->scalar == part) {
            found = &item;
        }
    }
    if (found != nullptr) {
        return *found;
    }
    std::vector<std::string> ids;
    for (auto& item : list.sequence) {
        if (const YNode* id = item.is_map() ? item.find("id") : nullptr) {
            ids.push_back(id->scalar);
        } else if (const YNode* pr = item.is_map() ? item.find("product") : nullptr) {
            ids.push_back(pr->scalar);
        }
    }
    const std::string guess = closest_match(part, ids);
    throw InputError(where, o.path,
                     (in_events ? "no event with id '" : "no item with id or product '") + part +
                         "'" + (guess.empty() ? "" : " (did you mean '" + guess + "'?)"));
}

}  // namespace

void apply_override(YNode& root, const Override& o) {
    const SourceLocation where = o.where();
    if (o.path.empty()) {
        throw InputError(where, "", "expected --set path=value");
    }
    if (o.path.size() > 1000 || std::count(o.path.begin(), o.path.end(), '.') > 16) {
        throw InputError(where, "", "a --set path has at most 16 dots and 1,000 characters");
    }
    const YNode value = override_value(o, where);
    const std::vector<std::string> parts = path_parts(o.path);
    YNode* cur = &root;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const std::string& part = parts[i];
        const bool last = i + 1 == parts.size();
        if (cur->is_sequence()) {
            YNode& found = find_item(*cur, part, i == 1 && parts[0] == "events", o, where);
            if (last) {
                found = value;
                return;
            }
            cur = &found;
            continue;
        }
        if (cur->kind == YNode::Kind::null) {
            cur->kind = YNode::Kind::map;
        }
        if (!cur->is_map()) {
            throw InputError(where, o.path, "'" + part + "' is inside a single value");
        }
        YNode* next = cur->find(part);
        if (last) {
            cur->set(part, value, where);
            return;
        }
        if (next == nullptr) {
            YNode empty;
            empty.kind = YNode::Kind::map;
            empty.where = where;
            next = &cur->set(part, empty, where);
        }
        cur = next;
    }
}

}  // namespace chokepoint::detail
