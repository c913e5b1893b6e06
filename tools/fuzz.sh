#!/usr/bin/env bash
# Fuzz one target for longer than CI does (libFuzzer, clang; Debian clang-14 libclang-rt-14-dev).
#   tools/fuzz.sh [--fast] TARGET [SECONDS]     TARGET: scenario, reported or sweep (default 600 s)
# By default the target is built with AddressSanitizer and UndefinedBehaviorSanitizer (preset
# `fuzz`). --fast builds it without sanitizers (preset `fuzz-fast`, about 1.5-3x the executions a
# second): crashes, aborts, uncaught exceptions, timeouts and memory blow-ups are still findings,
# silent memory errors are not, so replay its corpus with the sanitized build afterwards
# (tools/fuzz.sh TARGET 1 replays build/fuzz/corpus/TARGET before fuzzing for a second).
# New inputs go to build/fuzz/corpus/TARGET (seeded from tests/fuzz/corpus/TARGET; both builds
# share it); a crash is written to build/fuzz/findings/TARGET/. Copy a fixed finding into
# tests/fuzz/findings/TARGET/ so CI replays it for ever (ctest --preset fuzz).
set -euo pipefail
preset=fuzz
if [ "${1:-}" = "--fast" ]; then
    preset=fuzz-fast
    shift
fi
target="${1:?usage: tools/fuzz.sh [--fast] scenario|reported|sweep [SECONDS]}"
seconds="${2:-600}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
case "$target" in scenario|reported|sweep) ;; *) echo "fuzz: unknown target '$target'" >&2; exit 2 ;; esac
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)" --target "fuzz_$target"
corpus="build/fuzz/corpus/$target"
findings="build/fuzz/findings/$target"
mkdir -p "$corpus" "$findings"
cp -n "tests/fuzz/corpus/$target"/* "$corpus"/ 2>/dev/null || true
export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
"build/$preset/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -rss_limit_mb=4096 \
    -timeout=20 -artifact_prefix="$findings/" -print_final_stats=1 "$corpus"
