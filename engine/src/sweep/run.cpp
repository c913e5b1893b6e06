#include "chokepoint/sweep/run.hpp"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "../io/json.hpp"
#include "chokepoint/core/diagnostics.hpp"
#include "chokepoint/io/files.hpp"
#include "chokepoint/io/result_dir.hpp"
#include "chokepoint/io/results.hpp"

namespace chokepoint {

namespace fs = std::filesystem;

namespace {

const char* const RESULT_FILES[] = {"points.csv",   "trials.csv", "indices.csv", "indices.json",
                                    "problem.json", "index.html", "sweep.json"};

std::string points_header(const SweepPlan& plan) {
    std::string h = "point";
    for (const auto& f : plan.factors) {
        h += "," + f.spec.path;
    }
    for (const auto& o : plan.outputs) {
        for (const char* s : {"mean", "sd", "p05", "p50", "p95"}) {
            h += "," + o.spec.id + "_" + s;
        }
    }
    return h + "\n";
}

std::string trials_header(const SweepPlan& plan) {
    std::string h = "point,trial";
    for (const auto& o : plan.outputs) {
        h += "," + o.spec.id;
    }
    return h + "\n";
}

// Quantile by linear interpolation between order statistics (Hyndman and Fan type 7, R's
// default), on sorted values.
double quantile_sorted(const std::vector<double>& v, double q) {
    const double h = (static_cast<double>(v.size()) - 1.0) * q;
    const auto lo = static_cast<std::size_t>(h);
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (h - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

std::string points_row(const SweepPlan& plan, std::size_t p,
                       const std::vector<std::vector<double>>& values) {
    std::string row = std::to_string(p);
    for (std::size_t i = 0; i < plan.factors.size(); ++i) {
        row += "," + plan.factors[i].format(plan.values[p][i]);
    }
    for (const auto& v : values) {
        double sum = 0.0;
        for (double x : v) {
            sum += x;
        }
        const double n = static_cast<double>(v.size());
        const double mean = sum / n;
        double ss = 0.0;
        for (double x : v) {
            ss += (x - mean) * (x - mean);
        }
        const double sd = v.size() > 1 ? std::sqrt(ss / (n - 1.0)) : 0.0;
        auto sorted = v;
        std::sort(sorted.begin(), sorted.end());
        for (double s : {mean, sd, quantile_sorted(sorted, 0.05), quantile_sorted(sorted, 0.5),
                         quantile_sorted(sorted, 0.95)}) {
            row += "," + exact_number(s);
        }
    }
    return row + "\n";
}

// A per-trial value: exact, and readable back by strtod even when not finite.
std::string trial_number(double v) {
    if (std::isnan(v)) {
        return "nan";
    }
    if (std::isinf(v)) {
        return v > 0 ? "inf" : "-inf";
    }
    return exact_number(v);
}

std::string trials_rows(std::size_t p, const std::vector<std::vector<double>>& values) {
    std::string out;
    const std::size_t trials = values.empty() ? 0 : values[0].size();
    for (std::size_t t = 0; t < trials; ++t) {
        out += std::to_string(p) + "," + std::to_string(t);
        for (const auto& v : values) {
            out += "," + trial_number(v[t]);
        }
        out += "\n";
    }
    return out;
}

std::string pack(const std::vector<std::vector<double>>& values) {
    std::string out;
    for (const auto& v : values) {
        out.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(double));
    }
    return out;
}

std::vector<std::vector<double>> unpack(const std::string& bytes, std::size_t outputs,
                                        std::size_t trials) {
    if (bytes.size() != outputs * trials * sizeof(double)) {
        throw std::runtime_error("sweep: a rank sent a result of the wrong size");
    }
    std::vector<std::vector<double>> values(outputs, std::vector<double>(trials));
    for (std::size_t o = 0; o < outputs; ++o) {
        std::memcpy(values[o].data(), bytes.data() + o * trials * sizeof(double),
                    trials * sizeof(double));
    }
    return values;
}

// Complete lines of a file (each ending in '\n') with the byte offset where each starts.
struct Lines {
    std::vector<std::string> text;
    std::vector<std::uintmax_t> offset;
    std::uintmax_t complete_bytes = 0;
};
Lines read_lines(const fs::path& path) {
    Lines out;
    const std::string bytes = read_file(path);
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        const std::size_t nl = bytes.find('\n', pos);
        if (nl == std::string::npos) {
            break;  // a torn last line: dropped
        }
        out.text.push_back(bytes.substr(pos, nl - pos));
        out.offset.push_back(pos);
        pos = nl + 1;
    }
    out.complete_bytes = pos;
    return out;
}

void truncate_to(const fs::path& path, std::uintmax_t size) {
    if (fs::file_size(path) != size) {
        fs::resize_file(path, size);
        sync_file(path);
    }
}

// sweep.json: the same sweep's (its identity unchanged), or written new in an empty directory.
// Throws InputError when the directory holds another sweep's results, or rows without a
// sweep.json to check them against.
void check_manifest(const SweepPlan& plan, const std::string& identity, const fs::path& dir) {
    const fs::path manifest = dir / "sweep.json";
    const fs::path points = dir / "points.csv";
    const fs::path trials = dir / "trials.csv";
    if (fs::exists(manifest)) {
        std::string stored;
        try {
            stored = nlohmann::json::parse(read_file(manifest)).at("identity").dump();
        } catch (const std::exception&) {
            stored = "";
        }
        const std::string wanted = nlohmann::json::parse(identity).dump();
        if (stored != wanted) {
            std::string why = "a different sweep";
            try {
                const auto a = nlohmann::json::parse(stored);
                const auto b = nlohmann::json::parse(wanted);
                std::string changed;
                for (const auto& [key, value] : b.items()) {
                    if (!a.contains(key) || a.at(key) != value) {
                        changed += (changed.empty() ? "" : ", ") + key;
                    }
                }
                if (!changed.empty()) {
                    why = "a sweep whose " + changed + " differ";
                }
            } catch (const std::exception&) {
            }
            throw InputError(SourceLocation{manifest.string(), 0, 0}, "",
                             "this directory holds results of " + why +
                                 " from this one; run with --restart to start over, or choose "
                                 "another --output");
        }
    } else if (fs::exists(points) || fs::exists(trials)) {
        throw InputError(SourceLocation{dir.string(), 0, 0}, "",
                         "points.csv or trials.csv is here without sweep.json, so it cannot be "
                         "checked; run with --restart to start over, or choose another --output");
    } else {
        nlohmann::ordered_json j;
        j["tool"] = "chokepoint simulate sweep";
        j["identity"] = nlohmann::ordered_json::parse(identity);
        j["points"] = plan.points();
        j["design"] = to_string(plan.spec.design);
        write_file_atomic(manifest, json_text(j));
    }
}

// One point's `per_point` trial rows of trials.csv from line `row` on into `v` (outputs x
// trials), `row` moved past them. A row must be "p,t,v1,...,vK" exactly; false at the first that is
// not (it ends the whole points).
bool read_point_trials(const std::vector<std::string>& lines, std::size_t p, std::size_t per_point,
                       std::size_t& row, std::vector<std::vector<double>>& v) {
    const std::size_t outputs = v.size();
    for (std::size_t t = 0; t < per_point; ++t, ++row) {
        if (row >= lines.size()) {
            return false;
        }
        std::vector<std::string> cells;
        std::stringstream line(lines[row]);
        for (std::string cell; std::getline(line, cell, ',');) {
            cells.push_back(cell);
        }
        if (cells.size() != outputs + 2 || cells[0] != std::to_string(p) ||
            cells[1] != std::to_string(t)) {
            return false;
        }
        for (std::size_t o = 0; o < outputs; ++o) {
            const std::string& c = cells[o + 2];
            char* end = nullptr;
            v[o][t] = std::strtod(c.c_str(), &end);  // reads nan, inf and subnormals too
            if (c.empty() || end != c.c_str() + c.size()) {
                return false;
            }
        }
    }
    return true;
}

// Rank 0: finds how many points `dir` already holds, keeps them and returns their values.
std::size_t resume(const SweepPlan& plan, const SweepRunConfig& config, const std::string& identity,
                   std::vector<std::vector<std::vector<double>>>& values) {
    const fs::path& dir = config.dir;
    const fs::path points = dir / "points.csv";
    const fs::path trials = dir / "trials.csv";
    std::error_code ec;
    if (config.restart) {
        for (const char* f : RESULT_FILES) {
            fs::remove(dir / f, ec);
        }
        fs::remove_all(dir / "charts", ec);
    }
    check_manifest(plan, identity, dir);
    if (!fs::exists(points)) {
        write_file_atomic(points, points_header(plan));
    }
    if (!fs::exists(trials)) {
        write_file_atomic(trials, trials_header(plan));
    }
    const Lines pl = read_lines(points);
    const Lines tl = read_lines(trials);
    if (pl.text.empty() || pl.text[0] + "\n" != points_header(plan) || tl.text.empty() ||
        tl.text[0] + "\n" != trials_header(plan)) {
        throw InputError(SourceLocation{points.string(), 1, 1}, "",
                         "points.csv or trials.csv does not have this sweep's columns; run with "
                         "--restart to start over");
    }
    // Whole points in points.csv, in order; each needs all its trial rows in trials.csv.
    std::size_t done = 0;
    while (done + 1 < pl.text.size() &&
           pl.text[done + 1].rfind(std::to_string(done) + ",", 0) == 0 && done < plan.points()) {
        ++done;
    }
    const std::size_t outputs = plan.outputs.size();
    const auto per_point = static_cast<std::size_t>(plan.trials);
    values.assign(plan.points(), {});
    std::size_t row = 1;
    std::size_t complete = 0;
    for (std::size_t p = 0; p < done; ++p) {
        std::vector<std::vector<double>> v(outputs, std::vector<double>(per_point));
        if (!read_point_trials(tl.text, p, per_point, row, v)) {
            break;
        }
        values[p] = std::move(v);
        complete = p + 1;
    }
    done = complete;
    truncate_to(points, done + 1 < pl.offset.size() ? pl.offset[done + 1] : pl.complete_bytes);
    const std::size_t keep_rows = 1 + done * per_point;
    truncate_to(trials, keep_rows < tl.offset.size() ? tl.offset[keep_rows] : tl.complete_bytes);
    return done;
}

// Throws, on every rank alike, the error a status message carries ("input ..." for an input
// error, "error ..." for any other); "ok" and "ok N" pass.
void rethrow_rank_error(const std::string& status) {
    if (status.rfind("input ", 0) == 0) {
        throw InputError(SourceLocation{}, "", status.substr(6));
    }
    if (status.rfind("error ", 0) == 0) {
        throw std::runtime_error(status.substr(6));
    }
    if (status.rfind("ok", 0) != 0) {
        throw std::runtime_error("sweep: unexpected message between ranks");
    }
}

// Holds an exclusive lock on DIR/.lock for as long as it lives, so two sweeps never append to
// the same files (flock: released by the kernel when the process dies).
class DirectoryLock {
  public:
    DirectoryLock() = default;
    explicit DirectoryLock(const fs::path& dir) {
        const fs::path file = dir / ".lock";
        fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd_ < 0) {
            throw std::runtime_error("cannot open " + file.string() + ": " + std::strerror(errno));
        }
        if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
            ::close(fd_);
            fd_ = -1;
            throw InputError(SourceLocation{dir.string(), 0, 0}, "",
                             "another sweep is running in this directory (it holds .lock); wait "
                             "for it, or choose another --output");
        }
    }
    DirectoryLock(DirectoryLock&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    DirectoryLock& operator=(DirectoryLock&& o) noexcept {
        std::swap(fd_, o.fd_);
        return *this;
    }
    DirectoryLock(const DirectoryLock&) = delete;
    DirectoryLock& operator=(const DirectoryLock&) = delete;
    ~DirectoryLock() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }

  private:
    int fd_ = -1;
};

// Appends point q: its trials first, then its row (each write durable). The test hooks die
// halfway through one of the two writes.
void write_point(const SweepPlan& plan, const SweepRunConfig& config, std::size_t q,
                 const std::vector<std::vector<double>>& values) {
    const bool crash = config.crash_in_point_write >= 0 &&
                       static_cast<std::size_t>(config.crash_in_point_write) == q;
    const std::string rows = trials_rows(q, values);
    if (crash && config.crash_in_trials_write) {
        append_durably(config.dir / "trials.csv", rows.substr(0, rows.size() / 2));
        std::raise(SIGKILL);
    }
    append_durably(config.dir / "trials.csv", rows);
    const std::string row = points_row(plan, q, values);
    if (crash) {
        append_durably(config.dir / "points.csv", row.substr(0, row.size() / 2));
        std::raise(SIGKILL);
    }
    append_durably(config.dir / "points.csv", row);
}

}  // namespace

std::string sweep_identity(const SweepPlan& plan) {
    nlohmann::ordered_json j;
    j["version"] = version();
    j["git_revision"] = git_revision();
    j["sweep_sha256"] = sha256_hex(read_file(plan.spec.path));
    j["scenario_sha256"] = sha256_hex(plan.base.resolved_yaml);
    j["model_sha256"] = sha256_hex(read_file(plan.base.model_path));
    j["trials"] = plan.trials;
    j["seed"] = plan.seed;
    return json_text(j, -1);
}

namespace {

// Where a sweep starts: rank 0 checks the directory, takes its lock and reads what is already
// done; every rank learns the first point to run (or rank 0's refusal, thrown on every rank).
std::size_t start_point(const SweepPlan& plan, const SweepRunConfig& config, Communicator& comm,
                        SweepRun& run, DirectoryLock& lock) {
    std::string start_message;
    if (comm.rank() == 0) {
        try {
            try {
                check_result_dir(config.dir, ResultKind::sweep);
            } catch (const std::runtime_error& e) {
                throw InputError(SourceLocation{config.dir.string(), 0, 0}, "", e.what());
            }
            fs::create_directories(config.dir);
            lock = DirectoryLock(config.dir);
            // What a killed run was writing when it died (the files are written in place).
            remove_dead_temporaries(config.dir);
            remove_dead_temporaries(config.dir / "charts");
            run.resumed = resume(plan, config, sweep_identity(plan), run.values);
            start_message = "ok " + std::to_string(run.resumed);
        } catch (const InputError& e) {
            comm.broadcast("input " + e.diagnostics().front().format());
            throw;
        } catch (const std::exception& e) {
            comm.broadcast(std::string("error ") + e.what());
            throw;
        }
    }
    start_message = comm.broadcast(start_message);
    rethrow_rank_error(start_message);
    return std::stoull(start_message.substr(3));
}

// A wave of `width` points on `ranks` ranks: rank r runs point r % width, and when there are more
// ranks than points, the ranks of one point split its trials into contiguous blocks (trial i's
// values do not depend on who runs it, so the bytes are the same on any number of ranks).
struct Wave {
    std::size_t first;  ///< its first point
    std::size_t width;  ///< its points
    std::size_t ranks;
    std::size_t trials;  ///< per point

    /// The blocks point `i` of the wave is split into.
    std::size_t blocks_of(std::size_t i) const {
        return ranks / width + (i < ranks % width ? 1 : 0);
    }
    /// The trials of block `b` of `nb`: [first, last).
    std::pair<std::size_t, std::size_t> block_range(std::size_t b, std::size_t nb) const {
        return {b * trials / nb, (b + 1) * trials / nb};
    }
};

// This rank's part of a wave: "D" and its values packed, or "E" and the error (a rank whose
// point fails sends the error instead of values; then every rank stops with it, and none is left
// waiting in a collective call).
std::string run_part(const SweepPlan& plan, const SweepRunConfig& config, const Wave& w,
                     std::size_t me) {
    try {
        const std::size_t i = me % w.width;
        const auto [lo, hi] = w.block_range(me / w.width, w.blocks_of(i));
        return "D" + pack(run_point(plan, w.first + i, config.threads, static_cast<int>(lo),
                                    static_cast<int>(hi - lo)));
    } catch (const InputError& e) {
        return "Einput " + e.diagnostics().front().format();
    } catch (const std::exception& e) {
        return std::string("Eerror ") + e.what();
    }
}

// Rank 0: the wave's parts put together and each point stored and appended to the files, unless
// a rank failed. The status every rank learns: "ok", or the first error (a failed write on rank
// 0 stops the others too).
std::string store_wave(const SweepPlan& plan, const SweepRunConfig& config, const Wave& w,
                       const std::vector<std::string>& parts, SweepRun& run) {
    for (const auto& part : parts) {
        if (!part.empty() && part[0] == 'E') {
            return part.substr(1);
        }
    }
    const std::size_t outputs = plan.outputs.size();
    try {
        for (std::size_t i = 0; i < w.width; ++i) {
            const std::size_t q = w.first + i;
            std::vector<std::vector<double>> v(outputs);
            const std::size_t nb = w.blocks_of(i);
            for (std::size_t b = 0; b < nb; ++b) {
                const auto [lo, hi] = w.block_range(b, nb);
                const auto part = unpack(parts[i + b * w.width].substr(1), outputs, hi - lo);
                for (std::size_t o = 0; o < outputs; ++o) {
                    v[o].insert(v[o].end(), part[o].begin(), part[o].end());
                }
            }
            run.values[q] = std::move(v);
            write_point(plan, config, q, run.values[q]);
        }
    } catch (const std::exception& e) {
        return std::string("error ") + e.what();
    }
    return "ok";
}

}  // namespace

SweepRun run_sweep(const SweepPlan& plan, const SweepRunConfig& config) {
    SerialCommunicator serial;
    Communicator& comm = config.comm != nullptr ? *config.comm : serial;
    const bool root = comm.rank() == 0;
    const std::size_t total = plan.points();
    SweepRun run;
    DirectoryLock lock;
    const std::size_t first = start_point(plan, config, comm, run, lock);
    if (root && config.on_start) {
        config.on_start(run.resumed);
    }
    const auto ranks = static_cast<std::size_t>(comm.size());
    const auto me = static_cast<std::size_t>(comm.rank());
    std::size_t next = first;
    while (next < total) {
        const bool stop = root && config.cancel != nullptr && config.cancel->load();
        if (comm.broadcast(stop ? "stop" : "go") == "stop") {
            run.interrupted = true;
            break;
        }
        const Wave wave{next, std::min(ranks, total - next), ranks,
                        static_cast<std::size_t>(plan.trials)};
        const std::vector<std::string> all = comm.gather(run_part(plan, config, wave, me));
        const std::string status = root ? store_wave(plan, config, wave, all, run) : "ok";
        rethrow_rank_error(comm.broadcast(status));
        next += wave.width;
        if (root && config.progress) {
            config.progress(next, total, run.resumed);
        }
    }
    return run;
}

}  // namespace chokepoint
