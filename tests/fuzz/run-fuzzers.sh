#!/usr/bin/env bash
# Runs the libFuzzer targets of tests/fuzz.
#
#   run-fuzzers.sh BUILD_DIR SECONDS [TARGET...]
#       Fuzzes each target (default: all that were built) for SECONDS, starting from the committed corpus and from
#       what earlier runs found (kept in BUILD_DIR/fuzz/TARGET/corpus). A crash leaves its input in
#       BUILD_DIR/fuzz/TARGET/ and fails the run. New inputs worth committing: see README.md.
#   run-fuzzers.sh --check FUZZER CORPUS WORK_DIR [RUNS]
#       What ctest runs: the committed corpus, then a fixed number of mutations (RUNS, 30000 by default) from a fixed
#       seed, from an empty work directory, so that the test is the same on every run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

if [[ ${1:-} == --check ]]; then
  fuzzer=$2 corpus=$3 work=$4 runs=${5:-30000}
  rm -rf "$work"
  mkdir -p "$work/new"
  exec "$fuzzer" -seed=1 -runs="$runs" -max_total_time=100 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$work/" "$work/new" "$corpus"
fi

build=${1:?usage: run-fuzzers.sh BUILD_DIR SECONDS [TARGET...]}
seconds=${2:?usage: run-fuzzers.sh BUILD_DIR SECONDS [TARGET...]}
shift 2
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  for corpus in "$here"/corpus/*/; do
    targets+=("$(basename "$corpus")")
  done
fi

status=0
for target in "${targets[@]}"; do
  fuzzer="$build/tests/fuzz/$target"
  if [[ ! -x $fuzzer ]]; then
    echo "run-fuzzers: $fuzzer was not built: is clang installed (scripts/install-deps.sh)?" >&2
    exit 1
  fi
  out="$build/fuzz/$target"
  mkdir -p "$out/corpus"
  dict=()
  [[ -f $here/$target.dict ]] && dict=(-dict="$here/$target.dict")
  echo "== $target: ${seconds}s"
  if ! "$fuzzer" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 "${dict[@]}" \
      -artifact_prefix="$out/" "$out/corpus" "$here/corpus/$target" 2> "$out/log"; then
    status=1
    echo "== $target FAILED: see $out/log and the crash input in $out/"
  fi
  grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE)' "$out/log" || true
  echo "   corpus: $(ls "$out/corpus" | wc -l) inputs found by fuzzing, $(ls "$here/corpus/$target" | wc -l) committed"
done
exit $status
