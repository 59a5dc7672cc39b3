#!/usr/bin/env bash
# airswd and stm32flash (the peer, which no one here wrote) write and verify the same random 64 KB image through
# the ROM bootloader of the same simulated parts at 115200 baud 8E1, each timed in simulated chip time: airswd's
# job reports its own; stm32flash talks to stm32sim over a pty with --uart-baud, where every byte costs its frame
# on the line and no wall time counts. (stm32flash runs 8N1 on the pty, which has no parity bit; the chip time is
# counted for 8E1 on both sides.) stm32sim boots its ROM at power-on, so stm32flash's session starts with its first
# byte, while airswd's job also drives BOOT0 and NRST and waits the ROM's start-up time (AN2606: up to 85 ms on an
# F4) before it: both figures are printed, the ratio on the common basis, from the first byte on the line.
# Usage: bench_uart_stm32flash.sh BUILD_DIR
set -u
build=$1
airswd=$build/tools/airswd STM32SIM=$build/tools/stm32sim
source "$(dirname "$0")/../tests/interop/sim_server.sh"
if ! command -v stm32flash >/dev/null; then
  echo "uart vs stm32flash: skipped (stm32flash is not installed; scripts/install-deps.sh)"
  exit 0
fi
work=$(mktemp -d)
trap 'stop_stm32sim; rm -rf "$work"' EXIT
head -c 65536 /dev/urandom >"$work/image.bin"
# src/uartboot/uartboot.c: NRST_PULSE_US + ROM_STARTUP_US, spent before the first byte.
entry_us=102000

for part in stm32f103c8 stm32f411ce stm32g071rb; do
  "$airswd" --target "sim:$part,uart" --json flash --no-reset "$work/image.bin" >"$work/airswd.json" 2>&1 ||
    { echo "uart vs stm32flash: airswd failed on $part"; cat "$work/airswd.json"; exit 1; }
  ours=$(sed -n 's/.*"total_us":\([0-9]*\).*/\1/p' "$work/airswd.json")
  start_stm32sim "$work" --part "$part" --boot0 --uart-pty "$work/pty" --uart-baud 115200 || exit 1
  timeout 300 stm32flash -m 8n1 -b 115200 -w "$work/image.bin" -v "$work/pty" >"$work/stm32flash.out" 2>&1 ||
    { echo "uart vs stm32flash: stm32flash failed on $part"; tail -5 "$work/stm32flash.out"; exit 1; }
  stop_stm32sim
  theirs=$(sed -n 's/^stm32sim: uart session \([0-9.]*\) s.*/\1/p' "$work/stm32sim.out")
  awk -v part="$part" -v ours="$ours" -v entry="$entry_us" -v theirs="$theirs" 'BEGIN {
    line = (ours - entry) / 1e6
    printf "uart %-12s 64 KB write + verify at 115200 baud 8E1: airswd %.3f s chip time (%.3f s from its first " \
           "byte), stm32flash %.3f s from its first byte, ratio %.3f (airswd / stm32flash, goal < 1)\n",
           part, ours / 1e6, line, theirs, line / theirs }'
done
