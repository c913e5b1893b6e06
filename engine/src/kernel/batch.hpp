#pragma once
// Internal to the kernel: a batch of Kernel::BATCH trials run in lock step. PerTrial holds one
// double per trial, so each update of a stock or flow is one vector operation over the batch.
#include <cstddef>

#include "chokepoint/kernel/trial.hpp"

namespace chokepoint::detail {

constexpr std::size_t W = Kernel::BATCH;
/// One double per trial of a batch (GCC/Clang vector extension). Its arithmetic is element-wise
/// IEEE arithmetic, so each trial's numbers are exactly those of a trial run on its own; the
/// library is built with -ffp-contract=off (engine/CMakeLists.txt) so no compiler fuses them.
typedef double PerTrial __attribute__((vector_size(W * sizeof(double))));

[[gnu::always_inline]] inline PerTrial splat(double x) {
    PerTrial v;
    for (std::size_t w = 0; w < W; ++w) {
        v[w] = x;
    }
    return v;
}
/// Trial w's element. Through a double*, which GCC allows for a vector's elements: a variable
/// index into the vector type itself makes GCC copy the whole vector through the stack.
[[gnu::always_inline]] inline double& at(PerTrial& v, std::size_t w) {
    return reinterpret_cast<double*>(&v)[w];
}
[[gnu::always_inline]] inline double at(const PerTrial& v, std::size_t w) {
    return reinterpret_cast<const double*>(&v)[w];
}
/// std::max(a, b) and std::min(a, b), trial by trial (same comparison, same result).
[[gnu::always_inline]] inline PerTrial max_of(PerTrial a, PerTrial b) {
    return a < b ? b : a;
}
[[gnu::always_inline]] inline PerTrial min_of(PerTrial a, PerTrial b) {
    return b < a ? b : a;
}

}  // namespace chokepoint::detail
