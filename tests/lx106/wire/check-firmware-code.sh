#!/usr/bin/env bash
# The firmware runs the wire code that the QEMU test checked and measured: every function of esp8266_swd.c that the
# firmware places in IRAM (the timed code) has the same instructions in the firmware (make esp8266) and in the test
# program, once what the linker decides is set aside: addresses, the narrow (.n) or wide encoding it relaxes to, and
# the alignment padding it inserts (or a1,a1,a1 / ill). A change of flags in the SDK build that changed the loop would
# otherwise make the test's figures those of another code.
# Usage: check-firmware-code.sh FIRMWARE.elf WIRE_TARGET.elf
# Exit status 77 (skipped) when the firmware is not built, but 1 under CI, which builds it before the tests.
set -u
firmware=$1 target=$2
source "$(dirname "$0")/../../common/skip.sh"
[[ -f "$firmware" ]] || skip_test "$firmware is not built (make esp8266)"
# The instructions of one function, with every address (branch targets, literal addresses) blanked; a line `...` is
# objdump's mark for zero bytes it skipped, the padding before the next function.
instructions() {
  xtensa-lx106-elf-objdump -d --no-show-raw-insn "$1" |
    awk -v f="<$2>:" '$2 == f {on = 1; next} on && /^$/ {exit} on' |
    sed -E 's/^ *[0-9a-f]+:\s*//; s/[0-9a-f]{8}( <[^>]*>)?/ADDR/g; s/^([a-z0-9]+)\.n\b/\1/' |
    grep -v -E '^\s*(or\s+a1, a1, a1|ill|nop|\.\.\.)\s*$'
}
# The firmware's IRAM is 0x40100000-0x4010FFFF.
functions=$(xtensa-lx106-elf-nm "$firmware" | awk '$2 ~ /^[tT]$/ && $3 ~ /^esp8266_swd_/ && $1 ~ /^4010/ {print $3}')
[[ -n "$functions" ]] || { echo "FAIL: no esp8266_swd_ function in the firmware's IRAM ($firmware)"; exit 1; }
failures=0
for function in $functions; do
  if diff <(instructions "$target" "$function") <(instructions "$firmware" "$function") >/dev/null; then
    echo "ok    $function: $(instructions "$target" "$function" | wc -l) instructions, the same in the firmware"
  else
    echo "FAIL  $function differs between the test program and the firmware:"
    diff <(instructions "$target" "$function") <(instructions "$firmware" "$function") | head -n 20
    failures=$((failures + 1))
  fi
done
exit $((failures > 0))
