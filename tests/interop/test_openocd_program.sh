#!/usr/bin/env bash
# Stock OpenOCD 0.12 programs the example firmware into a simulated part over remote_bitbang (JTAG), with its own
# flash driver and RAM loader (`program ... verify reset`), and reads the flash back. After the reset the
# simulator's USART must print the firmware's hello line and its LED must toggle. With a QEMU machine given, the
# image read back from the simulator must run in QEMU and print the same line. With OPENOCD_DEBUG_WORD set to
# "TARGET ADDRESS BITS", the word OpenOCD reads at ADDRESS through its target TARGET (another access port than the
# core's) must have BITS set: what the target configuration's own handlers wrote there (the H7's DBGMCU_CR through
# AP2).
#
# Usage: test_openocd_program.sh STM32SIM PART OPENOCD_TARGET_CFG FIRMWARE.elf LED [QEMU_MACHINE]
set -u
STM32SIM=$1 part=$2 target_cfg=$3 firmware=$4 led=$5 qemu_machine=${6:-}
debug_word=()
if [[ -n "${OPENOCD_DEBUG_WORD:-}" ]]; then
  read -r word_target word_address word_bits <<<"$OPENOCD_DEBUG_WORD"
  debug_word=(-c "$word_target mdw $word_address")
fi
source "$(dirname "$0")/sim_server.sh"
source "$(dirname "$0")/../common/skip.sh"

command -v openocd >/dev/null || skip_test "openocd is not installed (Debian package openocd; scripts/install-deps.sh)"
[[ -z "$qemu_machine" ]] || command -v qemu-system-arm >/dev/null ||
  skip_test "qemu-system-arm is not installed (Debian package qemu-system-arm; scripts/install-deps.sh)"
[[ -f "$firmware" ]] || { echo "FAIL: firmware $firmware was not built"; exit 1; }

work=$(mktemp -d)
trap 'stop_stm32sim; rm -rf "$work"' EXIT
failures=0
check() { if "${@:2}"; then echo "ok    $1"; else echo "FAIL  $1"; failures=$((failures + 1)); fi; }

start_stm32sim "$work" --part "$part" --jtag-rbb 127.0.0.1:0 --uart-log "$work/uart.log" \
  --event-log "$work/events.log" || exit 1
echo "$SIM_READY"

timeout 300 openocd -d1 -l "$work/openocd.log" \
  -c "adapter driver remote_bitbang; remote_bitbang host 127.0.0.1; remote_bitbang port $SIM_PORT" \
  -c "transport select jtag" -f "$target_cfg" \
  -c "init" -c "program $firmware verify reset" \
  -c "dump_image $work/readback.bin 0x08000000 0x10000" "${debug_word[@]}" -c "shutdown"
status=$?
check "openocd programmed and verified $(basename "$firmware") on $part (exit $status)" test $status -eq 0
if ((status != 0)); then
  tail -n 40 "$work/openocd.log"
fi
grep -E "Verified OK|wrote [0-9]+ bytes" "$work/openocd.log" | sed 's/^/      openocd: /'

if ((${#debug_word[@]})); then
  word=$(grep -i -m1 -o "^$word_address: [0-9a-f]*" "$work/openocd.log" | cut -d' ' -f2)
  check "$word_target read $word_address = 0x${word:-?}, with $word_bits set" \
    test -n "$word" -a $((0x${word:-0} & word_bits)) -eq $((word_bits))
fi

hello=$(strings "$firmware" | grep -m1 -o 'hello from airswd example firmware[^\\]*' | tr -d '\r\n')
check "the firmware has a hello line to look for" test -n "$hello"
check "the simulated USART printed: $hello" wait_for_line "$work/uart.log" "$hello" 20
for _ in $(seq 1 100); do
  (($(grep -c "gpio $led " "$work/events.log" 2>/dev/null || echo 0) >= 4)) && break
  sleep 0.1
done
toggles=$(grep -c "gpio $led " "$work/events.log" 2>/dev/null || echo 0)
check "the LED on $led toggled ($toggles changes)" test "$toggles" -ge 4
grep -m3 "gpio $led " "$work/events.log" | sed 's/^/      /'

if [[ -n "$qemu_machine" ]]; then
  timeout 10 qemu-system-arm -M "$qemu_machine" -nographic -monitor none -serial stdio \
    -kernel "$work/readback.bin" >"$work/qemu.out" 2>&1 &
  qemu_pid=$!
  wait_for_line "$work/qemu.out" "$hello" 8
  found=$?
  kill "$qemu_pid" 2>/dev/null
  wait "$qemu_pid" 2>/dev/null
  check "QEMU ($qemu_machine) runs the image read back from the simulator" test $found -eq 0
fi

grep -E "^stm32sim: (session|summary)" "$work/stm32sim.out" | sed 's/^/      /'
echo "$failures failure(s)"
exit $((failures > 0))
