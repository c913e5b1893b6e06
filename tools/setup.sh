#!/usr/bin/env bash
# One command from a fresh Debian machine to a running Chokepoint.
#
#   tools/setup.sh run    install what is missing, build (release), install `simulate` on the
#                         PATH and run the default scenario (scenarios/april_controls.yaml)
#   tools/setup.sh test   install what is missing, build the developer preset (warnings as
#                         errors) and run the whole test suite
#   tools/setup.sh asan   the test suite under AddressSanitizer and UndefinedBehaviorSanitizer
#   tools/setup.sh clang  the test suite built with clang 14 (warnings as errors)
#   tools/setup.sh tsan   the library's tests under ThreadSanitizer (tests/tsan.supp says why
#                         a few oneTBB-internal reports are suppressed)
#   tools/setup.sh fuzz   build the libFuzzer targets (clang) and replay their corpora and past
#                         findings; tools/fuzz.sh TARGET SECONDS fuzzes for longer
#
# Safe to run again: packages already installed are skipped and builds are incremental.
set -euo pipefail

mode="${1:-run}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# Debian packages the build needs (see docs/architecture.md for what each is used for).
packages=(
    g++ cmake make git pkg-config
    libboost-graph-dev libboost-program-options-dev
    libyaml-cpp-dev libtbb-dev libspdlog-dev nlohmann-json3-dev libssl-dev catch2
    libcsv-dev libnlopt-cxx-dev gnuplot-nox
    openmpi-bin libopenmpi-dev
    help2man python3 python3-jsonschema python3-yaml graphviz
)

# clang and its runtime (sanitizers, libFuzzer) only for the modes that use them; clang-format
# for the test suite's format check.
case "$mode" in
    clang|fuzz) packages+=(clang-14 libclang-rt-14-dev libfuzzer-14-dev) ;;
    test) packages+=(clang-format) ;;
esac

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "setup: installing ${missing[*]}" >&2
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo="sudo"
        else
            echo "setup: need root (or sudo) to install: ${missing[*]}" >&2
            exit 1
        fi
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" </dev/null
fi

jobs="$(nproc 2>/dev/null || echo 2)"

case "$mode" in
    run)
        cmake --preset release >/dev/null
        cmake --build --preset release -j "$jobs"
        if [ "$(id -u)" -eq 0 ]; then
            cmake --install build/release >/dev/null
            bin="$(command -v simulate || echo /usr/local/bin/simulate)"
        else
            cmake --install build/release --prefix "$HOME/.local" >/dev/null
            bin="$HOME/.local/bin/simulate"
            case ":$PATH:" in *":$HOME/.local/bin:"*) ;; *)
                echo "setup: add $HOME/.local/bin to your PATH to use 'simulate'" >&2 ;;
            esac
        fi
        echo "setup: installed $bin" >&2
        "$bin" scenarios/april_controls.yaml
        ;;
    test)
        cmake --preset dev >/dev/null
        cmake --build --preset dev -j "$jobs"
        ctest --preset dev -j "$jobs"
        ;;
    asan|clang|tsan|fuzz)
        cmake --preset "$mode" >/dev/null
        cmake --build --preset "$mode" -j "$jobs"
        ctest --preset "$mode" -j "$jobs"
        ;;
    *)
        echo "usage: tools/setup.sh [run|test|asan|clang|tsan|fuzz]" >&2
        exit 2
        ;;
esac
