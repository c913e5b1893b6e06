// `simulate calibrate`: the uncertain parameters that reproduce the reported figures best
// (docs/validation.md), written as a small scenario that extends the original, with
// calibration.json beside it, whole or not at all.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "chokepoint/compare/calibrate.hpp"
#include "chokepoint/core/text.hpp"
#include "chokepoint/io/files.hpp"
#include "chokepoint/io/process.hpp"
#include "chokepoint/io/result_dir.hpp"
#include "chokepoint/scenario/scenario.hpp"
#include "cli_common.hpp"
#include "comparison_options.hpp"

namespace po = boost::program_options;
using namespace chokepoint;

namespace chokepoint::cli {

namespace {

namespace fs = std::filesystem;

/// The calibrated scenario's text and where it goes.
struct CalibratedFile {
    fs::path target;      ///< the file (calibrated.yaml in the result directory, or --write)
    fs::path target_dir;  ///< its directory ("." for a bare file name)
    std::string yaml;
};

/// The calibrated scenario: a small file that extends the original and sets only the fitted
/// parameters, so the original's comments, sources and ASSUMPTION notes stay where they are. It
/// goes into the result directory unless --write names a file.
CalibratedFile calibrated_file(const fs::path& dir, const std::string& write,
                               const std::string& path, const Scenario& scenario,
                               const std::string& fit, const std::string& reported,
                               const Calibration& cal) {
    const fs::path target = write.empty() ? dir / "calibrated.yaml" : fs::path(write);
    const fs::path target_dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    const fs::path original = fs::absolute(path).lexically_normal();
    fs::path extends = fs::absolute(target_dir).lexically_normal();
    extends = original.lexically_relative(extends);
    if (extends.empty()) {
        extends = original;
    }
    // Text from the command line goes into a comment and a quoted scalar: no control
    // characters in the one, quotes doubled in the other.
    auto comment_safe = [](std::string t) {
        for (char& ch : t) {
            if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) {
                ch = ' ';
            }
        }
        return t;
    };
    auto single_quoted = [](const std::string& t) {
        std::string out = "'";
        for (char ch : t) {
            out += ch == '\'' ? std::string("''") : std::string(1, ch);
        }
        return out + "'";
    };
    std::string yaml = "# Written by simulate calibrate on " + utc_now() +
                       " UTC: the fitted parameters of " + scenario.name + " (" +
                       comment_safe(fit) + ") on " + comment_safe(reported) +
                       ", each triangular over the range where the objective stays within 5% of "
                       "its minimum. Everything else comes from the extended file.\n";
    yaml += "name: " + scenario.name.substr(0, 88) + "_calibrated\n";
    yaml += "description: " + scenario.name + " with " + fit + " fitted by simulate calibrate\n";
    yaml += "extends: " + single_quoted(extends.string()) + "\n";
    // Parameters the figures do not pin down keep their prior (from the extended file).
    for (const auto& p : cal.parameters) {
        if (!p.identified) {
            yaml += "# " + p.name +
                    ": not identified by these figures (the objective moves by less than 0.5% "
                    "over its whole range); its prior is kept\n";
        }
    }
    yaml += cal.overrides.empty() ? "parameters: {}\n" : "parameters:\n";
    for (const auto& o : cal.overrides) {
        yaml += "  " + o.path.substr(std::string("parameters.").size()) + ": " + o.value + "\n";
    }
    return {target, target_dir, yaml};
}

/// The calibrated scenario (checked to load) and calibration.json, whole or not at all: both in
/// the result directory, or the scenario where --write names it.
void write_calibration(const fs::path& dir, const CalibratedFile& file, bool in_result_dir,
                       const Calibration& cal, const Scenario& scenario) {
    const fs::path& target = file.target;
    const fs::path& target_dir = file.target_dir;
    const std::string& yaml = file.yaml;
    if (in_result_dir) {
        StagedDirectory staged(dir);
        write_file_atomic(staged.path() / "calibrated.yaml", yaml);
        write_file_atomic(staged.path() / "calibration.json",
                          format_calibration_json(cal, scenario, target.string(), yaml));
        // The staging directory sits beside the target: the relative extends: resolves alike.
        (void)load_scenario((staged.path() / "calibrated.yaml").string());  // it must load
        staged.commit();
    } else {
        // The file --write names lies outside the result directory, so the two cannot appear in
        // one rename. Whatever can fail comes before either is touched: the file is written
        // beside its target under a temporary name (its relative extends: resolves alike) and
        // loaded, and calibration.json is staged; then the file is renamed into place and the
        // result directory committed (two renames).
        const std::string stem = "." + target.filename().string() + ".calibrating.";
        const fs::path pending = target_dir / (stem + std::to_string(::getpid()) + ".yaml");
        // A calibrate killed before its rename left `.FILE.calibrating.PID.yaml`: removed once
        // its process is gone (a live one holds a lock on its file).
        remove_stale_files(target_dir, stem, ".yaml");
        struct RemoveOnExit {
            fs::path path;
            ~RemoveOnExit() {
                std::error_code e;
                fs::remove(path, e);
            }
        } cleanup{pending};
        write_file_atomic(pending, yaml);
        const FileLock lock(pending);  // until the rename: another calibrate leaves it alone
        (void)load_scenario(pending.string());  // it must load
        StagedDirectory staged(dir);
        write_file_atomic(staged.path() / "calibration.json",
                          format_calibration_json(cal, scenario, target.string(), yaml));
        (void)user_file_target(target);  // still nothing this program may not replace
        fs::rename(pending, target);
        sync_directory(target_dir);
        staged.commit();
    }
}

/// Warnings for values fitted at a bound, and the table of fitted parameters and scores.
void print_calibration(const Calibration& cal, const Scenario& scenario, const fs::path& target,
                       const fs::path& dir) {
    for (const auto& p : cal.parameters) {
        if (!p.identified) {
            spdlog::warn(
                "{} is not identified by these figures: the objective moves by {}% over "
                "its whole search range ({} .. {}), so its prior is kept, not fitted",
                p.name, format_number(100.0 * p.objective_spread, 2), format_number(p.lower, 4),
                format_number(p.upper, 4));
        } else if (p.at_bound()) {
            spdlog::warn(
                "{} was fitted at a bound of its search range ({} .. {}): the reported "
                "figures may want a value the scenario's distribution does not allow",
                p.name, format_number(p.lower, 4), format_number(p.upper, 4));
        }
    }

    std::cout << "\nCalibration of " << scenario.name << " on " << cal.figures
              << " reported figures (" << cal.evaluations << " evaluations)\n\n";
    char line[300];
    std::snprintf(line, sizeof line, "  %-32s %10s %10s  %-21s %-21s\n", "parameter", "start",
                  "fitted", "range (within 5%)", "search bounds");
    std::cout << line;
    for (const auto& p : cal.parameters) {
        const std::string range =
            format_number(p.range_low, 3) + " .. " + format_number(p.range_high, 3);
        const std::string bounds = format_number(p.lower, 3) + " .. " + format_number(p.upper, 3);
        std::snprintf(line, sizeof line, "  %-32s %10.4g %10.4g  %-21s %-21s%s\n", p.name.c_str(),
                      p.prior_mean, p.fitted, range.c_str(), bounds.c_str(),
                      p.identified ? "" : "  not identified: prior kept");
        std::cout << line;
    }
    std::snprintf(line, sizeof line,
                  "\n  objective (mean CRPS / reported): %.4f as written, %.4f at the start, "
                  "%.4f fitted\n  MAPE %.1f%% -> %.1f%%; 90%% coverage %.0f%% -> %.0f%%; "
                  "CRPS %.0f %s -> %.0f %s\n",
                  cal.objective_before, cal.objective_at_prior_mean, cal.objective_after,
                  cal.before.model.mape(), cal.after.model.mape(),
                  100 * cal.before.model.coverage90(), 100 * cal.after.model.coverage90(),
                  cal.before.model.crps(), scenario.material.unit.c_str(), cal.after.model.crps(),
                  scenario.material.unit.c_str());
    std::cout << line << "\nCalibrated scenario: " << target.string()
              << "\nReport: " << (dir / "calibration.json").string() << "\n";
}

/// --write FILE, checked before the first evaluation: FILE is not a directory, and the nearest
/// directory above it that exists is a directory (the rest is made) that this user may write.
void check_write_target(const std::string& write) {
    if (write.empty()) {
        return;
    }
    std::error_code ec;
    const fs::path target(write);
    if (fs::is_directory(target, ec)) {
        throw UsageError("--write " + write + ": is a directory; name the file to write");
    }
    fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    while (!fs::exists(dir, ec) && dir.has_parent_path() && dir.parent_path() != dir) {
        dir = dir.parent_path();
    }
    if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) {
        throw UsageError("--write " + write + ": '" + dir.string() +
                         "' is a file, not a directory");
    }
    if (fs::is_directory(dir, ec) && ::access(dir.c_str(), W_OK) != 0) {
        throw UsageError("--write " + write + ": cannot write in '" + dir.string() + "'");
    }
}

}  // namespace

int cmd_calibrate(const std::vector<std::string>& args) {
    po::options_description opts("calibrate options");
    ComparisonOptions common;
    std::string fit;
    std::string write;
    int max_evaluations = 60;
    common.add_to(opts);
    opts.add_options()("fit", po::value<std::string>(&fit),
                       "uncertain parameters to fit, comma-separated (see simulate parameters)")(
        "max-evaluations", po::value<int>(&max_evaluations),
        "optimiser budget: runs of the scenario the search may make (default: 60); the range of "
        "each fitted value takes up to 40 more runs per parameter (a walk from the fitted value "
        "towards each bound)")(
        "write", po::value<std::string>(&write),
        "calibrated scenario file to write (default: calibrated.yaml in the output directory)");
    common.parse(args, opts, "calibrate");
    if (fit.empty()) {
        throw UsageError("calibrate needs --fit PARAM[,PARAM...]");
    }
    if (max_evaluations < 5) {
        throw UsageError("--max-evaluations must be at least 5");
    }
    if (!write.empty()) {
        // Written through a link; never over a FIFO, device or directory.
        write = require_user_file("--write", write).string();
    }
    check_write_target(write);
    const std::string& path = common.path;
    const std::string& output = common.output;
    // No --set here: the calibrated file extends the scenario as it is on disk, so a fit made
    // under command-line overrides would be written without them. Write a small scenario that
    // extends the original with the overrides, and calibrate that.
    const Scenario scenario = load_scenario(path);
    CalibrationConfig config;
    std::stringstream names(fit);
    for (std::string name; std::getline(names, name, ',');) {
        if (!name.empty()) {
            config.fit.push_back(name);
        }
    }
    config.max_evaluations = max_evaluations;
    (void)calibration_parameters(scenario, config);  // the names, before anything is announced
    // Calibration runs the scenario many times: at most 400 trials each unless --trials says.
    const auto rows = common.apply(scenario, config.compare, std::min(scenario.trials, 400));
    const std::string& reported = common.reported;
    const fs::path dir = output_dir(output, scenario.name + "-calibrate");
    require_result_dir(dir, ResultKind::calibrate);  // before the first evaluation
    if (!common.quiet) {
        std::cerr << "calibrating " << terminal_safe(fit) << " on " << terminal_safe(reported)
                  << " with " << config.compare.run.trials << " trials per evaluation: at most "
                  << max_evaluations
                  << " evaluations for the fit, then up to 40 a parameter for "
                     "its range\n";
        config.on_evaluation = [&](int n, double objective, const std::vector<double>& x) {
            std::string values;
            for (std::size_t k = 0; k < x.size() && k < config.fit.size(); ++k) {
                values +=
                    (k ? ", " : "") + terminal_safe(config.fit[k]) + "=" + format_number(x[k], 4);
            }
            std::fprintf(stderr, "  evaluation %d: objective %.4f (%s)\n", n, objective,
                         values.c_str());
        };
    }
    const Calibration cal = calibrate(scenario, rows, config);

    const CalibratedFile file = calibrated_file(dir, write, path, scenario, fit, reported, cal);
    write_calibration(dir, file, write.empty(), cal, scenario);
    print_calibration(cal, scenario, file.target, dir);
    return EXIT_OK;
}

}  // namespace chokepoint::cli
