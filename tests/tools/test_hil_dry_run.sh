#!/usr/bin/env bash
# tests/hil/bench.sh's steps that need no board (device, speed), run against airswdd with a simulated Blue Pill, so
# that the bench procedure's script keeps working between the times a person runs it on a real board.
# Usage: test_hil_dry_run.sh PATH/TO/airswd PATH/TO/airswdd BUILD_DIR
set -u
airswd=$1 airswdd=$2 build=$3
source "$(dirname "$0")/daemon_test.sh"
"$airswd" keygen -o "$work/owner.pem" >/dev/null
start_daemon "sim:stm32f103c8,state=$work/chip.state"
check "airswdd starts" test -n "$port"
export AIRSWD_PASSPHRASE="a passphrase for the bench"
"$airswd" --device "$url" setup --code "$(cat "$work/setup-code")" --signing-key "$work/owner.pub.pem" >/dev/null
AIRSWD_BUILD=$build "$(dirname "$0")/../hil/bench.sh" --device "$url" --key "$work/owner.pem" --part stm32f103c8 \
  device speed >"$work/bench.out" 2>&1
status=$?
cat "$work/bench.out"
check "the bench script passes its board-free steps" test "$status" = 0
check "it flashed at every SWCLK setting" test "$(grep -c '^ok    64 KB flashed and verified' "$work/bench.out")" = 4
check "it skipped the heap line on a device without a board, saying so" grep -q "no heap line to read" "$work/bench.out"
check "airswdd stops" stop_daemon
echo "$failures failure(s)"
exit $((failures > 0))
