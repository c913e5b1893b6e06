// libFuzzer target: scenario files, model files and --set overrides. Any input must either load
// or be refused with InputError; anything else (a crash, a sanitizer report, another exception)
// is a finding. The first byte picks what the rest is.
#include <cstdint>

#include "chokepoint/scenario/scenario.hpp"
#include "fuzz_support.hpp"

using namespace chokepoint;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) {
        return 0;
    }
    const std::uint8_t mode = data[0] % 3;
    ++data;
    --size;
    try {
        if (mode == 0) {
            (void)load_scenario(fuzz::write_input("fuzz_scenario.yaml", data, size));
        } else if (mode == 1) {
            (void)load_model(fuzz::write_input("fuzz_model.yaml", data, size));
        } else {
            // `path=value` applied to the golden small_controls scenario.
            const std::string text(reinterpret_cast<const char*>(data), size);
            const auto eq = text.find('=');
            if (eq == std::string::npos || eq == 0) {
                return 0;
            }
            (void)load_scenario((fuzz::work_dir() / "small_controls.yaml").string(),
                                {Override{text.substr(0, eq), text.substr(eq + 1)}});
        }
    } catch (const InputError&) {
    }
    return 0;
}
