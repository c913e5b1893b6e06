#include "chokepoint/io/result_dir.hpp"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <optional>
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

// The file that marks a staging directory as this program's: only a directory holding it (or an
// empty one) is ever removed or put back by another run. Removed from a result once it is in
// place; a run killed in that moment leaves it in the result, where it is allowed.
const char* const MARKER = ".chokepoint-staging";

// A temporary file a killed write left behind: `.NAME.tmp.PID` (write_file_atomic) or a chart's
// `.NAME.EXT.tmp|gp|log` (draw_chart), or the staging marker.
bool our_leftover(const std::string& name) {
    if (name.size() < 2 || name[0] != '.') {
        return false;
    }
    if (name == MARKER) {
        return true;
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

void check_result_dir(const fs::path& named, ResultKind kind) {
    std::error_code ec;
    const fs::path dir = follow_links(named);
    // The results take the directory's place: never the current directory or one above it.
    const fs::path where = fs::weakly_canonical(fs::absolute(dir, ec), ec);
    const fs::path here = fs::current_path(ec);
    if (!where.empty() && !here.empty()) {
        const auto mismatch = std::mismatch(where.begin(), where.end(), here.begin(), here.end());
        if (mismatch.first == where.end()) {
            throw std::runtime_error(
                named.string() +
                " is the current directory or holds it; results replace the "
                "whole directory, so name a new one, for example --output results");
        }
    }
    auto refuse = [&](const std::string& what) {
        throw std::runtime_error(named.string() + " holds " + what + ", which `" +
                                 command_of(kind) + "` does not write; " +
                                 (kind == ResultKind::sweep
                                      ? "a sweep writes its files into it"
                                      : "its results replace the whole directory") +
                                 ", so choose a new or empty --output");
    };
    if (fs::exists(dir, ec)) {
        if (!fs::is_directory(dir, ec)) {
            throw std::runtime_error(named.string() + " exists and is not a directory");
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
        throw std::runtime_error("cannot write results to " + named.string() + ": cannot create " +
                                 parent.string() + ": " + ec.message());
    }
    // The staging directory is made beside the target: try it now, before the first trial
    // (access() says yes to root where the file system says no, as in /proc).
    const fs::path probe = parent / ("." + leaf(dir) + ".probe." + std::to_string(::getpid()));
    if (::mkdir(probe.c_str(), 0700) != 0) {
        // /proc and other virtual file systems answer "no such file" for a directory that
        // exists: say what it means.
        const std::string why = errno == ENOENT && fs::is_directory(parent, ec)
                                    ? "the file system there does not take new directories"
                                    : std::strerror(errno);
        throw std::runtime_error("cannot write results to " + named.string() +
                                 ": cannot make a directory in " + parent.string() + ": " + why);
    }
    ::rmdir(probe.c_str());
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

namespace {

// A staging name `.NAME.KIND.PID` (KIND new, old, init, or probe: check_result_dir's empty
// directory): NAME, KIND and PID; nullopt for any other name.
struct StagingName {
    std::string name;
    std::string kind;
    std::string pid;
};
std::optional<StagingName> staging_name(const std::string& n) {
    const auto dot = n.rfind('.');
    if (n.size() < 2 || n[0] != '.' || dot == std::string::npos || dot == 0) {
        return std::nullopt;
    }
    const std::string pid = n.substr(dot + 1);
    if (!process_id(pid)) {
        return std::nullopt;
    }
    for (const std::string kind : {"new", "old", "init", "probe"}) {
        const std::string mark = "." + kind;
        if (dot > mark.size() && n.compare(dot - mark.size(), mark.size(), mark) == 0) {
            return StagingName{n.substr(1, dot - mark.size() - 1), kind, pid};
        }
    }
    return std::nullopt;
}

// The directory carries this program's marker, or is an empty `init` or `probe` directory (a
// run killed between making it and marking it, or before removing it); a symbolic link never
// counts.
bool marked_ours(const fs::path& dir, const std::string& kind) {
    std::error_code ec;
    if (!fs::is_directory(fs::symlink_status(dir, ec))) {
        return false;
    }
    if (fs::is_regular_file(fs::symlink_status(dir / MARKER, ec))) {
        return true;
    }
    return (kind == "init" || kind == "probe") && fs::is_empty(dir, ec) && !ec;
}

// The marker is written in place, not through a temporary file and a rename: its presence is what
// counts (an empty one too), and commit() marks the old result before the exchange, so a kill in
// that moment must not leave a temporary file in the user's result directory.
void mark(const fs::path& dir) {
    const fs::path path = dir / MARKER;
    const int fd =
        ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) {
        const int error = errno;
        const std::string what = "cannot write " + path.string() + ": " + std::strerror(error);
        if (error == ENOSPC || error == EDQUOT) {
            throw NoSpaceError(what);
        }
        throw std::runtime_error(what);
    }
    static const char text[] = "made by Chokepoint's simulate: a staging directory\n";
    const ssize_t written = ::write(fd, text, sizeof text - 1);
    ::close(fd);
    (void)written;  // a short or failed write still leaves the marker that counts
}

// Staging directories that runs which were killed left in `parent`, for any output there:
// `.NAME.new.PID` and `.NAME.init.PID` are removed; `.NAME.old.PID` is the previous result when a
// run died between the two renames of the fallback, so it is put back if NAME is missing, and
// removed otherwise. Only directories that carry our marker are touched.
void clean_dead_staging(const fs::path& parent) {
    std::error_code ec;
    // Names are collected first: removing entries while reading a directory may skip others.
    std::vector<fs::path> entries;
    for (const auto& entry : fs::directory_iterator(parent, ec)) {
        entries.push_back(entry.path());
    }
    const std::string mine = std::to_string(::getpid());
    for (const fs::path& entry : entries) {
        const auto s = staging_name(entry.filename().string());
        if (!s || s->pid == mine || !marked_ours(entry, s->kind)) {
            continue;
        }
        // A staging directory is its run's while the run holds its lock; where the file system
        // has no locks (and for a directory being made, or the previous result of a run still
        // exchanging it), the process id must be gone.
        const LockState lock =
            s->kind == "new" ? lock_state(entry, O_DIRECTORY) : LockState::unknown;
        const bool alive =
            lock == LockState::unknown ? !process_gone(s->pid) : lock == LockState::held;
        if (alive) {
            continue;
        }
        const fs::path target = parent / s->name;
        if (s->kind == "old" && !fs::exists(fs::symlink_status(target, ec))) {
            fs::rename(entry, target, ec);
            fs::remove(target / MARKER, ec);
        } else {
            fs::remove_all(entry, ec);
        }
    }
}

}  // namespace

StagedDirectory::StagedDirectory(fs::path named) : target_(follow_links(named)) {
    const fs::path parent = parent_of(target_);
    const std::string name = leaf(target_);
    std::error_code ec;
    fs::create_directories(parent, ec);
    clean_dead_staging(parent);
    // The directory is made, marked and locked under a name no other run's scan takes for a
    // staging directory it may remove while its run lives (`.NAME.init.PID`), then renamed: a
    // `.NAME.new.PID` is never seen unlocked while its run lives. The lock is held until this
    // object goes and follows the directory through renames; it is closed on exec, so gnuplot and
    // other children never keep it. Without locks on this file system, the next run goes by the
    // process id alone.
    const std::string pid = std::to_string(::getpid());
    staging_ = parent / ("." + name + ".new." + pid);
    const fs::path making = parent / ("." + name + ".init." + pid);
    for (const auto& [p, kind] : {std::pair{staging_, "new"}, std::pair{making, "init"}}) {
        if (fs::exists(fs::symlink_status(p, ec)) && marked_ours(p, kind)) {
            fs::remove_all(p, ec);  // this process id's, from a dead run
        }
    }
    if (::mkdir(making.c_str(), 0777) != 0) {
        throw std::runtime_error("cannot create " + making.string() + ": " + std::strerror(errno));
    }
    try {
        mark(making);
    } catch (...) {
        std::error_code ignored;
        fs::remove_all(making, ignored);
        throw;
    }
    lock_fd_ = ::open(making.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (lock_fd_ >= 0 && ::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
        ::close(lock_fd_);
        lock_fd_ = -1;
    }
    // rename(2) replaces only an empty directory: a foreign `.NAME.new.PID` with contents stays.
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

void StagedDirectory::check_replaceable() {
    // The target was checked before the first trial; a run can take hours. Anything that has
    // appeared in it since and is neither a name of the new result nor a leftover of ours stays
    // the user's: the new result is kept beside it under a plain name, and the run fails.
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(target_, ec)) {
        const std::string n = entry.path().filename().string();
        const bool ours = our_leftover(n) || n == "charts" || n == "index.html" ||
                          fs::exists(fs::symlink_status(staging_ / n, ec));
        if (ours) {
            continue;
        }
        const fs::path kept =
            parent_of(target_) / (leaf(target_) + ".results." + std::to_string(::getpid()));
        fs::remove(staging_ / MARKER, ec);
        fs::rename(staging_, kept, ec);
        if (!ec) {
            committed_ = true;  // nothing to remove: the results live on at `kept`
        }
        throw std::runtime_error(
            "'" + n + "' appeared in " + target_.string() +
            " during the run and is not ours, so the directory was not replaced; the results "
            "are in " +
            (ec ? staging_ : kept).string());
    }
}

void StagedDirectory::exchange_by_renames() {
    // No atomic exchange on this file system: two renames; a crash between them leaves the old
    // result at .NAME.old.PID and no target, never a mixed one.
    std::error_code ec;
    const fs::path old =
        parent_of(target_) / ("." + leaf(target_) + ".old." + std::to_string(::getpid()));
    if (fs::exists(fs::symlink_status(old, ec)) && marked_ours(old, "old")) {
        fs::remove_all(old, ec);
    }
    fs::rename(target_, old, ec);
    if (ec) {
        fs::remove(target_ / MARKER, ec);
        throw std::runtime_error("cannot replace " + target_.string() + ": " + ec.message());
    }
    fs::rename(staging_, target_, ec);
    if (ec) {
        throw std::runtime_error("cannot rename into " + target_.string() + ": " + ec.message());
    }
    fs::remove_all(old, ec);
}

void StagedDirectory::commit() {
    const fs::path parent = parent_of(target_);
    sync_directory(staging_);
    std::error_code ec;
    const fs::file_status st = fs::symlink_status(target_, ec);
    if (fs::exists(st) && !fs::is_directory(st)) {
        throw std::runtime_error(target_.string() +
                                 " is not a directory; this program only replaces its own "
                                 "result directories");
    }
    if (!fs::exists(st)) {
        fs::rename(staging_, target_, ec);
        if (ec) {
            throw std::runtime_error("cannot rename " + staging_.string() + " to " +
                                     target_.string() + ": " + ec.message());
        }
    } else {
        check_replaceable();
        // The old result is marked before it leaves: wherever a kill leaves it (the staging
        // path after the exchange, .NAME.old.PID in the fallback), the next run beside it
        // removes it or puts it back.
        mark(target_);
        if (::renameat2(AT_FDCWD, staging_.c_str(), AT_FDCWD, target_.c_str(), RENAME_EXCHANGE) ==
            0) {
            fs::remove_all(staging_, ec);  // the old contents, now at the staging path
        } else {
            exchange_by_renames();
        }
    }
    committed_ = true;
    fs::remove(target_ / MARKER, ec);
    sync_directory(target_);
    sync_directory(parent);
}

namespace {

// Removes the regular files of `dir` whose name `pid_of` maps to a process id (empty: not ours)
// that is not this process's, that no process holds a lock on, and whose process is gone. The
// file is written before its run locks it: it must be unlocked and its process gone (a file system
// without locks, or another host's run in that moment, goes by the id alone). Names are collected
// first: removing entries while reading a directory may skip others.
void remove_dead_files(const fs::path& dir,
                       const std::function<std::string(const std::string&)>& pid_of) {
    std::vector<fs::path> stale;
    std::error_code ec;
    const std::string mine = std::to_string(::getpid());
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string pid = pid_of(it->path().filename().string());
        std::error_code type_ec;
        if (!process_id(pid) || pid == mine || !fs::is_regular_file(it->symlink_status(type_ec))) {
            continue;  // not a name this program writes (links and directories never are)
        }
        if (lock_state(it->path(), O_NOFOLLOW) != LockState::held && process_gone(pid)) {
            stale.push_back(it->path());
        }
    }
    for (const fs::path& p : stale) {
        fs::remove(p, ec);
    }
}

}  // namespace

void remove_stale_files(const fs::path& dir, const std::string& prefix, const std::string& suffix) {
    remove_dead_files(dir, [&](const std::string& n) {
        if (n.size() <= prefix.size() + suffix.size() || n.rfind(prefix, 0) != 0 ||
            n.compare(n.size() - suffix.size(), suffix.size(), suffix) != 0) {
            return std::string();
        }
        return n.substr(prefix.size(), n.size() - prefix.size() - suffix.size());
    });
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

void remove_dead_temporaries(const fs::path& dir) {
    // `.NAME.tmp.PID`: write_file_atomic's temporary names.
    remove_dead_files(dir, [](const std::string& n) {
        const auto dot = n.rfind('.');
        const std::string mark = ".tmp";
        if (n.size() < 2 || n[0] != '.' || dot == std::string::npos || dot <= mark.size() ||
            n.compare(dot - mark.size(), mark.size(), mark) != 0) {
            return std::string();
        }
        return n.substr(dot + 1);
    });
}

}  // namespace chokepoint
