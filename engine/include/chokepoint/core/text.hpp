#pragma once
/// User text on its way into another language: HTML pages, gnuplot scripts and the terminal.
/// Every string that came from a user's file passes through one of these before it is written.
#include <string>

namespace chokepoint {

/// Escapes `& < > " '` so the text is safe in HTML element content and in quoted attributes.
std::string html_escape(const std::string& text);
/// A gnuplot single-quoted string literal, quotes included: ' doubled, control characters
/// replaced by spaces (gnuplot does no other processing inside single quotes).
std::string gnuplot_quote(const std::string& text);
/// Text for the terminal: control characters (escape sequences included) replaced by '?'.
std::string terminal_safe(const std::string& text);
/// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF).
bool valid_utf8(const std::string& text);
/// True when `text` holds a control character (U+0000-U+001F or U+007F).
bool has_control_character(const std::string& text);

}  // namespace chokepoint
