#include <algorithm>

#include "batch_run.hpp"

// One tick of a batch (run_tick), in two phases: phase 1 collects every flow from the frozen
// state, phase 2 applies them to lanes, lines and buyers. Each phase is called from run_tick
// alone, and is always inlined into it, so the tick compiles as the one function it was before
// the phases had names: out of line, 6,000 trials on one thread ran 7% slower (median 972
// against 1,044 trials/s, six alternating runs).

namespace chokepoint::detail::batch_run {

void Batch::run_tick(Tick& tick) {
    start_tick(tick);
    // Phase 1: collect from the frozen state.
    collect_arrivals(tick);
    buyers_order_and_use(tick);
    if (c_.has_backlog_cap) {
        exporters_withhold();
    }
    lines_ship_and_produce(tick);
    processors_draw_feed(tick.dt_real);
    if (tick.any_filed) {
        decisions_due(tick);
    }
    // Phase 2: apply.
    move_lanes(tick);
    produce_and_use(tick);
#ifdef CHOKEPOINT_CHECK_INVARIANTS
    check_invariants(tick.day);
#endif
}

// --- Phase 1: every flow collected from the frozen state.

[[gnu::always_inline]] inline void Batch::collect_arrivals(const Tick& tick) {
    const PerTrial zero = splat(0.0);
    for (std::size_t e = 0; e < ned_; ++e) {
        const auto& ei = c_.edges[e];
        PerTrial a = zero;
        int slot = st_.cursor[e];
        for (int d = 0; d < tick.dt; ++d) {
            PerTrial& cell = st_.ring[static_cast<std::size_t>(ei.ring_offset + slot)];
            a += cell;
            cell = zero;  // the slot is read exactly once; clearing is part of the read
            slot = slot + 1 == ei.ring_size ? 0 : slot + 1;
        }
        st_.cursor[e] = slot;  // now the slot of the next tick's first day
        st_.arrivals[e] = a;
    }
}

[[gnu::always_inline]] inline void Batch::buyers_order_and_use(const Tick& tick) {
    const PerTrial zero = splat(0.0);
    const double weight_day = std::min(1.0, tick.dt * inv_adjust_);
    for (std::size_t g = 0; g < ng_; ++g) {
        const auto in_begin = static_cast<std::size_t>(c_.group_in_begin[g]);
        const auto in_end = static_cast<std::size_t>(c_.group_in_begin[g + 1]);
        const PerTrial u = st_.group_use[g];
        PerTrial position = st_.in_stock[g];
        for (std::size_t k = in_begin; k < in_end; ++k) {
            const auto ue = static_cast<std::size_t>(c_.group_in[k]);
            position += st_.in_transit[ue] + st_.held[ue];
        }
        const PerTrial ordered = detail::order(u, st_.group_desired[g], st_.deferred[g], position,
                                               inv_adjust_, tick.dt_real);
        if (c_.has_contracts) {
            // The regular part of the order (the group's use), under a running contract; the rest
            // is urgent, a new contract. Where nothing is ordered the share is not used.
            // `ordered` is tonnes over the tick, `u` tonnes a day.
            const PerTrial regular = u * tick.dt_real;
            st_.regular_share[g] = ordered > regular ? regular / ordered : splat(1.0);
        }
        const PerTrial per_weight = ordered * st_.group_inv_weight[g];
        for (std::size_t k = in_begin; k < in_end; ++k) {
            const auto ue = static_cast<std::size_t>(c_.group_in[k]);
            st_.request[ue] = per_weight * st_.lane_weight[ue];
        }
        if (c_.groups[g].buyer) {
            PerTrial arriving = zero;
            for (std::size_t k = in_begin; k < in_end; ++k) {
                arriving += st_.arrivals[static_cast<std::size_t>(c_.group_in[k])];
            }
            const PerTrial available = st_.in_stock[g] + arriving;
            detail::use_stock(u * tick.dt_real, available, st_.consume[g], st_.shortfall[g]);
            if (c_.has_catch_up) {
                detail::restock(u, available, st_.shortfall[g], st_.catch_up_share, weight_day,
                                c_.groups[g].cover_days, st_.consume[g], st_.deferred[g]);
            }
        }
    }
}

[[gnu::always_inline]] inline void Batch::exporters_withhold() {
    const PerTrial zero = splat(0.0);
    for (std::size_t e = 0; e < ned_; ++e) {
        if (c_.edges[e].queue < 0) {
            continue;
        }
        const PerTrial r = st_.request[e];
        const PerTrial share = st_.edge_share[e];
        const PerTrial controlled = r * share;
        const PerTrial room = max_of(zero, st_.backlog_cap[e] - st_.held[e]);
        const PerTrial excess = max_of(zero, controlled - room);
        const PerTrial left = r - excess;
        // Filed: min(controlled, room) of what is left; unchanged where nothing is withheld.
        const auto cut = (excess > zero) & (left > zero);
        st_.file_share[e] = cut ? (controlled - excess) / left : share;
        st_.request[e] = left;
    }
}

[[gnu::always_inline]] inline void Batch::lines_ship_and_produce(const Tick& tick) {
    const PerTrial zero = splat(0.0);
    const double expected_weight = std::min(1.0, tick.dt * inv_adjust_);
    for (std::size_t l = 0; l < nl_; ++l) {
        const auto& li = c_.lines[l];
        const auto out_begin = static_cast<std::size_t>(c_.line_out_begin[l]);
        const auto out_end = static_cast<std::size_t>(c_.line_out_begin[l + 1]);
        PerTrial requested = zero;
        for (std::size_t k = out_begin; k < out_end; ++k) {
            requested += st_.request[static_cast<std::size_t>(c_.line_out[k])];
        }
        // Where nothing is short the quotient is not used (and may be 0/0).
        const PerTrial fraction =
            requested > st_.out_stock[l] ? st_.out_stock[l] / requested : splat(1.0);
        for (std::size_t k = out_begin; k < out_end; ++k) {
            const auto ue = static_cast<std::size_t>(c_.line_out[k]);
            st_.shipment[ue] = st_.request[ue] * fraction;
            if (c_.has_shipment_cut) {
                // A closed border or flooded road: what cannot leave stays in the line's
                // stock, and production goes on towards the orders (a stockpile builds).
                st_.shipment[ue] = min_of(st_.shipment[ue], st_.shipment_cap[ue] * tick.dt_real);
            }
        }
        const PerTrial target = splat(li.cover_days * li.base_out);
        const PerTrial want =
            max_of(zero, st_.expected_out[l] + (target - st_.out_stock[l]) * inv_adjust_);
        st_.produce[l] = min_of(want, st_.line_cap[l]) * tick.dt_real;
        // Smoothed outflow demand (first-order, time constant adjust_days).
        st_.expected_out[l] += (requested / tick.dt_real - st_.expected_out[l]) * expected_weight;
    }
}

[[gnu::always_inline]] inline void Batch::processors_draw_feed(double dt_real) {
    const PerTrial zero = splat(0.0);
    for (const auto& p : c_.processors) {
        const auto lb = static_cast<std::size_t>(p.line_begin);
        const auto le = static_cast<std::size_t>(p.line_end);
        const auto gb = static_cast<std::size_t>(p.group_begin);
        const auto ge = static_cast<std::size_t>(p.group_end);
        PerTrial pool = zero;
        for (std::size_t g = gb; g < ge; ++g) {
            pool += st_.in_stock[g] * c_.groups[g].feed_yield;
        }
        PerTrial need = zero;
        for (std::size_t l = lb; l < le; ++l) {
            need += st_.produce[l] * c_.lines[l].feed_per_tonne;
        }
        const auto short_of_feed = need > pool;
        const PerTrial scale = need > zero ? pool / need : zero;
        for (std::size_t l = lb; l < le; ++l) {
            st_.produce[l] = short_of_feed ? st_.produce[l] * scale : st_.produce[l];
        }
        need = short_of_feed ? pool : need;
        PerTrial fraction = pool > zero ? need / pool : zero;
        if (p.has_ingredients) {
            ingredients_limit(p, dt_real, fraction);
        }
        for (std::size_t g = gb; g < ge; ++g) {
            if (c_.groups[g].per_tonne > 0.0) {
                continue;  // drawn by ingredients_limit
            }
            st_.draw[g] = st_.in_stock[g] * fraction;
        }
    }
}

// A processor's ingredients (inputs used per tonne made, such as the Dy/Tb of high-grade magnets)
// are not pooled with its feed: `per_tonne` is the use per tonne of the whole output, all of it by
// the share that needs it (`needed_by`, m). Where one is short (its stock covers a share c < 1 of
// what the tick would make, M), the grades that need it fall to m c M, and the grades that need
// none go on at (1 - m) min(M, max(B, c M)), B the baseline output: they do not stand in for the
// grades that cannot be made (a buyer's order for those is not met by others), unless those run
// above the baseline too. Every line and the feed drawn scale by the lowest of these.
void Batch::ingredients_limit(const CompiledScenario::Processor& p, double dt_real,
                              PerTrial& feed_fraction) {
    const PerTrial zero = splat(0.0);
    const PerTrial one = splat(1.0);
    const auto lb = static_cast<std::size_t>(p.line_begin);
    const auto le = static_cast<std::size_t>(p.line_end);
    const auto gb = static_cast<std::size_t>(p.group_begin);
    const auto ge = static_cast<std::size_t>(p.group_end);
    PerTrial made = zero;
    double baseline = 0.0;
    for (std::size_t l = lb; l < le; ++l) {
        made += st_.produce[l];
        baseline += c_.lines[l].base_out * dt_real;
    }
    PerTrial scale = one;
    for (std::size_t g = gb; g < ge; ++g) {
        const auto& gi = c_.groups[g];
        if (gi.per_tonne > 0.0) {
            const PerTrial need = made * gi.per_tonne;
            // Where nothing is short the quotient is not used (and may be 0/0).
            const auto short_of = need > st_.in_stock[g];
            const PerTrial covered = short_of ? st_.in_stock[g] / need : one;
            const PerTrial others =
                (1.0 - gi.needed_by) * min_of(made, max_of(splat(baseline), made * covered));
            const PerTrial kept = (others + gi.needed_by * made * covered) / made;
            scale = short_of ? min_of(scale, kept) : scale;
        }
    }
    for (std::size_t l = lb; l < le; ++l) {
        st_.produce[l] *= scale;
    }
    feed_fraction *= scale;
    for (std::size_t g = gb; g < ge; ++g) {
        const auto& gi = c_.groups[g];
        if (gi.per_tonne > 0.0) {
            // Where it binds, the grades that need it use the whole stock.
            st_.draw[g] = min_of(st_.in_stock[g], made * scale * gi.per_tonne);
        }
    }
}

[[gnu::always_inline]] inline void Batch::decisions_due(const Tick& tick) {
    for (std::size_t q = 0; q < nq_; ++q) {
        const auto e = static_cast<std::size_t>(c_.queue_edges[q]);
        st_.licences.take_due(q, tick.offset, tick.dt, st_.approved_due[e], st_.refused_due[e],
                              st_.lapsed_due[e]);
    }
}

// --- Phase 2: the flows applied to lanes, lines and buyers.

[[gnu::always_inline]] inline void Batch::move_lanes(const Tick& tick) {
    const PerTrial zero = splat(0.0);
    for (std::size_t e = 0; e < ned_; ++e) {
        const auto& ei = c_.edges[e];
        const auto line = static_cast<std::size_t>(ei.line);
        const auto group = static_cast<std::size_t>(ei.group);
        PerTrial* lane = &st_.lane_month[e * LANE_FIGURES];
        // Arrivals.
        const PerTrial arrived = st_.arrivals[e];
        st_.in_transit[e] -= arrived;
        st_.in_stock[group] += arrived;
        lane[ARRIVED] += arrived;
        // Shipments: the controlled share becomes a licence application.
        const PerTrial shipped = st_.shipment[e];
        st_.out_stock[line] -= shipped;
        lane[SHIPPED] += shipped;
        PerTrial departing = shipped + st_.approved_due[e] + st_.release[e];
        if (ei.queue >= 0) {
            file_applications(e, tick, shipped, departing);
        }
        PerTrial held = st_.held[e] - (st_.approved_due[e] + st_.refused_due[e] + st_.release[e]);
        if (c_.has_patience) {
            // Lapsed orders: the tonnes go back to the exporter's stock, like refused ones,
            // and the buyer, no longer counting them as on order, orders again.
            held -= st_.lapsed_due[e];
            st_.out_stock[line] += st_.lapsed_due[e];
            lane[LAPSED] += st_.lapsed_due[e];
        }
        // Rounding of repeated subtraction.
        st_.held[e] = held < zero && held > splat(-1e-6) ? zero : held;
        // Refused applications return to the exporter's stock; the buyer re-orders.
        st_.out_stock[line] += st_.refused_due[e];
        lane[REFUSED] += st_.refused_due[e];
        {
            // The cursor already points at day + dt; arrival - (day + dt) < ring_size.
            // Nothing departs where `departing` is not positive (adding +0 changes nothing).
            const PerTrial go = departing > zero ? departing : zero;
            const int ahead = std::max(ei.lead - tick.dt, 0);
            int slot = st_.cursor[e] + ahead;
            slot = slot >= ei.ring_size ? slot - ei.ring_size : slot;
            st_.ring[static_cast<std::size_t>(ei.ring_offset + slot)] += go;
            st_.in_transit[e] += go;
            lane[DEPARTED] += go;
        }
        if (tick.month_end) {
            close_lane_month(e, tick);
        }
        if (options_.trace) {
            for (std::size_t w = 0; w < W; ++w) {
                for (int d = 0; d < tick.dt; ++d) {
                    auto& rec = outs_[w]->trace[static_cast<std::size_t>(tick.offset + d)][e];
                    if (d == 0) {
                        rec.departed = at(departing, w);
                        rec.arrived = at(arrived, w);
                    }
                    rec.held = at(st_.held[e], w);
                }
            }
        }
        st_.release[e] = zero;
    }
}

[[gnu::always_inline]] inline void Batch::file_applications(std::size_t e, const Tick& tick,
                                                            const PerTrial& shipped,
                                                            PerTrial& departing) {
    const PerTrial zero = splat(0.0);
    const PerTrial share = c_.has_backlog_cap ? st_.file_share[e] : st_.edge_share[e];
    const PerTrial regular =
        c_.has_contracts ? st_.regular_share[static_cast<std::size_t>(c_.edges[e].group)] : zero;
    PerTrial held_now = zero;
    bool any = false;
    for (std::size_t w = 0; w < W; ++w) {
        const double shipped_w = at(shipped, w);
        const double share_w = at(share, w);
        if (!(share_w > 0.0 && shipped_w > 0.0)) {
            continue;
        }
        at(held_now, w) =
            st_.licences.file_shipment(w, e, tick.day, tick.dt, shipped_w, share_w, at(regular, w));
        any = true;
    }
    if (any) {
        // Only the trials that filed: the others' numbers stay exactly as they are.
        const auto filed = (share > zero) & (shipped > zero);
        st_.held[e] = filed ? st_.held[e] + held_now : st_.held[e];
        departing = filed ? departing - held_now : departing;
    }
}

[[gnu::always_inline]] inline void Batch::close_lane_month(std::size_t e, const Tick& tick) {
    const PerTrial zero = splat(0.0);
    const auto& ei = c_.edges[e];
    PerTrial* lane = &st_.lane_month[e * LANE_FIGURES];
    for (std::size_t w = 0; w < W; ++w) {
        TrialResult& o = *outs_[w];
        const int m = tick.month;
        record(o, ei.export_series, m, at(lane[DEPARTED], w));
        record(o, ei.export_world, m, at(lane[DEPARTED], w));
        record(o, ei.import_series, m, at(lane[ARRIVED], w));
        record(o, ei.import_world, m, at(lane[ARRIVED], w));
        record(o, ei.refused_series, m, at(lane[REFUSED], w));
        record(o, ei.refused_world, m, at(lane[REFUSED], w));
        record(o, ei.lapsed_series, m, at(lane[LAPSED], w));
        record(o, ei.lapsed_world, m, at(lane[LAPSED], w));
        record(o, ei.backlog_series, m, at(st_.held[e], w));
        record(o, ei.backlog_world, m, at(st_.held[e], w));
    }
    PerTrial* total = &st_.lane_trial[e * LANE_FIGURES];
    for (std::size_t f = 0; f < LANE_FIGURES; ++f) {
        total[f] += lane[f];
        lane[f] = zero;
    }
}

[[gnu::always_inline]] inline void Batch::produce_and_use(const Tick& tick) {
    for (std::size_t l = 0; l < nl_; ++l) {
        st_.out_stock[l] += st_.produce[l];
        st_.node_produced[static_cast<std::size_t>(c_.lines[l].node)] += st_.produce[l];
    }
    for (std::size_t g = 0; g < ng_; ++g) {
        const auto& gi = c_.groups[g];
        const auto n = static_cast<std::size_t>(gi.node);
        if (gi.buyer) {
            st_.in_stock[g] -= st_.consume[g];
            st_.node_consumed[n] += st_.consume[g];
            const PerTrial short_t = st_.shortfall[g];
            for (std::size_t w = 0; w < W; ++w) {
                if (at(short_t, w) > TONNES_EPSILON) {
                    TrialResult& o = *outs_[w];
                    record(o, gi.shortage_series, tick.month, at(short_t, w));
                    const bool counted = std::any_of(
                        gi.days_shared_with.begin(), gi.days_shared_with.end(), [&](int h) {
                            return at(st_.shortfall[static_cast<std::size_t>(h)], w) >
                                   TONNES_EPSILON;
                        });
                    if (!counted) {
                        record(o, gi.days_series, tick.month, tick.dt);
                    }
                    double* fig =
                        &o.buyers[static_cast<std::size_t>(gi.buyer_index) * BUYER_FIGURE_COUNT];
                    // The buyer's figures count from the reference day, as its
                    // shortage probability and time to shortage do.
                    if (tick.day >= s_.reference_day) {
                        fig[SHORTAGE_MASS] += at(short_t, w);
                        fig[DAYS_SHORT] += tick.dt;
                        if (fig[TIME_TO_SHORTAGE] < 0.0) {
                            fig[TIME_TO_SHORTAGE] = tick.day - s_.reference_day;
                        }
                    }
                }
                if (tick.month_end) {
                    record(*outs_[w], gi.stock_series, tick.month, at(st_.in_stock[g], w));
                }
            }
        } else {
            st_.in_stock[g] -= st_.draw[g];
            st_.node_consumed[n] += st_.draw[g];
        }
    }
}

}  // namespace chokepoint::detail::batch_run
