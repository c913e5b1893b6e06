#include "chokepoint/io/result_dir.hpp"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <stdexcept>
#include <vector>

#include "chokepoint/io/files.hpp"

namespace chokepoint {

namespace fs = std::filesystem;

namespace {

// What each command writes into its result directory.
const std::set<std::string>& names_of(ResultKind kind) {
    static const std::set<std::string> run = {"summary.csv", "buyers.csv", "run.json", "index.html",
                                              "charts"};
    static const std::set<std::string> compare = {"comparison.csv", "scores.json", "index.html",
                                                  "charts"};
    static const std::set<std::string> diff = {"diff.csv", "diff.json", "charts"};
    static const std::set<std::string> calibrate = {"calibration.json", "calibrated.yaml"};
    static const std::set<std::string> backtest = {"backtest.csv", "figures.csv", "index.html",
                                                   "charts"};
    static const std::set<std::string> sweep = {"sweep.json",  "points.csv",   "trials.csv",
                                                "indices.csv", "indices.json", "problem.json",
                                                "index.html",  "charts",       ".lock"};
    switch (kind) {
        case ResultKind::run:
            return run;
        case ResultKind::compare:
            return compare;
        case ResultKind::diff:
            return diff;
        case ResultKind::sweep:
            return sweep;
        case ResultKind::calibrate:
            return calibrate;
        case ResultKind::backtest:
            return backtest;
    }
    return run;
}

const char* command_of(ResultKind kind) {
    switch (kind) {
        case ResultKind::run:
            return "simulate run";
        case ResultKind::compare:
            return "simulate compare";
        case ResultKind::diff:
            return "simulate diff";
        case ResultKind::sweep:
            return "simulate sweep";
        case ResultKind::calibrate:
            return "simulate calibrate";
        case ResultKind::backtest:
            return "simulate backtest";
    }
    return "simulate";
}

// A temporary file a killed write left behind: `.NAME.tmp.PID` (write_file_atomic) or a chart's
// `.NAME.EXT.tmp|gp|log` (draw_chart).
bool our_leftover(const std::string& name) {
    if (name.size() < 2 || name[0] != '.') {
        return false;
    }
    for (const char* mark : {".tmp", ".gp", ".log"}) {
        if (name.find(mark) != std::string::npos) {
            return true;
        }
    }
    return false;
}

bool chart_file(const std::string& name) {
    for (const char* ext : {".png", ".svg", ".dat"}) {
        const std::string e(ext);
        if (name.size() > e.size() && name.compare(name.size() - e.size(), e.size(), e) == 0) {
            return name[0] != '.';
        }
    }
    return our_leftover(name);
}

fs::path parent_of(const fs::path& dir) {
    return dir.parent_path().empty() ? fs::path(".") : dir.parent_path();
}

std::string leaf(const fs::path& dir) {
    const fs::path n = dir.lexically_normal();
    return (n.has_filename() ? n : n.parent_path()).filename().string();
}

// A process id as this program writes it into a name: decimal digits, no leading zero.
bool process_id(const std::string& pid) {
    return !pid.empty() && pid.size() < 10 &&
           pid.find_first_not_of("0123456789") == std::string::npos &&
           std::to_string(std::stoi(pid)) == pid;
}

// No process has this id (on this host, in this PID namespace).
bool process_gone(const std::string& pid) {
    return ::kill(std::stoi(pid), 0) != 0 && errno == ESRCH;
}

// Whether some process holds an flock on `path` (opened with `flags`); unknown where it cannot
// be opened or the file system has no locks.
enum class LockState { free, held, unknown };
LockState lock_state(const fs::path& path, int flags) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | flags);
    if (fd < 0) {
        return LockState::unknown;
    }
    LockState state = LockState::unknown;
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
        state = LockState::free;
    } else if (errno == EWOULDBLOCK) {
        state = LockState::held;
    }
    ::close(fd);
    return state;
}

}  // namespace

void check_result_dir(const fs::path& dir, ResultKind kind) {
    std::error_code ec;
    auto refuse = [&](const std::string& what) {
        throw std::runtime_error(dir.string() + " holds " + what + ", which `" + command_of(kind) +
                                 "` does not write; its results replace the whole directory, so "
                                 "choose a new or empty --output");
    };
    if (fs::exists(dir, ec)) {
        if (!fs::is_directory(dir, ec)) {
            throw std::runtime_error(dir.string() + " exists and is not a directory");
        }
        for (const auto& entry : fs::directory_iterator(dir, ec)) {
            const std::string name = entry.path().filename().string();
            if (names_of(kind).count(name) == 0 && !our_leftover(name)) {
                refuse("'" + name + "'");
            }
            if (name == "charts") {
                if (!entry.is_directory(ec)) {
                    refuse("a file named 'charts'");
                }
                for (const auto& chart : fs::directory_iterator(entry.path(), ec)) {
                    const std::string c = chart.path().filename().string();
                    if (!chart_file(c) || !chart.is_regular_file(ec)) {
                        refuse("'charts/" + c + "'");
                    }
                }
            }
        }
    }
    const fs::path parent = parent_of(dir);
    fs::create_directories(parent, ec);
    if (ec) {
        throw std::runtime_error("cannot create " + parent.string() + ": " + ec.message());
    }
    if (::access(parent.c_str(), W_OK | X_OK) != 0) {
        throw std::runtime_error("cannot write into " + parent.string() + ": " +
                                 std::strerror(errno));
    }
}

bool holds_complete_result(const fs::path& dir) {
    for (const char* f : {"run.json", "scores.json", "diff.json"}) {
        std::ifstream in(dir / f);
        if (!in) {
            continue;
        }
        const std::string text((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
        return text.find("\"partial\": true") == std::string::npos;
    }
    return false;
}

StagedDirectory::StagedDirectory(fs::path target) : target_(std::move(target)) {
    const fs::path parent = parent_of(target_);
    const std::string name = leaf(target_);
    std::error_code ec;
    fs::create_directories(parent, ec);
    // Staging directories of runs that were killed: `.NAME.new.PID` is removed; `.NAME.old.PID`
    // is the previous result when a run died between the two renames of the fallback, so it is
    // put back if the target is missing, and removed otherwise.
    // Names are collected first: removing entries while reading a directory may skip others.
    std::vector<fs::path> entries;
    for (const auto& entry : fs::directory_iterator(parent, ec)) {
        entries.push_back(entry.path());
    }
    for (const fs::path& entry : entries) {
        const std::string n = entry.filename().string();
        for (const std::string& prefix :
             {"." + name + ".new.", "." + name + ".old.", "." + name + ".init."}) {
            if (n.rfind(prefix, 0) != 0) {
                continue;
            }
            const std::string pid = n.substr(prefix.size());
            if (!process_id(pid) || pid == std::to_string(::getpid())) {
                continue;
            }
            // A staging directory is its run's while the run holds its lock; where the file
            // system has no locks (and for a directory being made, or the previous result of a
            // run still exchanging it), the process id must be gone.
            const LockState lock = prefix.find(".new.") != std::string::npos
                                       ? lock_state(entry, O_DIRECTORY)
                                       : LockState::unknown;
            const bool alive =
                lock == LockState::unknown ? !process_gone(pid) : lock == LockState::held;
            if (alive) {
                continue;
            }
            if (prefix.find(".old.") != std::string::npos && !fs::exists(target_, ec)) {
                fs::rename(entry, target_, ec);
            } else {
                fs::remove_all(entry, ec);
            }
        }
    }
    // The directory is made and locked under a name no other run's scan takes for a staging
    // directory (`.NAME.init.PID`), then renamed: a `.NAME.new.PID` is never seen unlocked while
    // its run lives. The lock is held until this object goes and follows the directory through
    // renames; it is closed on exec, so gnuplot and other children never keep it. Without locks
    // on this file system, the next run goes by the process id alone.
    const std::string pid = std::to_string(::getpid());
    staging_ = parent / ("." + name + ".new." + pid);
    const fs::path making = parent / ("." + name + ".init." + pid);
    fs::remove_all(staging_, ec);
    fs::remove_all(making, ec);
    fs::create_directories(making, ec);
    if (ec) {
        throw std::runtime_error("cannot create " + making.string() + ": " + ec.message());
    }
    lock_fd_ = ::open(making.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (lock_fd_ >= 0 && ::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
        ::close(lock_fd_);
        lock_fd_ = -1;
    }
    fs::rename(making, staging_, ec);
    if (ec) {
        std::error_code ignored;
        fs::remove_all(making, ignored);
        if (lock_fd_ >= 0) {
            ::close(lock_fd_);
        }
        throw std::runtime_error("cannot create " + staging_.string() + ": " + ec.message());
    }
}

StagedDirectory::~StagedDirectory() {
    if (!committed_) {
        std::error_code ec;
        fs::remove_all(staging_, ec);
    }
    if (lock_fd_ >= 0) {
        ::close(lock_fd_);
    }
}

void StagedDirectory::commit() {
    const fs::path parent = parent_of(target_);
    sync_directory(staging_);
    std::error_code ec;
    if (!fs::exists(target_, ec)) {
        fs::rename(staging_, target_, ec);
        if (ec) {
            throw std::runtime_error("cannot rename " + staging_.string() + " to " +
                                     target_.string() + ": " + ec.message());
        }
    } else if (::renameat2(AT_FDCWD, staging_.c_str(), AT_FDCWD, target_.c_str(),
                           RENAME_EXCHANGE) == 0) {
        // The old contents are now at the staging path.
        fs::remove_all(staging_, ec);
    } else {
        // No atomic exchange on this file system: two renames; a crash between them leaves the
        // old result at .NAME.old.PID and no target, never a mixed one.
        const fs::path old = parent / ("." + leaf(target_) + ".old." + std::to_string(::getpid()));
        fs::remove_all(old, ec);
        fs::rename(target_, old, ec);
        if (ec) {
            throw std::runtime_error("cannot replace " + target_.string() + ": " + ec.message());
        }
        fs::rename(staging_, target_, ec);
        if (ec) {
            throw std::runtime_error("cannot rename into " + target_.string() + ": " +
                                     ec.message());
        }
        fs::remove_all(old, ec);
    }
    sync_directory(parent);
    committed_ = true;
}

void remove_stale_files(const fs::path& dir, const std::string& prefix, const std::string& suffix) {
    // The file is written before its run locks it: it must be unlocked and its process gone (a
    // file system without locks, or another host's run in that moment, goes by the id alone).
    std::vector<fs::path> stale;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string n = it->path().filename().string();
        if (n.size() <= prefix.size() + suffix.size() || n.rfind(prefix, 0) != 0 ||
            n.compare(n.size() - suffix.size(), suffix.size(), suffix) != 0) {
            continue;
        }
        const std::string pid = n.substr(prefix.size(), n.size() - prefix.size() - suffix.size());
        std::error_code type_ec;
        if (!process_id(pid) || it->is_symlink(type_ec) || !it->is_regular_file(type_ec)) {
            continue;  // not a name this program writes
        }
        if (lock_state(it->path(), O_NOFOLLOW) != LockState::held && process_gone(pid)) {
            stale.push_back(it->path());
        }
    }
    for (const fs::path& p : stale) {
        fs::remove(p, ec);
    }
}

FileLock::FileLock(const fs::path& path) : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    if (fd_ >= 0) {
        (void)::flock(fd_, LOCK_EX | LOCK_NB);
    }
}

FileLock::~FileLock() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

}  // namespace chokepoint
