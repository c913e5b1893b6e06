#pragma once
// Internal to the kernel: month-to-month noise (MonthlyNoise), one process per trial for buyers'
// demand and one for shipments out of sources.
#include <cmath>
#include <cstdint>
#include <vector>

#include "chokepoint/random/rng.hpp"
#include "chokepoint/scenario/scenario.hpp"

namespace chokepoint::detail {

/// One MonthlyNoise process over members: advance() once a month sets factor(i) to
/// exp(sd z_i - sd^2 / 2). The common part draws from the process's stream; each member's own part
/// from a sub-stream keyed by the member's name (`keys`), so adding, removing or reordering nodes
/// and lanes moves no other member's draws.
class NoiseProcess {
  public:
    void reset(const MonthlyNoise& p, const std::vector<std::uint64_t>& keys, std::uint64_t seed) {
        p_ = p;
        const std::size_t members = keys.size();
        own_.assign(members, 0.0);
        factor_.assign(members, 1.0);
        common_ = 0.0;
        rng_ = Rng(seed);
        own_rng_.clear();
        for (std::uint64_t key : keys) {
            own_rng_.emplace_back(seed ^ key);
        }
        innovation_ = std::sqrt(1.0 - p.monthly_correlation * p.monthly_correlation);
        w_common_ = std::sqrt(p.common_share);
        w_own_ = std::sqrt(1.0 - p.common_share);
    }
    bool on() const { return p_.sd > 0.0; }
    /// The next month (`first`: a draw from the stationary distribution).
    void advance(bool first) {
        const double rho = p_.monthly_correlation;
        common_ = first ? rng_.normal() : rho * common_ + innovation_ * rng_.normal();
        for (std::size_t i = 0; i < own_.size(); ++i) {
            Rng& r = own_rng_[i];
            own_[i] = first ? r.normal() : rho * own_[i] + innovation_ * r.normal();
            const double z = w_common_ * common_ + w_own_ * own_[i];
            factor_[i] = std::exp(p_.sd * z - 0.5 * p_.sd * p_.sd);
        }
    }
    double factor(std::size_t i) const { return factor_[i]; }

  private:
    MonthlyNoise p_;
    Rng rng_{0};
    double common_ = 0.0, innovation_ = 1.0, w_common_ = 0.0, w_own_ = 1.0;
    std::vector<double> own_, factor_;
    std::vector<Rng> own_rng_;
};

}  // namespace chokepoint::detail
