#include "cli_common.hpp"

#include <algorithm>
#include <cmath>

#include "chokepoint/io/result_dir.hpp"

namespace chokepoint::cli {

std::atomic<bool> g_interrupted{false};

extern "C" void on_signal(int) {
    g_interrupted.store(true);
}

std::filesystem::path output_dir(const std::string& output, const std::string& default_name) {
    if (output.empty()) {
        return std::filesystem::path("results") / default_name;
    }
    std::filesystem::path dir = std::filesystem::path(output).lexically_normal();
    if (!dir.has_filename() && dir.has_parent_path() && dir != dir.root_path()) {
        dir = dir.parent_path();
    }
    return dir;
}

po::variables_map parse_args(const std::vector<std::string>& args,
                             const po::options_description& opts, const char* positional) {
    po::positional_options_description pos;
    pos.add(positional, 1);
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(opts).positional(pos).run(), vm);
    po::notify(vm);
    return vm;
}

std::vector<Override> parse_overrides(const std::vector<std::string>& sets) {
    std::vector<Override> out;
    for (const auto& s : sets) {
        const auto eq = s.find('=');
        if (eq == std::string::npos || eq == 0) {
            throw UsageError("--set needs path=value, found '" + s + "'");
        }
        out.push_back(Override{s.substr(0, eq), s.substr(eq + 1)});
    }
    return out;
}

std::string compact(double v) {
    char buf[32];
    if (std::abs(v) >= 9999.5) {
        std::snprintf(buf, sizeof buf, "%.1fk", v / 1000.0);
    } else {
        std::snprintf(buf, sizeof buf, "%.0f", v);
    }
    return buf;
}

void check_run_options(const po::variables_map& vm, int trials, int threads, long long seed,
                       int min_trials) {
    if (vm.count("trials") && trials < min_trials) {
        throw UsageError("--trials must be at least " + std::to_string(min_trials));
    }
    if (vm.count("threads") && threads < 1) {
        throw UsageError("--threads must be at least 1");
    }
    if (vm.count("seed") && seed < 0) {
        throw UsageError("--seed must be >= 0");
    }
}

void require_result_dir(const std::filesystem::path& dir, ResultKind kind) {
    try {
        check_result_dir(dir, kind);
    } catch (const std::runtime_error& e) {
        throw UsageError(e.what());
    }
}

MonthIndex month_option(const std::string& name, const std::string& value) {
    auto m = parse_month(value);
    if (!m) {
        throw UsageError("--" + name + " needs a month YYYY-MM, found '" + value + "'");
    }
    return *m;
}

}  // namespace chokepoint::cli
