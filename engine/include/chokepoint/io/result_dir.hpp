#pragma once
/// A set of result files that appears whole or not at all. Files are written into a fresh
/// staging directory beside the target (`.NAME.new.PID`), synced, and the staging directory then
/// takes the target's place in one step (an atomic exchange where the file system offers it),
/// so a reader or a crash never sees new files beside old ones. Staging directories left by a
/// killed run are removed by the next one: a live run holds a lock (flock) on its staging
/// directory, which the kernel drops when the process dies, so a reused process id never makes
/// a dead run's directory look alive.
#include <filesystem>
#include <string>

namespace chokepoint {

/// The command whose files a result directory holds.
enum class ResultKind { run, compare, diff, sweep, calibrate, backtest };

/// Throws std::runtime_error naming `dir` as given when it cannot take `kind`'s results: it is the
/// current directory or above it, no directory can be made beside it, or it holds anything that
/// command does not write (a user's file, a dot-file such as .git, another command's results), so
/// replacing it could lose data. Call before the first trial.
void check_result_dir(const std::filesystem::path& dir, ResultKind kind);

/// True when `dir/run.json` (or scores.json, diff.json) says the result there is complete.
bool holds_complete_result(const std::filesystem::path& dir);

/// A link at the target is followed: the results go where it points and the link stays. Staging
/// directories carry a marker file (removed once the result is in place); a run removes or puts
/// back only marked (or empty) `.NAME.new|old|init.PID` directories of dead runs, for any NAME
/// in the parent, so a killed run's staging directory goes with the next run beside it.
class StagedDirectory {
  public:
    /// Prepares a staging directory for `target` (and removes stale ones of earlier runs).
    explicit StagedDirectory(std::filesystem::path target);
    ~StagedDirectory();  ///< removes the staging directory unless committed
    StagedDirectory(const StagedDirectory&) = delete;
    StagedDirectory& operator=(const StagedDirectory&) = delete;

    /// Where to write the files.
    const std::filesystem::path& path() const { return staging_; }
    /// Puts the staged files in the target's place (the old contents are removed).
    void commit();

  private:
    /// Throws, keeping the staged result beside the target under `NAME.results.PID`, when
    /// something not ours appeared in the existing target during the run.
    void check_replaceable();
    /// The fallback where the file system has no atomic exchange: two renames.
    void exchange_by_renames();
    std::filesystem::path target_;
    std::filesystem::path staging_;
    bool committed_ = false;
    int lock_fd_ = -1;  ///< holds the lock on the staging directory while this run owns it
};

/// Removes the regular files `dir/PREFIX PID SUFFIX` that runs which were killed left behind: no
/// process holds a lock on the file (a live run holds a FileLock on its own) and no process has
/// that id. Other names, symbolic links and directories are left alone.
void remove_stale_files(const std::filesystem::path& dir, const std::string& prefix,
                        const std::string& suffix);

/// Removes the temporary files `dir/.NAME.tmp.PID` (write_file_atomic's) of processes that are
/// gone: what a killed run left in a directory written in place (a sweep's, and its charts).
void remove_dead_temporaries(const std::filesystem::path& dir);

/// An flock on a file of this run (closed on exec), held until this object goes, so that
/// remove_stale_files in another run leaves the file alone.
class FileLock {
  public:
    explicit FileLock(const std::filesystem::path& path);
    ~FileLock();
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;

  private:
    int fd_ = -1;
};

}  // namespace chokepoint
