#include "chokepoint/stats/moments.hpp"

#include <algorithm>
#include <cmath>

namespace chokepoint {

void RunningMoments::add(double x) {
    if (n_ == 0) {
        min_ = max_ = x;
    } else {
        min_ = std::min(min_, x);
        max_ = std::max(max_, x);
    }
    ++n_;
    const double delta = x - mean_;
    mean_ += delta / static_cast<double>(n_);
    m2_ += delta * (x - mean_);
}

void RunningMoments::merge(const RunningMoments& other) {
    if (other.n_ == 0) {
        return;
    }
    if (n_ == 0) {
        *this = other;
        return;
    }
    const double na = static_cast<double>(n_);
    const double nb = static_cast<double>(other.n_);
    const double delta = other.mean_ - mean_;
    const double n = na + nb;
    mean_ += delta * nb / n;
    m2_ += other.m2_ + delta * delta * na * nb / n;
    n_ += other.n_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
}

double RunningMoments::mean() const {
    if (n_ == 0) {
        return 0.0;
    }
    // Welford's update turns inf - inf into NaN: an infinite value (one that overflowed) makes
    // the mean that infinity, and values at both infinities make it undefined.
    if (std::isinf(min_) || std::isinf(max_)) {
        return min_ == -INFINITY && max_ == INFINITY ? NAN : std::isinf(max_) ? max_ : min_;
    }
    return mean_;
}

double RunningMoments::sd() const {
    if (n_ < 2) {
        return 0.0;
    }
    if (std::isinf(min_) || std::isinf(max_)) {
        return min_ == max_ ? 0.0 : INFINITY;  // all the same infinity, or no bound on the spread
    }
    return std::sqrt(std::max(0.0, m2_ / static_cast<double>(n_ - 1)));
}

}  // namespace chokepoint
