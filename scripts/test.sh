#!/usr/bin/env bash
# The whole test suite: installs what is missing, then builds and tests three ways:
#   build/       release build, all Criterion tests, golden tests, interop tests
#   build-asan/  the same tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   build-fuzz/  every libFuzzer target, run for a bounded time under the sanitizers
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

JOBS=$(nproc)
status=0
summary=()

run_ctest() { # dir label
  local dir=$1 label=$2 log
  log="$dir/ctest.log"
  if (cd "$dir" && ctest --output-on-failure -j"$JOBS" 2>&1 | tee ctest.log); then
    summary+=("$label: $(grep -E 'tests passed' "$log" | tail -1)")
  else
    status=1
    summary+=("$label: FAILED: $(grep -E 'tests passed|tests failed' "$log" | tail -1)")
  fi
  local skips
  skips=$(grep -hoE 'SKIP[^:]*: .*' "$dir"/Testing/Temporary/LastTest.log 2>/dev/null | sort -u | head -20 || true)
  [ -n "$skips" ] && summary+=("$label skipped: $skips")
  return 0
}

echo "=== release build"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$JOBS"
run_ctest build release

echo "=== AddressSanitizer + UndefinedBehaviorSanitizer build"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DPPTP_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$JOBS"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_ctest build-asan asan+ubsan

echo "=== libFuzzer targets (clang)"
cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DPPTP_FUZZ=ON -DCMAKE_C_COMPILER=clang >/dev/null
cmake --build build-fuzz -j"$JOBS"
run_ctest build-fuzz fuzz

echo "=== summary"
printf '%s\n' "${summary[@]}"
exit $status
