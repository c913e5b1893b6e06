#!/usr/bin/env bash
# Sweeps and diffs from the command line: results, validation, resuming after SIGKILL at several
# moments (byte-identical to a clean run), refusing changed inputs, and MPI runs (byte-identical
# to one process). Usage: sweep_tests.sh SIMULATE SOURCE_DIR
set -u
sim="$1"
src="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RESULT_FILES="sweep.json points.csv trials.csv indices.csv indices.json problem.json index.html"
same_results() {  # same_results NAME DIR_A DIR_B
    local f
    for f in $RESULT_FILES; do
        if ! cmp -s "$2/$f" "$3/$f"; then
            bad "$1: $f differs"
            cmp "$2/$f" "$3/$f" 2>&1 | head -2 | sed 's/^/    /'
            return
        fi
    done
    if ls -a "$3" | grep -q '\.tmp\.'; then bad "$1: temporary files left"; return; fi
    ok "$1"
}

# The sweep file lives in tests/regression/sweeps and points at ../scenarios/small_controls.yaml.
mkdir -p "$work/sweeps" "$work/scenarios"
cp "$src"/tests/regression/scenarios/*.yaml "$work/scenarios/"
cp "$src/tests/regression/sweeps/small_oat.yaml" "$work/sweeps/"
sweep="$work/sweeps/small_oat.yaml"

expect "parameters lists the uncertain quantities" 0 "parameters.rate" -- "$sim" parameters "$work/scenarios/small_controls.yaml"
expect "parameters csv" 0 "path,section,uncertain,written,low,high,central_98,used_by,description" -- "$sim" parameters "$work/scenarios/small_controls.yaml" --format csv
expect "parameters json" 0 '"path": "events.mine_flood.start"' -- "$sim" parameters "$work/scenarios/small_controls.yaml" --format json
expect "parameters bad format" 2 "--format must be text, csv or json" -- "$sim" parameters "$work/scenarios/small_controls.yaml" --format xml

expect "sweep runs" 0 "Results written to $work/clean/" -- "$sim" sweep "$sweep" --output "$work/clean" --quiet
for f in $RESULT_FILES charts/exports_x_oat_1.png charts/exports_x_oat_1.svg; do
    if [ -s "$work/clean/$f" ]; then ok "sweep wrote $f"; else bad "sweep missing $f"; fi
done
if [ "$(wc -l <"$work/clean/points.csv")" -eq 8 ] && [ "$(wc -l <"$work/clean/trials.csv")" -eq $((1 + 7 * 24)) ]; then
    ok "one row per point, one per trial"
else
    bad "points.csv/trials.csv row counts"
fi
if head -c 8 "$work/clean/charts/exports_x_oat_1.png" | od -An -c | grep -q 'P   N   G'; then ok "tornado is a PNG"; else bad "tornado not a PNG"; fi
# A gnuplot that fails (not a full disk): the report is written without charts, with a warning,
# as run and compare do.
mkdir -p "$work/badgnuplot"
printf '#!/bin/sh\necho "gnuplot: simulated failure" >&2\nexit 1\n' >"$work/badgnuplot/gnuplot"
chmod +x "$work/badgnuplot/gnuplot"
expect "a failing gnuplot: the sweep's report without charts" 0 "no charts:" -- env PATH="$work/badgnuplot:$PATH" "$sim" sweep "$sweep" --output "$work/badcharts" --quiet
if [ -s "$work/badcharts/index.html" ] && ! grep -q "<img" "$work/badcharts/index.html" && [ ! -e "$work/badcharts/charts" ] && [ -s "$work/badcharts/indices.csv" ]; then
    ok "a failing gnuplot: page and indices written, no image named, no charts directory"
else
    bad "a failing gnuplot: $(ls -A "$work/badcharts" | tr '\n' ' ')"
fi
# A sweep's set: value that is not YAML is an error at its line in the sweep file.
printf 'scenario: ../scenarios/small_controls.yaml\ndesign: {type: oat}\nset:\n  trials: "{a"\nfactors:\n  - {path: parameters.rate, range: [0.1, 0.5]}\noutputs:\n  - {id: x, metric: exports, product: magnet, from: Exportland, to: Importland, month: 2025-07}\n' > "$work/sweeps/set_yaml.yaml"
expect "a set: value that is not YAML, at its line" 2 "set_yaml.yaml:4:11: error: trials: malformed YAML" -- "$sim" validate "$work/sweeps/set_yaml.yaml"
expect "no-effect factor named" 0 "events.faster.approval_rate: no effect" -- "$sim" sweep "$sweep" --output "$work/clean2"
expect "same command again: nothing left to run" 0 "resumed: 7 of 7 points" -- "$sim" sweep "$sweep" --output "$work/clean2"
same_results "a finished sweep run again is unchanged" "$work/clean" "$work/clean2"

# Every design is capped before its points are made (issue 25, section 2); --max-points allows more.
expect "a design over --max-points is refused, naming the count" 2 "more than the limit of 6 (--max-points): make it smaller, or pass --max-points 7" -- "$sim" sweep "$sweep" --output "$work/capped" --max-points 6
sed 's/^  type: oat$/  type: sobol\n  samples: 1000000/' "$sweep" > "$work/sweeps/huge_sobol.yaml"
expect "a million-sample Sobol design is refused at once" 2 "the sobol design has 5000000 points (120000000 trials at 24 a point), more than the limit of 100000 (the default): make it smaller (samples: 20000 fits)" -- "$sim" sweep "$work/sweeps/huge_sobol.yaml" --output "$work/huge"
if [ ! -e "$work/capped" ] && [ ! -e "$work/huge" ]; then ok "a refused design writes nothing"; else bad "a refused design left a directory"; fi
# Weekly ticks: the 105,000 trials cost a seventh of daily ones (this runs under the sanitizers).
expect "a sweep of 105,000 trials prints its estimated time before it starts" 0 "estimated time: about" -- "$sim" sweep "$sweep" --output "$work/estimated" --trials 15000 --max-points 7 --no-charts --set time_step_days=7
expect "a refused output is refused before any pilot run" 2 "is the current directory or holds it" -- bash -c 'cd "$1" && exec "$2" sweep "$3" --trials 15000 --output .' _ "$work" "$sim" "$sweep"
if "$sim" sweep "$sweep" --output "$work/estimated" --trials 15000 --no-charts --set time_step_days=7 2>&1 | grep -q "estimated time"; then bad "a finished sweep estimates the time of points it will not run"; else ok "a finished sweep prints no estimate"; fi

# Kill the sweep at several moments, resume with the same command, compare bytes.
exec 3>&2 2>/dev/null  # bash reports each killed job on stderr: not a failure here
for moment in 0 3 6 0:trials 4:trials; do
    dir="$work/killed_${moment/:/_}"
    (CHOKEPOINT_TEST_CRASH_IN_POINT="$moment" exec "$sim" sweep "$sweep" --output "$dir" --quiet --no-charts >/dev/null 2>&1 </dev/null) 2>/dev/null
    rc=$?
    if [ "$rc" -ne 137 ]; then bad "kill at $moment: exit $rc, wanted 137 (SIGKILL)"; continue; fi
    if [ -e "$dir/indices.csv" ]; then bad "kill at $moment: summary files written by a killed run"; fi
    case "$moment" in 0*) want="Results written" ;; *) want="resumed: ${moment%%:*} of 7 points" ;; esac
    # What a run killed inside its summary or chart writes leaves (write_file_atomic's names).
    mkdir -p "$dir/charts"; touch "$dir/.indices.csv.tmp.999999999" "$dir/charts/..tornado.gp.tmp.999999999"
    expect "resume after SIGKILL inside the write of point $moment" 0 "$want" -- "$sim" sweep "$sweep" --output "$dir" --quiet
    same_results "resumed after a kill at $moment is byte-identical" "$work/clean" "$dir"
    left="$(cd "$dir" && find . -name '*.tmp.*')"
    if [ -z "$left" ]; then ok "no temporary file of a dead run after the resume at $moment"; else bad "temporary files left after the resume at $moment: $left"; fi
done
# A kill at an arbitrary moment of a longer run (timeout sends SIGKILL); 12,000 trials a point
# take about three seconds here (two threads), so both kills land while it runs (3,000 under the
# sanitizers, which run about four times slower: CHOKEPOINT_KILL_TRIALS, set by tests/CMakeLists.txt).
kill_trials="${CHOKEPOINT_KILL_TRIALS:-12000}"
for t in 0.4 1.0; do
    dir="$work/timed_$t"
    (exec timeout -s KILL "$t" "$sim" sweep "$sweep" --trials "$kill_trials" --output "$dir" --quiet --no-charts >/dev/null 2>&1 </dev/null) 2>/dev/null
    rc=$?
    if [ "$rc" -ne 137 ]; then bad "kill after ${t}s: exit $rc, wanted 137 (the run finished first?)"; fi
    "$sim" sweep "$sweep" --trials "$kill_trials" --output "$dir" --quiet >/dev/null 2>&1 </dev/null
    if [ ! -d "$work/clean_killtrials" ]; then
        "$sim" sweep "$sweep" --trials "$kill_trials" --output "$work/clean_killtrials" --quiet >/dev/null 2>&1 </dev/null
    fi
    same_results "killed after ${t}s and resumed is byte-identical" "$work/clean_killtrials" "$dir"
done
exec 2>&3 3>&-

# Changed inputs are refused, --restart starts over.
sed 's/^trials: 24/trials: 25/' "$sweep" > "$work/sweeps/changed.yaml"
sed -i 's/^name: small_oat/name: small_oat/' "$work/sweeps/changed.yaml"
expect "a changed sweep file is refused" 2 "holds results of a sweep whose sweep_sha256, trials differ" -- "$sim" sweep "$work/sweeps/changed.yaml" --output "$work/clean2" --quiet
expect "--trials changes the identity too" 2 "trials differ" -- "$sim" sweep "$sweep" --output "$work/clean2" --trials 30 --quiet
expect "--restart starts over" 0 "Results written" -- "$sim" sweep "$work/sweeps/changed.yaml" --output "$work/clean2" --restart --quiet --no-charts
if [ "$(wc -l <"$work/clean2/trials.csv")" -eq $((1 + 7 * 25)) ]; then ok "restarted with the new trials"; else bad "restart kept old rows"; fi

# Validation from the command line.
printf 'scenario: ../scenarios/small_controls.yaml\ndesign: {type: oat}\nfactors:\n  - {path: parameters.rat, range: [0.1, 0.5]}\noutputs:\n  - {id: x, metric: exports, product: magnet, from: Exportland, to: Importland, month: 2025-07}\n' > "$work/sweeps/bad.yaml"
expect "unknown factor path" 2 "no parameter 'rat' in the scenario or its model (did you mean 'rate'?)" -- "$sim" sweep "$work/sweeps/bad.yaml" --output "$work/never"
if [ -e "$work/never" ]; then bad "output written for an invalid sweep"; else ok "nothing written for an invalid sweep"; fi
expect "missing sweep file" 2 "cannot open file" -- "$sim" sweep "$work/sweeps/nope.yaml"
# A factor's value out of the range where the scenario uses it: the error says the value came from
# the sweep file's factor, not from a --set the user never wrote.
printf 'scenario: ../scenarios/small_controls.yaml\ndesign: {type: oat}\nfactors:\n  - {path: parameters.rate, range: [0.1, 1.5]}\noutputs:\n  - {id: x, metric: exports, product: magnet, from: Exportland, to: Importland, month: 2025-07}\n' > "$work/sweeps/range.yaml"
expect "a factor out of range names the sweep file" 2 "ranges from 1.5 to 1.5 (given at $work/sweeps/range.yaml:4:" -- "$sim" sweep "$work/sweeps/range.yaml" --output "$work/never"

# MPI: the same bytes on 2 and 3 ranks as in one process. OpenMPI's runtime leaks a few blocks
# at exit (inside libmpi and its plug-ins, not ours), so under the sanitizers leak checking is off
# for the ranks; the one-process runs above keep it.
if command -v mpirun >/dev/null 2>&1; then
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
    # 9 ranks for 7 points: the ranks of a point split its trials.
    for np in 2 3 9; do
        mpirun --oversubscribe -np "$np" "$sim" sweep "$sweep" --output "$work/mpi$np" --threads 1 --quiet >"$work/mpi$np.log" 2>&1 </dev/null
        rc=$?
        if [ "$rc" -ne 0 ]; then bad "mpirun -np $np: exit $rc"; sed 's/^/    /' "$work/mpi$np.log" | head; continue; fi
        same_results "mpirun -np $np is byte-identical to one process" "$work/clean" "$work/mpi$np"
    done
    CHOKEPOINT_TEST_CRASH_IN_POINT=3 mpirun --oversubscribe -np 2 "$sim" sweep "$sweep" --output "$work/mpikill" --quiet >/dev/null 2>&1 </dev/null
    rc=$?
    if [ "$rc" -eq 0 ]; then bad "the planted kill under mpirun did not happen"; fi
    expect "killed under 2 ranks, resumed under 3" 0 "resumed: 3 of 7 points" -- mpirun --oversubscribe -np 3 "$sim" sweep "$sweep" --output "$work/mpikill" --quiet
    same_results "killed under 2 ranks, resumed under 3: byte-identical" "$work/clean" "$work/mpikill"
    # A point that fails on one rank stops every rank with the error (none waits for ever).
    printf 'scenario: ../scenarios/small_controls.yaml\ntrials: 4\ndesign: {type: lhs, samples: 6}\nfactors:\n  - {path: events.mine_flood.duration_days, range: [-50, 40]}\noutputs:\n  - {id: x, metric: exports, product: magnet, from: Exportland, to: Importland, month: 2025-07}\n' > "$work/sweeps/fails_inside.yaml"
    expect "an error on one rank ends every rank with its message" 2 "" -- timeout 60 mpirun --oversubscribe -np 2 "$sim" sweep "$work/sweeps/fails_inside.yaml" --output "$work/mpifail" --quiet
    mkdir -p "$work/userfiles"; touch "$work/userfiles/notes.txt"
    expect "a refused directory under MPI exits 2 on every rank" 2 "holds 'notes.txt'" -- timeout 60 mpirun --oversubscribe -np 2 "$sim" sweep "$sweep" --output "$work/userfiles" --quiet
else
    bad "mpirun not found (tools/setup.sh installs openmpi-bin)"
fi

# The shipped example sweeps, at reduced size.
# --seed and --set on a sweep, as on every command that runs trials; both are part of what a
# resumed sweep must match.
expect "sweep --seed --set" 0 "Results written to $work/seedset/" -- "$sim" sweep "$src/scenarios/sweeps/april_controls_oat.yaml" --trials 2 --no-charts --quiet --seed 9 --set parameters.precautionary_share=0 --output "$work/seedset"
if grep -q '"seed": 9' "$work/seedset/sweep.json"; then ok "sweep.json records --seed"; else bad "sweep.json lacks the --seed"; fi
expect "a sweep resumed with another --set is refused" 2 "scenario_sha256 differ" -- "$sim" sweep "$src/scenarios/sweeps/april_controls_oat.yaml" --trials 2 --no-charts --quiet --seed 9 --output "$work/seedset"
expect "sweep --seed -1 is refused" 2 "--seed must be >= 0" -- "$sim" sweep "$src/scenarios/sweeps/april_controls_oat.yaml" --seed -1
# (which licence_delay overrides a factor on a lane: unit test "overridden_on names ...")
expect "example OAT sweep" 0 "us_magnets_2025 (t), oat over 19 points x 8 trials" -- "$sim" sweep "$src/scenarios/sweeps/april_controls_oat.yaml" --trials 8 --no-charts --output "$work/ex_oat"
expect "example Sobol sweep" 0 "S1" -- "$sim" sweep "$src/scenarios/sweeps/april_controls_sobol.yaml" --trials 3 --no-charts --output "$work/ex_sobol"

# diff: the README's example on the small model, and the same scenario against itself.
expect "diff runs" 0 "Results written to $work/diff/" -- "$sim" diff "$work/scenarios/small_controls.yaml" --base-set events.control.probability=0 --trials 32 --output "$work/diff" --quiet
if head -1 "$work/diff/diff.csv" | grep -qx 'metric,product,from,to,period,mean,sd,p05,p25,p50,p75,p95,prob_lower,unit,partner_total'; then ok "diff.csv header"; else bad "diff.csv header"; fi
if [ -s "$work/diff/charts/diff_exports_magnet_world.png" ]; then ok "diff chart"; else bad "no diff chart"; fi
expect "diff needs a change" 2 "diff of a scenario with itself" -- "$sim" diff "$work/scenarios/small_controls.yaml"
"$sim" diff "$work/scenarios/small_controls.yaml" "$work/scenarios/small_controls.yaml" --trials 16 --output "$work/diff0" --quiet --no-charts >/dev/null 2>&1
if awk -F, 'NR > 1 && ($6 != 0 || $8 != 0 || $12 != 0 || $13 != 0) { bad = 1 } END { exit bad }' "$work/diff0/diff.csv"; then
    ok "diff of a scenario with itself is exactly zero"
else
    bad "diff of a scenario with itself is not zero"
fi
printf 'name: weekly\nextends: small_controls.yaml\ntime_step_days: 7\n' > "$work/scenarios/short.yaml"
expect "diff needs the same calendar" 2 "must share start, horizon and time_step_days" -- "$sim" diff "$work/scenarios/small_controls.yaml" "$work/scenarios/short.yaml"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
