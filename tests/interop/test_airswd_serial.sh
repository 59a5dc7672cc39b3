#!/usr/bin/env bash
# airswd through a real Linux tty (a pty, as stm32flash uses it) to stm32sim's ROM bootloader: `--target
# serial:PATH` flashes the example firmware as HEX and verifies it, the chip's own flash file then holds the image,
# and `read` copies it back; a chip whose BOOT0 is low (the firmware runs, the ROM never answers) fails with the
# sentence that names BOOT0/NRST wiring.
# Usage: test_airswd_serial.sh AIRSWD STM32SIM FIRMWARE_DIR
set -u
airswd=$1 STM32SIM=$2 firmware=$3
source "$(dirname "$0")/sim_server.sh"
source "$(dirname "$0")/../common/skip.sh"
[[ -f "$firmware/f1/hello_f1.hex" ]] || skip_test "example firmware not built (arm-none-eabi-gcc missing)"

work=$(mktemp -d)
trap 'stop_stm32sim; rm -rf "$work"' EXIT
failures=0
check() { if "${@:2}"; then echo "ok    $1"; else echo "FAIL  $1"; failures=$((failures + 1)); fi; }
contains() { grep -q -F -- "$2" "$1"; }
bin=$firmware/f1/hello_f1.bin size=$(stat -c %s "$firmware/f1/hello_f1.bin")

start_stm32sim "$work" --part stm32f103c8 --boot0 --uart-pty "$work/uart" --flash-file "$work/flash.bin" || exit 1
timeout 60 "$airswd" --target "serial:$work/uart" flash --no-reset "$firmware/f1/hello_f1.hex" >"$work/out" 2>"$work/err"
check "flash through the serial port succeeds (exit $?)" grep -q "^programmed 440 bytes, verified 440 bytes" "$work/out"
check "  through the ROM bootloader" contains "$work/out" "through   ROM bootloader (UART)"
timeout 60 "$airswd" --target "serial:$work/uart" read 0x08000000 "$size" -o "$work/read.bin" >/dev/null 2>"$work/err"
check "read through the serial port copies the flash" cmp -s "$bin" "$work/read.bin"
stop_stm32sim
check "the chip's flash holds the image" cmp -s "$bin" <(head -c "$size" "$work/flash.bin")

start_stm32sim "$work" --part stm32f103c8 --uart-pty "$work/uart" --flash-file "$work/flash.bin" || exit 1
timeout 60 "$airswd" --target "serial:$work/uart" flash "$bin" >"$work/out" 2>"$work/err"
check "with BOOT0 low the flash fails (exit $?)" contains "$work/err" "airswd: connect: bootloader-silent: no answer to 0x7F"
check "  naming the wiring" contains "$work/err" "BOOT0/NRST not wired, or TX/RX swapped"
stop_stm32sim

timeout 10 "$airswd" --target "serial:$work/missing" flash "$bin" >/dev/null 2>"$work/err"
check "a serial port that does not open is named" contains "$work/err" "cannot open the serial port $work/missing"

echo "$failures failure(s)"
exit $((failures > 0))
