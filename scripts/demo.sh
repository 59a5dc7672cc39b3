#!/usr/bin/env bash
# make demo: a fresh daemon with a simulated Blue Pill, set up as its owner would (an admin passphrase and the
# owner's signing key), the example firmware signed and flashed into it through the REST API by `airswd --device`,
# and what the STM32 prints on its USART after the reset.
# Every run starts from nothing but the chip: RUN_DIR (the daemon's state, the owner's key, the signed image) is
# made afresh, so the demo gives the same result however often it runs and wherever an earlier run was interrupted.
# CHIP_STATE (the simulated Blue Pill's flash, shared with `make serve`) is kept: the chip boots what it last held.
# Usage: scripts/demo.sh BUILD_DIR [RUN_DIR [CHIP_STATE]]
set -u
build=${1:-build}
run=${2:-$build/demo}
chip=${3:-$build/demo-bluepill.state}
firmware=$build/examples/firmware/f1/hello_f1.elf
[[ -f "$firmware" ]] || { echo "demo: $firmware is missing (arm-none-eabi-gcc not installed?)" >&2; exit 1; }
rm -rf "$run"
mkdir -p "$run"
airswd=$build/tools/airswd
# The demo's passphrase; a real device's owner picks their own (setup asks for at least 12 characters).
export AIRSWD_PASSPHRASE="demo passphrase, not a secret"

"$build/tools/airswdd" --target "sim:stm32f103c8,state=$chip" --listen 127.0.0.1:0 \
  --state-dir "$run/state" --setup-code-file "$run/setup-code" >"$run/daemon.out" 2>"$run/daemon.err" &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null' EXIT
# Ctrl-C ends the demo even when it lands between two commands (bash alone would go on when the command it waited
# for ended normally); the EXIT trap then stops the daemon.
trap 'exit 130' INT TERM
url=
for _ in $(seq 1 100); do
  url=$(sed -n 's|^airswdd: listening on \(http://[0-9.]*:[0-9]*\)$|\1|p' "$run/daemon.out" 2>/dev/null)
  [[ -n "$url" ]] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if [[ -z "$url" ]]; then
  echo "demo: airswdd did not start:" >&2
  cat "$run/daemon.err" >&2
  exit 1
fi
# The chip boots what its state file holds (earlier demos) and may greet already: only what comes after the flash counts.
sleep 0.3
before=$(grep -c '^airswdd: uart: ' "$run/daemon.err")
echo "airswdd (PID $pid) serves a simulated Blue Pill (STM32F103C8) at $url"
# show COMMAND...: prints the command as a user would type it, then runs it.
show() {
  echo "\$ airswd ${*:2}"
  "$@"
}
echo
show "$airswd" keygen -o "$run/owner.pem" || exit 1
# The setup code airswdd printed at start (and wrote for scripts): only someone at the device's console has it.
show "$airswd" --device "$url" setup --code "$(cat "$run/setup-code")" --signing-key "$run/owner.pub.pem" || exit 1
show "$airswd" sign --key "$run/owner.pem" --version 1 --target stm32f103c8 "$firmware" -o "$run/hello_f1.airswd" ||
  exit 1
show "$airswd" --device "$url" flash "$run/hello_f1.airswd" || exit 1
echo

# The firmware runs after the reset: its greeting comes out of the simulated USART1 as "airswdd: uart: " lines.
uart=
for _ in $(seq 1 50); do
  uart=$(grep '^airswdd: uart: ' "$run/daemon.err" | tail -n +$((before + 1)) | sed 's/^airswdd: uart: //')
  [[ -n "$uart" ]] && break
  sleep 0.1
done
echo "the STM32's USART1 after the reset:"
if [[ -n "$uart" ]]; then
  printf '  %s\n' "$uart"
else
  echo "  (nothing yet)"
fi
echo
echo "the web page: $url/"
echo "(make serve keeps a daemon running on 127.0.0.1:8080; its page offers the first-boot setup)"
kill -TERM "$pid"
wait "$pid"
trap - EXIT
grep -q "hello from airswd example firmware (STM32F1)" <<<"$uart"
