#!/usr/bin/env bash
# stm32flash 0.7, through a pty, talks to the simulated ROM bootloader (AN3155): it reads the device ID, writes the
# example firmware, verifies it, and reads it back; the read-back must equal the image.
#
# Usage: test_stm32flash.sh STM32SIM PART FIRMWARE.bin PID
set -u
STM32SIM=$1 part=$2 firmware=$3 pid=$4
source "$(dirname "$0")/sim_server.sh"
source "$(dirname "$0")/../common/skip.sh"

command -v stm32flash >/dev/null ||
  skip_test "stm32flash is not installed (Debian package stm32flash; scripts/install-deps.sh)"
[[ -f "$firmware" ]] || { echo "FAIL: firmware $firmware was not built"; exit 1; }

work=$(mktemp -d)
trap 'stop_stm32sim; rm -rf "$work"' EXIT
failures=0
check() { if "${@:2}"; then echo "ok    $1"; else echo "FAIL  $1"; failures=$((failures + 1)); fi; }

start_stm32sim "$work" --part "$part" --boot0 --uart-pty "$work/uart" --event-log "$work/events.log" || exit 1
echo "$SIM_READY"

# A pty has no parity bit: -m 8n1 (the real link is 8E1).
timeout 60 stm32flash -m 8n1 -b 115200 "$work/uart" >"$work/id.out" 2>&1
status=$?
sed 's/^/      /' "$work/id.out" | grep -E "Version|Device ID|Flash|Option|Interface" || true
check "stm32flash reads the device (exit $status)" test $status -eq 0
check "it reports device ID $pid" grep -qi "Device ID *: *$pid" "$work/id.out"

timeout 120 stm32flash -m 8n1 -b 115200 -w "$firmware" -v "$work/uart" >"$work/write.out" 2>&1
status=$?
check "stm32flash writes and verifies $(basename "$firmware") (exit $status)" test $status -eq 0
((status == 0)) || tail -n 15 "$work/write.out"

size=$(stat -c %s "$firmware")
timeout 120 stm32flash -m 8n1 -b 115200 -r "$work/readback.bin" -S "0x08000000:$size" "$work/uart" \
  >"$work/read.out" 2>&1
status=$?
check "stm32flash reads $size bytes back (exit $status)" test $status -eq 0
check "the read-back equals the image" cmp -s "$firmware" "$work/readback.bin"

echo "$failures failure(s)"
exit $((failures > 0))
