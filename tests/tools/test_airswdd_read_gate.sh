#!/usr/bin/env bash
# What a client reads of the device without the admin passphrase, and what anyone reads of the target's memory
# outside debug mode (docs/security.md, "What an unsigned client reads"):
#   (a) a signed 4-byte container run as a verify job used to put "flash at 0x08000001 holds 0x20, the image has
#       0x00" into the job's detail, which the open GET /jobs/N published: one byte of the product's firmware per
#       job. Now the detail names the address alone (the CRC-32 path too: no CRC of the flash), in the job, the log
#       and the events, signed or not; only in debug mode does it quote the byte, and such a detail is withheld once
#       debug mode is off again.
#   (b) after a debug-mode read of 4 bytes, the open GET /images listed the CRC-32 of that image, which inverts to the
#       4 bytes. Now the list is a signed read, and it gives no CRC-32 of an image under 64 bytes outside debug mode.
# Before setup only the page, the device's summary, the nonce and setup are open; after it every read of the
# device's work needs a signature (GET /device answers its summary unsigned), and the owner's public_status setting
# opens the status and the log (not the images, settings or target) to unsigned reads until it is turned off or the
# device is factory reset. The target's flash is compared byte for byte after the attack.
# Usage: test_airswdd_read_gate.sh PATH/TO/airswd PATH/TO/airswdd FIRMWARE_DIR
set -u
airswd=$1 airswdd=$2 firmware=$3
source "$(dirname "$0")/daemon_test.sh"
source "$(dirname "$0")/../common/skip.sh"
command -v curl >/dev/null || skip_test "curl is not installed (scripts/install-deps.sh)"
[[ -f "$firmware/f1/hello_f1.elf" ]] || skip_test "example firmware not built (arm-none-eabi-gcc missing)"

# unsigned PATH: GET $api/PATH with no Authorization header; the body in $work/body, the status in $code.
unsigned() { code=$(curl -s -o "$work/body" -w '%{http_code}' "$api$1"); }
# unsigned_stream PATH: the first second of an event stream opened unsigned; the status in $code.
unsigned_stream() { code=$(curl -s -m 1 -o "$work/body" -w '%{http_code}' "$api$1"); }
# job ACTION-JSON [EVENTS-FILE]: POSTs the job and waits for its end (as the event stream in EVENTS-FILE says, when
# one is open); its id in $job, its record in $work/body.
job() {
  request POST /jobs -d "$1"
  job=$(json_field "['id']")
  if [[ -n ${2:-} ]]; then wait_job_event "$2" "$job" && request GET "/jobs/$job"; else wait_job "$job"; fi
}
debug() { request PUT /settings -d "{\"debug\":$1}"; }
: >"$work/empty"

start_daemon "sim:stm32f103c8,state=$work/chip.state"
check "airswdd starts" test -n "$port"

# ---- before setup: the page, the summary, the nonce and setup; nothing else
code=$(curl -s -o /dev/null -w '%{http_code}' "$url/")
check "before setup the page is open (200)" test "$code" = 200
unsigned /device
check "  GET /device answers its summary: name, version, board, the setup state" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(not (sorted(d) == ["auth", "board", "name", "version"] and d["auth"]["setup_required"] is True))' \
  "$work/body"
for path in /log /events /images /settings /jobs/1 /target; do
  unsigned "$path"
  check "  GET $path answers 403 not-configured" test "$code,$(json_field "['error']")" = "403,not-configured"
done

passphrase="the owner's long passphrase"
export AIRSWD_PASSPHRASE=$passphrase
"$airswd" keygen -o "$work/owner.pem" >/dev/null
"$airswd" --device "$url" setup --code "$(cat "$work/setup-code")" --signing-key "$work/owner.pub.pem" >/dev/null
unsigned /device
check "after setup GET /device answers unsigned with its summary only" \
  test "$(python3 -c 'import json,sys; print(sorted(json.load(open(sys.argv[1]))))' "$work/body")" \
  = "['auth', 'board', 'name', 'version']"
request GET /device
check "  and signed with the whole status" \
  test "$code,$(json_field "['auth']['setup_required']"),$(json_field "['public_status']")" = "200,False,False"
check "  (its policy and store among it)" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(not ("policy" in d and "store" in d and "uptime_s" in d))' "$work/body"
for path in /log /events /images /settings /jobs/1 /target; do
  unsigned "$path"
  check "  unsigned GET $path answers 401 unauthorized" test "$code,$(json_field "['error']")" = "401,unauthorized"
done

# ---- (a) the verify job as an oracle of flash bytes
"$airswd" sign --key "$work/owner.pem" --version 1 --target stm32f103c8 "$firmware/f1/hello_f1.elf" \
  -o "$work/hello.airswd" 2>/dev/null
"$airswd" --device "$url" flash "$work/hello.airswd" >/dev/null 2>&1
check "the owner's signed firmware is flashed" test $? = 0
"$airswd" --device "$url" debug on >/dev/null
"$airswd" --device "$url" read 0x08000000 65536 -o "$work/flash-before.bin" >/dev/null 2>&1
"$airswd" --device "$url" debug off >/dev/null
check "the flash is read in debug mode, for the comparisons" test "$(stat -c %s "$work/flash-before.bin")" = 65536
# The attacker's 4 bytes differ from the flash's in every bit: the first difference is the first byte.
python3 -c 'import sys; sys.stdout.buffer.write(bytes(b ^ 0xFF for b in open(sys.argv[1], "rb").read(4)))' \
  "$work/flash-before.bin" >"$work/four.bin"
flash_byte=$(od -An -tx1 -N1 "$work/flash-before.bin" | tr -d ' ' | tr a-f A-F)
image_byte=$(od -An -tx1 -N1 "$work/four.bin" | tr -d ' ' | tr a-f A-F)
"$airswd" sign --key "$work/owner.pem" --version 1 --target stm32f103c8 --format bin --base 0x08000000 \
  "$work/four.bin" -o "$work/four.airswd" 2>/dev/null
request POST "/images?name=four.airswd&format=container" --data-binary @"$work/four.airswd"
four=$(json_field "['id']")
check "a signed 4-byte container is stored" test "$code" = 201

curl -sN -H "$(sign_request GET /api/v1/events "$work/empty")" "$api/events" >"$work/events" 2>/dev/null &
events_pid=$!
sleep 0.3
job "{\"action\":\"verify\",\"image\":$four}" "$work/events"
verify_job=$job
check "a verify job of it fails: flash-differs" test "$(json_field "['error']['status']")" = flash-differs
check "  its detail names the address of the difference" \
  test "$(json_field "['error']['detail']")" = "verifying: flash at 0x08000000 differs from the image"
check "  and no byte of the flash (0x$flash_byte)" bash -c "! grep -qiE 'holds 0x|0x$flash_byte\\b' '$work/body'"
sleep 0.3
kill "$events_pid" 2>/dev/null
wait "$events_pid" 2>/dev/null
check "  the event stream said the job failed" contains "$work/events" "{\"job\":$verify_job,\"state\":\"failed\"}"
check "  and carried no byte of the flash" bash -c "! grep -qi 'holds 0x' '$work/events'"
request GET /log
check "  nor does the log" bash -c "! grep -qi 'holds 0x' '$work/body'"
unsigned "/jobs/$verify_job"
check "  and an unsigned client reads none of it (401)" test "$code" = 401

# The CRC-32 path (4 KB and more is checked by a CRC stub on the target): no CRC of the flash either.
head -c 8192 /dev/urandom >"$work/noise.bin"
"$airswd" sign --key "$work/owner.pem" --version 1 --target stm32f103c8 --format bin --base 0x08000000 \
  "$work/noise.bin" -o "$work/noise.airswd" 2>/dev/null
request POST "/images?name=noise.airswd&format=container" --data-binary @"$work/noise.airswd"
job "{\"action\":\"verify\",\"image\":$(json_field "['id']")}"
check "a verify job of an 8 KB container fails: flash-differs" test "$(json_field "['error']['status']")" = flash-differs
check "  its detail names the range, and no CRC-32 of the flash" \
  test "$(json_field "['error']['detail']")" = "verifying 0x08000000..0x08001FFF: the flash differs from the image"

# In debug mode the detail quotes the flash (who may read the memory anyway); once it is off, that detail is withheld.
debug true
job "{\"action\":\"verify\",\"image\":$four}"
debug_job=$job
check "in debug mode the verify job's detail quotes the byte" \
  test "$(json_field "['error']['detail']")" = "verifying: flash at 0x08000000 holds 0x$flash_byte, the image has 0x$image_byte"
debug false
request GET "/jobs/$debug_job"
check "  and once debug mode is off again that detail is withheld" \
  test "$(json_field "['error']['detail']")" = \
  "withheld: the job ran in debug mode and its detail may quote target memory; debug mode shows it"

# ---- (b) the CRC-32 of a 4-byte read
debug true
job '{"action":"read","address":134217728,"length":4}'
read_image=$(json_field "['data']" | sed 's|^/api/v1/images/\([0-9]*\)/data$|\1|')
check "a debug-mode read of 4 bytes makes an image" test -n "$read_image"
request GET /images
check "  whose CRC-32 the list shows in debug mode" python3 -c '
import json, sys
images = {i["id"]: i for i in json.load(open(sys.argv[1]))}
sys.exit(not isinstance(images[int(sys.argv[2])]["crc32"], int))' "$work/body" "$read_image"
debug false
request GET /images
check "  and not once debug mode is off (null)" python3 -c '
import json, sys
images = {i["id"]: i for i in json.load(open(sys.argv[1]))}
sys.exit(images[int(sys.argv[2])]["crc32"] is not None)' "$work/body" "$read_image"
check "  while an image of 64 bytes or more keeps its CRC-32" python3 -c '
import json, sys
sys.exit(not any(isinstance(i["crc32"], int) and i["size"] >= 64 for i in json.load(open(sys.argv[1]))))' "$work/body"
unsigned /images
check "  and an unsigned client cannot list the images (401)" test "$code" = 401

# ---- public_status: the status and the log for a bench
request PUT /settings -d '{"public_status":true}'
check "PUT /settings public_status=true answers 200" test "$code,$(json_field "['public_status']")" = "200,True"
unsigned /device
check "  then an unsigned GET /device has the whole status" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(not (d["public_status"] is True and "policy" in d))' "$work/body"
unsigned /log
check "  unsigned GET /log answers 200, and says it was made public" \
  test "$code,$(grep -c 'status and log public' "$work/body")" = "200,1"
unsigned "/jobs/$verify_job"
check "  unsigned GET /jobs/N answers 200, still without the byte" \
  test "$code,$(json_field "['error']['detail']")" = "200,verifying: flash at 0x08000000 differs from the image"
unsigned_stream /events
check "  unsigned GET /events streams (200)" test "$code" = 200
for path in /images /settings /target; do
  unsigned "$path"
  check "  unsigned GET $path still answers 401" test "$code" = 401
done
code=$(curl -s -o "$work/body" -w '%{http_code}' -H "$(passphrase="a wrong passphrase" sign_request GET /api/v1/log \
  "$work/empty")" "$api/log")
check "  a wrongly signed GET /log is refused all the same (401 bad-credentials)" \
  test "$code,$(json_field "['error']")" = "401,bad-credentials"
request PUT /settings -d '{"public_status":false}'
unsigned /log
check "public_status=false closes the log again (401)" test "$code" = 401
request PUT /settings -d '{"public_status":true}'
check "the daemon stops" stop_daemon

"$airswd" --target "sim:stm32f103c8,state=$work/chip.state" read 0x08000000 65536 -o "$work/flash-after.bin" \
  >/dev/null 2>&1
check "the flash is byte for byte what it was before the verify jobs and the read" \
  cmp -s "$work/flash-before.bin" "$work/flash-after.bin"

start_daemon "sim:stm32f103c8,state=$work/chip.state"
unsigned /log
check "public_status survives a restart (unsigned GET /log 200)" test "$code" = 200
stop_daemon
start_daemon "sim:stm32f103c8,state=$work/chip.state" --factory-reset
unsigned /log
check "a factory reset closes everything again (403 not-configured)" test "$code" = 403
passphrase="the next owner's passphrase"
setup_daemon
unsigned /log
check "  and the next owner starts private (401)" test "$code" = 401
check "the daemon stops after the factory reset" stop_daemon

if [[ $failures -ne 0 ]]; then
  echo "--- daemon stderr"
  cat "$work/daemon.err"
fi
exit $((failures != 0))
