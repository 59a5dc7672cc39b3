#!/usr/bin/env bash
# Runs runner_check.c built against Debian's cmocka (HOST_PROGRAM) and against tests/lx106/cmocka under QEMU
# (LX106_PROGRAM, through tests/lx106/run.sh) and requires the same stdout and the same stderr from both, once the
# addresses of blocks and the source file's directory are taken out, and on lx106 the exit status 16: the number
# of tests of runner_check.c that fail (cmocka itself exits with 255 there, after its leak check of the group).
# Exit status 77 (skipped) when run.sh cannot run the lx106 program.
#
# Usage: check_runner.sh HOST_PROGRAM LX106_PROGRAM
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
host=${1:?usage: check_runner.sh HOST_PROGRAM LX106_PROGRAM}
lx106=${2:?usage: check_runner.sh HOST_PROGRAM LX106_PROGRAM}
expected_failures=16
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$here/../run.sh" "$lx106" >"$work/lx106.out" 2>"$work/lx106.err"
status=$?
# run.sh's own verdict when it cannot run the program (skipped, or failed under CI).
if grep -q -e '^SKIPPED: ' -e '^FAILED: ' "$work/lx106.out"; then
  cat "$work/lx106.out"
  exit "$status"
fi
"$host" >"$work/host.out" 2>"$work/host.err"

normalize() {
  sed -e 's#[^ ]*/runner_check\.c#runner_check.c#g' \
      -e '/Guard block\|allocated here\|bytes of/ s/0x[0-9a-f]*/ADDRESS/g' "$1"
}
result=0
for stream in out err; do
  if ! diff -u --label "cmocka (host): std$stream" --label "tests/lx106/cmocka (lx106): std$stream" \
      <(normalize "$work/host.$stream") <(normalize "$work/lx106.$stream"); then
    result=1
  fi
done
if [[ $status != "$expected_failures" ]]; then
  echo "FAILED: the lx106 runner exited with $status, expected $expected_failures (the failing tests)"
  result=1
fi
((result == 0)) && echo "the lx106 runner printed what cmocka prints, on the same streams, and exited with $status"
exit $result
