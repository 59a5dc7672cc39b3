#!/usr/bin/env bash
# The image key installed or replaced after setup (PUT /api/v1/image-key, signed; `airswd --device URL image-key`):
# refused before setup (403 not-configured), unsigned (401), with a key of the wrong length, not hex, or beside
# another field (400, the device's policy unchanged); once installed, an encrypted container that was refused at the
# upload (image-encrypted) is stored and flashes; replaced by another key, a container encrypted with the new key
# flashes. Requests are made with curl and signed by tests/tools/auth_sign.py, and by the CLI.
# Usage: test_airswdd_image_key.sh PATH/TO/airswd PATH/TO/airswdd FIRMWARE_DIR
set -u
airswd=$1 airswdd=$2 firmware=$3
source "$(dirname "$0")/daemon_test.sh"
needs_curl_and_firmware "$firmware"

has_image_key() { request GET /device && json_field "['policy']['image_key']"; }
"$airswd" keygen -o "$work/owner.pem" >/dev/null
"$airswd" keygen --aes -o "$work/first.hex" >/dev/null
"$airswd" keygen --aes -o "$work/second.hex" >/dev/null
for key in first second; do
  "$airswd" sign --key "$work/owner.pem" --version 1 --target stm32f103c8 --encrypt-key "$work/$key.hex" "$elf" \
    -o "$work/$key.airswd" 2>/dev/null
done
check "the encrypted containers were made" test -s "$work/first.airswd" -a -s "$work/second.airswd"

start_daemon "sim:stm32f103c8,state=$work/chip.state"
check "airswdd starts" test -n "$port"
request PUT /image-key -d "{\"image_key\":\"$(cat "$work/first.hex")\"}"
check "before setup the route answers 403 not-configured" \
  test "$code,$(json_field "['error']")" = "403,not-configured"

pub=$(python3 -c 'import json,sys; print(json.dumps(open(sys.argv[1]).read()))' "$work/owner.pub.pem")
setup_daemon ",\"signing_key\":$pub"
check "setup with a signing key and no image key (200)" test "$code,$(json_field "['policy']['image_key']")" = 200,False
export AIRSWD_PASSPHRASE=$passphrase

request POST "/images?name=first.airswd&format=container" --data-binary @"$work/first.airswd"
check "without an image key the encrypted container is refused at the upload (400 image-encrypted)" \
  test "$code,$(json_field "['error']")" = "400,image-encrypted"

code=$(curl -s -o "$work/body" -w '%{http_code}' -X PUT -H 'Content-Type: application/json' \
  --data-binary "{\"image_key\":\"$(cat "$work/first.hex")\"}" "$api/image-key")
check "an unsigned PUT /image-key answers 401 unauthorized" test "$code,$(json_field "['error']")" = "401,unauthorized"
for body in '{"image_key":"0011223344556677"}' '{"image_key":"000102030405060708090a0b0c0d0e0f00"}' \
  '{"image_key":"zz0102030405060708090a0b0c0d0e0f"}' '{"image_key":16}' \
  '{"image_key":"000102030405060708090a0b0c0d0e0f","extra":1}'; do
  request PUT /image-key -d "$body"
  check "$body: 400 bad-request" test "$code,$(json_field "['error']")" = "400,bad-request"
done
check "  and after them the device still has no image key" test "$(has_image_key)" = False
"$airswd" --device "$url" image-key "$work/owner.pem" >"$work/cli.out" 2>"$work/cli.err"
check "the CLI refuses a file that is not an AES key (exit 1, saying so)" \
  test $? = 1 -a "$(grep -c 'does not hold an AES-128 key' "$work/cli.err")" = 1

"$airswd" --device "$url" image-key "$work/first.hex" >"$work/cli.out" 2>"$work/cli.err"
check "airswd image-key installs the key (exit 0)" test $? = 0
check "  and says so" contains "$work/cli.out" "image key: installed"
check "  the device now has an image key" test "$(has_image_key)" = True
request GET /log
check "  and its log says a new image key was set" contains "$work/body" "a new image key decrypts encrypted containers"
"$airswd" --device "$url" flash "$work/first.airswd" >"$work/flash-first.out" 2>&1
check "the container encrypted with it is stored and flashes (exit 0)" test $? = 0

request PUT /image-key -d "{\"image_key\":\"$(cat "$work/second.hex")\"}"
check "a signed PUT /image-key replaces it (200, with the device's answer)" \
  test "$code,$(json_field "['policy']['image_key']")" = 200,True
"$airswd" --device "$url" flash "$work/second.airswd" >"$work/flash-second.out" 2>&1
check "  and the container encrypted with the new key flashes (exit 0)" test $? = 0
check "SIGTERM stops airswdd" stop_daemon

if [[ $failures -ne 0 ]]; then cat "$work"/*.out "$work"/*.err; fi
exit $((failures != 0))
