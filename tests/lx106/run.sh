#!/usr/bin/env bash
# Runs a test program for the ESP8266's CPU under qemu-system-xtensa -M sim -cpu lx106, with the program's
# arguments and, as its environment, AIRSWD_SOURCE_DIR and AIRSWD_BINARY_DIR (what the host's tests get from
# ctest) and LX106_STACK_REPORT when it is set here (the program then prints its stack's high-water mark). The exit status is the program's: the number of failed tests, or 128 + EXCCAUSE when the CPU took an
# exception (137 for an unaligned load or store).
#
# When QEMU, the cross compiler or the SDK bundle is missing, it prints why and exits 77 (ctest: skipped); with the
# environment variable CI set, it fails instead (exit 1), so that CI cannot pass without running these tests.
#
# Usage: run.sh [--env NAME=VALUE]... [--expect-status N] [--expect-stderr TEXT] PROGRAM.elf [ARGUMENT...]
#   --env NAME=VALUE      one more variable in the program's environment
#   --expect-status N     succeed only when the program exits with N (and TEXT, if given, is on its stderr)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
expect_status=
expect_stderr=
extra_environment=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --env) extra_environment+=("$2"); shift 2 ;;
    --expect-status) expect_status=$2; shift 2 ;;
    --expect-stderr) expect_stderr=$2; shift 2 ;;
    *) break ;;
  esac
done
program=${1:?usage: run.sh [--env NAME=VALUE]... [--expect-status N] [--expect-stderr TEXT] PROGRAM.elf [ARGUMENT...]}
shift

source "$root/tests/common/skip.sh"
cannot_run() { skip_test "$@"; }

out=$(dirname "$program")
if [[ -f "$out/UNAVAILABLE" ]]; then
  cannot_run "the lx106 programs were not built: $(cat "$out/UNAVAILABLE")"
fi
command -v qemu-system-xtensa >/dev/null ||
  cannot_run "qemu-system-xtensa is not installed (package qemu-system-misc; scripts/install-deps.sh)"
[[ -f "$program" ]] || cannot_run "$program was not built (tests/lx106/build.sh builds it)"

# QEMU's -semihosting-config takes a comma-separated list: a comma inside a value is written twice.
arguments="arg=$(basename "$program" .elf)"
environment=("AIRSWD_SOURCE_DIR=$root" "AIRSWD_BINARY_DIR=${AIRSWD_BINARY_DIR:-$root/build}")
[[ -n "${LX106_STACK_REPORT:-}" ]] && environment+=(LX106_STACK_REPORT=1)
environment+=("${extra_environment[@]}")
for argument in "$@" -- "${environment[@]}"; do
  arguments+=",arg=${argument//,/,,}"
done
# The loader device starts the CPU at the program's entry point (otherwise it starts where nothing is loaded).
readelf=$(command -v xtensa-lx106-elf-readelf || command -v readelf) ||
  cannot_run "no readelf to find the program's entry point (package binutils-xtensa-lx106)"
entry=$(LC_ALL=C "$readelf" -h "$program" | awk '/Entry point address/ {print $4}')

run() {
  qemu-system-xtensa -M sim -cpu lx106 -nographic -monitor none -semihosting \
    -semihosting-config "enable=on,$arguments" -kernel "$program" -device "loader,addr=$entry,cpu-num=0"
}

if [[ -z "$expect_status" ]]; then
  run
  exit
fi
stderr=$(mktemp)
trap 'rm -f "$stderr"' EXIT
status=0
run 2> >(tee "$stderr" >&2) || status=$?
wait
if [[ "$status" != "$expect_status" ]]; then
  echo "FAILED: exit status $status, expected $expect_status"
  exit 1
fi
if [[ -n "$expect_stderr" ]] && ! grep -q -F -- "$expect_stderr" "$stderr"; then
  echo "FAILED: stderr does not say: $expect_stderr"
  exit 1
fi
echo "as expected: exit status $status${expect_stderr:+, and stderr says: $expect_stderr}"
