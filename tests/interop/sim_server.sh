# sim_server.sh - sourced by the interop tests: start stm32sim in the background on a loopback port it chooses,
# wait until it is ready, and stop it by the PID this script started.
#
# start_stm32sim WORKDIR ARGS...   sets SIM_PID, SIM_PORT (remote_bitbang port, if --jtag-rbb was given) and
#                                  SIM_READY (the ready line); the log is WORKDIR/stm32sim.out
# stop_stm32sim                    stops it (SIGTERM, then SIGKILL after 5 s) and waits for it

start_stm32sim() {
  local workdir=$1
  shift
  "$STM32SIM" "$@" >"$workdir/stm32sim.out" 2>&1 &
  SIM_PID=$!
  SIM_READY=""
  for _ in $(seq 1 100); do
    SIM_READY=$(grep -m1 '^stm32sim: ready' "$workdir/stm32sim.out" || true)
    [[ -n "$SIM_READY" ]] && break
    if ! kill -0 "$SIM_PID" 2>/dev/null; then
      echo "stm32sim exited early:"
      cat "$workdir/stm32sim.out"
      return 1
    fi
    sleep 0.05
  done
  [[ -n "$SIM_READY" ]] || { echo "stm32sim never became ready"; cat "$workdir/stm32sim.out"; return 1; }
  SIM_PORT=$(sed -n 's/.*remote_bitbang 127\.0\.0\.1:\([0-9]*\).*/\1/p' <<<"$SIM_READY")
}

stop_stm32sim() {
  [[ -n "${SIM_PID:-}" ]] || return 0
  kill "$SIM_PID" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$SIM_PID" 2>/dev/null || break
    sleep 0.05
  done
  kill -9 "$SIM_PID" 2>/dev/null || true
  wait "$SIM_PID" 2>/dev/null || true
  SIM_PID=""
}

# wait_for_line FILE TEXT SECONDS: true when TEXT appears in FILE within SECONDS.
wait_for_line() {
  local file=$1 text=$2 seconds=$3
  for _ in $(seq 1 $((seconds * 20))); do
    grep -q -F -- "$text" "$file" 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}
