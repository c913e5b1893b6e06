#pragma once
/// File output that is never half-written: contents go to a temporary file in the same
/// directory, which is flushed and then renamed over the target.
#include <filesystem>
#include <string>

namespace chokepoint {

/// Writes `contents` to `path` atomically. Throws std::runtime_error naming the path on failure.
void write_file_atomic(const std::filesystem::path& path, const std::string& contents);
/// Reads a whole file. Throws std::runtime_error naming the path on failure.
std::string read_file(const std::filesystem::path& path);
/// Lower-case hex SHA-256 of some bytes (OpenSSL's libcrypto).
std::string sha256_hex(const std::string& bytes);
/// A CSV field: quoted (with doubled quotes) when it holds a comma, quote or newline.
std::string csv_field(const std::string& text);
/// A number for CSV/JSON: fixed notation, at most `decimals` decimals, trailing zeros dropped.
std::string format_number(double value, int decimals = 4);

}  // namespace chokepoint
