#!/usr/bin/env bash
# airswdd's security state never fails open. A security.bin that cannot be written makes setup answer 500 with
# nothing changed (setup still open, in RAM and after a restart); a damaged, cut or unreadable security.bin leaves
# the daemon refusing setup and every signed request with a sentence naming --factory-reset, and the anti-rollback
# minimum, kept in anti-rollback.bin, stays where it was; --factory-reset opens setup again with the minimum kept,
# and the older container stays refused with the flash unchanged. A damaged anti-rollback.bin refuses too.
# Usage: test_airswdd_security_record.sh PATH/TO/airswd PATH/TO/airswdd FIRMWARE_DIR
set -u
airswd=$1 airswdd=$2 firmware=$3
source "$(dirname "$0")/daemon_test.sh"
source "$(dirname "$0")/../common/skip.sh"
[[ -f "$firmware/f1/hello_f1.elf" ]] || skip_test "example firmware not built (arm-none-eabi-gcc missing)"
elf=$firmware/f1/hello_f1.elf
target="sim:stm32f103c8,state=$work/chip.state"
state=$work/state

"$airswd" keygen -o "$work/owner.pem" >/dev/null
"$airswd" sign --key "$work/owner.pem" --version 7 --target stm32f103c8 "$elf" -o "$work/v7.bin" 2>/dev/null
head -c 4096 /dev/urandom >"$work/v5-payload.bin"
"$airswd" sign --key "$work/owner.pem" --version 5 --target stm32f103c8 --base 0x08000000 "$work/v5-payload.bin" \
  -o "$work/v5.bin" 2>/dev/null
pub=$(python3 -c 'import json,sys; print(json.dumps(open(sys.argv[1]).read()))' "$work/owner.pub.pem")

# security.bin cannot be written: a directory stands where its temporary file goes (the tests run as root, for
# whom file modes do not stop a write).
mkdir -p "$state/security.bin.tmp"
start_daemon "$target"
setup_daemon ",\"signing_key\":$pub"
check "a setup that cannot be saved answers 500" test "$code" = 500
check "  naming security-save" contains "$work/body" '"security-save"'
request GET /device
check "  and setup is still open (nothing changed in RAM)" contains "$work/body" '"setup_required":true'
check "SIGTERM stops airswdd" stop_daemon
start_daemon "$target"
request GET /device
check "after a restart setup is still open" contains "$work/body" '"setup_required":true'
rmdir "$state/security.bin.tmp"
setup_daemon ",\"signing_key\":$pub"
check "once it can be written, setup answers 200" test "$code" = 200
export AIRSWD_PASSPHRASE=$passphrase
"$airswd" --device "$url" flash "$work/v7.bin" >"$work/v7.out" 2>&1
check "v7 is flashed" test $? = 0
request GET /device
check "  the minimum is 7" contains "$work/body" '"min_security_version":7'
check "SIGTERM stops airswdd" stop_daemon
cp "$state/security.bin" "$work/security.good"
cp "$state/anti-rollback.bin" "$work/anti-rollback.good"

# damaged STATE-FILE HOW: the daemon started on that state refuses setup and signed requests, names the reset.
damaged() {
  start_daemon "$target"
  local saved=$passphrase
  passphrase= # the summary, which a damaged device still gives to anyone
  request GET /device
  passphrase=$saved
  check "$1: the daemon says its security state is damaged" contains "$work/body" '"security_damaged":true'
  check "  and does not offer setup" contains "$work/body" '"setup_required":false'
  passphrase="an attacker's passphrase"
  setup_daemon
  passphrase=$saved
  check "  setup is refused (500)" test "$code" = 500
  check "  naming the factory reset flag" contains "$work/body" "--factory-reset"
  request PUT /settings -d '{"debug":true}'
  check "  a signed request is refused (500 security-damaged)" \
    test "$code" = 500 -a "$(grep -c security-damaged "$work/body")" = 1
  check "  the daemon's log says why" contains "$work/daemon.err" "refused until a restart with --factory-reset"
  stop_daemon
}

printf '\x01' | dd of="$state/security.bin" bs=1 seek=40 conv=notrunc 2>/dev/null
damaged "a security.bin with a flipped byte"
head -c 100 "$work/security.good" >"$state/security.bin"
damaged "a security.bin cut short"
rm "$state/security.bin" && mkdir "$state/security.bin"
damaged "a security.bin that cannot be read"
rmdir "$state/security.bin"
damaged "a missing security.bin beside anti-rollback.bin"
cp "$work/security.good" "$state/security.bin"
printf 'AMIN\0\0\0\0\1\2\3\4' >"$state/anti-rollback.bin"
damaged "a damaged anti-rollback.bin"

# The factory reset: setup open again, the minimum kept (from the security record's copy, the other being damaged).
start_daemon "$target" --factory-reset
request GET /device
check "--factory-reset opens setup again" contains "$work/body" '"setup_required":true'
passphrase="the new owner's passphrase"
setup_daemon ",\"signing_key\":$pub"
check "  setup answers 200" test "$code" = 200
request GET /device
check "  and the minimum is still 7 (no damage lowered it)" contains "$work/body" '"min_security_version":7'
export AIRSWD_PASSPHRASE=$passphrase
"$airswd" --device "$url" debug on >/dev/null
"$airswd" --device "$url" read 0x08000000 65536 -o "$work/before.bin" >/dev/null 2>&1
"$airswd" --device "$url" debug off >/dev/null
"$airswd" --device "$url" flash "$work/v5.bin" >"$work/v5.out" 2>"$work/v5.err"
check "  v5 is refused as image-rollback" contains "$work/v5.err" "image-rollback"
"$airswd" --device "$url" debug on >/dev/null
"$airswd" --device "$url" read 0x08000000 65536 -o "$work/after.bin" >/dev/null 2>&1
check "  with the flash byte for byte unchanged" cmp -s "$work/before.bin" "$work/after.bin"
check "SIGTERM stops airswdd" stop_daemon

[[ $failures -ne 0 ]] && cat "$work/daemon.err"
exit $((failures != 0))
