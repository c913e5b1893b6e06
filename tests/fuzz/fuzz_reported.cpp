// libFuzzer target: reported-figures CSV files, loaded and mapped onto the small model's series.
#include <cstdint>
#include <limits>

#include "chokepoint/compare/reported.hpp"
#include "chokepoint/kernel/output_layout.hpp"
#include "chokepoint/scenario/scenario.hpp"
#include "fuzz_support.hpp"

using namespace chokepoint;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const Scenario scenario =
        load_scenario((fuzz::work_dir() / "small_controls.yaml").string());
    static const OutputLayout layout = OutputLayout::build(scenario);
    try {
        const auto rows = load_reported(fuzz::write_input("fuzz_reported.csv", data, size), "t");
        (void)map_reported(rows, layout, scenario.material, std::numeric_limits<MonthIndex>::min(),
                           std::numeric_limits<MonthIndex>::max());
    } catch (const InputError&) {
    }
    return 0;
}
