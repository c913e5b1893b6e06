#pragma once
/// What a run shows on a screen (issue 24's report wing): the headline, the table of the series
/// --report names over the months --months names, and the buyers. Its files are io/results.hpp's
/// and its page run_report.hpp's.
#include <ostream>

#include "chokepoint/report/run_report.hpp"
#include "chokepoint/runner/runner.hpp"
#include "chokepoint/scenario/scenario.hpp"

namespace chokepoint {

/// The months of the table: from the first to the last month (indices into the layout).
struct TableMonths {
    int first = 0;
    int last = 0;
};

/// The screen after a run: the headline, the --report table (none where `table` is empty) and the
/// buyers.
void print_run(std::ostream& out, const Scenario& scenario, const RunResult& result,
               const ReportSeries& table, const TableMonths& months);

}  // namespace chokepoint
