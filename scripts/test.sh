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

total_pass=0
total_fail=0
run_ctest() { # dir label
  local dir=$1 label=$2 log line n failed
  log="$dir/ctest.log"
  if (cd "$dir" && ctest --output-on-failure -j"$JOBS" 2>&1 | tee ctest.log); then
    summary+=("$label: $(grep -E 'tests passed' "$log" | tail -1)")
  else
    status=1
    summary+=("$label: FAILED: $(grep -E 'tests passed|tests failed' "$log" | tail -1)")
  fi
  line=$(grep -E 'tests failed out of' "$log" | tail -1)
  n=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")
  failed=$(sed -E 's/.*, ([0-9]+) tests failed.*/\1/' <<<"$line")
  if [[ "$n" =~ ^[0-9]+$ && "$failed" =~ ^[0-9]+$ ]]; then
    total_pass=$((total_pass + n - failed))
    total_fail=$((total_fail + failed))
  else
    total_fail=$((total_fail + 1))
  fi
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
skips=$(grep -h '\[SKIP\]' build/Testing/Temporary/LastTest.log build-asan/Testing/Temporary/LastTest.log 2>/dev/null | sed 's/^.*\[SKIP\]/  skipped:/' | sort -u || true)
if [ -n "$skips" ]; then
  echo "tests skipped (with their reasons):"
  echo "$skips"
fi
[ "$status" -eq 0 ] || total_fail=$((total_fail > 0 ? total_fail : 1))
echo "ctest: $total_pass passed, $total_fail failed"
exit $status
