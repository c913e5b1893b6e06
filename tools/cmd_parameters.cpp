// `simulate parameters`: the quantities a sweep can vary in a scenario (its parameters and
// uncertain event fields), with their ranges and where each is used, as text, CSV or JSON.
#include <cmath>
#include <iostream>
#include <nlohmann/json.hpp>

#include "chokepoint/core/text.hpp"
#include "chokepoint/io/files.hpp"
#include "chokepoint/scenario/scenario.hpp"
#include "chokepoint/scenario/uncertain.hpp"
#include "cli_common.hpp"

namespace chokepoint::cli {

namespace po = boost::program_options;

namespace {

std::string value_text(const UncertainQuantity& q, double v) {
    if (!std::isfinite(v)) {
        return "?";
    }
    return q.is_date ? format_date(static_cast<Day>(std::lround(v))) : format_number(v, 6);
}

std::string range_text(const UncertainQuantity& q) {
    if (!std::isfinite(q.low)) {
        return "(depends on other parameters)";
    }
    if (!q.uncertain) {
        return value_text(q, q.low);
    }
    return value_text(q, q.low) + " .. " + value_text(q, q.high) +
           (q.central_98 ? " (P1..P99)" : "");
}

/// The names of what uses a quantity, separated by spaces.
std::string used_by_text(const UncertainQuantity& q) {
    std::string out;
    for (const auto& u : q.used_by) {
        out += (out.empty() ? "" : " ") + u;
    }
    return out;
}

/// `--format csv`: a row per quantity.
void print_csv(const std::vector<UncertainQuantity>& list) {
    std::cout << "path,section,uncertain,written,low,high,central_98,used_by,description\n";
    for (const auto& q : list) {
        std::cout << csv_field(q.path) << ',' << q.section << ','
                  << (q.uncertain ? "true" : "false") << ',' << csv_field(q.written) << ','
                  << (std::isfinite(q.low) ? value_text(q, q.low) : "") << ','
                  << (std::isfinite(q.high) ? value_text(q, q.high) : "") << ','
                  << (q.central_98 ? "true" : "false") << ',' << csv_field(used_by_text(q)) << ','
                  << csv_field(q.description) << '\n';
    }
}

/// `--format json`: an array of objects.
void print_json(const std::vector<UncertainQuantity>& list) {
    nlohmann::ordered_json j = nlohmann::ordered_json::array();
    for (const auto& q : list) {
        nlohmann::ordered_json e;
        e["path"] = q.path;
        e["section"] = q.section;
        e["uncertain"] = q.uncertain;
        e["written"] = q.written;
        e["description"] = q.description;
        e["low"] = std::isfinite(q.low) ? nlohmann::ordered_json(value_text(q, q.low))
                                        : nlohmann::ordered_json(nullptr);
        e["high"] = std::isfinite(q.high) ? nlohmann::ordered_json(value_text(q, q.high))
                                          : nlohmann::ordered_json(nullptr);
        e["central_98"] = q.central_98;
        e["used_by"] = q.used_by;
        e["where"] = q.where.format();
        j.push_back(e);
    }
    // `where` holds a path, and paths are bytes: any that are not UTF-8 print as U+FFFD.
    std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

/// The list for a reader, by section, with each quantity's range, description and use.
void print_text(const std::vector<UncertainQuantity>& list, const std::string& path) {
    std::size_t w = 4;
    for (const auto& q : list) {
        w = std::max(w, q.path.size());
    }
    std::cout << list.size() << " quantities a sweep can vary in " << terminal_safe(path)
              << " (factor paths, as --set takes them):\n";
    std::string section;
    for (const auto& q : list) {
        if (q.section != section) {
            section = q.section;
            std::cout << "\n" << section << ":\n";
        }
        char line[256];
        std::snprintf(line, sizeof line, "  %-*s  %s\n", static_cast<int>(w),
                      terminal_safe(q.path).c_str(), terminal_safe(range_text(q)).c_str());
        std::cout << line;
        if (!q.description.empty()) {
            std::cout << std::string(w + 4, ' ') << terminal_safe(q.description) << "\n";
        }
        std::cout << std::string(w + 4, ' ') << terminal_safe(q.written) << "\n";
        if (!q.used_by.empty()) {
            std::cout << std::string(w + 4, ' ') << "used by: " << terminal_safe(used_by_text(q))
                      << "\n";
        }
    }
    std::cout << "\nRanges are bounds, or P1..P99 for unbounded distributions. Use a path in a "
                 "sweep file's factors: (docs/sweeps.md) or with --set.\n";
}

}  // namespace

int cmd_parameters(const std::vector<std::string>& args) {
    po::options_description opts("parameters options");
    std::string path;
    std::string format = "text";
    std::vector<std::string> sets;
    bool all = false;
    opts.add_options()("scenario", po::value<std::string>(&path), "scenario file")(
        "format", po::value<std::string>(&format), "text, csv or json")(
        "all", po::bool_switch(&all), "also list fixed numbers and dates inside events")(
        "set", po::value<std::vector<std::string>>(&sets)->composing(), "override path=value");
    parse_args(args, opts, {"scenario"});
    if (path.empty()) {
        throw UsageError("parameters needs a scenario file");
    }
    if (format != "text" && format != "csv" && format != "json") {
        throw UsageError("--format must be text, csv or json, found '" + format + "'");
    }
    const auto list = list_uncertain(path, parse_overrides(sets), all);
    if (format == "csv") {
        print_csv(list);
    } else if (format == "json") {
        print_json(list);
    } else {
        print_text(list, path);
    }
    return EXIT_OK;
}

}  // namespace chokepoint::cli
