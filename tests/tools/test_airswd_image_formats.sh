#!/usr/bin/env bash
# What airswd takes an image file to be, on every path that takes one: `flash` and `verify`, `sign`, and a device's
# upload (airswdd, with and without a declared format). Intel HEX after blank lines or a byte order mark is read as
# HEX; a file of blank space, Motorola S-records, text (a HEX with a comment line, notes, a linker map) are refused
# with a sentence and the flash left as it was; `--format bin` flashes such bytes when the user says so; a binary
# whose first byte is ':' is a binary. The format used is printed.
# Usage: test_airswd_image_formats.sh PATH/TO/airswd PATH/TO/airswdd FIRMWARE_DIR
set -u
airswd=$1 airswdd=$2 firmware=$3
source "$(dirname "$0")/daemon_test.sh"
source "$(dirname "$0")/../common/skip.sh"
[[ -f "$firmware/f1/hello_f1.elf" ]] || skip_test "example firmware not built (arm-none-eabi-gcc missing)"
command -v arm-none-eabi-objcopy >/dev/null || skip_test "arm-none-eabi-objcopy is not installed (scripts/install-deps.sh)"

hex=$firmware/f1/hello_f1.hex
{ for _ in $(seq 9); do printf '\r\n'; done; cat "$hex"; } >"$work/blank-lines.hex"
{ printf '\xEF\xBB\xBF'; cat "$hex"; } >"$work/bom.hex"
{ printf '# built by make\n'; cat "$hex"; } >"$work/comment.hex"
printf '  \r\n\r\n\t\n' >"$work/blank.hex"
arm-none-eabi-objcopy -O srec "$firmware/f1/hello_f1.elf" "$work/hello.srec"
printf 'release notes: nothing to flash here\n' >"$work/notes.txt"
cp "$firmware/f1/hello_f1.map" "$work/hello.map"
printf 'data table v1 ABCDEFGH' >"$work/text.bin"
{ printf ':'; head -c 63 "$firmware/f1/hello_f1.bin"; } >"$work/colon.bin"

state=$work/chip.state
target=(--target "sim:stm32f103c8,state=$state")
flash_bytes() { "$airswd" "${target[@]}" read 0x08000000 1024 -o "$1" >/dev/null 2>&1; }

# run NAME ARGS...: stdout in $work/NAME.out, stderr in $work/NAME.err, the exit status in $rc.
run() {
  local name=$1
  shift
  "$airswd" "$@" >"$work/$name.out" 2>"$work/$name.err"
  rc=$?
}

for name in blank-lines bom; do
  "$airswd" "${target[@]}" erase >/dev/null 2>&1
  run "$name" "${target[@]}" flash "$work/$name.hex"
  check "$name.hex is flashed as Intel HEX (exit 0)" test "$rc" = 0
  check "  saying so" grep -qxF "image     $work/$name.hex, Intel HEX" "$work/$name.out"
  run "$name-verify" "${target[@]}" verify "$firmware/f1/hello_f1.bin"
  check "  and the flash holds the firmware" test "$rc" = 0
done

flash_bytes "$work/before.bin"
refused() { # NAME FILE WORDS: flash and verify exit 1 with WORDS, the flash unchanged
  run "$1" "${target[@]}" flash "$2"
  check "$1 is refused (exit 1)" test "$rc" = 1
  check "  with a sentence: $3" contains "$work/$1.err" "$3"
  check "  and the way out" contains "$work/$1.err" "name its format: --format bin|hex|elf"
  run "$1-verify" "${target[@]}" verify "$2"
  check "  verify refuses it too" test "$rc" = 1
  flash_bytes "$work/after.bin"
  check "  the flash is as it was" cmp -s "$work/before.bin" "$work/after.bin"
}
refused blank "$work/blank.hex" "the file holds nothing but blank space (8 bytes)"
refused srec "$work/hello.srec" "Motorola S-records (\"S0"
refused comment "$work/comment.hex" "text, not an image (first line \"# built by make\")"
refused notes "$work/notes.txt" "text, not an image (first line \"release notes: nothing \")"
refused map "$work/hello.map" "text, not an image"
refused text-bin "$work/text.bin" "if it is raw data, declare its format as bin"

run json "${target[@]}" --json flash "$work/comment.hex"
check "--json: the refusal is exit 1 before any job" test "$rc" = 1

run as-bin "${target[@]}" flash --format bin "$work/text.bin"
check "--format bin flashes text as raw bytes (exit 0)" test "$rc" = 0
check "  saying so" grep -qxF "image     $work/text.bin, binary at 0x08000000" "$work/as-bin.out"
flash_bytes "$work/after.bin"
check "  and the flash holds them" cmp -s -n 22 "$work/after.bin" "$work/text.bin"
run colon "${target[@]}" --json flash "$work/colon.bin"
check "a binary whose first byte is ':' is flashed as a binary" grep -q '^{"ok":true,"format":"bin",' "$work/colon.out"
run as-hex "${target[@]}" --json flash --format hex "$work/blank-lines.hex"
check "--format hex" grep -q '^{"ok":true,"format":"hex",' "$work/as-hex.out"
run bad-format "${target[@]}" flash --format srec "$work/hello.srec"
check "--format srec is a usage error (exit 2)" test "$rc" = 2
check "  naming the formats" contains "$work/bad-format.err" "--format is bin, hex, elf or container, not 'srec'"

# sign reads the file the same way.
"$airswd" keygen -o "$work/key.pem" >/dev/null
run sign-text sign --key "$work/key.pem" --version 1 --target stm32f103c8 "$work/notes.txt" -o "$work/notes.airswd"
check "sign refuses a text file (exit 1)" test "$rc" = 1
check "  with the sentence" contains "$work/sign-text.err" "text, not an image"
check "  and writes nothing" test ! -e "$work/notes.airswd"
run sign-bom sign --key "$work/key.pem" --version 1 --target stm32f103c8 "$work/bom.hex" -o "$work/bom.airswd"
check "sign reads a HEX with a byte order mark" test "$rc" = 0
run sign-bin sign --key "$work/key.pem" --version 1 --target stm32f103c8 --format bin "$work/text.bin" \
  -o "$work/text.airswd"
check "sign --format bin takes raw bytes" test "$rc" = 0

# A device detects the format of an upload that does not declare one, and refuses text the same way.
start_daemon "sim:stm32f103c8,state=$work/device.state"
export AIRSWD_PASSPHRASE="a long enough passphrase"
passphrase=$AIRSWD_PASSPHRASE
run setup --device "$url" setup --code "$(cat "$work/setup-code")"
run debug --device "$url" debug on
check "a device set up with debug mode on (plain images allowed)" test "$rc" = 0
request POST "/images?name=notes.txt" --data-binary @"$work/notes.txt"
check "an upload of text without a format is refused: 400" test "$code" = 400
check "  with the sentence" contains "$work/body" "text, not an image"
request POST "/images?name=hello.srec" --data-binary @"$work/hello.srec"
check "an upload of S-records: 400, named" contains "$work/body" "Motorola S-records"
request POST "/images?name=blank.hex" --data-binary @"$work/blank.hex"
check "an upload of blank space: 400" test "$code" = 400
request POST "/images?name=bom.hex" --data-binary @"$work/bom.hex"
check "an upload of HEX after a byte order mark is stored as hex" grep -q '"format":"hex"' "$work/body"
request GET /log
check "  and the device's log says so" contains "$work/body" "uploaded: bom.hex, Intel HEX"
request POST "/images?name=text.bin&format=bin" --data-binary @"$work/text.bin"
check "an upload declared bin is stored as such" grep -q '"format":"bin"' "$work/body"

run remote-notes --device "$url" flash "$work/notes.txt"
check "airswd --device refuses a text file before uploading (exit 1)" test "$rc" = 1
check "  with the sentence" contains "$work/remote-notes.err" "text, not an image"
run remote-bom --device "$url" flash "$work/bom.hex"
check "airswd --device flashes a HEX with a byte order mark (exit 0)" test "$rc" = 0
check "  printing the format the device read it as" grep -qxF "image     bom.hex, Intel HEX" "$work/remote-bom.out"
run remote-json --device "$url" --json verify "$work/bom.hex"
check "  and --json names it" grep -q '"format":"hex"' "$work/remote-json.out"
run remote-bin --device "$url" flash --format bin "$work/text.bin"
check "airswd --device --format bin flashes raw bytes" test "$rc" = 0
check "  as a binary" grep -qxF "image     text.bin, binary" "$work/remote-bin.out"
stop_daemon

if [[ $failures -ne 0 ]]; then
  for f in "$work"/*.err "$work"/*.out; do echo "--- $f"; cat "$f"; done
fi
exit $((failures != 0))
