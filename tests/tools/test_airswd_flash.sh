#!/usr/bin/env bash
# The airswd command line flashing simulated parts end to end: `flash` in the three formats, `verify`, `info`,
# `read`, `erase`, `reset`, a chip kept between runs with state=FILE, --json, and the failures a user meets (a bad
# file, an image that does not fit, a wrong command line) with their exit codes.
# Usage: test_airswd_flash.sh PATH/TO/airswd FIRMWARE_DIR
set -u
airswd=$1 firmware=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
check() { if "${@:2}"; then echo "ok    $1"; else echo "FAIL  $1"; failures=$((failures + 1)); fi; }
contains() { grep -q -F -- "$2" "$1"; }
source "$(dirname "$0")/../common/skip.sh"
[[ -f "$firmware/f1/hello_f1.elf" ]] || skip_test "example firmware not built (arm-none-eabi-gcc missing)"

state="$work/bluepill.state"
target=(--target "sim:stm32f103c8,state=$state")
for format in elf hex bin; do
  "$airswd" "${target[@]}" flash "$firmware/f1/hello_f1.$format" >"$work/out" 2>"$work/err"
  check "flash hello_f1.$format succeeds" test $? -eq 0
  check "  and reports erase, program, verify and the chip time" \
    grep -qE "^total +[0-9.]+ ms chip time" "$work/out"
done
sed 's/^/      /' "$work/out"

"$airswd" "${target[@]}" verify "$firmware/f1/hello_f1.hex" >"$work/out" 2>"$work/err"
check "verify against the kept state succeeds" test $? -eq 0

"$airswd" "${target[@]}" read 0x08000000 440 -o "$work/back.bin" >"$work/out" 2>"$work/err"
check "read copies the flash into a file" cmp -s "$work/back.bin" "$firmware/f1/hello_f1.bin"

"$airswd" "${target[@]}" --json info >"$work/out" 2>"$work/err"
check "info --json names the part and its read protection" \
  contains "$work/out" '"part":"STM32F10x medium density","core":"Cortex-M3","dev_id":1040'
check "  as one JSON object" grep -q '^{.*"rdp_level":0.*}$' "$work/out"

"$airswd" "${target[@]}" verify "$firmware/f4/hello_f4.bin" >"$work/out" 2>"$work/err"
check "verify of another image fails with exit status 1" test $? -eq 1
check "  saying where the flash differs" contains "$work/err" "verifying: flash at 0x08000001 holds"
check "  and, being read-only, not to program again" contains "$work/err" \
  "the flash holds other data than this image (verify changes nothing): flash the image to put it there"

"$airswd" "${target[@]}" erase >"$work/out" 2>"$work/err"
check "erase succeeds" test $? -eq 0
"$airswd" "${target[@]}" verify "$firmware/f1/hello_f1.bin" >/dev/null 2>&1
check "  and the firmware is gone" test $? -eq 1

head -c 100 "$firmware/f1/hello_f1.hex" >"$work/cut.hex"
"$airswd" "${target[@]}" flash "$firmware/f1/hello_f1.elf" >/dev/null 2>&1
"$airswd" "${target[@]}" --json flash --skip-unchanged "$firmware/f1/hello_f1.elf" >"$work/out" 2>"$work/err"
check "flash --skip-unchanged of the same image succeeds" test $? -eq 0
check "  erasing and programming nothing" grep -q '"erase_units":0,"unchanged_units":1,.*"program_bytes":0' "$work/out"
"$airswd" "${target[@]}" flash "$firmware/f1/hello_f1.elf" >/dev/null 2>&1
"$airswd" "${target[@]}" --json flash "$work/cut.hex" >"$work/out" 2>"$work/err"
check "a truncated HEX file fails with exit status 1" test $? -eq 1
check "  in the plan phase, naming the problem" contains "$work/out" '"phase":"plan","status":"image-format"'
check "  and says the flash was not touched" contains "$work/out" '"flash_changed":false'
"$airswd" "${target[@]}" verify "$firmware/f1/hello_f1.elf" >/dev/null 2>&1
check "  and the previous firmware is still there" test $? -eq 0

head -c 70000 /dev/zero | tr '\0' '\201' >"$work/big.bin" # bytes that are not text
"$airswd" "${target[@]}" flash "$work/big.bin" >"$work/out" 2>"$work/err"
check "a binary larger than the flash fails with exit status 1" test $? -eq 1
check "  naming the address outside flash" contains "$work/err" "is outside flash 0x08000000..0x0800FFFF"

"$airswd" --target sim:stm32g071rb --json flash "$firmware/g0/hello_g0.elf" >"$work/out" 2>"$work/err"
check "flash on the G0 (ECC double words) succeeds" test $? -eq 0
check "  as JSON with the program bytes" grep -q '"ok":true.*"program_bytes":5[0-9][0-9]' "$work/out"

"$airswd" --target sim:stm32l476rg,swclk=1000000 flash "$firmware/l4/hello_l4.hex" >"$work/out" 2>"$work/err"
check "flash on the L4 at SWCLK 1 MHz succeeds" test $? -eq 0

"$airswd" "${target[@]}" reset >"$work/out" 2>"$work/err"
check "reset succeeds" test $? -eq 0

"$airswd" "${target[@]}" flash >/dev/null 2>"$work/err"
check "flash without a file is a usage error (exit status 2)" test $? -eq 2
"$airswd" "${target[@]}" flash "$work/missing.elf" >/dev/null 2>"$work/err"
check "a missing file is exit status 2" test $? -eq 2
"$airswd" --target sim:stm32f103c8,bogus=1 info >/dev/null 2>"$work/err"
check "an unknown simulator setting is refused" contains "$work/err" "unknown simulator setting 'bogus=1'"
echo "garbage" >"$work/other.state"
"$airswd" --target "sim:stm32f103c8,state=$work/other.state" info >/dev/null 2>"$work/err"
check "a damaged state file is refused" contains "$work/err" "is not a simulator state file"
"$airswd" --target "sim:stm32f411ce,state=$state" info >/dev/null 2>"$work/err"
check "a state file of another part is refused" contains "$work/err" "holds the state of a stm32f103c8"

# --base: an address in flash, for a raw binary.
base_refused() { # DESCRIPTION WORDS ARGS...: exit status 2 and WORDS on stderr
  "$airswd" "${target[@]}" "${@:3}" >/dev/null 2>"$work/err"
  check "$1 is refused (exit status 2)" test $? -eq 2
  check "  saying: $2" contains "$work/err" "$2"
}
base_refused "--base 0" "--base 0 is the boot alias, where the chip shows its flash at reset; an image goes to the flash's own address: --base 0x08000000" \
  flash "$firmware/f1/hello_f1.bin" --base 0
base_refused "--base -0" "--base takes an address such as 0x08000000, not '-0'" flash "$firmware/f1/hello_f1.bin" --base -0
base_refused "--base 0 with a HEX" "--base 0 is the boot alias" flash "$firmware/f1/hello_f1.hex" --base 0
base_refused "--base with a HEX" "--base is for raw binaries; $firmware/f1/hello_f1.hex is Intel HEX" \
  flash "$firmware/f1/hello_f1.hex" --base 0x08000000
base_refused "--base 08000000 (octal)" "--base 08000000: a leading 0 makes a number octal in C notation; write the address in hex" \
  verify "$firmware/f1/hello_f1.bin" --base 08000000

# The image is read more than once: a pipe or a directory is named as such.
cat "$firmware/f1/hello_f1.bin" | "$airswd" "${target[@]}" flash /dev/stdin >/dev/null 2>"$work/err"
check "a pipe is refused (exit status 2)" test "${PIPESTATUS[1]}" -eq 2
check "  as not a regular file, saying what to do" contains "$work/err" \
  "airswd: /dev/stdin is a pipe, not a regular file: the image is read more than once, so save it to a file first"
"$airswd" "${target[@]}" flash "$work" >/dev/null 2>"$work/err"
check "a directory is refused (exit status 2)" test $? -eq 2
check "  naming it" contains "$work/err" "is a directory, not a regular file"
"$airswd" "${target[@]}" flash /dev/stdin <"$firmware/f1/hello_f1.bin" >/dev/null 2>"$work/err"
check "/dev/stdin redirected from a file is that file" test $? -eq 0

# 33 separate ranges in address order: more than a plan holds; filling the gaps makes one.
python3 - "$work/ranges.hex" <<'PY'
import sys
def record(kind, address, data):
    body = [len(data), address >> 8, address & 0xFF, kind] + list(data)
    return ":" + "".join("%02X" % b for b in body) + "%02X" % (-sum(body) & 0xFF)
lines = [record(4, 0, [0x08, 0x00])] + [record(0, 0x40 * i, [i] * 16) for i in range(33)] + [record(1, 0, [])]
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PY
"$airswd" "${target[@]}" flash "$work/ranges.hex" >/dev/null 2>"$work/err"
check "a HEX of 33 separate ranges is refused (exit status 1)" test $? -eq 1
check "  saying what would help" contains "$work/err" "Intel HEX with the gaps between its pieces filled (\`-O ihex --gap-fill 0xFF\`)"
if command -v arm-none-eabi-objcopy >/dev/null; then
  arm-none-eabi-objcopy -O ihex --gap-fill 0xFF "$work/ranges.hex" "$work/filled.hex"
  "$airswd" "${target[@]}" flash "$work/filled.hex" >/dev/null 2>"$work/err"
  check "  and it does" test $? -eq 0
fi

# An L053 image with a flash record and 37 data EEPROM bytes from 0x08080001: the summary and the JSON count the
# EEPROM bytes written, then, on a second run of the kept chip, the words left alone; `read` reads them back, and
# `erase` leaves them.
python3 - "$work/eeprom.hex" <<'PY'
import sys
def record(kind, address, data):
    body = [len(data), address >> 8, address & 0xFF, kind] + list(data)
    return ":" + "".join("%02X" % b for b in body) + "%02X" % (-sum(body) & 0xFF)
eeprom = bytes(0xA0 + i for i in range(37))
lines = [record(4, 0, [0x08, 0x00]), record(0, 0, range(16)), record(4, 0, [0x08, 0x08])]
lines += [record(0, 1 + i, eeprom[i:i + 16]) for i in range(0, 37, 16)] + [record(1, 0, [])]
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
open(sys.argv[1] + ".bin", "wb").write(b"\0" + eeprom)
PY
l0=(--target "sim:stm32l053r8,state=$work/l053.state")
"$airswd" "${l0[@]}" flash "$work/eeprom.hex" >"$work/out" 2>"$work/err"
check "flash of flash and data EEPROM bytes on the L053 succeeds" test $? -eq 0
check "  counting the EEPROM bytes written" contains "$work/out" "eeprom    37 bytes written, 0 unchanged left alone"
"$airswd" "${l0[@]}" --json flash "$work/eeprom.hex" >"$work/out" 2>"$work/err"
check "  and again, as JSON, with every EEPROM word left alone" \
  grep -q '"ok":true.*"eeprom_written_bytes":0,"eeprom_unchanged_bytes":37' "$work/out"
"$airswd" "${l0[@]}" erase >/dev/null 2>&1
"$airswd" "${l0[@]}" read 0x08080000 38 -o "$work/eeprom.back" >/dev/null 2>"$work/err"
check "read gives the EEPROM back after an erase, which leaves it" cmp -s "$work/eeprom.back" "$work/eeprom.hex.bin"
"$airswd" --target sim:stm32f103c8 flash "$work/eeprom.hex" >/dev/null 2>"$work/err"
check "the same image on an F103 is refused, naming the range" \
  grep -q "0x08080001..0x08080010 (offset 0x[0-9A-F]*) is outside flash 0x08000000..0x0800FFFF" "$work/err"

# The state's header is followed by the flash bytes: a flash that starts with a byte of blank space (a stack pointer
# of 0x20004F20 starts with 0x20) must load again as it was saved.
for byte in 09 0a 0b 0c 0d 20; do
  printf "\\x$byte\\x4F\\x00\\x20\\xC1\\x01\\x00\\x08" >"$work/blank-$byte.bin"
  "$airswd" --target "sim:stm32f103c8,state=$work/blank-$byte.state" flash "$work/blank-$byte.bin" >/dev/null 2>&1
  "$airswd" --target "sim:stm32f103c8,state=$work/blank-$byte.state" verify "$work/blank-$byte.bin" \
    >/dev/null 2>"$work/err"
  check "a state whose flash starts with byte 0x$byte loads again" test $? -eq 0
done
sed 's/^/      /' "$work/err"

echo "$failures failure(s)"
exit $((failures > 0))
