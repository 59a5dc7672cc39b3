#!/usr/bin/env bash
# The airswd command line end to end: `probe` on the simulated Blue Pill, on a missing target, on a bad address,
# with a trace, and with wrong arguments. Checks exit codes and the words a user reads.
# Usage: test_airswd_probe.sh PATH/TO/airswd
set -u
airswd=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

check() { # check DESCRIPTION CONDITION...
  local description=$1
  shift
  if "$@"; then
    echo "ok    $description"
  else
    echo "FAIL  $description"
    failures=$((failures + 1))
  fi
}
contains() { grep -q -F -- "$2" "$1"; }

"$airswd" --target sim probe >"$work/out" 2>"$work/err"
check "probe on the simulator succeeds" test $? -eq 0
check "it prints the DPIDR" contains "$work/out" "DPIDR       0x1BA01477  designer ARM, DPv1"
check "it prints the AP IDR" contains "$work/out" "AP0 IDR     0x24770011  AHB3 MEM-AP"
check "it reads DBGMCU_IDCODE" contains "$work/out" "0xE0042000  0x20036410  DBGMCU_IDCODE: DEV_ID 0x410"

"$airswd" --target sim probe 0x1FFFF7E0 1 >"$work/out" 2>"$work/err"
check "probe reads a chosen address (flash size register: 64 KB)" contains "$work/out" "0x1FFFF7E0  0x00000040"

start=$(date +%s%N)
"$airswd" --target unwired probe >"$work/out" 2>"$work/err"
status=$?
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
check "a missing target fails with exit status 1" test $status -eq 1
check "within 1 s (took ${elapsed_ms} ms)" test $elapsed_ms -lt 1000
check "naming the likely cause" contains "$work/err" "check SWDIO/SWCLK wiring, common ground and target power"

"$airswd" --target sim probe 0x30000000 >"$work/out" 2>"$work/err"
check "an unmapped address fails with exit status 1" test $? -eq 1
check "with the address and the reason" contains "$work/err" "reading 0x30000000 (32-bit), 5 attempts: memory access failed on the target's bus"

"$airswd" --target sim --trace "$work/wire.vcd" probe >/dev/null 2>&1
check "--trace writes a VCD" contains "$work/wire.vcd" '$var wire 1 d swdio $end'

"$airswd" --target sim:stm32xyz probe >"$work/out" 2>"$work/err"
check "an unknown part is refused with exit status 2" test $? -eq 2
check "listing the parts there are" contains "$work/err" "simulated parts: stm32f030r8 stm32f072rb stm32f103c8 stm32f103re stm32f103zg stm32f303cc stm32f401cc stm32f410r8 stm32f411ce stm32f413zh stm32f746zg stm32f767zi stm32l476rg stm32g071rb stm32g431rb stm32g474re stm32h743zi"

"$airswd" --target sim probe 0x20000001 >"$work/out" 2>"$work/err"
check "an unaligned address is a usage error" test $? -eq 2

"$airswd" --swclk 0 probe >"$work/out" 2>"$work/err"
check "--swclk 0 is refused" test $? -eq 2

"$airswd" frobnicate >"$work/out" 2>"$work/err"
check "an unknown command is refused" test $? -eq 2

echo "$failures failure(s)"
exit $((failures > 0))
