#pragma once
// Internal to the kernel: buyers' stock policy (StockPolicy and DemandTrend in the model). What
// a buyer uses a day, the position (stock plus pipeline) it orders up to, how it orders, and how
// it uses its stock: a shortage's unmet use made up later (restocking). Each function is the one
// rule the tick loop applies per buyer group; see docs/model.md for the evidence behind them.
#include <algorithm>
#include <cmath>

#include "batch.hpp"
#include "policy.hpp"

namespace chokepoint::detail {

/// A buyer group's use (t/day): its demand, moved by the policy's changes (a delta, then its
/// factor and tariff) and by this month's noise and trend factors.
inline double buyer_use(double demand, const Policy& pol, std::size_t g, double noise,
                        double trend) {
    return std::max(0.0, demand + pol.group_delta[g]) * pol.group_factor[g] * pol.group_tariff[g] *
           pol.group_diversion[g] * noise * trend;
}

/// The demand trend's factor on a buyer's figure, `days_from_base` after the trend's base, at
/// growth `rate` a day. The figure is what the buyer imported at the base; while use grows at
/// rate r, imports are use plus the growth of its position (cover and pipeline, c days of use):
/// imports = use x (1 + r c). So use at the base is the figure / (1 + r c), and a trend leaves
/// the base year's imports where the model put them.
inline double trend_factor(double rate, double days_from_base, double cover_days, double lead_avg) {
    return std::exp(rate * days_from_base) / (1.0 + rate * (cover_days + lead_avg));
}

/// The position a buyer group orders up to (t): cover plus pipeline at its use; stockpiling
/// raises the cover, not the use. Precautionary stock adds a share of the licence wait it faces
/// (`precaution` 0 when off).
inline double desired_position(double use, double cover_days, double cover_factor, double lead_avg,
                               double precaution, double wait) {
    return use * (cover_days * cover_factor + lead_avg + precaution * wait);
}

/// A group's order over a tick of `dt` days: its use, plus 1 / adjust_days of the gap between
/// the position it wants (with use still to be made up) and the position it has; never negative.
[[gnu::always_inline]] inline PerTrial order(PerTrial use, PerTrial desired, PerTrial deferred,
                                             PerTrial position, double inv_adjust, double dt_real) {
    return max_of(splat(0.0), use + (desired + deferred - position) * inv_adjust) * dt_real;
}

/// A buyer's use over a tick: what it needs (`need`) from what it has (`available`, stock plus
/// today's arrivals); the rest is its shortfall.
[[gnu::always_inline]] inline void use_stock(PerTrial need, PerTrial available, PerTrial& consume,
                                             PerTrial& shortfall) {
    consume = min_of(need, available);
    shortfall = need - consume;
}

/// Restocking: unmet use is made up later, at most `weight_day` (1 / adjust_days a day) of what
/// is outstanding and only from stock left after today's use; a `catch_up_share` of today's
/// shortfall is added, and at most `cover_days` of use stays outstanding.
[[gnu::always_inline]] inline void restock(PerTrial use, PerTrial available, PerTrial shortfall,
                                           PerTrial catch_up_share, double weight_day,
                                           double cover_days, PerTrial& consume,
                                           PerTrial& deferred) {
    const PerTrial extra = min_of(deferred * splat(weight_day), available - consume);
    consume += extra;
    deferred = min_of(deferred - extra + catch_up_share * shortfall, use * splat(cover_days));
}

}  // namespace chokepoint::detail
