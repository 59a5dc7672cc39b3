#!/usr/bin/env bash
# make demo (scripts/demo.sh) gives the same result however often it runs: twice in a row, and again after runs
# interrupted as Ctrl-C would (SIGINT to the demo's process group) at several points. Each run must end with exit 0
# and the STM32's greeting, and no daemon may outlive an interrupted run.
# Usage: test_demo.sh SOURCE_DIR BUILD_DIR
set -u
source_dir=$1 build=$2
source "$(dirname "$0")/../common/skip.sh"
[[ -f "$build/examples/firmware/f1/hello_f1.elf" ]] ||
  skip_test "example firmware not built (arm-none-eabi-gcc missing)"
work=$(mktemp -d)
demo_pid=
cleanup() {
  [[ -n "$demo_pid" ]] && kill -KILL -- -"$demo_pid" 2>/dev/null
  pkill -KILL -f -- "--state-dir $work/" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
failures=0
check() { if "${@:2}"; then echo "ok    $1"; else echo "FAIL  $1"; failures=$((failures + 1)); fi; }
greeting="hello from airswd example firmware (STM32F1)"

# demo NAME: one whole run, output in $work/NAME.out; its exit status.
demo() { "$source_dir/scripts/demo.sh" "$build" "$work/run" "$work/chip.state" >"$work/$1.out" 2>&1; }
daemons_left() { pgrep -f -- "--state-dir $work/" >/dev/null; }
no_daemon_left() { ! daemons_left; }

demo first
check "the first run succeeds" test $? -eq 0
check "and the STM32 greets after the flash" grep -q -F "$greeting" "$work/first.out"
demo second
status=$?
check "a second run in the same place succeeds too" test $status -eq 0
check "and the STM32 greets again" grep -q -F "$greeting" "$work/second.out"
((status == 0)) || sed 's/^/      /' "$work/second.out"

# Interrupted (as Ctrl-C would: SIGINT to the demo's process group) while the daemon starts, and as each step
# begins: key generation, setup, signing, the flash. The next run must not care.
for step in "" "keygen" "--device .* setup" "sign" "--device .* flash"; do
  # exec: the background job's PID is the demo's, and after setsid its process group's. SIGINT back at its default
  # (a background job of a script starts with it ignored). "While the daemon starts" is once the demo has launched
  # airswdd (its output file exists), so that the signal never lands in the wrapper before the demo runs.
  rm -rf "$work/run"
  (exec python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.setsid(); os.execv(sys.argv[1], sys.argv[1:])' \
    "$source_dir/scripts/demo.sh" "$build" "$work/run" "$work/chip.state" >"$work/cut.out" 2>&1) &
  demo_pid=$!
  if [[ -z $step ]]; then reached() { [[ -e "$work/run/daemon.out" ]]; }
  else reached() { grep -q -e "^\$ airswd $step" "$work/cut.out"; }; fi
  for _ in $(seq 1 100); do
    [[ $(ps -o pgid= -p "$demo_pid" 2>/dev/null | tr -d ' ') == "$demo_pid" ]] && reached && break
    sleep 0.05
  done
  kill -INT -- -"$demo_pid" 2>/dev/null
  wait "$demo_pid"
  status=$?
  demo_pid=
  for _ in $(seq 1 50); do daemons_left || break; sleep 0.1; done
  where="interrupted while the daemon starts"
  [[ -n $step ]] && where="interrupted at \"airswd $step\""
  check "$where: the demo stopped (exit $status)" test $status -ne 0
  check "$where: no daemon is left running" no_daemon_left
  demo "after-cut"
  status=$?
  check "$where: the next run succeeds and the STM32 greets" grep -q -F "$greeting" "$work/after-cut.out"
  ((status == 0)) || { echo "      exit $status"; sed 's/^/      /' "$work/after-cut.out"; }
done
exit $((failures > 0))
