#include "chokepoint/stats/quantile_sketch.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>

namespace chokepoint {

namespace {

/// Sorts `values` ascending (the order std::sort gives: only equal values, which are
/// interchangeable here, may come out in another order; -0 sorts before 0). A least-significant-
/// digit radix sort on the bits, 8 bits a pass: about 4 times faster than std::sort on a
/// sketch's buffer of 200 values, whose comparisons are unpredictable branches.
void radix_sort(std::vector<double>& values) {
    const std::size_t n = values.size();
    if (n < 2) {
        return;
    }
    // Keys on the stack for a buffer of the usual size (2 x compression), else on the heap.
    constexpr std::size_t ON_STACK = 512;
    std::array<std::uint64_t, 2 * ON_STACK> stack;
    std::vector<std::uint64_t> heap;
    std::uint64_t* keys = stack.data();
    if (n > ON_STACK) {
        heap.resize(2 * n);
        keys = heap.data();
    }
    std::uint64_t* other = keys + n;
    // Map each double to an unsigned key in the same order: flip every bit of negatives and the
    // sign bit of the rest.
    for (std::size_t i = 0; i < n; ++i) {
        const auto bits = std::bit_cast<std::uint64_t>(values[i]);
        keys[i] = (bits >> 63) != 0 ? ~bits : bits | (std::uint64_t{1} << 63);
    }
    for (int shift = 0; shift < 64; shift += 8) {
        std::array<std::size_t, 257> start{};
        for (std::size_t i = 0; i < n; ++i) {
            ++start[((keys[i] >> shift) & 0xFF) + 1];
        }
        if (start[((keys[0] >> shift) & 0xFF) + 1] == n) {
            continue;  // every key has this byte: the pass would not move anything
        }
        for (std::size_t b = 1; b < start.size(); ++b) {
            start[b] += start[b - 1];
        }
        for (std::size_t i = 0; i < n; ++i) {
            other[start[(keys[i] >> shift) & 0xFF]++] = keys[i];
        }
        std::swap(keys, other);
    }
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t k = keys[i];
        values[i] = std::bit_cast<double>((k >> 63) != 0 ? k & ~(std::uint64_t{1} << 63) : ~k);
    }
}

}  // namespace

QuantileSketch::QuantileSketch(double compression) : compression_(compression) {}

void QuantileSketch::add(double x) {
    if (in_run_) {
        // Equal bits, so -0 and 0 (equal as numbers) are not one run; and never a run of -0,
        // which the full path would turn into 0.
        if (!any_ && !(x == 0.0 && std::signbit(x))) {
            min_ = max_ = x;
            any_ = true;
            run_ = 1;
            return;
        }
        if (any_ && std::bit_cast<std::uint64_t>(x) == std::bit_cast<std::uint64_t>(min_)) {
            ++run_;
            return;
        }
        end_run();
    }
    if (!any_) {
        min_ = max_ = x;
        any_ = true;
    } else {
        min_ = std::min(min_, x);
        max_ = std::max(max_, x);
    }
    buffer(x);
}

void QuantileSketch::buffer(double x) const {
    const auto limit = static_cast<std::size_t>(2.0 * compression_);
    if (buffer_.capacity() == 0) {
        buffer_.reserve(limit);
    }
    buffer_.push_back(x);
    if (buffer_.size() >= limit) {
        flush();
    }
}

void QuantileSketch::end_run() const {
    if (!in_run_) {
        return;
    }
    in_run_ = false;
    const std::size_t n = run_;
    run_ = 0;
    for (std::size_t i = 0; i < n; ++i) {
        buffer(min_);
    }
}

void QuantileSketch::merge(const QuantileSketch& other) {
    end_run();
    other.end_run();
    other.flush();
    if (!other.any_) {
        return;
    }
    flush();
    if (!any_) {
        min_ = other.min_;
        max_ = other.max_;
        any_ = true;
    } else {
        min_ = std::min(min_, other.min_);
        max_ = std::max(max_, other.max_);
    }
    std::vector<Centroid> merged;
    merged.reserve(centroids_.size() + other.centroids_.size());
    std::merge(centroids_.begin(), centroids_.end(), other.centroids_.begin(),
               other.centroids_.end(), std::back_inserter(merged),
               [](const Centroid& a, const Centroid& b) { return a.mean < b.mean; });
    total_weight_ += other.total_weight_;
    centroids_.swap(merged);
    // Re-compress through the same path as a flush.
    std::vector<double> none;
    buffer_.swap(none);
    flush();
}

void QuantileSketch::flush() const {
    if (buffer_.empty() && centroids_.size() <= static_cast<std::size_t>(compression_)) {
        return;
    }
    // Series that are constant or monotone across trials (a third of a scenario's series-months
    // are all zero) need no sorting.
    if (!std::is_sorted(buffer_.begin(), buffer_.end())) {
        radix_sort(buffer_);
    }
    const double total = total_weight_ + static_cast<double>(buffer_.size());
    // Merge the sorted buffer (weight 1 each) with the sorted centroids, and compress on the
    // way: a greedy merge under the k1-style size bound, where a centroid around rank fraction q
    // may hold at most 4 * N * q * (1 - q) / compression values, so the tails stay fine-grained.
    // A local output: keeping a second vector as a member would double every sketch's memory.
    std::vector<Centroid> out;
    out.reserve(centroids_.size() + buffer_.size());
    // The bound is first evaluated with reciprocals; only when that estimate is within 1e-6
    // (relative) of `proposed` is it evaluated exactly as written, so the decisions are those of
    // the exact formula. The estimate's relative error is at most about 5e-16 x N: q is off by a
    // few units in the last place, and 1 - q is at least 1 / N (proposed >= 2), so 1 - q is off
    // by at most that relative to itself; below 1e-6 for N up to 10^9 values.
    const double inv_total = 1.0 / total;
    const double inv_compression = 1.0 / compression_;
    const auto within_bound = [&](double so_far, double proposed) {
        const double q_estimate = (so_far + proposed / 2.0) * inv_total;
        const double estimate = 4.0 * total * q_estimate * (1.0 - q_estimate) * inv_compression;
        if (proposed < estimate * (1.0 - 1e-6)) {
            return true;
        }
        if (proposed > estimate * (1.0 + 1e-6)) {
            return false;
        }
        const double q = (so_far + proposed / 2.0) / total;
        return proposed <= 4.0 * total * q * (1.0 - q) / compression_;
    };
    std::size_t i = 0;
    std::size_t j = 0;
    const auto next_in_order = [&] {
        if (j == buffer_.size() || (i < centroids_.size() && centroids_[i].mean <= buffer_[j])) {
            return centroids_[i++];
        }
        return Centroid{buffer_[j++], 1.0};
    };
    double so_far = 0.0;
    Centroid current = next_in_order();
    while (i < centroids_.size() || j < buffer_.size()) {
        const Centroid next = next_in_order();
        const double proposed = current.weight + next.weight;
        if (within_bound(so_far, proposed)) {
            current.mean += (next.mean - current.mean) * next.weight / proposed;
            current.weight = proposed;
        } else {
            so_far += current.weight;
            out.push_back(current);
            current = next;
        }
    }
    out.push_back(current);
    if (out.size() <= centroids_.capacity()) {
        centroids_.assign(out.begin(), out.end());  // no allocation; the old capacity is kept
    } else {
        out.shrink_to_fit();
        centroids_.swap(out);
    }
    buffer_.clear();
    total_weight_ = total;
}

std::size_t QuantileSketch::centroid_count() const {
    end_run();
    flush();
    return centroids_.size();
}

double QuantileSketch::quantile(double q) const {
    if (in_run_) {
        return min_;  // 0 if empty, like the full path
    }
    flush();
    if (centroids_.empty()) {
        return 0.0;
    }
    q = std::clamp(q, 0.0, 1.0);
    const std::size_t n = centroids_.size();
    if (n == 1) {
        return centroids_[0].mean;
    }
    if (static_cast<double>(n) == total_weight_) {
        // Every value is its own centroid: exact type-7 quantile of the sample.
        const double h = q * static_cast<double>(n - 1);
        const auto lo = static_cast<std::size_t>(std::floor(h));
        const std::size_t hi = std::min(lo + 1, n - 1);
        return centroids_[lo].mean +
               (h - static_cast<double>(lo)) * (centroids_[hi].mean - centroids_[lo].mean);
    }
    // Centroid k sits at cumulative rank (weight before it) + weight/2; interpolate between
    // neighbouring centres, and between min/max and the outermost centres.
    const double target = q * total_weight_;
    double cumulative = 0.0;
    double prev_rank = 0.0;
    double prev_value = min_;
    for (std::size_t k = 0; k < n; ++k) {
        const double rank = cumulative + centroids_[k].weight / 2.0;
        if (target <= rank) {
            if (rank == prev_rank) {
                return centroids_[k].mean;
            }
            const double t = (target - prev_rank) / (rank - prev_rank);
            return prev_value + t * (centroids_[k].mean - prev_value);
        }
        cumulative += centroids_[k].weight;
        prev_rank = rank;
        prev_value = centroids_[k].mean;
    }
    if (total_weight_ == prev_rank) {
        return max_;
    }
    const double t = (target - prev_rank) / (total_weight_ - prev_rank);
    return prev_value + t * (max_ - prev_value);
}

}  // namespace chokepoint
