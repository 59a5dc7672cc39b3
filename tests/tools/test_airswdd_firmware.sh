#!/usr/bin/env bash
# The programmer's own firmware update (POST /api/v1/firmware, docs/api.md), end to end through airswdd's update slot
# (--firmware-slot), which checks an upload exactly as the ESP8266 does: `airswd sign --target esp8266` and
# `airswd --device URL update-firmware` put the ESP8266 app image into the slot byte for byte and raise the
# programmer's anti-rollback minimum; an older security version, another signer, an STM32 container, a flipped payload
# byte, a cut file, an unsigned request and an image larger than the slot are each refused with their reason and
# leave the slot's record as it was; a programmer container is refused as an STM32 image; the minimum survives a
# restart; a daemon without a slot says it takes no firmware.
# Usage: test_airswdd_firmware.sh PATH/TO/airswd PATH/TO/airswdd ESP8266_APP.bin FIRMWARE_DIR
set -u
airswd=$1 airswdd=$2 app=$3 firmware=$4
source "$(dirname "$0")/daemon_test.sh"

# The ESP8266 firmware itself when it was built (make esp8266, as .ci/run does); else a stand-in of the same size,
# since the daemon checks the container, not the app image (the ESP8266's bootloader check is its own).
if [[ -f "$app" ]]; then
  echo "payload: the ESP8266 firmware $app"
else
  app=$work/stand-in.bin
  head -c 659856 /dev/urandom >"$app"
  echo "payload: a random stand-in of 659856 bytes ($3 is not built: make esp8266)"
fi
run() {
  local name=$1
  shift
  "$airswd" "$@" >"$work/$name.out" 2>"$work/$name.err"
  rc=$?
}
"$airswd" keygen -o "$work/owner.pem" >/dev/null
"$airswd" keygen -o "$work/other.pem" >/dev/null
sign() { "$airswd" sign "$@" 2>>"$work/sign.err"; }
sign --key "$work/owner.pem" --version 3 --target esp8266 "$app" -o "$work/v3.airswd"
sign --key "$work/owner.pem" --version 2 --target esp8266 "$app" -o "$work/v2.airswd"
sign --key "$work/other.pem" --version 9 --target esp8266 "$app" -o "$work/other.airswd"
sign --key "$work/owner.pem" --version 9 --target stm32f103c8 "$firmware/f1/hello_f1.elf" -o "$work/stm32.airswd"
head -c 1100000 /dev/urandom >"$work/huge.bin"
sign --key "$work/owner.pem" --version 9 --target esp8266 "$work/huge.bin" -o "$work/huge.airswd"
cp "$work/v3.airswd" "$work/flipped.airswd"
printf '\xa5' | dd of="$work/flipped.airswd" bs=1 seek=5000 conv=notrunc 2>/dev/null
head -c 300000 "$work/v3.airswd" >"$work/cut.airswd"
head -c 4096 "$app" >"$work/small.bin"
sign --key "$work/owner.pem" --version 9 --target esp8266 "$work/small.bin" -o "$work/small.airswd"
check "the containers were made" test -s "$work/v3.airswd" -a -s "$work/stm32.airswd" -a -s "$work/huge.airswd"

run inspect inspect --pub "$work/owner.pub.pem" "$work/v3.airswd"
check "inspect names the programmer's firmware" contains "$work/inspect.out" "the programmer's own firmware: esp8266"
run sign-mixed sign --key "$work/owner.pem" --version 3 --target esp8266 --target stm32f103c8 "$app" -o "$work/x"
check "esp8266 and an STM32 part in one container: refused (exit 2)" test "$rc" = 2

slot=$work/slot.bin
start_daemon "sim:stm32f103c8,state=$work/chip.state" --firmware-slot "$slot"
check "airswdd starts with an update slot" test -n "$port"
setup_daemon ",\"signing_key\":\"$(tr '\n' '|' <"$work/owner.pub.pem" | sed 's/|/\\n/g')\""
check "first-boot setup with the owner's key" test "$code" = 200
export AIRSWD_PASSPHRASE=$passphrase

run update --device "$url" update-firmware "$work/v3.airswd"
check "update-firmware of version 3 succeeds" test "$rc" = 0
check "it says the device checked it" contains "$work/update.out" "security version 3"
run update_json --device "$url" --json update-firmware "$work/v3.airswd"
check "--json gives the device's answer" contains "$work/update_json.out" '"security_version":3'
cmp -s -n "$(stat -c %s "$app")" "$slot" "$app"
check "the slot holds the app image byte for byte from its start" test $? = 0
check "the programmer's minimum rose to 3" contains "$slot.state" "min_security_version 3"
cp "$slot.state" "$work/state.before"

# refused NAME FILE TEXT: update-firmware exits 1 with TEXT, and the slot's record does not change.
refused() {
  run "$1" --device "$url" update-firmware "$2"
  check "$1: refused (exit 1)" test "$rc" = 1
  check "$1: says $3" contains "$work/$1.err" "$3"
  check "$1: the slot's record is unchanged" cmp -s "$slot.state" "$work/state.before"
}
refused older "$work/v2.airswd" "image-rollback"
refused other-signer "$work/other.airswd" "image-untrusted-key"
refused stm32-container "$work/stm32.airswd" "not the programmer's firmware"
refused flipped-payload "$work/flipped.airswd" "image-hash"
refused cut-file "$work/cut.airswd" "image-truncated"
refused too-large "$work/huge.airswd" "update slot"
AIRSWD_PASSPHRASE= run unsigned --device "$url" update-firmware "$work/v3.airswd"
check "without the passphrase: refused" grep -q "unauthorized" "$work/unsigned.err"
run as-stm32 --device "$url" flash "$work/small.airswd"
check "the programmer's container is not flashed into the STM32" contains "$work/as-stm32.err" "programmer's own firmware"
request GET /log
check "the log tells of the update and the refusals" grep -q "firmware update refused" "$work/body"

check "airswdd stops" stop_daemon
start_daemon "sim:stm32f103c8,state=$work/chip.state" --firmware-slot "$slot"
refused older-after-restart "$work/v2.airswd" "image-rollback"
check "airswdd stops" stop_daemon

start_daemon "sim:stm32f103c8,state=$work/chip.state"
run no-slot --device "$url" update-firmware "$work/v3.airswd"
check "without --firmware-slot: no-firmware-update" contains "$work/no-slot.err" "no-firmware-update"
check "airswdd stops" stop_daemon
echo "$failures failure(s)"
exit $((failures > 0))
