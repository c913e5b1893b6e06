// `simulate schema`: the JSON Schema of scenario, model or sweep files, for editors
// (yaml-language-server). Built from the loader's own key tables (chokepoint/scenario/schema.hpp),
// so an editor and `simulate validate` accept the same keys.
#include <iostream>

#include "chokepoint/core/text.hpp"
#include "chokepoint/io/files.hpp"
#include "chokepoint/scenario/schema.hpp"
#include "cli_common.hpp"

namespace chokepoint::cli {

int cmd_schema(const std::vector<std::string>& args) {
    po::options_description opts("schema options");
    std::string kind;
    std::string output;
    opts.add_options()("kind", po::value<std::string>(&kind), "scenario, model, sweep or material")(
        "output,o", po::value<std::string>(&output),
        "output file (default, or -: standard output)");
    parse_args(args, opts, {"kind"});
    InputFileKind which = InputFileKind::scenario;
    if (kind == "scenario") {
        which = InputFileKind::scenario;
    } else if (kind == "model") {
        which = InputFileKind::model;
    } else if (kind == "sweep") {
        which = InputFileKind::sweep;
    } else if (kind == "material") {
        which = InputFileKind::material;
    } else {
        throw UsageError(kind.empty()
                             ? "schema needs a kind of file: scenario, model, sweep or material"
                             : "schema: the kind is scenario, model, sweep or material, found '" +
                                   terminal_safe(kind) + "'");
    }
    const std::filesystem::path target = output.empty() || output == "-"
                                             ? std::filesystem::path()
                                             : require_user_file("--output", output);
    const std::string text = json_schema(which);
    if (target.empty()) {  // no --output, or "-": standard output
        std::cout << text;
    } else {
        write_file_atomic(target, text);
    }
    return 0;
}

}  // namespace chokepoint::cli
