// Result directories: a set of files that appears whole or not at all, and never over what is not
// ours (issue 25).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "chokepoint/io/files.hpp"
#include "chokepoint/io/result_dir.hpp"

using namespace chokepoint;
namespace fs = std::filesystem;

namespace {
fs::path fresh_dir(const std::string& name) {
    const fs::path d =
        fs::temp_directory_path() / ("chokepoint-result-dir-" + std::to_string(::getpid())) / name;
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}
std::string text_of(const fs::path& p) {
    std::ifstream in(p);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
}  // namespace

TEST_CASE("result dir: a commit replaces an old result whole", "[result_dir]") {
    const fs::path parent = fresh_dir("replace");
    const fs::path out = parent / "out";
    fs::create_directories(out);
    write_file_atomic(out / "summary.csv", "old\n");
    {
        StagedDirectory staged(out);
        write_file_atomic(staged.path() / "summary.csv", "new\n");
        staged.commit();
    }
    CHECK(text_of(out / "summary.csv") == "new\n");
    CHECK_FALSE(fs::exists(out / ".chokepoint-staging"));
    std::size_t beside = 0;
    for (const auto& e : fs::directory_iterator(parent)) {
        (void)e;
        ++beside;
    }
    CHECK(beside == 1);  // the old contents went; no staging directory is left
}

TEST_CASE("result dir: a file that appeared in the target during the run is never replaced",
          "[result_dir]") {
    const fs::path parent = fresh_dir("appeared");
    const fs::path out = parent / "out";
    fs::create_directories(out);
    write_file_atomic(out / "summary.csv", "old\n");
    StagedDirectory staged(out);
    write_file_atomic(staged.path() / "summary.csv", "new\n");
    write_file_atomic(out / "notes.txt", "the user's\n");  // during the run
    CHECK_THROWS_WITH(staged.commit(), Catch::Contains("'notes.txt' appeared in") &&
                                           Catch::Contains("the results are in"));
    CHECK(text_of(out / "notes.txt") == "the user's\n");
    CHECK(text_of(out / "summary.csv") == "old\n");
    const fs::path kept = parent / ("out.results." + std::to_string(::getpid()));
    CHECK(text_of(kept / "summary.csv") == "new\n");
    CHECK_FALSE(fs::exists(kept / ".chokepoint-staging"));
}
