#!/usr/bin/env bash
# The airswdd daemon driven through its REST API by real curl: first-boot setup and signed requests (the plain images
# below need debug mode, which the test turns on; tests/tools/test_airswdd_signed.sh covers the signed-only default
# and every refusal), device and target, uploads (ELF, HEX, a big BIN),
# a flash job polled to its end, progress on the event stream, one job at a time (409), the errors with their JSON
# bodies (404, 400, 411, 413), rollback, a clean SIGTERM, and the images still there after a restart on the same state.
# Usage: test_airswdd_api.sh PATH/TO/airswdd FIRMWARE_DIR
set -u
airswdd=$1 firmware=$2
source "$(dirname "$0")/daemon_test.sh"
source "$(dirname "$0")/../common/skip.sh"
command -v curl >/dev/null || skip_test "curl is not installed (scripts/install-deps.sh)"
[[ -f "$firmware/f1/hello_f1.elf" ]] || skip_test "example firmware not built (arm-none-eabi-gcc missing)"

# A 512 KB F1, so that a 256 KB image (a whole slot) takes a while to flash.
target="sim:stm32f103re,state=$work/chip.state"

json_field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))$1)" "$work/body"; }

start_daemon "$target"
check "airswdd prints its ready line" test -n "$port"

request GET /device
check "GET /device answers 200" test "$code" = 200
check "  and says setup is required" contains "$work/body" '"setup_required":true'
request POST /jobs -d '{"action":"erase"}'
check "before setup, a job answers 403 not-configured" test "$code,$(json_field "['error']")" = "403,not-configured"
setup_daemon
check "POST /setup with the admin key answers 200" test "$code" = 200
check "  after which setup is no longer required" contains "$work/body" '"setup_required":false'
setup_daemon
check "  and a second setup answers 409 setup-done" test "$code,$(json_field "['error']")" = "409,setup-done"
code=$(curl -s -o "$work/body" -D "$work/headers" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
  -d '{"action":"erase"}' "$api/jobs")
check "an unsigned job request answers 401 unauthorized" test "$code,$(json_field "['error']")" = "401,unauthorized"
check "  with the WWW-Authenticate challenge" grep -qi '^WWW-Authenticate: AIRSWD-HMAC-SHA256' "$work/headers"
request POST "/images?name=hello_f1.elf" --data-binary @"$firmware/f1/hello_f1.elf"
check "a plain image is refused while debug mode is off: 403 image-unsigned" \
  test "$code,$(json_field "['error']")" = "403,image-unsigned"
request PUT /settings -d '{"debug":true}'
check "a signed PUT /settings turns debug mode on" test "$code,$(json_field "['debug']")" = "200,True"
request GET /device
# The default store: 2112 KB (a 4 MB ESP8266's partition) less 2 sectors of journal.
check "  with the target and the store" \
  contains "$work/body" '"store":{"capacity":2154496,"room":2154496,"room_without_rollback":2154496,"max_images":4}'

request GET /target
check "GET /target identifies the simulated part" contains "$work/body" '"part":"STM32F10x high density"'
check "  with its read protection level" contains "$work/body" '"rdp_level":0'
check "  and its option bytes: USER bits by name, no write protection" \
  contains "$work/body" '"option_bytes":{"user":"WDG_SW=1 nRST_STOP=1 nRST_STDBY=1","user_raw":255,"write_protected":[]}'

request POST "/images?name=hello_f1.elf" --data-binary @"$firmware/f1/hello_f1.elf"
check "upload of an ELF answers 201" test "$code" = 201
check "  and detects its format" contains "$work/body" '"format":"elf"'
elf_id=$(json_field "['id']")

request POST "/images?name=hello_f1.hex&format=hex" --data-binary @"$firmware/f1/hello_f1.hex"
check "upload of a HEX answers 201" test "$code" = 201
hex_id=$(json_field "['id']")

request GET /images
check "GET /images lists both" test "$(json_field "[0]['id']"),$(json_field "[1]['id']")" = "$elf_id,$hex_id"

: >"$work/empty"
curl -sN -D "$work/events.head" -H "$(sign_request GET /api/v1/events "$work/empty")" "$api/events" \
  >"$work/events" 2>/dev/null &
events_pid=$!
# The job starts once the stream is open (its answer's head arrived), so that none of its events comes before it.
for _ in $(seq 100); do grep -q "^HTTP/1.1 200" "$work/events.head" 2>/dev/null && break; sleep 0.05; done

request POST /jobs -d "{\"action\":\"flash\",\"image\":$elf_id}"
check "POST /jobs answers 202" test "$code" = 202
job=$(json_field "['id']")
check "the job finishes" wait_job_event "$work/events" "$job"
request GET "/jobs/$job"
check "  done" contains "$work/body" '"state":"done"'
check "  with its phases in chip time" grep -qE '"phases_us":\{"plan":[0-9]+,"connect":[0-9]+,.*"program":[1-9]' "$work/body"
check "  and verified bytes" grep -qE '"verified_bytes":[1-9]' "$work/body"

request GET /images
check "the flashed image is current and flashed well" \
  test "$(json_field "[0]['state']"),$(json_field "[0]['flashed_ok']")" = "current,True"

sleep 0.3
kill "$events_pid" 2>/dev/null
wait "$events_pid" 2>/dev/null
check "the event stream carried progress events" contains "$work/events" 'event: progress'
# The service keeps its last events in a ring (8 on the ESP8266 sizes): a stream the job's events overtake skips to
# the oldest one kept, which shows as a jump in the ids, and the program phase's events may be among those skipped.
# When the ring overtook the stream before its first event went out, the jump lies before the file's first id: the
# job's "started" line, which came after the stream opened, is then missing.
program_seen_or_skipped() {
  contains "$work/events" "\"job\":$job,\"phase\":\"program\"" && return 0
  contains "$work/events" "job $job flash hello_f1.elf: started" || return 0
  python3 - "$work/events" <<'PY'
import re, sys
ids = [int(n) for n in re.findall(r'^id: (\d+)$', open(sys.argv[1]).read(), re.M)]
sys.exit(0 if any(b != a + 1 for a, b in zip(ids, ids[1:])) else 1)
PY
}
check "  with the program phase (or a jump in the ids where the ring overtook the stream)" program_seen_or_skipped
check "  and the job's end" contains "$work/events" "data: {\"job\":$job,\"state\":\"done\"}"
# Resume from three events before the job's end: within the ring of events the service keeps with any buffer sizes.
done_id=$(grep -B2 -F "data: {\"job\":$job,\"state\":\"done\"}" "$work/events" | sed -n 's/^id: //p')
resume_id=$((done_id - 3))
curl -sN -m 1 -H "Last-Event-ID: $resume_id" -H "$(sign_request GET /api/v1/events "$work/empty")" "$api/events" \
  >"$work/replay" 2>/dev/null
check "a stream opened with Last-Event-ID replays what came after that event" \
  test "$(grep -m1 '^id: ' "$work/replay" | cut -d' ' -f2)" = "$((resume_id + 1))"
check "  up to the job's end" contains "$work/replay" "data: {\"job\":$job,\"state\":\"done\"}"

# Flash the HEX so that the ELF becomes the previous (rollback) image.
request POST /jobs -d "{\"action\":\"flash\",\"image\":$hex_id}"
wait_job "$(json_field "['id']")"
check "flashing the HEX succeeds" contains "$work/body" '"state":"done"'

request DELETE "/images/$hex_id"
check "deleting the current image answers 409 conflict" test "$code,$(json_field "['error']")" = "409,conflict"

# One job at a time.
head -c 262144 /dev/urandom >"$work/big.bin"
request POST "/images?name=big.bin&format=bin" --data-binary @"$work/big.bin"
check "upload of a 256 KB binary answers 201" test "$code" = 201
big_id=$(json_field "['id']")
# The second request follows the first within one curl run (a new process could start after the job is over).
printf '{"action":"flash","image":%s}' "$big_id" >"$work/first.json"
printf '{"action":"flash","image":%s}' "$elf_id" >"$work/second.json"
codes=$(curl -s -o "$work/first" -w '%{http_code} ' -X POST --data-binary @"$work/first.json" \
  -H 'Content-Type: application/json' -H "$(sign_request POST /api/v1/jobs "$work/first.json")" "$api/jobs" \
  --next -s -o "$work/body" -w '%{http_code}' -X POST --data-binary @"$work/second.json" \
  -H 'Content-Type: application/json' -H "$(sign_request POST /api/v1/jobs "$work/second.json")" "$api/jobs")
big_job=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['id'])" "$work/first")
check "a second job while one runs answers 409" test "$codes" = "202 409"
check "  busy, naming the running job" \
  test "$(json_field "['error']"),$(json_field "['detail']")" = "busy,job $big_job (flash) is running"
wait_job "$big_job"
check "the big job finishes" contains "$work/body" '"state":"done"'

# Errors.
request GET /jobs/9999
check "an unknown job answers 404 with a JSON body" test "$code,$(json_field "['error']")" = "404,not-found"
request DELETE /images/12345
check "an unknown image answers 404 with a JSON body" test "$code,$(json_field "['error']")" = "404,not-found"
request POST /jobs -d '{"action":"flash",'
check "malformed JSON answers 400 bad-request" test "$code,$(json_field "['error']")" = "400,bad-request"
request POST /jobs -d '{"action":"dance"}'
check "an unknown action answers 400" test "$code" = 400
request GET /images
kept=$(json_field ".__len__()")
head -n 5 "$firmware/f1/hello_f1.hex" >"$work/truncated.hex" # whole records, no end-of-file record
request POST "/images?name=cut.hex&format=hex" --data-binary @"$work/truncated.hex"
check "a truncated HEX answers 400 with the image status" \
  test "$code,$(json_field "['error']")" = "400,image-truncated"
head -c 2154497 /dev/zero >"$work/huge.bin"
request POST "/images?name=huge.bin&format=bin" --data-binary @"$work/huge.bin"
check "an image larger than the whole store answers 413" test "$code,$(json_field "['error']")" = "413,too-large"
check "  saying what the store holds" contains "$work/body" "the store holds 2154496 B"
code=$(curl -s -o "$work/body" -w '%{http_code}' -X POST -H 'Transfer-Encoding: chunked' \
  -H 'Content-Type: application/octet-stream' \
  -H "$(sign_request POST "/api/v1/images?name=chunked.bin" "$firmware/f1/hello_f1.bin")" \
  --data-binary @"$firmware/f1/hello_f1.bin" "$api/images?name=chunked.bin")
check "an upload without a size (chunked) answers 411 length-required" \
  test "$code,$(json_field "['error']")" = "411,length-required"
request GET /images
check "  and neither refused file is kept" test "$(json_field ".__len__()")" = "$kept"

# Cancel: the big image again, stopped at its next block.
# Jobs are numbered in order, so the DELETE can follow the POST within one curl run.
cancel_job=$((big_job + 1))
: >"$work/empty"
codes=$(curl -s -o "$work/first" -w '%{http_code} ' -X POST --data-binary @"$work/first.json" \
  -H 'Content-Type: application/json' -H "$(sign_request POST /api/v1/jobs "$work/first.json")" "$api/jobs" \
  --next -s -o "$work/body" -w '%{http_code}' -X DELETE \
  -H "$(sign_request DELETE "/api/v1/jobs/$cancel_job" "$work/empty")" "$api/jobs/$cancel_job")
check "DELETE /jobs/{id} of a running job answers 202" test "$codes" = "202 202"
wait_job "$cancel_job"
check "  and the job ends cancelled (it ended $(json_field "['state']") in $(json_field "['phase']"))" \
  test "$(json_field "['state']"),$(json_field "['error']['status']")" = "cancelled,cancelled"
request DELETE "/jobs/$cancel_job"
check "cancelling a finished job answers 409" test "$code,$(json_field "['error']")" = "409,conflict"

# Rollback: the big image is current; the HEX that flashed well before it is the previous one (the ELF was freed
# when the big image replaced the HEX: the store keeps one rollback image).
request POST /jobs -d '{"action":"rollback"}'
check "rollback answers 202" test "$code" = 202
wait_job "$(json_field "['id']")"
check "  and finishes" contains "$work/body" '"state":"done"'
request GET /images
check "  the previous image is current again" \
  python3 -c "import json,sys; l=json.load(open(sys.argv[1])); sys.exit(0 if [i['id'] for i in l if i['state']=='current']==[$hex_id] else 1)" "$work/body"

# The other actions on the HEX that is current again: verify, read into an image and download it, erase (after
# which a verify fails), reset.
request POST /jobs -d '{"action":"verify"}'
check "a verify job answers 202" test "$code" = 202
wait_job "$(json_field "['id']")"
check "  and finds the flash equal to the current image" \
  test "$(json_field "['state']"),$(json_field "['result']['program_bytes']")" = "done,0"
bin_size=$(stat -c %s "$firmware/f1/hello_f1.bin")
request POST /jobs -d "{\"action\":\"read\",\"address\":134217728,\"length\":$bin_size}"
check "a read job answers 202" test "$code" = 202
wait_job "$(json_field "['id']")"
check "  and is done with the path of its data" grep -qE '"data":"/api/v1/images/[0-9]+/data"' "$work/body"
data_path=$(json_field "['data']")
code=$(curl -s -o "$work/read.bin" -w '%{http_code}' -H "$(sign_request GET "$data_path" "$work/empty")" \
  "http://127.0.0.1:$port$data_path")
check "  GET of the data answers 200 with what the flash holds" cmp -s "$work/read.bin" "$firmware/f1/hello_f1.bin"
read_image=${data_path#/api/v1}
request DELETE "${read_image%/data}"
check "  the read image can be deleted" test "$code" = 204
request POST /jobs -d '{"action":"read","address":134217728,"length":0}'
check "a read of nothing answers 400" test "$code,$(json_field "['error']")" = "400,bad-request"
request POST /jobs -d '{"action":"erase"}'
wait_job "$(json_field "['id']")"
check "an erase job is done" test "$(json_field "['state']"),$(json_field "['result']['erase_units'] > 0")" = "done,True"
request POST /jobs -d '{"action":"verify"}'
wait_job "$(json_field "['id']")"
check "  after which a verify finds the flash different (flash-differs)" \
  test "$(json_field "['state']"),$(json_field "['error']['status']"),$(json_field "['error']['flash_changed']")" = \
  "failed,flash-differs,False"
request POST /jobs -d '{"action":"reset","nrst":true}'
reset_job=$(json_field "['id']")
wait_job "$reset_job"
check "a reset job is done" test "$(json_field "['state']"),$(json_field "['phase']")" = "done,reset"

request PUT /settings -d '{"verify":true,"swclk_hz":1000000}'
check "PUT /settings answers 200 with the settings" contains "$work/body" '"swclk_hz":1000000'
request GET /log
check "GET /log is a JSON array of the log" contains "$work/body" "job $reset_job reset: done"
check "  the newest line last" test "$(json_field "[-1]['text']")" = "settings changed"

check "SIGTERM stops airswdd with status 0" stop_daemon

start_daemon "$target"
check "airswdd restarts on the same state directory" test -n "$port"
request GET /images
check "  and the images are still there" test "$(json_field ".__len__()")" = "$kept"
check "  the current one too" contains "$work/body" "{\"id\":$hex_id,"
# SIGTERM while a job runs: the job is cancelled at its next block and the daemon still exits cleanly.
request POST /jobs -d "{\"action\":\"flash\",\"image\":$big_id}"
sleep 0.3
check "SIGTERM during a job exits 0" stop_daemon
check "  after cancelling the job" grep -qE "^job 1 flash big.bin: (cancelled|done)" "$work/daemon.err"

if [[ $failures -ne 0 ]]; then
  echo "--- daemon stderr"
  cat "$work/daemon.err"
fi
exit $((failures != 0))
