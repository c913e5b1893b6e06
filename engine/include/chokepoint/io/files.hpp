#pragma once
/// File output that is never half-written: contents go to a temporary file in the same
/// directory, which is flushed and then renamed over the target.
#include <filesystem>
#include <stdexcept>
#include <string>

namespace chokepoint {

/// The disk (or quota) is full. Thrown by the writers below and by draw_chart(); commands let
/// it end the run (exit 1, nothing committed) where another failure of optional output (charts)
/// would only be a warning.
struct NoSpaceError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
/// True for a NoSpaceError, and for a std::system_error (std::filesystem's errors) whose code is
/// ENOSPC or EDQUOT: what a command's chart step must not turn into a warning.
bool is_no_space(const std::exception& e);

/// `path` with symbolic links in its last component followed (a link to a link too, up to 40;
/// a relative link read against the link's directory), so that a file or directory the user
/// named through a link is written where the link points, and the link stays. Throws
/// std::runtime_error naming `path` for a loop.
std::filesystem::path follow_links(const std::filesystem::path& path);
/// Where a file the user named (graph --output, schema --output, calibrate --write) is written:
/// through links (follow_links), and only over a regular file or nothing. Throws
/// std::runtime_error naming `path` when it is a directory, FIFO, device or socket, which this
/// program never replaces, or a link another user made in a shared sticky directory such as
/// /tmp (the rule of the kernel's fs.protected_symlinks).
std::filesystem::path user_file_target(const std::filesystem::path& path);
/// Writes `contents` to `path` atomically: a temporary file in the same directory, flushed to
/// disk (fsync) and renamed over the target, then the directory is synced. Throws
/// std::runtime_error naming the path on failure (the temporary file is removed). A link at
/// `path` is replaced itself, never written through (user_file_target() says where a file the
/// user named goes); a directory, FIFO, device or socket is refused, never renamed over.
void write_file_atomic(const std::filesystem::path& path, const std::string& contents);
/// Appends `text` to `path` (created if missing) and makes it durable: write, fsync of the file
/// and of its directory. Throws std::runtime_error naming the path on failure.
void append_durably(const std::filesystem::path& path, const std::string& text);
/// fsync of a file's contents. Throws std::runtime_error on failure.
void sync_file(const std::filesystem::path& path);
/// fsync of a directory, so that renames and new files in it survive a power loss.
void sync_directory(const std::filesystem::path& dir);
/// Reads a whole file. Throws std::runtime_error naming the path on failure.
std::string read_file(const std::filesystem::path& path);
/// Lower-case hex SHA-256 of some bytes (OpenSSL's libcrypto).
std::string sha256_hex(const std::string& bytes);
/// A CSV field: quoted (with doubled quotes) when it holds a comma, quote or newline.
std::string csv_field(const std::string& text);
/// A number for people: fixed notation, at most `decimals` decimals, trailing zeros dropped;
/// never truncated (values of 1e15 and above are written in full by format_exact()); not finite
/// as format_exact() writes it.
std::string format_number(double value, int decimals = 4);
/// A tonnage for the terminal: "4821", "12.3k".
std::string compact(double v);
/// A number for data files: the shortest text that reads back as the same double
/// (std::to_chars), e.g. "4609.291015625", "1e+63"; "inf" or "-inf" for an infinity (a
/// value that overflowed: pandas, numpy and R read these), empty for NaN (no value).
std::string format_exact(double value);

}  // namespace chokepoint
