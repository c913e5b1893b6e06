// libFuzzer target: sweep files, read and planned against the small golden scenario (the
// scenario path is fixed, so inputs exercise the sweep's own keys and checks).
#include <cstdint>

#include "chokepoint/scenario/sweep_file.hpp"
#include "chokepoint/sweep/plan.hpp"
#include "fuzz_support.hpp"

using namespace chokepoint;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text =
        "scenario: small_controls.yaml\n" + std::string(reinterpret_cast<const char*>(data), size);
    try {
        const SweepSpec spec = load_sweep_file(fuzz::write_input(
            "fuzz_sweep.yaml", reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
        if (spec.samples <= 64 && spec.factors.size() <= 8) {
            (void)plan_sweep(spec);  // large designs are valid but slow to build: not a finding
        }
    } catch (const InputError&) {
    }
    return 0;
}
