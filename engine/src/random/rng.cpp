#include "chokepoint/random/rng.hpp"

#include <cmath>
#include <numbers>

namespace chokepoint {

Rng::Rng(std::uint64_t seed) {
    // SplitMix64 expands the seed into the four state words (the generator authors' advice).
    for (auto& s : s_) {
        s = mix64(seed);
        seed += 0x9E3779B97F4A7C15ULL;
    }
    if ((s_[0] | s_[1] | s_[2] | s_[3]) == 0) {
        s_[0] = 1;  // the all-zero state is the one state xoshiro never leaves
    }
}

double Rng::uniform_open() {
    return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53;
}

double Rng::normal() {
    if (has_spare_) {
        has_spare_ = false;
        return spare_;
    }
    const double u1 = uniform_open();
    const double u2 = uniform();
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double theta = 2.0 * std::numbers::pi * u2;
    spare_ = r * std::sin(theta);
    has_spare_ = true;
    return r * std::cos(theta);
}

}  // namespace chokepoint
