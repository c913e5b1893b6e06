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

}  // namespace chokepoint
