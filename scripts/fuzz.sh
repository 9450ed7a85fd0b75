#!/usr/bin/env bash
# Builds the libFuzzer harnesses (cmake --preset fuzz: clang, address and undefined-behaviour
# sanitizers) and runs each for SECONDS (default 60) from its seed corpus: the scenarios and
# validation runs, the calibrations, the probe runs, and fuzz/corpus. A crash, leak or
# sanitizer report stops the script with the input saved under build/fuzz/findings/.
# CI runs it briefly (README's test command); `scripts/fuzz.sh 600` is a long run.
set -euo pipefail
seconds="${1:-60}"
cd "$(dirname "$0")/.."
cmake --preset fuzz > /dev/null
cmake --build --preset fuzz
mkdir -p build/fuzz/findings

declare -A seeds=(
  [scenario]="scenarios validation/runs"
  [calibration]="hardware/calibration"
  [probe]="hardware/probe/runs"
  [unit_parser]="fuzz/corpus/unit_parser"
)
for name in scenario calibration probe unit_parser; do
  corpus="build/fuzz/corpus/$name"
  mkdir -p "$corpus"
  dict=()
  [[ "$name" != unit_parser ]] && dict=(-dict=fuzz/json.dict)
  # shellcheck disable=SC2086  # the seed folders are a list
  "build/fuzz/fuzz/fuzz_$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    "${dict[@]}" -artifact_prefix="build/fuzz/findings/$name-" "$corpus" ${seeds[$name]} fuzz/regressions/$name \
    2> "build/fuzz/$name.log" || { tail -n 40 "build/fuzz/$name.log"; exit 1; }
  echo "fuzz_$name: $(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "build/fuzz/$name.log")"
done
