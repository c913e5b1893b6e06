#include <algorithm>
#include <cmath>

#include "chokepoint/random/rng.hpp"

#include "batch_run.hpp"

// A trial's uncertain inputs drawn, and the initial state of the batch (batch_run.hpp).

namespace chokepoint::detail::batch_run {

void Batch::start_trial(std::size_t w, std::uint64_t seed, std::uint64_t sweep_point,
                        std::uint64_t trial) {
    TrialState& t = st_.trial[w];
    clear_result(*outs_[w]);
    draw_inputs(t, derive_seed(seed, sweep_point, trial, Stream::parameters));
    t.events =
        resolve_events(s_.events, t.params, derive_seed(seed, sweep_point, trial, Stream::events));
    t.boundaries.clear();
    for (const auto& r : t.events) {
        if (r.happens) {
            t.boundaries.push_back(r.start);
            if (r.end != NEVER) {
                t.boundaries.push_back(r.end);
            }
        }
    }
    std::sort(t.boundaries.begin(), t.boundaries.end());
    t.next_boundary = 0;
    t.policy_dirty = true;
    t.policy.reset(nl_, ng_, ned_, static_cast<std::size_t>(c_.slot_total));
    // Month-to-month noise: stationary start, redrawn at each month's first tick.
    t.demand_noise.reset(s_.demand_noise, c_.buyer_group_keys,
                         derive_seed(seed, sweep_point, trial, Stream::noise));
    t.supply_noise.reset(s_.supply_noise, c_.source_lane_keys,
                         derive_seed(seed, sweep_point, trial, Stream::supply_noise));
    st_.licences.start_trial(w, t.policy, t.events, t.patience, t.filing_lead, t.validity,
                             t.batch_days, derive_seed(seed, sweep_point, trial, Stream::licences),
                             derive_seed(seed, sweep_point, trial, Stream::contracts));
}

void Batch::clear_result(TrialResult& out) const {
    out.monthly.assign(layout_.monthly_size(), 0.0);
    out.buyers.assign(layout_.buyer_size(), 0.0);
    for (std::size_t b = 0; b < layout_.buyers.size(); ++b) {
        out.buyers[b * BUYER_FIGURE_COUNT + TIME_TO_SHORTAGE] = -1.0;
    }
    out.balance.assign(nodes_, NodeBalance{});
    out.trace.clear();
    if (options_.trace) {
        out.trace.assign(days_, std::vector<EdgeDay>(ned_));
    }
}

void Batch::draw_inputs(TrialState& t, std::uint64_t parameter_seed) const {
    const auto& products = s_.network.products();
    // Each parameter draws from its own sub-stream keyed by its name, so adding, removing
    // or reordering parameters moves no other parameter's value; the model's own uncertain
    // numbers then draw in model order from the stream itself.
    t.params.resize(s_.parameters.size());
    for (std::size_t i = 0; i < s_.parameters.size(); ++i) {
        Rng own(parameter_seed ^ c_.parameter_keys[i]);
        t.params[i] = s_.parameters[i].distribution.sample(own);
    }
    Rng prng(parameter_seed);
    t.product_share.resize(products.size());
    for (std::size_t p = 0; p < products.size(); ++p) {
        t.product_share[p] =
            std::clamp(products[p].controlled_share.resolve(t.params, prng), 0.0, 1.0);
    }
    t.line_capacity.resize(nl_);
    for (std::size_t l = 0; l < nl_; ++l) {
        t.line_capacity[l] =
            std::max(0.0, c_.lines[l].capacity->resolve(t.params, prng)) / DAYS_PER_MONTH;
    }
    t.group_demand.assign(ng_, 0.0);
    for (std::size_t g = 0; g < ng_; ++g) {
        if (c_.groups[g].buyer) {
            t.group_demand[g] =
                std::max(0.0, c_.groups[g].demand->resolve(t.params, prng)) / DAYS_PER_MONTH;
        }
    }
    // The demand trend's annual rates (after every other draw of this stream, so a model
    // without a trend draws exactly as before).
    t.trend_rate.resize(s_.demand_trend.growth.size());
    for (std::size_t i = 0; i < s_.demand_trend.growth.size(); ++i) {
        t.trend_rate[i] =
            std::log1p(std::max(-0.5, s_.demand_trend.growth[i].resolve(t.params, prng))) / 365.25;
    }
    const StockPolicy& sp = s_.stock_policy;
    t.precaution = c_.has_precaution
                       ? std::clamp(sp.precautionary_share.resolve(t.params, prng), 0.0, 1.0)
                       : 0.0;
    t.catch_up =
        c_.has_catch_up ? std::clamp(sp.catch_up_share.resolve(t.params, prng), 0.0, 1.0) : 0.0;
    t.patience = c_.has_patience
                     ? static_cast<int>(std::clamp(
                           std::ceil(sp.patience_days.resolve(t.params, prng)), 1.0, 3650.0))
                     : 0;
    t.backlog_days =
        c_.has_backlog_cap
            ? std::clamp(s_.exporter_policy.backlog_days.resolve(t.params, prng), 1.0, 3650.0)
            : 0.0;
    // Drawn last, so that a model without them draws everything else as before.
    const ExporterPolicy& ep = s_.exporter_policy;
    auto whole_days = [&](bool given, const Quantity& q, double most) {
        return given
                   ? static_cast<int>(std::clamp(std::round(q.resolve(t.params, prng)), 0.0, most))
                   : 0;
    };
    // The lead is given in working days and used in calendar days, 7/5 as many, by the queue
    // and by the buyers' planned wait alike.
    t.filing_lead = static_cast<int>(
        std::lround(whole_days(ep.has_filing_lead, ep.filing_lead_days, 250.0) * 7.0 / 5.0));
    t.validity = whole_days(ep.has_licence_validity, ep.licence_validity_days, 1830.0);
    t.batch_days = whole_days(ep.has_licence_batch, ep.licence_batch_days, 365.0);
    // Its own sub-stream, keyed like a parameter's: adding or removing a model number drawn
    // above does not move it.
    Rng diversion_rng(parameter_seed ^ name_key("model.diversion.share"));
    t.diversion = c_.has_diversion
                      ? std::clamp(s_.diversion.share.resolve(t.params, diversion_rng), 0.0, 1.0)
                      : 0.0;
}

void Batch::start() {
    const PerTrial zero = splat(0.0);
    st_.out_stock.resize(nl_);
    st_.expected_out.resize(nl_);
    for (std::size_t l = 0; l < nl_; ++l) {
        st_.out_stock[l] = splat(c_.lines[l].cover_days * c_.lines[l].base_out);
        st_.expected_out[l] = splat(c_.lines[l].base_out);
    }
    st_.noise_factor.assign(ng_, splat(1.0));
    st_.trend_factor.assign(ng_, splat(1.0));
    st_.deferred.assign(ng_, zero);
    for (std::size_t w = 0; w < W; ++w) {
        at(st_.catch_up_share, w) = st_.trial[w].catch_up;
    }
    st_.lane_noise.assign(ned_, splat(1.0));
    st_.lane_weight.assign(ned_, zero);
    st_.group_use.assign(ng_, zero);
    st_.group_desired.assign(ng_, zero);
    st_.group_inv_weight.assign(ng_, zero);
    st_.line_cap.assign(nl_, zero);
    st_.edge_share.assign(ned_, zero);
    if (c_.has_trend) {
        for (std::size_t w = 0; w < W; ++w) {
            set_trend(w, 0);
        }
    }
    st_.in_stock.resize(ng_);
    for (std::size_t g = 0; g < ng_; ++g) {
        for (std::size_t w = 0; w < W; ++w) {
            at(st_.in_stock[g], w) = c_.groups[g].initial_stock >= 0.0
                                         ? c_.groups[g].initial_stock
                                         : c_.groups[g].cover_days * usage(w, g);
        }
    }
    st_.ring.assign(static_cast<std::size_t>(c_.ring_total), zero);
    st_.in_transit.assign(ned_, zero);
    st_.held.assign(ned_, zero);
    st_.cursor.assign(ned_, 0);
    for (std::size_t e = 0; e < ned_; ++e) {
        const auto& ei = c_.edges[e];
        for (int d = 0; d < ei.lead; ++d) {
            st_.ring[static_cast<std::size_t>(ei.ring_offset + d % ei.ring_size)] +=
                splat(ei.flow_day);
        }
        st_.in_transit[e] = splat(ei.flow_day * ei.lead);
    }
    st_.lane_month.assign(ned_ * LANE_FIGURES, zero);
    st_.lane_trial.assign(ned_ * LANE_FIGURES, zero);
    for (auto* v : {&st_.arrivals, &st_.request, &st_.shipment, &st_.release, &st_.approved_due,
                    &st_.refused_due, &st_.lapsed_due}) {
        v->assign(ned_, zero);
    }
    st_.produce.assign(nl_, zero);
    for (auto* v : {&st_.draw, &st_.consume, &st_.shortfall}) {
        v->assign(ng_, zero);
    }
    st_.node_produced.assign(nodes_, zero);
    st_.node_consumed.assign(nodes_, zero);
    st_.backlog_cap.assign(c_.has_backlog_cap ? ned_ : 0, zero);
    st_.file_share.assign(c_.has_backlog_cap ? ned_ : 0, zero);
    st_.regular_share.assign(c_.has_contracts ? ng_ : 0, zero);
    st_.shipment_cap.assign(c_.has_shipment_cut ? ned_ : 0, splat(INFINITY));
    for (std::size_t w = 0; w < W; ++w) {
        TrialResult& out = *outs_[w];
        for (std::size_t n = 0; n < nodes_; ++n) {
            add_node_stock(w, n, out.balance[n].start_stock);
        }
        out.in_transit_start = trial_total(st_.in_transit, w);
    }
}

}  // namespace chokepoint::detail::batch_run
