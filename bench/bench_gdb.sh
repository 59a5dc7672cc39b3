#!/usr/bin/env bash
# gdb's `load` through airswdd's GDB server against `airswd flash` of the same 64 KB ELF, on the simulated
# stm32f103c8 at the same SWCLK: simulated chip time of each. gdb's figure is the engine's own (`monitor stats`:
# from the first vFlash packet to the end of vFlashDone: erase, program, and the CRC verify); airswd's is the job's
# erase, program and verify phases (docs/gdb.md has the goal: at most 1.10x). Both through the same daemon.
#
# Usage: bench_gdb.sh AIRSWD AIRSWDD
set -u
airswd=$1 airswdd=$2
tools=$(cd "$(dirname "$0")/../tests/tools" && pwd)
source "$tools/../gdb/gdb_daemon.sh"
for tool in gdb-multiarch arm-none-eabi-gcc curl; do
  command -v "$tool" >/dev/null || { echo "bench_gdb: $tool is not installed (scripts/install-deps.sh)"; exit 1; }
done

# 64 KB of random bytes as the one loadable section of an executable ELF at the start of flash.
head -c 65536 /dev/urandom >"$work/image.bin"
printf '.section .text\n.incbin "%s"\n' "$work/image.bin" >"$work/image.S"
arm-none-eabi-gcc -mcpu=cortex-m3 -mthumb -nostdlib -Wl,-Ttext=0x08000000 -Wl,-e,0x08000000 "$work/image.S" \
  -o "$work/image.elf" || { echo "bench_gdb: cannot build the 64 KB ELF"; exit 1; }

start_gdb_daemon stm32f103c8 || { echo "bench_gdb: airswdd did not open its GDB port"; exit 1; }
export AIRSWD_PASSPHRASE=$passphrase
"$airswd" --device "$url" flash "$work/image.elf" >"$work/flash.out" 2>&1 ||
  { echo "bench_gdb: airswd flash failed"; cat "$work/flash.out"; exit 1; }
phase_ms() { sed -n "s/^$1 *\([0-9.]*\) ms.*/\1/p" "$work/flash.out" | head -1; }
flash_ms=$(echo "$(phase_ms erase) + $(phase_ms program) + $(phase_ms verify)" | bc -l)
total_ms=$(sed -n 's/^total *\([0-9.]*\) ms chip time.*/\1/p' "$work/flash.out")

run_gdb "$work/gdb.out" "$work/image.elf" "monitor swdp_scan" "attach 1" "load" "monitor stats" "compare-sections" \
  "detach" || { echo "bench_gdb: gdb load failed"; cat "$work/gdb.out"; exit 1; }
grep -q "matched" "$work/gdb.out" && ! grep -q "MIS-MATCHED" "$work/gdb.out" ||
  { echo "bench_gdb: the flash does not hold the image after gdb's load"; exit 1; }
load_us=$(sed -n 's/^last load: .*, \([0-9]*\) us of target time$/\1/p' "$work/gdb.out")
load_ms=$(echo "$load_us / 1000" | bc -l)
stop_daemon

printf '%-58s %9.1f ms chip time   reference %.1f ms (airswd flash, erase+program+verify)   ratio %.2f\n' \
  "gdb load 64 KB ELF, stm32f103c8, airswdd GDB server" "$load_ms" "$flash_ms" "$(echo "$load_ms / $flash_ms" | bc -l)"
printf '%-58s %9.1f ms chip time   (its whole job: %.1f ms)\n' "airswd flash 64 KB ELF, stm32f103c8, verified" \
  "$flash_ms" "$total_ms"
grep -q ", 1 runs verified," "$work/gdb.out" || { echo "bench_gdb: gdb's load was not verified"; exit 1; }
