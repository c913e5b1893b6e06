#pragma once
/// JSON text as this program writes it.
#include <nlohmann/json.hpp>
#include <string>

namespace chokepoint {

/// `j` (nlohmann::json or ordered_json, whose keys keep their order) as text: indented by `indent`
/// spaces and ending in a newline, or on one line without one when `indent` is negative. Bytes that
/// are not UTF-8 (paths are bytes, and a user's path may hold any) are written as U+FFFD instead of
/// failing the write.
template <typename Json>
std::string json_text(const Json& j, int indent = 2) {
    const std::string text = j.dump(indent, ' ', false, Json::error_handler_t::replace);
    return indent < 0 ? text : text + "\n";
}

}  // namespace chokepoint
