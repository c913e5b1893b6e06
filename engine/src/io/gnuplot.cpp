#include "chokepoint/io/gnuplot.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <stdexcept>

#include "chokepoint/io/files.hpp"
#include "chokepoint/io/process.hpp"

namespace chokepoint {

namespace {
bool complete_image(const std::filesystem::path& file, const std::string& ext) {
    std::ifstream in(file, std::ios::binary | std::ios::ate);
    const auto size = static_cast<long long>(in.tellg());
    if (!in || size < 16) {
        return false;
    }
    const long long tail = std::min<long long>(size, 64);
    in.seekg(size - tail);
    std::string end(static_cast<std::size_t>(tail), '\0');
    in.read(end.data(), tail);
    if (ext == "png") {
        // The last chunk: length 0, type IEND, CRC AE 42 60 82.
        return end.size() >= 12 &&
               end.compare(end.size() - 12, 12, std::string("\0\0\0\0IEND\xae\x42\x60\x82", 12)) ==
                   0;
    }
    return end.find("</svg>") != std::string::npos;
}
}  // namespace

bool gnuplot_available() {
    return program_on_path("gnuplot");
}

std::string chart_slug(const std::string& text) {
    std::string out;
    for (char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        out += (c < 0x80 && std::isalnum(c)) ? static_cast<char>(std::tolower(c)) : '_';
    }
    return out.empty() ? std::string("chart") : out;
}

std::string gnuplot_datablock(const std::string& name, const std::string& rows) {
    const bool plain = !name.empty() && std::all_of(name.begin(), name.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return c < 0x80 && (std::isalnum(c) || c == '_');
    });
    if (!plain) {
        throw std::invalid_argument("gnuplot_datablock: '" + name + "' is not a plain name");
    }
    for (std::size_t at = 0; at < rows.size();) {
        if (rows.compare(at, 3, "EOD") == 0) {
            throw std::invalid_argument("gnuplot_datablock: a row of $" + name +
                                        " starts with EOD");
        }
        const std::size_t end = rows.find('\n', at);
        at = end == std::string::npos ? rows.size() : end + 1;
    }
    std::string out = "$" + name + " << EOD\n" + rows;
    if (!rows.empty() && rows.back() != '\n') {
        out += '\n';
    }
    return out + "EOD\n";
}

std::vector<std::filesystem::path> draw_chart(const std::filesystem::path& dir,
                                              const std::string& name, const std::string& body,
                                              int width, int height) {
    namespace fs = std::filesystem;
    if (name != chart_slug(name)) {
        throw std::invalid_argument("draw_chart: '" + name + "' is not a plain chart name");
    }
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
        throw std::filesystem::filesystem_error("cannot create directory", dir, ec);
    }
    std::vector<fs::path> written;
    const std::string size = std::to_string(width) + "," + std::to_string(height);
    // One gnuplot process draws both images: the body runs once per terminal.
    const std::string script_name = "." + name + ".gp";
    const std::string log_name = "." + name + ".log";
    std::string script;
    for (const std::string ext : {"png", "svg"}) {
        script += (ext == "png" ? "set terminal pngcairo size " + size + " font 'sans,10'\n"
                                : "set terminal svg size " + size + " dynamic font 'sans,10'\n") +
                  "set output '." + name + "." + ext + ".tmp'\n" + body +
                  "\nunset multiplot\nset output\n";
    }
    write_file_atomic(dir / script_name, script);
    fs::remove(dir / log_name, ec);
    const int rc = run_program({"gnuplot", script_name}, dir, dir / log_name);
    std::string first_error;
    if (fs::exists(dir / log_name)) {
        std::ifstream log(dir / log_name);
        for (std::string line; std::getline(log, line);) {
            if (!line.empty()) {
                first_error = line;
                break;
            }
        }
    }
    for (const std::string ext : {"png", "svg"}) {
        const std::string tmp = "." + name + "." + ext + ".tmp";
        // gnuplot can exit 0 after a short write (a full disk): check the file ends as its
        // format must (PNG's IEND chunk, SVG's closing tag).
        const bool ok =
            rc == 0 && fs::is_regular_file(dir / tmp, ec) && complete_image(dir / tmp, ext);
        if (!ok) {
            // gnuplot reports a full disk only by a short file: ask the file system (before the
            // partial files are removed, which frees their space).
            // gnuplot's own message counts too (a quota, or a file system that refuses writes
            // while it reports free space).
            const auto space = fs::space(dir, ec);
            const bool full = (!ec && space.available < 256 * 1024) ||
                              first_error.find("No space left") != std::string::npos ||
                              first_error.find("quota") != std::string::npos;
            for (const std::string& leftover :
                 {"." + name + ".png.tmp", "." + name + ".svg.tmp", script_name, log_name}) {
                fs::remove(dir / leftover, ec);
            }
            const std::string what =
                "gnuplot failed drawing " + (dir / (name + "." + ext)).string() + " (exit " +
                std::to_string(rc) + ")" + (first_error.empty() ? "" : ": " + first_error);
            if (full) {
                throw NoSpaceError(what + ": no space left on the device");
            }
            throw std::runtime_error(what);
        }
    }
    for (const std::string ext : {"png", "svg"}) {
        const std::string tmp = "." + name + "." + ext + ".tmp";
        sync_file(dir / tmp);
        fs::rename(dir / tmp, dir / (name + "." + ext));
        written.push_back(dir / (name + "." + ext));
    }
    fs::remove(dir / script_name, ec);
    fs::remove(dir / log_name, ec);
    return written;
}

}  // namespace chokepoint
