#pragma once
/// Bounded-memory quantiles: a merging t-digest (Dunning and Ertl, 2019). Memory is O(compression)
/// however many values are added, so memory stays bounded as trials grow. Values are kept exactly
/// while there are fewer than about compression/2 of them, and then the quantiles are exact
/// (linear interpolation between order statistics, "type 7"). With more values the relative
/// rank error is about 1/compression in the middle and much smaller in the tails.
/// The result depends on the order values are added in; the runner adds them in trial order.
#include <cstddef>
#include <vector>

namespace chokepoint {

class QuantileSketch {
  public:
    explicit QuantileSketch(double compression = 200.0);
    void add(double x);
    /// Adds another sketch's centroids.
    void merge(const QuantileSketch& other);
    /// Quantile q in [0, 1]; 0 if empty.
    double quantile(double q) const;
    std::size_t count() const {
        return run_ + static_cast<std::size_t>(total_weight_) + buffer_.size();
    }
    /// Number of centroids held (for memory accounting in tests).
    std::size_t centroid_count() const;

  private:
    struct Centroid {
        double mean;
        double weight;
    };
    void flush() const;
    /// Appends x to the buffer, flushing it when full.
    void buffer(double x) const;
    /// Adds the values of a constant start (see run_) the ordinary way.
    void end_run() const;

    double compression_;
    mutable std::vector<Centroid> centroids_;
    mutable std::vector<double> buffer_;
    mutable double total_weight_ = 0.0;
    // A sketch whose values have all been one and the same so far (a third of a scenario's
    // series-months are zero in every trial) only counts them: run_ values equal to min_, not
    // yet added. The first different value, or anything that reads the centroids, adds them
    // first, so the sketch ends exactly as if they had been added one by one. Its quantiles
    // are that value, as the full path gives for constant data.
    mutable std::size_t run_ = 0;
    mutable bool in_run_ = true;
    double min_ = 0.0;
    double max_ = 0.0;
    bool any_ = false;
};

}  // namespace chokepoint
