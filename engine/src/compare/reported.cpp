#include "chokepoint/compare/reported.hpp"

#include "chokepoint/core/input_file.hpp"

#include <csv.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>

#include "chokepoint/core/diagnostics.hpp"

namespace chokepoint {

namespace {

const std::vector<std::string> HEADER = {
    "series", "region_from", "region_to", "product", "period_start", "period_end", "value",
    "unit",   "yoy_pct",     "mom_pct",   "source",  "source_date",  "url",        "note"};

// libcsv (Debian libcsv-dev) calls these for each field and each record.
// Bounds checked while parsing, so a refused file never costs more than its bytes: about 100 MB
// for 100,000 rows of 15 fields (the figures in ../shared/data are a few hundred rows).
constexpr std::size_t MAX_ROWS = 100'000;  // as the message below says
constexpr std::size_t MAX_FIELDS = 64;

struct Parse {
    std::vector<std::vector<std::string>> records;
    bool too_big = false;    // a bound above was passed: no more records are kept
    std::vector<int> lines;  // line on which each record starts
    std::vector<std::string> current;
    int line = 1;
    int record_line = 1;
    bool in_record = false;
};

void on_field(void* data, std::size_t length, void* state) {
    auto* p = static_cast<Parse*>(state);
    if (!p->in_record) {
        p->record_line = p->line;
        p->in_record = true;
    }
    if (p->too_big || p->current.size() >= MAX_FIELDS) {
        p->too_big = true;
        return;
    }
    p->current.emplace_back(static_cast<const char*>(data), length);
}

void on_record(int, void* state) {
    auto* p = static_cast<Parse*>(state);
    if (p->too_big || p->records.size() >= MAX_ROWS) {
        p->too_big = true;
        p->current.clear();
        return;
    }
    p->records.push_back(std::move(p->current));
    p->lines.push_back(p->in_record ? p->record_line : p->line);
    p->current.clear();
    p->in_record = false;
}

// The records of a CSV file, each with the line it starts on (libcsv, strict: a malformed file
// is an error at its line).
Parse parse_csv(const std::string& path) {
    // Regular files of at most 64 MiB: never /dev/zero or a FIFO.
    const std::string bytes = read_input_file(path, 64u << 20);
    csv_parser parser;
    if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        throw std::runtime_error("cannot initialise the CSV parser");
    }
    Parse parse;
    // Feed line by line so every record knows the line it starts on.
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        std::size_t end = bytes.find('\n', pos);
        end = end == std::string::npos ? bytes.size() : end + 1;
        if (csv_parse(&parser, bytes.data() + pos, end - pos, on_field, on_record, &parse) !=
            end - pos) {
            const std::string message = csv_strerror(csv_error(&parser));
            csv_free(&parser);
            throw InputError(SourceLocation{path, parse.line, 0}, "", "malformed CSV: " + message);
        }
        if (parse.too_big) {
            csv_free(&parser);
            throw InputError(SourceLocation{path, parse.line, 0}, "",
                             "more than 100,000 rows, or a row of more than 64 fields: more "
                             "than a file of reported figures holds");
        }
        ++parse.line;
        pos = end;
    }
    if (csv_fini(&parser, on_field, on_record, &parse) != 0) {
        const std::string message = csv_strerror(csv_error(&parser));
        csv_free(&parser);
        throw InputError(SourceLocation{path, parse.line - 1, 0}, "",
                         "malformed CSV (unterminated quote?): " + message);
    }
    csv_free(&parser);
    return parse;
}

// Whether the header has the optional status column; throws InputError unless it is HEADER,
// optionally followed by status.
bool has_status_column(const Parse& parse, const std::string& path) {
    std::vector<std::string> with_status = HEADER;
    with_status.push_back("status");
    const bool has_status = !parse.records.empty() && parse.records[0] == with_status;
    if (parse.records.empty() || (parse.records[0] != HEADER && !has_status)) {
        std::string expected;
        for (const auto& h : HEADER) {
            expected += (expected.empty() ? "" : ",") + h;
        }
        throw InputError(SourceLocation{path, 1, 1}, "",
                         "expected the header " + expected + " (optionally followed by ,status)");
    }
    return has_status;
}

// A record's value column: a finite number >= 0, or empty (a row with only a percentage change).
void read_value(const std::string& text, const SourceLocation& where, ReportedRow& row,
                DiagnosticSink& sink) {
    if (text.empty()) {
        return;
    }
    double v = 0.0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(v)) {
        sink.error(where, "value", "expected a number, found '" + text + "'");
    } else if (v < 0.0) {
        sink.error(where, "value", "a reported figure cannot be negative, found '" + text + "'");
    } else {
        row.has_value = true;
        row.value = v;
    }
}

// One record (with the right number of fields) as a row; its problems into `sink`.
ReportedRow read_row(const std::vector<std::string>& r, const std::string& path, int line,
                     const std::string& unit, bool has_status, DiagnosticSink& sink) {
    const SourceLocation where{path, line, 0};
    ReportedRow row;
    row.file = path;
    row.line = line;
    row.series = r[0];
    row.from = r[1];
    row.to = r[2];
    row.product = r[3];
    auto first = parse_month(r[4]);
    auto last = parse_month(r[5]);
    if (!first) {
        sink.error(where, "period_start", "expected a month YYYY-MM, found '" + r[4] + "'");
    }
    if (!last) {
        sink.error(where, "period_end", "expected a month YYYY-MM, found '" + r[5] + "'");
    }
    if (first && last && *last < *first) {
        sink.error(where, "period_end", "the period ends before it starts");
    }
    row.first = first.value_or(0);
    row.last = last.value_or(0);
    read_value(r[6], where, row, sink);
    row.unit = r[7];
    if (const double kg = kilograms_per(row.unit); kg > 0.0) {
        row.is_mass = true;
        // Exactly the value when the units agree; else scaled (t to kg, kg to t).
        const double model_kg = kilograms_per(unit);
        row.amount = kg == model_kg  ? row.value
                     : kg > model_kg ? row.value * (kg / model_kg)
                                     : row.value / (model_kg / kg);
    }
    row.source = r[10];
    row.source_date = r[11];
    row.url = r[12];
    row.note = r[13];
    if (has_status) {
        row.status = r[14];
        static const std::vector<std::string> statuses = {
            "", "final", "preliminary", "revised", "estimate", "disputed", "excluded"};
        if (std::find(statuses.begin(), statuses.end(), row.status) == statuses.end()) {
            sink.error(where, "status",
                       "expected final, preliminary, revised, estimate, disputed or excluded "
                       "(or nothing), found '" +
                           row.status + "'");
        }
    }
    if (row.series.empty()) {
        sink.error(where, "series", "empty series name");
    }
    return row;
}

std::vector<ReportedRow> load_file(const std::string& path, const std::string& unit) {
    const Parse parse = parse_csv(path);
    const bool has_status = has_status_column(parse, path);
    const std::size_t fields = HEADER.size() + (has_status ? 1 : 0);
    DiagnosticSink sink;
    std::vector<ReportedRow> rows;
    for (std::size_t i = 1; i < parse.records.size(); ++i) {
        const auto& r = parse.records[i];
        if (r.size() == 1 && r[0].empty()) {
            continue;  // blank line
        }
        if (r.size() != fields) {
            sink.error(SourceLocation{path, parse.lines[i], 0}, "",
                       "expected " + std::to_string(fields) + " fields, found " +
                           std::to_string(r.size()));
            continue;
        }
        rows.push_back(read_row(r, path, parse.lines[i], unit, has_status, sink));
    }
    sink.throw_if_any();
    return rows;
}

}  // namespace

std::string ReportedRow::key() const {
    return series + "|" + from + "|" + to + "|" + product;
}

std::vector<ReportedRow> load_reported(const std::string& file_or_dir, const std::string& unit) {
    if (kilograms_per(unit) == 0.0) {
        throw std::invalid_argument("load_reported: unit '" + unit + "' is not t or kg");
    }
    namespace fs = std::filesystem;
    // The error_code forms throughout: a name too long or a symlink loop is a located input
    // error (load_file reports it), never a filesystem_error escaping as exit 1.
    std::error_code ec;
    if (fs::is_directory(file_or_dir, ec)) {
        std::vector<std::string> files;
        fs::directory_iterator it(file_or_dir, ec);
        if (ec) {
            throw InputError(SourceLocation{file_or_dir, 0, 0}, "",
                             "cannot read this directory: " + ec.message());
        }
        for (; it != fs::directory_iterator(); it.increment(ec)) {
            // A .csv that is not a regular file (a dangling link, a loop, a FIFO) is kept, so
            // that load_file refuses it by name rather than it being skipped without a word.
            std::error_code entry_ec;
            if (it->path().extension() == ".csv" &&
                (it->is_regular_file(entry_ec) || !it->is_directory(entry_ec))) {
                files.push_back(it->path().string());
            }
        }
        if (ec) {
            throw InputError(SourceLocation{file_or_dir, 0, 0}, "",
                             "cannot read this directory: " + ec.message());
        }
        std::sort(files.begin(), files.end());
        if (files.empty()) {
            throw InputError(SourceLocation{file_or_dir, 0, 0}, "",
                             "no .csv files in this directory");
        }
        std::vector<ReportedRow> all;
        for (const auto& f : files) {
            auto rows = load_file(f, unit);
            all.insert(all.end(), rows.begin(), rows.end());
        }
        return all;
    }
    return load_file(file_or_dir, unit);
}

}  // namespace chokepoint
