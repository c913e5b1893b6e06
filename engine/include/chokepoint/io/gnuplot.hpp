#pragma once
/// Charts drawn by gnuplot (Debian package gnuplot-nox) as PNG and SVG. gnuplot is started
/// without a shell in the chart directory, and scripts name files only by the plain names this
/// module makes, so no path or title from a user's file can become a gnuplot or shell command.
#include <filesystem>
#include <string>
#include <vector>

namespace chokepoint {

/// True when gnuplot is on $PATH.
bool gnuplot_available();

/// A file-name stem from any text: lower-case letters, digits and '_' only (never empty).
std::string chart_slug(const std::string& text);

/// An inline data block for a chart's body: `$name << EOD`, the rows, `EOD`; plot it as `$name`.
/// A chart's data travel inside its script, so a chart directory holds only its images (the
/// numbers are in the run's CSV files). `name` is letters, digits and '_'; `rows` are one row a
/// line, and a row may not start with "EOD" (it would end the block; rows start with a number or
/// a date, and text in them is quoted by the caller). Throws std::invalid_argument otherwise.
std::string gnuplot_datablock(const std::string& name, const std::string& rows);

/// Draws `<dir>/<name>.png` and `<dir>/<name>.svg` from `body`: gnuplot commands after the
/// terminal and output settings. `body` may refer to data files only by plain names inside
/// `dir`, and must put user text through gnuplot_quote(). Each image is written to a temporary
/// file, checked (gnuplot's exit status; the file ends as its format must: PNG's IEND chunk,
/// SVG's closing tag) and renamed into place. Returns the two files; throws NoSpaceError when an
/// image is short on a full file system (or gnuplot says so), else std::runtime_error with
/// gnuplot's first error line.
std::vector<std::filesystem::path> draw_chart(const std::filesystem::path& dir,
                                              const std::string& name, const std::string& body,
                                              int width = 1000, int height = 520);

}  // namespace chokepoint
