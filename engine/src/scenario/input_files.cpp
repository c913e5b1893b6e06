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

namespace {
// The value under `key` in `map`, read by `read` the first time (outside the lock: a parse is
// long; the first value stored wins). A read that throws stores nothing.
template <typename Map, typename Read>
typename Map::mapped_type cached(std::mutex& mutex, Map& map, const typename Map::key_type& key,
                                 Read read) {
    {
        const std::lock_guard lock(mutex);
        if (const auto it = map.find(key); it != map.end()) {
            return it->second;
        }
    }
    auto value = read();
    const std::lock_guard lock(mutex);
    return map.try_emplace(key, std::move(value)).first->second;
}
}  // namespace

YNode load_yaml_file(const std::string& path, InputCache* cache) {
    if (cache == nullptr) {
        return load_yaml_file(path);
    }
    InputFiles& files = cache->files();
    return cached(files.mutex, files.yaml, path, [&] { return load_yaml_file(path); });
}

std::string read_input_text(const std::string& path, std::size_t max_bytes, InputCache* cache) {
    if (cache == nullptr) {
        return read_input_file(path, max_bytes);
    }
    InputFiles& files = cache->files();
    return cached(files.mutex, files.text, std::make_pair(path, max_bytes),
                  [&] { return read_input_file(path, max_bytes); });
}

}  // namespace detail

InputCache::InputCache() : files_(std::make_unique<detail::InputFiles>()) {}
InputCache::~InputCache() = default;

}  // namespace chokepoint
