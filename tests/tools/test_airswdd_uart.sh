#!/usr/bin/env bash
# airswdd flashing through the simulated Blue Pill's ROM bootloader (--target sim:stm32f103c8,uart): the device's
# policy applies unchanged (a plain image refused, a signed container flashed), and the firmware then prints its
# hello line, which the daemon logs. Then `auto` with SWD not answering.
# Usage: test_airswdd_uart.sh PATH/TO/airswd PATH/TO/airswdd FIRMWARE_DIR
set -u
airswd=$1 airswdd=$2 firmware=$3
source "$(dirname "$0")/daemon_test.sh"
source "$(dirname "$0")/../common/skip.sh"
[[ -f "$firmware/f1/hello_f1.elf" ]] || skip_test "example firmware not built (arm-none-eabi-gcc missing)"

export AIRSWD_PASSPHRASE="a long enough passphrase"
"$airswd" keygen -o "$work/owner.pem" >/dev/null
"$airswd" sign --key "$work/owner.pem" --version 1 --target stm32f103c8 "$firmware/f1/hello_f1.elf" \
  -o "$work/signed.airswd" 2>/dev/null

for spec in "uart" "auto,swd=off"; do
  start_daemon "sim:stm32f103c8,$spec,state=$work/chip.state"
  check "airswdd --target sim:stm32f103c8,$spec prints its URL" test -n "$port"
  "$airswd" --device "$url" setup --code "$(cat "$work/setup-code")" --signing-key "$work/owner.pub.pem" \
    >"$work/setup.out" 2>&1
  check "  setup exits 0" test $? -eq 0
  "$airswd" --device "$url" flash "$firmware/f1/hello_f1.elf" >"$work/plain.out" 2>"$work/plain.err"
  check "  a plain ELF is refused under the signed-only default (exit $?)" contains "$work/plain.err" "image-unsigned"
  "$airswd" --device "$url" flash "$work/signed.airswd" >"$work/signed.out" 2>"$work/signed.err"
  check "  the signed container is flashed through the ROM bootloader (exit $?)" grep -q "^total" "$work/signed.out"
  for _ in $(seq 1 50); do
    contains "$work/daemon.err" "uart: hello from airswd example firmware (STM32F1)" && break
    sleep 0.1
  done
  check "  the firmware then prints its hello line" contains "$work/daemon.err" \
    "airswdd: uart: hello from airswd example firmware (STM32F1)"
  stop_daemon
  rm -rf "$work/state" "$work/chip.state" "$work/daemon.err"
done

echo "$failures failure(s)"
exit $((failures > 0))
