#!/usr/bin/env bash
# Benchmark (not a test): sweeps and diffs.
#  - points per second of a 64-point LHS over april_controls (200 trials a point) on 1 and 2
#    threads, and on 1 and 2 MPI ranks (one thread each);
#  - CPU time of one trial inside a sweep against one in a plain run of the same trials;
#  - how many independent trials a paired `diff` is worth (No. 18 on against off).
# Usage: tests/bench/sweep_bench.sh [SIMULATE]   (default: build/release/tools/simulate)
set -euo pipefail
sim="${1:-build/release/tools/simulate}"
src="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
sweep="$src/tests/bench/lhs64.yaml"
if [ ! -x /usr/bin/time ]; then
    echo "bench: needs /usr/bin/time (Debian package 'time')" >&2
    exit 1
fi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
points=64
trials=$((points * 200))

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo
printf '%-40s %10s %10s %14s\n' "run" "wall s" "points/s" "CPU ms/trial"
measure() {  # measure LABEL COMMAND...
    local label="$1"
    shift
    /usr/bin/time -f '%e %U %S' -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err"; exit 1; }
    read -r wall user sys < "$work/time"
    printf '%-40s %10.2f %10.2f %14.3f\n' "$label" "$wall" \
        "$(awk -v w="$wall" -v p="$points" 'BEGIN { print p / w }')" \
        "$(awk -v u="$user" -v s="$sys" -v t="$trials" 'BEGIN { print 1000 * (u + s) / t }')"
    eval "wall_$(printf '%s' "$label" | tr -c 'a-z0-9' '_')=$wall"
}
measure "sweep, 1 thread" "$sim" sweep "$sweep" --threads 1 --no-charts --quiet --output "$work/s1"
measure "sweep, 2 threads" "$sim" sweep "$sweep" --threads 2 --no-charts --quiet --output "$work/s2"
if command -v mpirun >/dev/null 2>&1; then
    measure "sweep, mpirun -np 1, 1 thread" mpirun -np 1 "$sim" sweep "$sweep" --threads 1 --no-charts --quiet --output "$work/m1"
    measure "sweep, mpirun -np 2, 1 thread each" mpirun -np 2 "$sim" sweep "$sweep" --threads 1 --no-charts --quiet --output "$work/m2"
    cmp -s "$work/m2/points.csv" "$work/s1/points.csv" && echo "(2 ranks: points.csv identical to 1 process)"
fi
measure "plain run, same trials, 1 thread" "$sim" "$src/scenarios/april_controls.yaml" --trials "$trials" --threads 1 --quiet --output "$work/plain"
echo
awk -v a="$wall_sweep__1_thread" -v b="$wall_sweep__2_threads" 'BEGIN { printf "2 threads: %.2fx one\n", a / b }'
if [ -n "${wall_sweep__mpirun__np_2__1_thread_each:-}" ]; then
    awk -v a="$wall_sweep__mpirun__np_1__1_thread" -v b="$wall_sweep__mpirun__np_2__1_thread_each" 'BEGIN { printf "2 ranks:   %.2fx one\n", a / b }'
fi
echo
echo "diff (what No. 18 did), 2,000 paired trials:"
"$sim" diff "$src/scenarios/april_controls.yaml" --base-set events.announcement_18.probability=0 \
    --trials 2000 --no-charts --output "$work/diff" | grep -E "^Pairing" || true
