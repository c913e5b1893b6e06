#include "chokepoint/sweep/run.hpp"

#include <nlohmann/json.hpp>

#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>

#include "chokepoint/core/diagnostics.hpp"
#include "chokepoint/io/files.hpp"
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

std::string trials_rows(std::size_t p, const std::vector<std::vector<double>>& values) {
    std::string out;
    const std::size_t trials = values.empty() ? 0 : values[0].size();
    for (std::size_t t = 0; t < trials; ++t) {
        out += std::to_string(p) + "," + std::to_string(t);
        for (const auto& v : values) {
            out += "," + exact_number(v[t]);
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

// Rank 0: finds how many points `dir` already holds, keeps them and returns their values.
std::size_t resume(const SweepPlan& plan, const SweepRunConfig& config, const std::string& identity,
                   std::vector<std::vector<std::vector<double>>>& values) {
    const fs::path& dir = config.dir;
    const fs::path manifest = dir / "sweep.json";
    const fs::path points = dir / "points.csv";
    const fs::path trials = dir / "trials.csv";
    std::error_code ec;
    if (config.restart) {
        for (const char* f : RESULT_FILES) {
            fs::remove(dir / f, ec);
        }
        fs::remove_all(dir / "charts", ec);
    }
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
        write_file_atomic(manifest, j.dump(2) + "\n");
    }
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
        bool whole = true;
        for (std::size_t t = 0; t < per_point && whole; ++t, ++row) {
            if (row >= tl.text.size()) {
                whole = false;
                break;
            }
            std::stringstream line(tl.text[row]);
            std::string cell;
            std::getline(line, cell, ',');
            if (cell != std::to_string(p)) {
                whole = false;
                break;
            }
            std::getline(line, cell, ',');
            for (std::size_t o = 0; o < outputs; ++o) {
                if (!std::getline(line, cell, ',')) {
                    whole = false;
                    break;
                }
                v[o][t] = std::stod(cell);
            }
        }
        if (!whole) {
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
    return j.dump();
}

SweepRun run_sweep(const SweepPlan& plan, const SweepRunConfig& config) {
    SerialCommunicator serial;
    Communicator& comm = config.comm != nullptr ? *config.comm : serial;
    const bool root = comm.rank() == 0;
    const std::size_t total = plan.points();
    const std::size_t outputs = plan.outputs.size();
    const auto trials = static_cast<std::size_t>(plan.trials);
    SweepRun run;
    // Rank 0 decides where to start; a refusal there stops every rank.
    std::string start_message;
    if (root) {
        try {
            fs::create_directories(config.dir);
            run.resumed = resume(plan, config, sweep_identity(plan), run.values);
            start_message = "ok " + std::to_string(run.resumed);
        } catch (...) {
            comm.broadcast("error");
            throw;
        }
    }
    start_message = comm.broadcast(start_message);
    if (start_message.rfind("ok ", 0) != 0) {
        throw std::runtime_error("rank 0 could not start the sweep");
    }
    const std::size_t first = std::stoull(start_message.substr(3));
    const auto ranks = static_cast<std::size_t>(comm.size());
    const auto me = static_cast<std::size_t>(comm.rank());
    // Waves: each takes the next min(ranks, points left) points; when there are more ranks
    // than points, the ranks of one point split its trials into contiguous blocks (trial i's
    // values do not depend on who runs it, so the bytes are the same on any number of ranks).
    std::size_t wave = first;
    while (wave < total) {
        const bool stop = root && config.cancel != nullptr && config.cancel->load();
        if (comm.broadcast(stop ? "stop" : "go") == "stop") {
            run.interrupted = true;
            break;
        }
        const std::size_t width = std::min(ranks, total - wave);
        auto blocks_of = [&](std::size_t i) { return ranks / width + (i < ranks % width ? 1 : 0); };
        auto block_range = [&](std::size_t b, std::size_t nb) {
            return std::pair<std::size_t, std::size_t>{b * trials / nb, (b + 1) * trials / nb};
        };
        std::string mine;
        {
            const std::size_t i = me % width;
            const auto [lo, hi] = block_range(me / width, blocks_of(i));
            mine = pack(run_point(plan, wave + i, config.threads, static_cast<int>(lo),
                                  static_cast<int>(hi - lo)));
        }
        const std::vector<std::string> all = comm.gather(mine);
        if (root) {
            for (std::size_t i = 0; i < width; ++i) {
                const std::size_t q = wave + i;
                std::vector<std::vector<double>> v(outputs);
                const std::size_t nb = blocks_of(i);
                for (std::size_t b = 0; b < nb; ++b) {
                    const auto [lo, hi] = block_range(b, nb);
                    const auto part = unpack(all[i + b * width], outputs, hi - lo);
                    for (std::size_t o = 0; o < outputs; ++o) {
                        v[o].insert(v[o].end(), part[o].begin(), part[o].end());
                    }
                }
                run.values[q] = std::move(v);
                write_point(plan, config, q, run.values[q]);
            }
        }
        wave += width;
        if (root && config.progress) {
            config.progress(wave, total, run.resumed);
        }
    }
    return run;
}

}  // namespace chokepoint
