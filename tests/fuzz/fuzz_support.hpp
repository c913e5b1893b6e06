#pragma once
// Shared by the libFuzzer targets: a per-process directory holding the small test model, into
// which each input is written as a file (the loaders read files, as users' tools do).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

namespace chokepoint::fuzz {

inline const std::filesystem::path& work_dir() {
    static const std::filesystem::path dir = [] {
        const auto d = std::filesystem::temp_directory_path() /
                       ("chokepoint-fuzz-" + std::to_string(::getpid()));
        std::filesystem::create_directories(d);
        const std::filesystem::path fixtures = CHOKEPOINT_SOURCE_DIR "/tests/regression/scenarios";
        for (const char* f : {"small_model.yaml", "small_material.yaml", "small_baseline.yaml",
                              "small_controls.yaml"}) {
            std::filesystem::copy_file(fixtures / f, d / f,
                                       std::filesystem::copy_options::overwrite_existing);
        }
        return d;
    }();
    return dir;
}

/// Writes the input to `name` in the work directory and returns its path.
inline std::string write_input(const std::string& name, const std::uint8_t* data,
                               std::size_t size) {
    const auto path = work_dir() / name;
    std::ofstream(path, std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    return path.string();
}

}  // namespace chokepoint::fuzz
