#!/usr/bin/env bash
# The peer baseline: simulated chip time stock OpenOCD 0.12 takes to program and verify a 64 KB image into the
# simulated STM32F103C8 over JTAG (remote_bitbang) at TCK 4 MHz, next to the datasheet limit for that image
# (32768 halfwords x tPROG 52.5 us, plus the shortest erase: one mass erase, 30 ms).
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

start_stm32sim "$work" --part stm32f103c8 --jtag-rbb 127.0.0.1:0 --tck-hz 4000000 || exit 1
run_openocd() {
  openocd -d0 -c "adapter driver remote_bitbang; remote_bitbang host 127.0.0.1; remote_bitbang port $SIM_PORT" \
    -c "transport select jtag" -f target/stm32f1x.cfg -c "init" -c "reset halt" "$@" -c "shutdown" \
    >>"$work/openocd.log" 2>&1
}
session_seconds() { # the simulated seconds of session N, from stm32sim's session lines
  sed -n "s/^stm32sim: session $1 simulated \([0-9.]*\) s.*/\1/p" "$work/stm32sim.out"
}
wait_session() {
  for _ in $(seq 1 100); do [[ -n "$(session_seconds "$1")" ]] && return 0; sleep 0.05; done
  return 1
}

started=$(date +%s.%N)
run_openocd || { echo "bench_openocd: openocd could not attach"; tail "$work/openocd.log"; exit 1; }
wait_session 1 || exit 1
run_openocd -c "program $work/image.bin 0x08000000 verify" || {
  echo "bench_openocd: openocd failed to program"; tail "$work/openocd.log"; exit 1; }
wait_session 2 || exit 1
host_seconds=$(echo "$(date +%s.%N) - $started" | bc)

attach=$(session_seconds 1)
total=$(session_seconds 2)
limit=$(echo "32768 * 0.0000525 + 0.030" | bc -l)
program=$(echo "$total - $attach" | bc -l)
printf '%-56s %8.3f s chip time (simulated)   limit %.3f s   ratio %.2f\n' \
  "OpenOCD 0.12 program+verify 64 KB, stm32f103c8, JTAG 4 MHz" "$program" "$limit" "$(echo "$program / $limit" | bc -l)"
printf '%-56s %8.3f s chip time (simulated)\n' "OpenOCD 0.12 attach and reset halt alone" "$attach"
printf '%-56s %8.1f s on this host\n' "both sessions" "$host_seconds"
