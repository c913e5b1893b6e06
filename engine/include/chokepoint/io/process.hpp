#pragma once
/// Starting helper programs (gnuplot) without a shell: the program and its arguments go to
/// posix_spawnp as an argument vector, so no character of a file name, title or path is ever
/// interpreted by /bin/sh.
#include <filesystem>
#include <string>
#include <vector>

namespace chokepoint {

/// True when `program` (a bare name) is an executable file in a directory of $PATH.
bool program_on_path(const std::string& program);

/// Runs `argv[0]` (searched on $PATH) with `argv` in the directory `cwd`, standard input from
/// /dev/null and standard error appended to `log_file`. Waits for it and returns its exit code
/// (128 + signal number if it was killed). Throws std::runtime_error when it cannot be started.
int run_program(const std::vector<std::string>& argv, const std::filesystem::path& cwd,
                const std::filesystem::path& log_file);

}  // namespace chokepoint
