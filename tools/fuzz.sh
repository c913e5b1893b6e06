#!/usr/bin/env bash
# Fuzz one target for longer than CI does (libFuzzer, clang; Debian clang-14 libclang-rt-14-dev).
#   tools/fuzz.sh TARGET [SECONDS]     TARGET: scenario, reported or sweep (default 600 s)
# New inputs go to build/fuzz/corpus/TARGET (seeded from tests/fuzz/corpus/TARGET); a crash is
# written to build/fuzz/findings/TARGET/. Copy a fixed finding into tests/fuzz/findings/TARGET/
# so CI replays it for ever (ctest --preset fuzz).
set -euo pipefail
target="${1:?usage: tools/fuzz.sh scenario|reported|sweep [SECONDS]}"
seconds="${2:-600}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
case "$target" in scenario|reported|sweep) ;; *) echo "fuzz: unknown target '$target'" >&2; exit 2 ;; esac
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$(nproc)" --target "fuzz_$target"
corpus="build/fuzz/corpus/$target"
findings="build/fuzz/findings/$target"
mkdir -p "$corpus" "$findings"
cp -n "tests/fuzz/corpus/$target"/* "$corpus"/ 2>/dev/null || true
export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
"build/fuzz/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -rss_limit_mb=4096 \
    -timeout=20 -artifact_prefix="$findings/" -print_final_stats=1 "$corpus"
