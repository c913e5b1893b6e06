#pragma once
/// Counter-based seeding and a small fast generator. Every trial's random numbers are a pure
/// function of (master seed, sweep point, trial index, stream purpose), so a trial draws the same
/// numbers on any thread, in any order, on any machine.
#include <cstdint>
#include <string_view>

namespace chokepoint {

/// One stream per purpose: adding a draw to one purpose shifts nothing in the others.
enum class Stream : std::uint64_t {
    parameters = 1,    ///< uncertain parameters, drawn once per trial
    events = 2,        ///< event occurrence, dates and magnitudes
    licences = 3,      ///< approval delay and decision of each licence application
    noise = 4,         ///< month-to-month demand variability
    supply_noise = 5,  ///< month-to-month variability of shipments out of sources
    contracts = 6,     ///< the phases of contract licences (when a lane's contract started)
};

/// SplitMix64 finaliser: a bijective, well-mixed 64-bit hash.
constexpr std::uint64_t mix64(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

/// The seed of one stream of one trial.
constexpr std::uint64_t derive_seed(std::uint64_t master, std::uint64_t sweep_point,
                                    std::uint64_t trial, Stream stream) {
    std::uint64_t h = mix64(master);
    h = mix64(h ^ sweep_point);
    h = mix64(h ^ trial);
    return mix64(h ^ static_cast<std::uint64_t>(stream));
}

/// The key of a named sub-stream (a parameter's name, an event's id): FNV-1a over the bytes,
/// then mix64. Keyed by name, a sub-stream does not move when other names are added, removed or
/// reordered.
constexpr std::uint64_t name_key(std::string_view name) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (const char ch : name) {
        h ^= static_cast<unsigned char>(ch);
        h *= 0x100000001b3ULL;
    }
    return mix64(h);
}

/// xoshiro256** (Blackman and Vigna, 2018), seeded through SplitMix64.
class Rng {
  public:
    explicit Rng(std::uint64_t seed);
    /// A generator with the given raw state (for the published known-answer test vectors).
    static Rng from_state(std::uint64_t s0, std::uint64_t s1, std::uint64_t s2, std::uint64_t s3) {
        Rng r(0);
        r.s_[0] = s0;
        r.s_[1] = s1;
        r.s_[2] = s2;
        r.s_[3] = s3;
        return r;
    }
    /// Next 64 random bits. Inline: the kernel draws one or two per licence application.
    std::uint64_t next() {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }
    /// Uniform on [0, 1) with 53 random bits.
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    /// Uniform on (0, 1): never 0, so safe for log().
    double uniform_open();
    /// Standard normal by Box-Muller; each pair of uniforms gives two values, the second kept
    /// for the next call.
    double normal();

  private:
    static constexpr std::uint64_t rotl(std::uint64_t x, int k) {
        return (x << k) | (x >> (64 - k));
    }
    std::uint64_t s_[4];
    double spare_ = 0.0;
    bool has_spare_ = false;
};

}  // namespace chokepoint
