#!/usr/bin/env bash
# The installed library as another project uses it: `cmake --install` into a fresh prefix, then
# a program outside the tree built with find_package(chokepoint) and, separately, with
# pkg-config (chokepoint.pc), each run on a shipped scenario.
#   run.sh BUILD_DIR SOURCE_DIR CXX_COMPILER
set -u
build="$1" src="$2" cxx="$3"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1"; failed=$((failed + 1)); }

if cmake --install "$build" --prefix "$work/prefix" > "$work/install.log" 2>&1; then ok "cmake --install"; else bad "cmake --install"; cat "$work/install.log"; fi
for f in include/chokepoint/runner/runner.hpp include/chokepoint/scenario/scenario.hpp; do
    if [ -f "$work/prefix/$f" ]; then ok "installed $f"; else bad "not installed: $f"; fi
done
lib="$(find "$work/prefix" -name libchokepoint.a | head -1)"
if [ -n "$lib" ]; then ok "installed ${lib#"$work/prefix/"}"; else bad "libchokepoint.a not installed"; fi
config="$(find "$work/prefix" -name chokepointConfig.cmake | head -1)"
if [ -n "$config" ]; then ok "installed ${config#"$work/prefix/"}"; else bad "no chokepointConfig.cmake"; fi
pc="$(find "$work/prefix" -name chokepoint.pc | head -1)"
if [ -n "$pc" ]; then ok "installed ${pc#"$work/prefix/"}"; else bad "no chokepoint.pc"; fi

scenario="$work/prefix/share/chokepoint/scenarios/april_controls.yaml"
# 1. CMake: find_package(chokepoint) and chokepoint::chokepoint.
if cmake -S "$src/tests/consumer" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$work/prefix" \
        -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=Release > "$work/cmake.log" 2>&1 &&
    cmake --build "$work/cmake-build" >> "$work/cmake.log" 2>&1; then
    ok "a consumer builds with find_package(chokepoint)"
    out="$("$work/cmake-build/consumer" "$scenario" 2>&1)"
    if grep -q "^april_controls: 50 trials, last month P50 [0-9]" <<<"$out"; then ok "it runs: $out"; else bad "the CMake consumer: $out"; fi
else
    bad "the CMake consumer does not build"; tail -30 "$work/cmake.log"
fi

# 2. pkg-config: the same program from the command line.
if command -v pkg-config > /dev/null; then
    pcdir="$(dirname "$pc")"
    if flags="$(PKG_CONFIG_PATH="$pcdir" pkg-config --cflags --libs chokepoint 2>&1)" &&
        # The sanitizer flags of a sanitizer build are not in the .pc file: take them from CMake.
        extra="$(grep -o -- '-fsanitize=[a-z,]*' "$work/cmake-build/CMakeFiles/consumer.dir/link.txt" 2>/dev/null | sort -u | tr '\n' ' ')" &&
        # shellcheck disable=SC2086
        "$cxx" $extra "$src/tests/consumer/main.cpp" -o "$work/pc-consumer" $flags > "$work/pc.log" 2>&1; then
        ok "a consumer builds with pkg-config --cflags --libs chokepoint"
        out="$("$work/pc-consumer" "$scenario" 2>&1)"
        if grep -q "^april_controls: 50 trials" <<<"$out"; then ok "it runs"; else bad "the pkg-config consumer: $out"; fi
    else
        bad "pkg-config consumer: $flags"; cat "$work/pc.log" 2>/dev/null | head -20
    fi
else
    bad "pkg-config missing (tools/setup.sh installs it)"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
