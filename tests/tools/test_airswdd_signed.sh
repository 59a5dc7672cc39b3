#!/usr/bin/env bash
# airswdd, set up and with trusted keys, flashes the owner's signed containers only and obeys the owner's signed
# requests only: an image signed by openssl (the real tool) and an encrypted one are flashed; an unsigned image,
# another key, a flipped payload bit, a flipped header bit, another part, an older security version (also after a
# restart), a wrong image key and a malformed container are each refused with their reason; so are a replayed
# request, a stale or unknown nonce, a wrong passphrase (and every request, right ones too, in the slowdown that
# follows three), a body other than the one signed, and an oversize body. The flash is read back unchanged after
# every refusal (reading needs debug mode, which is turned on for the read only). Debug mode and the anti-rollback
# minimum survive a restart; a factory reset forgets the passphrase, debug mode and the keys but keeps the minimum.
# Usage: test_airswdd_signed.sh PATH/TO/airswd PATH/TO/airswdd FIRMWARE_DIR
set -u
airswd=$1 airswdd=$2 firmware=$3
source "$(dirname "$0")/daemon_test.sh"
source "$(dirname "$0")/../common/skip.sh"
command -v openssl >/dev/null || skip_test "openssl is not installed (scripts/install-deps.sh)"
[[ -f "$firmware/f1/hello_f1.elf" ]] || skip_test "example firmware not built (arm-none-eabi-gcc missing)"
elf=$firmware/f1/hello_f1.elf

# run NAME ARGS...: airswd's stdout and stderr in $work/NAME.out and .err, its exit status in $rc.
run() {
  local name=$1
  shift
  "$airswd" "$@" >"$work/$name.out" 2>"$work/$name.err"
  rc=$?
}
sign() { "$airswd" sign "$@" 2>>"$work/sign.err"; }

# The owner's keys: one made by airswd, one by openssl; an attacker's; the device's image key and another.
"$airswd" keygen -o "$work/owner.pem" >/dev/null
"$airswd" keygen -o "$work/attacker.pem" >/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out "$work/ossl.pem" 2>/dev/null
openssl ec -in "$work/ossl.pem" -pubout -out "$work/ossl.pub.pem" 2>/dev/null
"$airswd" keygen --aes -o "$work/aes.hex" >/dev/null
"$airswd" keygen --aes -o "$work/other-aes.hex" >/dev/null

# Signed by openssl: airswd writes the header, openssl signs it, airswd attaches the DER signature.
sign --pub "$work/ossl.pub.pem" --version 5 --target stm32f103c8 "$elf" -o "$work/unsigned.bin" \
  --header-out "$work/header.bin"
openssl dgst -sha256 -sign "$work/ossl.pem" -out "$work/header.der" "$work/header.bin"
sign --attach "$work/header.der" "$work/unsigned.bin" -o "$work/openssl.bin"
sign --key "$work/owner.pem" --version 5 --target stm32f103c8 --encrypt-key "$work/aes.hex" "$elf" -o "$work/encrypted.bin"
sign --key "$work/owner.pem" --version 5 --target stm32f103c8 --encrypt-key "$work/other-aes.hex" "$elf" \
  -o "$work/other-aes.bin"
sign --key "$work/attacker.pem" --version 9 --target stm32f103c8 "$elf" -o "$work/attacker.bin"
sign --key "$work/owner.pem" --version 5 --target stm32f411ce "$elf" -o "$work/other-part.bin"
sign --key "$work/owner.pem" --version 4 --target stm32f103c8 "$elf" -o "$work/older.bin"
cp "$work/openssl.bin" "$work/payload-bit.bin"
size=$(stat -c %s "$work/payload-bit.bin")
byte=$(od -An -tu1 -j $((size - 100)) -N1 "$work/payload-bit.bin" | tr -d ' ')
printf "\\x$(printf %02x $((byte ^ 1)))" | dd of="$work/payload-bit.bin" bs=1 seek=$((size - 100)) conv=notrunc 2>/dev/null
cp "$work/openssl.bin" "$work/header-bit.bin"
byte=$(od -An -tu1 -j 16 -N1 "$work/header-bit.bin" | tr -d ' ')
printf "\\x$(printf %02x $((byte ^ 1)))" | dd of="$work/header-bit.bin" bs=1 seek=16 conv=notrunc 2>/dev/null
head -c 200 "$work/openssl.bin" >"$work/malformed.bin"
check "the containers were made" test -s "$work/openssl.bin" -a -s "$work/encrypted.bin" -a -s "$work/older.bin"

start_daemon "sim:stm32f103c8,state=$work/chip.state" --trust-key "$work/owner.pub.pem" \
  --trust-key "$work/ossl.pub.pem" --image-key "$work/aes.hex"
check "airswdd starts with two trusted keys and an image key" test -n "$port"
setup_daemon
check "first-boot setup answers 200" test "$code" = 200
export AIRSWD_PASSPHRASE=$passphrase
request GET /device
check "  and says it flashes signed images only, from two keys" python3 -c '
import json, sys
policy = json.load(open(sys.argv[1]))["policy"]
sys.exit(not (policy["signed_only"] and len(policy["trusted_keys"]) == 2 and policy["image_key"]
              and policy["min_security_version"] == 0))' "$work/body"

run openssl --device "$url" flash "$work/openssl.bin"
check "an image signed by openssl is flashed" test "$rc" = 0
sleep 0.5
check "  and runs: the hello line on USART1" contains "$work/daemon.err" "uart: hello from airswd example firmware"
request GET /device
check "  and the anti-rollback minimum rose to its version" contains "$work/body" '"min_security_version":5'
flash_size=65536
# read_back NAME: the whole flash into $work/NAME.bin, in debug mode turned on for the read and off again.
read_back() {
  "$airswd" --device "$url" debug on >/dev/null &&
    "$airswd" --device "$url" read 0x08000000 $flash_size -o "$work/$1.bin" >/dev/null 2>"$work/$1.err" &&
    "$airswd" --device "$url" debug off >/dev/null
}
check "the flash is read back for the comparisons" read_back before
unchanged() { read_back "$1-after" && cmp -s "$work/before.bin" "$work/$1-after.bin"; }

# refused NAME FILE ERROR: flashing FILE exits 1 naming ERROR, and the flash reads back as before.
refused() {
  run "$1" --device "$url" flash "$2"
  check "$1: refused (exit 1)" test "$rc" = 1
  check "  with $3" contains "$work/$1.err" "$3"
  check "  and the flash is unchanged" unchanged "$1"
}
refused unsigned "$elf" "image-unsigned"
refused attacker "$work/attacker.bin" "image-untrusted-key"
refused payload-bit "$work/payload-bit.bin" "image-hash"
refused header-bit "$work/header-bit.bin" "image-signature"
refused other-part "$work/other-part.bin" "target-mismatch"
refused older "$work/older.bin" "image-rollback"
refused other-aes "$work/other-aes.bin" "image-hash"
refused malformed "$work/malformed.bin" "image-truncated"
check "  each refusal names its reason in the daemon's log" grep -q "failed in check: image-hash" "$work/daemon.err"
check "  an untrusted signer's, refused at the upload, too" grep -q "refused: image-untrusted-key" "$work/daemon.err"

# The requests themselves. send NAME METHOD PATH BODY AUTHORIZATION: curl sends exactly that; the status in $code.
send() {
  printf '%s' "$4" >"$work/$1.request"
  code=$(curl -s -o "$work/$1.body" -D "$work/$1.headers" -w '%{http_code}' -X "$2" -H "$5" \
    -H 'Content-Type: application/json' --data-binary @"$work/$1.request" "$api$3")
}
# refused_request NAME STATUS ERROR: the last send answered STATUS with ERROR, and the flash is unchanged.
refused_request() {
  check "$1: refused with $2" test "$code" = "$2"
  check "  naming $3" contains "$work/$1.body" "\"error\":\"$3\""
  check "  and the flash is unchanged" unchanged "$1"
}
reset='{"action":"reset"}' erase='{"action":"erase"}'
printf '%s' "$reset" >"$work/reset.json"
printf '%s' "$erase" >"$work/erase.json"

captured=$(sign_request POST /api/v1/jobs "$work/reset.json")
send original POST /jobs "$reset" "$captured"
check "a signed reset is accepted (202)" test "$code" = 202
sleep 0.5
send replayed POST /jobs "$reset" "$captured"
refused_request replayed 401 stale-nonce
used_nonce=$(sed 's/.*nonce=\([0-9a-f]*\).*/\1/' <<<"$captured")
send used-nonce POST /jobs "$erase" "$(python3 "$tools_dir/auth_sign.py" "$passphrase" "$(device_salt)" POST /api/v1/jobs \
  "$used_nonce" "$work/erase.json")"
refused_request used-nonce 401 stale-nonce
send unknown-nonce POST /jobs "$erase" "$(python3 "$tools_dir/auth_sign.py" "$passphrase" "$(device_salt)" POST /api/v1/jobs \
  "$(openssl rand -hex 16)" "$work/erase.json")"
refused_request unknown-nonce 401 stale-nonce
send other-body POST /jobs "$erase" "$(sign_request POST /api/v1/jobs "$work/reset.json")"
refused_request other-body 400 body-mismatch
send other-path POST /jobs "$erase" "$(sign_request PUT /api/v1/settings "$work/erase.json")"
refused_request other-path 401 bad-credentials
head -c 2000 /dev/zero | tr '\0' ' ' >"$work/big.json"
send oversize POST /jobs "$(cat "$work/big.json")" "$(sign_request POST /api/v1/jobs "$work/big.json")"
refused_request oversize 413 payload-too-large
send unsigned POST /jobs "$erase" "X-Nothing: 1"
refused_request unsigned 401 unauthorized

# A wrong passphrase: bad-credentials; after three in a row every request is refused for a while, right ones too.
# The right request is signed beforehand, so that it reaches the device well inside the first (1 s) window.
right_header=$(sign_request POST /api/v1/jobs "$work/erase.json")
right=$passphrase
passphrase="not the passphrase at all"
for attempt in 1 2 3; do
  send "wrong-$attempt" POST /jobs "$erase" "$(sign_request POST /api/v1/jobs "$work/erase.json")"
  check "wrong passphrase, attempt $attempt: 401 bad-credentials" contains "$work/wrong-$attempt.body" bad-credentials
done
passphrase=$right
send throttled POST /jobs "$erase" "$right_header"
check "then the right passphrase too is refused: 429" test "$code" = 429
check "  with a Retry-After" grep -qi '^Retry-After: [1-9]' "$work/throttled.headers"
retry_after=$(sed -n 's/^Retry-After: \([0-9]*\).*/\1/ip' "$work/throttled.headers")
sleep "${retry_after:-1}"
check "  and, read once the window has passed, the flash is unchanged" unchanged throttled
send after-wait POST /jobs "$reset" "$(sign_request POST /api/v1/jobs "$work/reset.json")"
check "once the window has passed the right passphrase is accepted again (202)" test "$code" = 202
sleep 0.5

run encrypted --device "$url" flash "$work/encrypted.bin"
check "an encrypted image with the device's key is flashed and verified" test "$rc" = 0
check "  and the flash holds the same firmware" unchanged encrypted

"$airswd" --device "$url" debug on >/dev/null
check "SIGTERM stops airswdd" stop_daemon
start_daemon "sim:stm32f103c8,state=$work/chip.state" --trust-key "$work/owner.pub.pem" \
  --trust-key "$work/ossl.pub.pem" --image-key "$work/aes.hex"
request GET /device
check "after a restart the minimum is still 5" contains "$work/body" '"min_security_version":5'
check "  and debug mode is still on" contains "$work/body" '"debug_mode":true'
"$airswd" --device "$url" debug off >/dev/null
refused older-after-restart "$work/older.bin" "image-rollback"
check "SIGTERM stops airswdd again" stop_daemon

# A factory reset (the daemon's command line: physical access) forgets the passphrase, debug mode and the keys, and
# keeps the anti-rollback minimum: the device offers setup again, and the older image stays refused after it.
start_daemon "sim:stm32f103c8,state=$work/chip.state" --factory-reset
check "airswdd starts with --factory-reset" test -n "$port"
request GET /device
check "  it waits for setup again" contains "$work/body" '"setup_required":true'
request POST /jobs -d '{"kind":"erase"}'
check "  the old passphrase no longer signs anything (403 not-configured)" \
  test "$code" = 403 -a "$(grep -c not-configured "$work/body")" = 1
passphrase="the new owner's passphrase"
setup_daemon
check "setup is open again (200) with a new passphrase" test "$code" = 200
check "  with no trusted key and no image key" python3 -c '
import json, sys
device = json.load(open(sys.argv[1]))
policy = device["policy"]
sys.exit(not (policy["signed_only"] and policy["trusted_keys"] == [] and not policy["image_key"]
              and not device["debug_mode"]))' "$work/body"
check "  and keeps the anti-rollback minimum" contains "$work/body" '"min_security_version":5'
request GET /images
check "  the store is empty" test "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$work/body")" = 0
pub=$(python3 -c 'import json,sys; print(json.dumps(open(sys.argv[1]).read()))' "$work/owner.pub.pem")
request POST /keys -d "{\"signing_key\":$pub}"
check "  the new owner trusts a key (200)" test "$code" = 200
export AIRSWD_PASSPHRASE=$passphrase
refused older-after-reset "$work/older.bin" "image-rollback"
check "SIGTERM stops airswdd after the factory reset" stop_daemon

if [[ $failures -ne 0 ]]; then
  cat "$work/sign.err" "$work/daemon.err"
fi
exit $((failures != 0))
