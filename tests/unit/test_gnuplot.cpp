// Charts' data travel inside their gnuplot scripts as data blocks: a row that starts with the
// block's end marker would end it early and make the rest of the rows gnuplot commands.
#include <catch2/catch.hpp>

#include <stdexcept>

#include "chokepoint/io/gnuplot.hpp"

using namespace chokepoint;

TEST_CASE("gnuplot_datablock: rows between the name and EOD, a closing newline added") {
    CHECK(gnuplot_datablock("p0", "1 2\n3 4\n") == "$p0 << EOD\n1 2\n3 4\nEOD\n");
    CHECK(gnuplot_datablock("leads", "1 2") == "$leads << EOD\n1 2\nEOD\n");
    CHECK(gnuplot_datablock("empty", "") == "$empty << EOD\nEOD\n");
}

TEST_CASE("gnuplot_datablock: refuses a row starting with EOD and a name that is not plain") {
    CHECK_THROWS_AS(gnuplot_datablock("p0", "1 2\nEOD\nsystem('x')\n"), std::invalid_argument);
    CHECK_THROWS_AS(gnuplot_datablock("p0", "EODX 1\n"), std::invalid_argument);
    CHECK_NOTHROW(gnuplot_datablock("p0", "1 EOD\n"));  // EOD inside a row ends nothing
    CHECK_THROWS_AS(gnuplot_datablock("p 0", "1\n"), std::invalid_argument);
    CHECK_THROWS_AS(gnuplot_datablock("", "1\n"), std::invalid_argument);
    CHECK_THROWS_AS(gnuplot_datablock("a;system", "1\n"), std::invalid_argument);
}
