#!/usr/bin/env bash
# Regenerates the golden files in tests/regression/expected/ from the current build.
# Run it only when a change is meant to move the numbers, and review `git diff` like code.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
cmake --preset dev >/dev/null
cmake --build --preset dev -j "$(nproc)" --target simulate >/dev/null
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for name in small_baseline small_controls; do
    build/dev/tools/simulate "tests/regression/scenarios/$name.yaml" --quiet --threads 2 \
        --output "$tmp/$name" >/dev/null
    cat "$tmp/$name/summary.csv" "$tmp/$name/buyers.csv" > "tests/regression/expected/$name.csv"
    echo "updated tests/regression/expected/$name.csv"
done
git --no-pager diff --stat -- tests/regression/expected || true
