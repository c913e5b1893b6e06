// The one page head and style sheet of every command's page (run, compare, backtest, sweep).
#include "chokepoint/report/html.hpp"

#include "chokepoint/core/text.hpp"

namespace chokepoint {

std::string page_head(const std::string& title) {
    return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" +
           html_escape(title) +
           "</title>\n<style>body{font-family:sans-serif;margin:2em auto;max-width:1040px;"
           "padding:0 1em;color:#222}img{width:100%;border:1px solid #ddd}"
           "td,th{padding:2px 8px;text-align:right}td.l,th.l{text-align:left}"
           "table{border-collapse:collapse}tr:nth-child(even){background:#f4f4f4}"
           "pre.headline{background:#f6f8fa;border-left:4px solid #08519c;padding:0.8em;"
           "white-space:pre-wrap}dt{font-weight:bold;margin-top:0.4em}table.prov td{text-align:"
           "left}nav a{margin-right:1em}</style></head><body>\n";
}

}  // namespace chokepoint
