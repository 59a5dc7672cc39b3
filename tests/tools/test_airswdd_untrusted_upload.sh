#!/usr/bin/env bash
# A container the device could never flash is refused at the upload, as an unsigned ELF is, and the store is left as
# it was: one signed by a key the device does not trust (403 image-untrusted-key, also with its format left to
# detection, and in debug mode, which allows plain images but never an untrusted signer), one whose header was
# changed after signing (403 image-signature), and, on a device set up without a signing key, any container (the
# detail says that no key is trusted yet). The owner's own container is stored and flashed beside them. Requests are
# made with curl and signed by tests/tools/auth_sign.py.
# Usage: test_airswdd_untrusted_upload.sh PATH/TO/airswd PATH/TO/airswdd FIRMWARE_DIR
set -u
airswd=$1 airswdd=$2 firmware=$3
source "$(dirname "$0")/daemon_test.sh"
needs_curl_and_firmware "$firmware"

"$airswd" keygen -o "$work/owner.pem" >/dev/null
"$airswd" keygen -o "$work/stranger.pem" >/dev/null
"$airswd" sign --key "$work/owner.pem" --version 1 --target stm32f103c8 "$elf" -o "$work/owner.airswd" 2>/dev/null
"$airswd" sign --key "$work/stranger.pem" --version 1 --target stm32f103c8 "$elf" -o "$work/stranger.airswd" \
  2>/dev/null
cp "$work/owner.airswd" "$work/changed.airswd"
printf '\x07' | dd of="$work/changed.airswd" bs=1 seek=12 conv=notrunc 2>/dev/null # the security version
check "the containers were made" test -s "$work/owner.airswd" -a -s "$work/stranger.airswd"

# store_state: the image list and the store's room, which a refusal must leave as they were.
store_state() {
  request GET /images && cp "$work/body" "$work/images.now"
  request GET /device && python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["store"])' "$work/body" \
    >>"$work/images.now"
  cat "$work/images.now"
}
# refused NAME FILE QUERY ERROR TEXT: the upload of FILE answers 403 ERROR with TEXT in its detail, and leaves the
# store as it was.
refused() {
  local before
  before=$(store_state)
  request POST "/images?name=$1$3" --data-binary @"$2"
  check "$1: the upload is refused with 403 $4" test "$code,$(json_field "['error']")" = "403,$4"
  check "  its detail says why: $5" contains "$work/body" "$5"
  check "  and the store is as it was" test "$(store_state)" = "$before"
}

start_daemon "sim:stm32f103c8,state=$work/chip.state"
check "airswdd starts" test -n "$port"
pub=$(python3 -c 'import json,sys; print(json.dumps(open(sys.argv[1]).read()))' "$work/owner.pub.pem")
setup_daemon ",\"signing_key\":$pub"
check "setup with the owner's signing key answers 200" test "$code" = 200
request POST "/images?name=owner.airswd&format=container" --data-binary @"$work/owner.airswd"
check "the owner's container is stored (201)" test "$code" = 201
owner_id=$(json_field "['id']")

refused stranger.airswd "$work/stranger.airswd" "&format=container" image-untrusted-key \
  "which this device does not trust"
refused stranger-detected.airswd "$work/stranger.airswd" "" image-untrusted-key "which this device does not trust"
refused changed.airswd "$work/changed.airswd" "&format=container" image-signature "signature of the header is not valid"
request PUT /settings -d '{"debug":true}'
check "debug mode is turned on" test "$code" = 200
refused stranger-debug.airswd "$work/stranger.airswd" "&format=container" image-untrusted-key "does not trust"
request PUT /settings -d '{"debug":false}'
request GET /log
check "the log says who tried: the refusal with the key's id" contains "$work/body" \
  "upload of stranger.airswd refused: image-untrusted-key: signed by key"
check "the log names no refused container as uploaded" \
  test "$(grep -o 'uploaded: [a-z-]*\.airswd' "$work/body" | sort -u | tr '\n' ' ')" = "uploaded: owner.airswd "

request POST /jobs -d "{\"action\":\"flash\",\"image\":$owner_id}"
job=$(json_field "['id']")
wait_job "$job"
check "the owner's container, stored beside the refusals, flashes (done)" test "$(json_field "['state']")" = done
check "SIGTERM stops airswdd" stop_daemon

# A device set up without a signing key trusts none: every container is refused, and the detail says so.
rm -rf "$work/state"
start_daemon "sim:stm32f103c8,state=$work/chip.state"
passphrase="another owner's passphrase"
AIRSWD_PASSPHRASE=$passphrase "$airswd" --device "$url" setup --code "$(cat "$work/setup-code")" >"$work/setup.out"
check "setup without a signing key (airswd setup) succeeds" test $? = 0
check "  and says that nothing can be flashed until a key is added" \
  contains "$work/setup.out" "no signing key is trusted: nothing can be flashed until one is added"
request GET /device
check "  the device trusts no key" test "$code,$(json_field "['policy']['trusted_keys']")" = "200,[]"
refused owner-untrusted.airswd "$work/owner.airswd" "&format=container" image-untrusted-key "it trusts no key yet"
check "SIGTERM stops airswdd again" stop_daemon

[[ $failures -ne 0 ]] && cat "$work/daemon.err"
exit $((failures != 0))
