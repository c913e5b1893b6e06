#include "input_files.hpp"

#include <map>
#include <mutex>
#include <utility>

#include "chokepoint/core/input_file.hpp"

namespace chokepoint {

namespace detail {

struct InputFiles {
    std::mutex mutex;
    std::map<std::string, YNode> yaml;                                ///< by path as given
    std::map<std::pair<std::string, std::size_t>, std::string> text;  ///< by path and limit
};

YNode load_yaml_file(const std::string& path, InputCache* cache) {
    if (cache == nullptr) {
        return load_yaml_file(path);
    }
    InputFiles& files = cache->files();
    {
        const std::lock_guard lock(files.mutex);
        if (const auto it = files.yaml.find(path); it != files.yaml.end()) {
            return it->second;
        }
    }
    YNode parsed = load_yaml_file(path);  // throws, and keeps nothing, when it fails
    const std::lock_guard lock(files.mutex);
    return files.yaml.try_emplace(path, std::move(parsed)).first->second;
}

std::string read_input_text(const std::string& path, std::size_t max_bytes, InputCache* cache) {
    if (cache == nullptr) {
        return read_input_file(path, max_bytes);
    }
    InputFiles& files = cache->files();
    const auto key = std::make_pair(path, max_bytes);
    {
        const std::lock_guard lock(files.mutex);
        if (const auto it = files.text.find(key); it != files.text.end()) {
            return it->second;
        }
    }
    std::string bytes = read_input_file(path, max_bytes);
    const std::lock_guard lock(files.mutex);
    return files.text.try_emplace(key, std::move(bytes)).first->second;
}

}  // namespace detail

InputCache::InputCache() : files_(std::make_unique<detail::InputFiles>()) {}
InputCache::~InputCache() = default;

}  // namespace chokepoint
