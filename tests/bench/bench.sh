#!/usr/bin/env bash
# Benchmark (not a test): trials per second on april_controls at 1 and 2 threads, and peak
# memory (maximum resident set size) at 10,000 and 100,000 trials.
# Usage: tests/bench/bench.sh [SIMULATE] [SCENARIO]   (default: build/release/tools/simulate)
# Build first: cmake --preset release && cmake --build --preset release
set -euo pipefail
sim="${1:-build/release/tools/simulate}"
scenario="${2:-scenarios/april_controls.yaml}"
speed_trials="${BENCH_SPEED_TRIALS:-4000}"
if [ ! -x /usr/bin/time ]; then
    echo "bench: needs /usr/bin/time (Debian package 'time')" >&2
    exit 1
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

json_field() { sed -n "s/.*\"$2\": \([0-9.]*\).*/\1/p" "$1" | head -1; }

echo "scenario: $scenario"
echo "machine:  $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo
printf '%-34s %12s %12s\n' "run" "trials/s" "wall s"
for threads in 1 2; do
    "$sim" "$scenario" --trials "$speed_trials" --threads "$threads" --quiet --output "$work/t$threads" >/dev/null
    printf '%-34s %12.0f %12.2f\n' "$speed_trials trials, $threads thread(s)" \
        "$(json_field "$work/t$threads/run.json" trials_per_second)" \
        "$(json_field "$work/t$threads/run.json" wall_seconds)"
done
one="$(json_field "$work/t1/run.json" trials_per_second)"
two="$(json_field "$work/t2/run.json" trials_per_second)"
echo "speed-up on 2 threads: $(awk -v a="$one" -v b="$two" 'BEGIN { printf "%.2f", b / a }')x"
echo
printf '%-34s %12s %12s\n' "run" "peak MiB" "wall s"
for trials in 10000 100000; do
    /usr/bin/time -f '%M %e' -o "$work/mem$trials" "$sim" "$scenario" --trials "$trials" --threads 2 \
        --quiet --output "$work/m$trials" >/dev/null
    read -r kib secs < "$work/mem$trials"
    printf '%-34s %12.1f %12.1f\n' "$trials trials, 2 threads" "$(awk -v k="$kib" 'BEGIN { print k / 1024 }')" "$secs"
    eval "peak_$trials=$kib"
done
echo "peak memory ratio 100,000 / 10,000 trials: $(awk -v a="$peak_10000" -v b="$peak_100000" 'BEGIN { printf "%.2f", b / a }')"
