#pragma once
/// The pages' shared HTML: one head and one style sheet for every command's page.
#include <string>

namespace chokepoint {

/// `<!doctype html>` to `<body>`: the escaped title and the style sheet.
std::string page_head(const std::string& title);

}  // namespace chokepoint
