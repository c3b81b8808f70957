#!/usr/bin/env bash
# The whole test suite: install what is missing, then build and run ctest
# three ways -- a normal build with warnings as errors, a build with
# AddressSanitizer + UndefinedBehaviorSanitizer, and a short libFuzzer run
# of pnec. Prints ctest's summary of each; fails if any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh test
jobs=$(nproc)

echo "== build (warnings as errors) and test"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPNE_WERROR=ON -DPNE_BUILD_TESTS=ON >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs")

echo "== ASan + UBSan build and test"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DPNE_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j"$jobs")

echo "== libFuzzer (short run)"
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DPNE_FUZZ=ON >/dev/null
cmake --build build-fuzz -j"$jobs"
(cd build-fuzz && ctest --output-on-failure -R '^fuzz/')
