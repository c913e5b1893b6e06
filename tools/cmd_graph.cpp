// `simulate graph`: the network of a model or scenario as DOT or GraphML, or drawn by Graphviz.
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
#include "cli_common.hpp"

namespace chokepoint::cli {

namespace po = boost::program_options;

int cmd_graph(const std::vector<std::string>& args) {
    po::options_description opts("graph options");
    std::string path;
    std::string format = "dot";
    std::string output;
    opts.add_options()("file", po::value<std::string>(&path), "model or scenario file")(
        "format", po::value<std::string>(&format),
        "dot or graphml (the graph's data), or svg or png (a drawing for a slide, by Graphviz's "
        "dot; Debian package graphviz) (default: dot)")(
        "output,o", po::value<std::string>(&output),
        "output file (default, or -: standard output; a file is required for png)");
    const po::variables_map vm = parse_args(args, opts, {"file"});
    if (path.empty()) {
        throw UsageError("graph needs a model or scenario file");
    }
    if (format != "dot" && format != "graphml" && format != "svg" && format != "png") {
        throw UsageError("--format must be dot, graphml, svg or png, found '" +
                         terminal_safe(format) + "'");
    }
    if (format == "png" && output.empty()) {
        throw UsageError("--format png needs --output FILE.png");
    }
    // Checked before any work: written through a link, never over a FIFO, device or directory.
    const std::filesystem::path target = output.empty() || output == "-"
                                             ? std::filesystem::path()
                                             : require_user_file("--output", output);
    const Network net = load_network(path);
    std::ostringstream text;
    if (format == "dot") {
        net.write_dot(text);
    } else if (format == "graphml") {
        net.write_graphml(text);
    } else {
        // A drawing: the styled DOT through Graphviz, started without a shell in a private
        // directory; only file names made here reach its command line.
        if (!program_on_path("dot")) {
            throw UsageError("--format " + format +
                             " draws with Graphviz's dot: install the Debian package graphviz, "
                             "or write --format dot");
        }
        namespace fs = std::filesystem;
        const fs::path work =
            fs::temp_directory_path() / ("chokepoint-graph-" + std::to_string(::getpid()));
        fs::create_directories(work);
        struct Cleanup {
            fs::path dir;
            ~Cleanup() {
                std::error_code ec;
                fs::remove_all(dir, ec);
            }
        } cleanup{work};
        std::ostringstream drawing;
        net.write_drawing(drawing);
        write_file_atomic(work / "network.dot", drawing.str());
        const int rc = run_program({"dot", "-T" + format, "-o", "network." + format, "network.dot"},
                                   work, work / "dot.log");
        if (rc != 0 || !fs::is_regular_file(work / ("network." + format))) {
            throw std::runtime_error("Graphviz's dot failed (exit " + std::to_string(rc) +
                                     "); its messages: " + (work / "dot.log").string());
        }
        text << read_file((work / ("network." + format)).string());
    }
    if (target.empty()) {  // no --output, or "-": standard output
        std::cout << text.str();
    } else {
        write_file_atomic(target, text.str());
    }
    return EXIT_OK;
}

}  // namespace chokepoint::cli
