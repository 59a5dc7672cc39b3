#!/usr/bin/env bash
# The anti-rollback minimum cannot be sidestepped by skipping verification: a v7 container flashed with
# `airswd flash --no-verify` raises the minimum to 7 as a verified flash does, and a v5 container is refused
# afterwards (image-rollback), also after a restart, with the chip's flash read back byte for byte unchanged.
# Usage: test_airswdd_anti_rollback.sh PATH/TO/airswd PATH/TO/airswdd FIRMWARE_DIR
set -u
airswd=$1 airswdd=$2 firmware=$3
source "$(dirname "$0")/daemon_test.sh"
source "$(dirname "$0")/../common/skip.sh"
[[ -f "$firmware/f1/hello_f1.elf" ]] || skip_test "example firmware not built (arm-none-eabi-gcc missing)"
elf=$firmware/f1/hello_f1.elf

"$airswd" keygen -o "$work/owner.pem" >/dev/null
"$airswd" sign --key "$work/owner.pem" --version 7 --target stm32f103c8 "$elf" -o "$work/v7.bin" 2>/dev/null
# v5 is other bytes than v7 (4 KB of random), so that a v5 flash that went ahead would show in the flash.
head -c 4096 /dev/urandom >"$work/v5-payload.bin"
"$airswd" sign --key "$work/owner.pem" --version 5 --target stm32f103c8 --base 0x08000000 "$work/v5-payload.bin" \
  -o "$work/v5.bin" 2>/dev/null
check "the containers were made" test -s "$work/v7.bin" -a -s "$work/v5.bin"

start_daemon "sim:stm32f103c8,state=$work/chip.state" --trust-key "$work/owner.pub.pem"
check "airswdd starts" test -n "$port"
setup_daemon
check "first-boot setup answers 200" test "$code" = 200
export AIRSWD_PASSPHRASE=$passphrase

"$airswd" --device "$url" flash "$work/v7.bin" --no-verify >"$work/v7.out" 2>&1
check "v7 is flashed with --no-verify" test $? = 0
request GET /device
check "  and the minimum rose to 7 all the same" contains "$work/body" '"min_security_version":7'

read_back() {
  "$airswd" --device "$url" debug on >/dev/null &&
    "$airswd" --device "$url" read 0x08000000 65536 -o "$work/$1.bin" >/dev/null 2>"$work/$1.err" &&
    "$airswd" --device "$url" debug off >/dev/null
}
check "the flash is read back" read_back before

"$airswd" --device "$url" flash "$work/v5.bin" >"$work/v5.out" 2>"$work/v5.err"
check "then v5 is refused (exit 1)" test $? = 1
check "  as image-rollback" contains "$work/v5.err" "image-rollback"
check "  and the flash is byte for byte unchanged" eval 'read_back after && cmp -s "$work/before.bin" "$work/after.bin"'

check "SIGTERM stops airswdd" stop_daemon
start_daemon "sim:stm32f103c8,state=$work/chip.state" --trust-key "$work/owner.pub.pem"
request GET /device
check "after a restart the minimum is still 7" contains "$work/body" '"min_security_version":7'
"$airswd" --device "$url" flash "$work/v5.bin" >"$work/v5-again.out" 2>"$work/v5-again.err"
check "  and v5 is still refused" contains "$work/v5-again.err" "image-rollback"
check "  with the flash unchanged" eval 'read_back restarted && cmp -s "$work/before.bin" "$work/restarted.bin"'
check "SIGTERM stops airswdd again" stop_daemon

[[ $failures -ne 0 ]] && cat "$work/daemon.err"
exit $((failures != 0))
