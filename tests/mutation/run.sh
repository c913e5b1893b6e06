#!/usr/bin/env bash
# Plants realistic bugs one at a time in a copy of the tree, builds it (developer settings), runs
# the whole test suite and reports whether the suite caught each (issue 10, section 5).
# Usage: tests/mutation/run.sh [FILTER]   (FILTER: only the bugs whose description matches)
# About a minute a bug on a 2-core machine; prints the kill rate at the end.
set -uo pipefail
src="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
filter="${1:-}"
work="${MUTATION_WORK:-/tmp/chokepoint-mutation}"
mkdir -p "$work/src"
(cd "$src" && tar --exclude=./build --exclude=./.git -cf - .) | (cd "$work/src" && tar -xmf -)  # -m: fresh times, so no stale object survives
cmake -S "$work/src" -B "$work/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCHOKEPOINT_DEVELOPER=ON \
    -DCHOKEPOINT_BUILD_TESTS=ON -DCMAKE_CXX_FLAGS=-DCHOKEPOINT_CHECK_INVARIANTS=1 >/dev/null
cmake --build "$work/build" -j "$(nproc)" >/dev/null || { echo "mutation: the tree does not build"; exit 1; }
if ! ctest --test-dir "$work/build" -j "$(nproc)" >/dev/null 2>&1; then
    echo "mutation: the unmutated suite fails; fix that first"
    exit 1
fi
killed=0
survived=0
invalid=0
skipped=0
# mutation FILE FIND REPLACE WHAT: FIND must occur exactly once in FILE.
mutation() {
    local file="$1" find="$2" replace="$3" what="$4"
    [ -n "$filter" ] && ! grep -qi -- "$filter" <<<"$what" && return
    local target="$work/src/$file"
    cp "$target" "$target.orig"
    local count
    count="$(FIND="$find" perl -0ne 'my $n = () = /\Q$ENV{FIND}\E/g; print $n' "$target")"
    if [ "$count" -ne 1 ]; then
        # The code moved or changed: the bug must be planted again where it now lives.
        echo "SKIP     $what: the text is found $count times in $file"
        skipped=$((skipped + 1))
        mv "$target.orig" "$target"
        return
    fi
    FIND="$find" REPLACE="$replace" perl -0pi -e 's/\Q$ENV{FIND}\E/$ENV{REPLACE}/' "$target"
    if ! cmake --build "$work/build" -j "$(nproc)" >/dev/null 2>&1; then
        echo "INVALID  $what (does not compile: not counted)"
        invalid=$((invalid + 1))
    elif ctest --test-dir "$work/build" -j "$(nproc)" >"$work/ctest.log" 2>&1; then
        echo "SURVIVED $what"
        survived=$((survived + 1))
    else
        echo "KILLED   $what: $(grep -E '\(Failed\)' "$work/ctest.log" | sed 's/^.*- //; s/ (Failed)//' | head -3 | tr '\n' ';')"
        killed=$((killed + 1))
    fi
    mv "$target.orig" "$target"
    touch "$target"
}

mutation engine/src/kernel/policy.cpp \
    'std::pow(1.0 + r.rate, -r.elasticity)' \
    'std::pow(1.0 + r.elasticity, -r.rate)' \
    'a tariff'"'"'s rate and elasticity swapped'
mutation engine/src/kernel/noise.hpp \
    'factor_[i] = std::exp(p_.sd * z - 0.5 * p_.sd * p_.sd);' \
    'factor_[i] = 1.02 * std::exp(p_.sd * z - 0.5 * p_.sd * p_.sd);' \
    'the monthly noise factor biased by 2%'
mutation engine/include/chokepoint/events/events.hpp \
    'day >= start && day < end;' \
    'day >= start && day <= end;' \
    'an explicit event end treated as inclusive'
mutation engine/src/stats/quantile_sketch.cpp \
    'const double rank = cumulative + centroids_[k].weight / 2.0;' \
    'const double rank = cumulative + centroids_[k].weight;' \
    't-digest centroids placed at their upper rank'
mutation engine/src/compare/compare.cpp \
    'f.inside90 = f.reported >= f.p05 - eps && f.reported <= f.p95 + eps;' \
    'f.inside90 = f.reported >= f.p25 - eps && f.reported <= f.p75 + eps;' \
    'the 90% coverage judged against the P25-P75 band'
mutation engine/src/compare/compare.cpp \
    'score_figure(mapping.targets[k], c.rows, draws.samples[k], index, config.origin);' \
    'score_figure(mapping.targets[k], c.rows, draws.samples[k], index, config.origin); { const ReportedTarget& t = mapping.targets[k]; f.p95 = 0.0; for (int m = t.first; m <= t.last; ++m) { f.p95 += c.bands[static_cast<std::size_t>(std::find(draws.labels.begin(), draws.labels.end(), t.label) - draws.labels.begin())].months[static_cast<std::size_t>(m)].p95; } const double eps = 1e-6 * std::max(1.0, std::abs(f.reported)); f.inside90 = f.reported >= f.p05 - eps && f.reported <= f.p95 + eps; }' \
    'a cumulative period'"'"'s band built from sums of monthly percentiles'
mutation engine/src/compare/reported.cpp \
    ': kg > model_kg ? row.value * (kg / model_kg)' \
    ': kg > model_kg ? row.value' \
    'reported tonnes not converted to a material in kilograms'
mutation engine/src/kernel/output_layout.cpp \
    'layout.unit = s.material.unit;' \
    '(void)s.material;' \
    'the material'"'"'s unit not carried into summary.csv'
mutation engine/src/kernel/licence_queue.hpp \
    'filed = t.batch_filed[slot];' \
    '(void)0;' \
    'a licence batch decided from each order'"'"'s day, not the batch'"'"'s first order'"'"'s
mutation engine/src/kernel/licence_queue.hpp \
    'if (t.batch_index[slot] != index) {' \
    'if (true) {' \
    'a licence batch'"'"'s orders drawing decisions of their own'
mutation engine/src/scenario/event_reader.cpp \
    '        r.check_keys(e, path, event_keys_of(to_string(ev.kind)));' \
    '        (void)e;' \
    'unknown keys inside events accepted'
mutation engine/src/scenario/event_reader.cpp \
    'if (lo < static_cast<double>(s.start) || hi > last) {' \
    'if (lo < static_cast<double>(s.start) || hi > last + 1e9) {' \
    'the upper end of an uncertain date not checked against the horizon'
mutation engine/src/sweep/indices.cpp \
    'out[c].st = v > 0.0 ? st / rn / (2.0 * v) : 0.0;' \
    'out[c].st = v > 0.0 ? st / rn / v : 0.0;' \
    'Sobol ST without Jansen'"'"'s 1/2'
mutation engine/src/sweep/indices.cpp \
    'sample_sd(d) / std::sqrt(static_cast<double>(d.size()));' \
    'sample_sd(d) / static_cast<double>(d.size());' \
    'a paired effect'"'"'s standard error divided by n, not sqrt(n)'
mutation engine/src/sweep/plan.cpp \
    'config.sweep_point = 0;' \
    'config.sweep_point = p;' \
    'common random numbers lost: each point draws its own streams'
mutation engine/src/sweep/run.cpp \
    '        fs::resize_file(path, size);' \
    '        (void)size;' \
    'a torn line kept when a sweep resumes'
mutation engine/src/core/text.cpp \
    '                out += "&quot;";' \
    '                out += '"'"'"'"'"';' \
    'a double quote not escaped in HTML'
mutation engine/src/core/text.cpp \
    '            out += "'"'"''"'"'";' \
    '            out += "'"'"'";' \
    'a single quote not doubled in gnuplot strings'
mutation engine/src/io/results.cpp \
    '    StagedDirectory staged(dir);
    write_file_atomic(staged.path() / "summary.csv"' \
    '    StagedDirectory staged(dir);
    write_file_atomic(dir / "summary.csv"' \
    'a run'"'"'s summary.csv written outside its staged set'

# The mechanisms of issue 9: buyers' stock policy and the licence queue.
mutation engine/src/kernel/stock_policy.hpp \
    'return std::exp(rate * days_from_base) / (1.0 + rate * (cover_days + lead_avg));' \
    '(void)cover_days; (void)lead_avg; return std::exp(rate * days_from_base);' \
    'the demand trend without the base year'"'"'s (1 + r c) divisor'
mutation engine/src/kernel/stock_policy.hpp \
    'return use * (cover_days * cover_factor + lead_avg + precaution * wait);' \
    'return use * (cover_days * cover_factor + lead_avg + 2.0 * precaution * wait);' \
    'precautionary stock of twice the share of the licence wait'
mutation engine/src/kernel/stock_policy.hpp \
    'deferred = min_of(deferred - extra + catch_up_share * shortfall, use * splat(cover_days));' \
    '(void)use; (void)cover_days; deferred = deferred - extra + catch_up_share * shortfall;' \
    'restocking not capped at cover_days of use'
mutation engine/src/kernel/licence_queue.hpp \
    '            const Day lapse = day + std::max(t.patience, dt);' \
    '            const Day lapse = day + std::max(t.patience, dt) + 7;' \
    'an application lapsing a week after the buyer'"'"'s patience'
mutation engine/src/kernel/licence_queue.hpp \
    '        trial_[w].applications[q].clear();' \
    '        (void)trial_;' \
    'applications kept in the log after a lift releases them'
mutation engine/src/kernel/licence_queue.cpp \
    '            a.lapsed = false;' \
    '            (void)a;' \
    'a re-decided application keeping its lapse flag'
mutation engine/src/kernel/tick.cpp \
    '        st_.request[e] = left;' \
    '        st_.request[e] = r;' \
    'tonnes an exporter withholds from a backlogged lane shipped without a licence'
mutation engine/src/kernel/tick.cpp \
    'const PerTrial room = max_of(zero, st_.backlog_cap[e] - st_.held[e]);' \
    'const PerTrial room = max_of(zero, st_.backlog_cap[e]);' \
    'the backlog cap ignoring what already waits'
mutation engine/src/kernel/tick.cpp \
    'min_of(st_.shipment[ue], st_.shipment_cap[ue] * tick.dt_real);' \
    'min_of(st_.shipment[ue], st_.shipment_cap[ue] * tick.dt_real + st_.request[ue]);' \
    'a disruption of shipments that lets the orders through'
mutation engine/src/kernel/tick.cpp \
    'min_of(st_.shipment[ue], st_.shipment_cap[ue] * tick.dt_real);' \
    'min_of(st_.shipment[ue], st_.shipment_cap[ue]);' \
    'a cut of shipments capping a weekly tick at one day of the flow'
mutation engine/src/kernel/tick_start.cpp \
    'f * c_.edges[e].flow_day * at(st_.lane_noise[e], w);' \
    'f * c_.edges[e].flow_day;' \
    'a cut of shipments flattening a source'"'"'s lumpy months'
mutation engine/src/kernel/compile.cpp \
    '(ev.kind == EventKind::supply_disruption && !ev.cuts_shipments)' \
    '(ev.kind == EventKind::supply_disruption)' \
    'a disruption of shipments that also cuts production (no stockpile)'
mutation engine/src/compare/backtest.cpp \
    '            ev.end_unknown = true;' \
    '            (void)0;' \
    'a backtest that knows an end announced after its origin'
mutation engine/src/compare/backtest.cpp \
    'return Interval{1.0 - ratio.high, 1.0 - ratio.low};' \
    'return Interval{1.0 - ratio.low, 1.0 - ratio.high};' \
    'a skill interval not turned round from the CRPS ratio'"'"'s'
mutation engine/src/compare/backtest.cpp \
    '    const int block = bootstrap_block(n);' \
    '    const int block = config.max_lead;' \
    'bootstrap blocks as long as the leads, whatever the number of origins'
mutation engine/src/events/events.cpp \
    'if (end > s.in_force_on) {' \
    'if (true) {' \
    'an expected duration drawn without knowing the event is still in force'
mutation engine/src/events/events.cpp \
    '                        r.end = end;
                        break;' \
    '                        r.end = end;
                        break;
                    } else {
                        break;' \
    'an expected duration that ran out by the origin ending the day after it (no redraw)'
mutation engine/src/scenario/event_checks.cpp \
    'if (std::any_of(nodes.begin(), nodes.end(), [&](int n) { return has(n, p); })) {' \
    'if (!nodes.empty()) {' \
    'a disruption whose products filter matches nothing loads silently'
mutation engine/src/events/events.cpp \
    '        const double p = s.probability.resolve(parameters, rng);' \
    '        if (s.end_unknown && s.has_expected_duration) { (void)s.expected_duration_days.resolve(parameters, rng); }
        const double p = s.probability.resolve(parameters, rng);' \
    'an expected duration drawn before the event'"'"'s other draws (they shift between origins)'

# The bugs that once passed the whole suite (issue 25, section 4): tests/unit/test_slipped_bugs.cpp.
mutation engine/src/kernel/policy.cpp \
    'if (r.start >= tariff_start[ue]) {' \
    'if (true) {' \
    'slipped: of two overlapping tariffs on a lane, the last in the file applies'
mutation engine/src/kernel/tick.cpp \
    'st_.expected_out[l] += (requested / tick.dt_real - st_.expected_out[l]) * expected_weight;' \
    'st_.expected_out[l] += (requested - st_.expected_out[l]) * expected_weight;' \
    'slipped: the smoothed outflow demand not scaled by the tick'"'"'s length'
mutation engine/src/sweep/output_indices.cpp \
    'const PairedEffect sw = paired_effect(lo, hi);' \
    'const PairedEffect sw = paired_effect(base, hi);' \
    'slipped: the OAT swing measured from the base, not the low end'
mutation engine/src/compare/backtest.cpp \
    'if (ev.announced > day) {' \
    'if (ev.announced >= day) {' \
    'slipped: an event announced on the last day of the origin'"'"'s month not known there'
mutation engine/src/core/calendar.cpp \
    'const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;' \
    'const bool leap = y % 4 == 0;' \
    'slipped: every fourth year a leap year (2100-02-29 accepted)'

# Issue 26, section 2: the Saltelli design keeps the Sobol sequence's first point.
mutation engine/src/sweep/design.cpp \
    'const std::uint32_t v = j == 0 ? 0u : static_cast<std::uint32_t>(qrng());' \
    'const std::uint32_t v = static_cast<std::uint32_t>(qrng());' \
    'the Sobol sequence'"'"'s first point dropped from the Saltelli design'

# Issue 22, section 4: magnet makers outside China and their Dy/Tb (tests/unit/test_ingredients.cpp).
mutation engine/src/kernel/tick.cpp \
    '(1.0 - gi.needed_by) * min_of(made, max_of(splat(baseline), made * covered));' \
    '(1.0 - gi.needed_by) * made;' \
    'the grades that need no Dy/Tb stand in for those that cannot be made'
mutation engine/src/kernel/tick.cpp \
    'const PerTrial kept = (others + gi.needed_by * made * covered) / made;' \
    'const PerTrial kept = (others * 0.0 + made * covered) / made;' \
    'a short ingredient cuts the whole output, not the share that needs it'
mutation engine/src/kernel/tick.cpp \
    '    feed_fraction *= scale;' \
    '    (void)feed_fraction;' \
    'the feed drawn does not follow the output an ingredient cut'

# Issue 22, section 3: orders refused to one destination find other routes (test_diversion.cpp).
mutation engine/src/kernel/policy.cpp \
    'policy.group_diversion[g] = 1.0 - share * reach[g] * excess[g];' \
    'policy.group_diversion[g] = 1.0 + 0.0 * reach[g];' \
    'a destination'"'"'s refused orders served elsewhere and still used at home'
mutation engine/src/kernel/policy.cpp \
    'excess[g] = refused[g] - least[p];' \
    'excess[g] = refused[g];' \
    'a control the same for every buyer diverts demand'
mutation engine/src/kernel/policy.cpp \
    'refused[g] /= reach[g];' \
    'refused[g] /= 1.0;' \
    'a second supplier makes a buyer look less restricted by the same control'
mutation engine/src/kernel/tick.cpp \
    'if (!counted) {' \
    'if (counted || true) {' \
    'a day counted twice when two buyers of one country are short on it'

total=$((killed + survived))
echo "killed $killed of $total ($(awk -v k="$killed" -v t="$total" 'BEGIN { printf "%.0f", t ? 100 * k / t : 0 }')%); $invalid did not compile; $skipped not planted"
[ "$survived" -eq 0 ] && [ "$skipped" -eq 0 ]
