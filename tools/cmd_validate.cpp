// `simulate validate`: a scenario, model or sweep file checked (every problem located), or a
// scenario printed merged (after extends: and --set).
#include <unistd.h>

#include <boost/program_options.hpp>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "chokepoint/core/text.hpp"
#include "chokepoint/io/files.hpp"
#include "chokepoint/io/process.hpp"
#include "chokepoint/network/network.hpp"
#include "chokepoint/scenario/scenario.hpp"
#include "chokepoint/scenario/sweep_file.hpp"
#include "chokepoint/sweep/plan.hpp"
#include "cli_common.hpp"

namespace chokepoint::cli {

namespace po = boost::program_options;

int cmd_validate(const std::vector<std::string>& args) {
    po::options_description opts("validate options");
    std::string path;
    std::vector<std::string> sets;
    bool resolved = false;
    opts.add_options()("scenario", po::value<std::string>(&path), "scenario, model or sweep file")(
        "set", po::value<std::vector<std::string>>(&sets)->composing(),
        "override path=value (repeatable)")(
        "resolved", po::bool_switch(&resolved),
        "print the merged scenario (after extends: and --set) as YAML");
    const po::variables_map vm = parse_args(args, opts, {"scenario"});
    if (path.empty()) {
        throw UsageError("validate needs a scenario, model or sweep file");
    }
    if (is_sweep_file(path)) {
        if (!sets.empty() || resolved) {
            throw UsageError(path + " is a sweep file: --set and --resolved apply to scenarios");
        }
        // The sweep and its plan: factor paths, ranges and outputs checked against the scenario.
        const SweepPlan plan = plan_sweep(load_sweep_file(path));
        for (const auto& w : plan.warnings) {
            std::cerr << "warning: " << terminal_safe(w) << "\n";
        }
        std::cout << path << ": valid sweep '" << terminal_safe(plan.spec.name)
                  << "': " << plan.factors.size() << " factors, " << to_string(plan.spec.design)
                  << " design, " << plan.points() << " points of " << plan.trials << " trials, "
                  << plan.outputs.size() << " outputs, on "
                  << terminal_safe(plan.spec.scenario_path) << "\n";
        return EXIT_OK;
    }
    if (is_material_file(path)) {
        if (!sets.empty() || resolved) {
            throw UsageError(path + " is a material file: --set and --resolved apply to scenarios");
        }
        const Material m = load_material(path);
        std::cout << path << ": valid material '" << terminal_safe(m.name) << "': unit " << m.unit
                  << ", " << m.elements.size() << " element symbols, " << m.customs_series.size()
                  << " customs series, " << m.region_aliases.size() << " region aliases, "
                  << m.region_sums.size()
                  << (m.region_sums.size() == 1 ? " region sum" : " region sums")
                  << " (products and countries are checked with a model that names "
                     "it)\n";
        return EXIT_OK;
    }
    if (is_model_file(path)) {
        if (!sets.empty() || resolved) {
            throw UsageError(path + " is a model file: --set and --resolved apply to scenarios");
        }
        const Network net = load_model(path);
        std::cout << path << ": valid model: " << net.products().size() << " products, "
                  << net.nodes().size() << " nodes, " << net.edges().size() << " edges\n";
        return EXIT_OK;
    }
    const Scenario s = load_scenario(path, parse_overrides(sets));
    for (const auto& n : s.notices) {
        std::cerr << terminal_safe(n) << "\n";
    }
    if (resolved) {
        std::cout << s.resolved_yaml;
        return EXIT_OK;
    }
    std::cout << path << ": valid scenario '" << s.name << "': " << s.network.nodes().size()
              << " nodes, " << s.network.edges().size() << " edges, " << s.parameters.size()
              << " parameters, " << s.events.size() << " events, " << format_date(s.start) << " to "
              << format_date(s.end);
    if (!s.notices.empty()) {
        std::cout << "; " << s.notices.size() << (s.notices.size() == 1 ? " notice" : " notices")
                  << " above";
    }
    std::cout << "\n";
    return EXIT_OK;
}

}  // namespace chokepoint::cli
