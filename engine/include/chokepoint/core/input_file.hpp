#pragma once
/// Reading a user's input file safely: regular files only (not /dev/zero, a FIFO, a directory),
/// at most a stated size, and every file-system failure (a missing file, a symlink loop, a name
/// too long) reported as a located input error rather than a crash or an endless read.
#include <cstddef>
#include <string>

namespace chokepoint {

/// The bytes of `path`. Throws InputError naming the file when it is not a regular file, is
/// larger than `max_bytes`, or cannot be read.
std::string read_input_file(const std::string& path, std::size_t max_bytes);

/// Empty when `path` is a regular file (after symbolic links); otherwise why not, in the words
/// read_input_file uses: "no such file", "the name is too long", "too many levels of symbolic
/// links", "is a directory, not a file", "is not a regular file (a device, FIFO or socket)".
std::string why_not_regular_file(const std::string& path);

/// The message for a `what` file (e.g. "model") at `path` that why_not_regular_file refused:
/// "model file not found: PATH", "PATH is a directory, not a file", or "cannot open the model
/// file: the name is too long: PATH".
std::string describe_unusable_file(const std::string& what, const std::string& path,
                                   const std::string& why);

}  // namespace chokepoint
