#!/usr/bin/env bash
# The peer baseline: simulated chip time stock OpenOCD 0.12 takes to program and verify a 64 KB image into the
# simulated parts it reaches (the JTAG ones: stm32f103c8, stm32f411ce, stm32l476rg, stm32f303cc, stm32g431rb,
# stm32g474re, stm32f746zg, stm32f767zi, stm32l152re, stm32h743zi) over remote_bitbang at TCK 4 MHz, next to the datasheet limit
# for that image (tPROG of every unit plus the shortest erase; for the stm32f103c8 32768 halfwords x 52.5 us + one
# 30 ms mass erase). bench_flash prints airswd's figures for the same.
#
# The chip time of `program` is the difference between two sessions on the same simulator: one that only attaches
# and halts, one that also programs and verifies. Each session counts its TCK cycles and the pauses OpenOCD makes
# on purpose (its 1 ms polls of a busy flash), not the host's own latency.
#
# Usage: bench_openocd.sh STM32SIM
set -u
STM32SIM=$1
source "$(dirname "$0")/../tests/interop/sim_server.sh"
command -v openocd >/dev/null || { echo "bench_openocd: openocd is not installed (scripts/install-deps.sh)"; exit 1; }

work=$(mktemp -d)
trap 'stop_stm32sim; rm -rf "$work"' EXIT
head -c 65536 /dev/urandom >"$work/image.bin"

run_openocd() {
  openocd -d0 -c "adapter driver remote_bitbang; remote_bitbang host 127.0.0.1; remote_bitbang port $SIM_PORT" \
    -c "transport select jtag" -f "target/$cfg.cfg" -c "init" -c "reset halt" "$@" -c "shutdown" \
    >>"$work/openocd.log" 2>&1
}
session_seconds() { # the simulated seconds of session N, from stm32sim's session lines
  sed -n "s/^stm32sim: session $1 simulated \([0-9.]*\) s.*/\1/p" "$work/stm32sim.out"
}
wait_session() {
  for _ in $(seq 1 100); do [[ -n "$(session_seconds "$1")" ]] && return 0; sleep 0.05; done
  return 1
}

# part, OpenOCD target config, datasheet limit for 64 KB from the start of flash (seconds)
for spec in "stm32f103c8 stm32f1x 32768*0.0000525+0.030" "stm32f411ce stm32f4x 16384*0.000016+4*0.250" \
            "stm32l476rg stm32l4x 8192*0.00008169+32*0.02202" "stm32f303cc stm32f3x 32768*0.0000535+32*0.030" \
            "stm32g431rb stm32g4x 8192*0.00008169+32*0.02202" "stm32g474re stm32g4x 8192*0.00008169+32*0.02202" \
            "stm32f746zg stm32f7x 16384*0.000016+2*0.250" "stm32f767zi stm32f7x 16384*0.000016+2*0.250" \
            "stm32l152re stm32l1 512*0.00328+256*0.00328" "stm32h743zi stm32h7x 2048*0.0001+1"; do
  read -r part cfg limit_expression <<<"$spec"
  start_stm32sim "$work" --part "$part" --jtag-rbb 127.0.0.1:0 --tck-hz 4000000 || exit 1
  started=$(date +%s.%N)
  run_openocd || { echo "bench_openocd: openocd could not attach to $part"; tail "$work/openocd.log"; exit 1; }
  wait_session 1 || exit 1
  run_openocd -c "program $work/image.bin 0x08000000 verify" || {
    echo "bench_openocd: openocd failed to program $part"; tail "$work/openocd.log"; exit 1; }
  wait_session 2 || exit 1
  host_seconds=$(echo "$(date +%s.%N) - $started" | bc)
  stop_stm32sim

  attach=$(session_seconds 1)
  total=$(session_seconds 2)
  limit=$(echo "$limit_expression" | bc -l)
  program=$(echo "$total - $attach" | bc -l)
  printf '%-58s %7.3f s chip time   limit %.3f s   ratio %.2f   (attach alone %.3f s; %.1f s on this host)\n' \
    "OpenOCD 0.12 program+verify 64 KB, $part, JTAG 4 MHz" "$program" "$limit" \
    "$(echo "$program / $limit" | bc -l)" "$attach" "$host_seconds"
done
