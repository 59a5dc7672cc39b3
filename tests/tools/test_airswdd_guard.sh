#!/usr/bin/env bash
# Issue 14, item 1: another web site cannot take a fresh device over. With curl against a fresh airswdd:
# - first-boot setup needs the one-time code the daemon shows at start (its console, --setup-code-file, mode 0600);
#   without it, or with a wrong one, setup is refused (403 wrong-setup-code) and a wrong code counts toward the
#   throttle of its source: after three from 127.0.0.2 that address gets 429, while the owner at 127.0.0.1 sets up;
# - a body that is not declared application/json (the upload routes: application/octet-stream) gets 415, so the
#   "simple" requests a page may send without asking (text/plain, form encodings) reach nothing;
# - an Origin other than the device's own gets 403 on every route that changes something, setup included;
# - a Host that is not an IP literal, localhost or the --hostname gets 421 on every route (DNS rebinding);
# - every answer carries X-Content-Type-Options, the Content-Security-Policy and Referrer-Policy.
# Usage: test_airswdd_guard.sh AIRSWDD
set -u
airswdd=$1
. "$(dirname "$0")/daemon_test.sh"

start_daemon sim --hostname airswd.test
[[ -n "$port" ]] || { echo "FAIL: airswdd did not start"; cat "$work/daemon.err"; exit 1; }
code_shown=$(sed -n 's/^airswdd: setup code: \([0-9a-f]*\):.*/\1/p' "$work/daemon.err")
check "the daemon prints a setup code of 16 hex digits at start" test "${#code_shown}" = 16
check "  and --setup-code-file holds the same code" test "$(cat "$work/setup-code")" = "$code_shown"
check "  readable by its owner only" test "$(stat -c %a "$work/setup-code")" = 600

salt=$(device_salt)
passphrase="correct horse battery staple"
key=$(python3 "$tools_dir/auth_sign.py" --key "$passphrase" "$salt")
# setup_as NAME CODE [curl args...]: POST /setup from curl with that code; status in $code, body in $work/NAME.
setup_as() {
  local name=$1 setup_code=$2
  shift 2
  printf '{"setup_code":"%s","admin_key":"%s"}' "$setup_code" "$key" >"$work/$name.json"
  code=$(curl -s -o "$work/$name" -D "$work/$name.headers" -w '%{http_code}' -X POST --data-binary @"$work/$name.json" \
    "$@" "$api/setup")
}
error_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["error"])' "$work/$1"; }
json=(-H 'Content-Type: application/json')

# The "simple" requests of a page on another site: text/plain (a no-cors fetch), a form, no type at all.
setup_as plain "$code_shown" -H 'Content-Type: text/plain;charset=UTF-8'
check "setup with the right code as text/plain: 415" test "$code,$(error_of plain)" = "415,unsupported-media-type"
setup_as form "$code_shown" -H 'Content-Type: application/x-www-form-urlencoded'
check "  as a form: 415" test "$code" = 415
setup_as untyped "$code_shown" -H 'Content-Type:'
check "  with no Content-Type: 415" test "$code" = 415
# A foreign Origin, whatever the type.
setup_as foreign "$code_shown" "${json[@]}" -H 'Origin: http://evil.example'
check "setup with the right code from Origin http://evil.example: 403" test "$code,$(error_of foreign)" = "403,foreign-origin"
setup_as null-origin "$code_shown" "${json[@]}" -H 'Origin: null'
check "  from Origin null (a sandboxed frame): 403" test "$code,$(error_of null-origin)" = "403,foreign-origin"
setup_as other-port "$code_shown" "${json[@]}" -H "Origin: http://127.0.0.1:$((port + 1))"
check "  from the same address on another port: 403" test "$code" = 403
# A Host the device does not answer to (a name rebound to its address).
setup_as rebound "$code_shown" "${json[@]}" -H "Host: evil.example:$port"
check "setup with the right code through Host evil.example: 421" test "$code,$(error_of rebound)" = "421,misdirected-request"

# The code: missing, wrong (counted per source), right.
printf '{"admin_key":"%s"}' "$key" >"$work/no-code.json"
code=$(curl -s -o "$work/no-code" -w '%{http_code}' -X POST "${json[@]}" --data-binary @"$work/no-code.json" "$api/setup")
check "setup without a code: 403 wrong-setup-code" test "$code,$(error_of no-code)" = "403,wrong-setup-code"
wrong=0000000000000000
[[ $wrong == "$code_shown" ]] && wrong=1111111111111111
for attempt in 1 2 3; do
  setup_as "wrong-$attempt" "$wrong" "${json[@]}" --interface 127.0.0.2
  check "a wrong code from 127.0.0.2, attempt $attempt: 403" test "$code,$(error_of "wrong-$attempt")" = "403,wrong-setup-code"
done
setup_as throttled "$code_shown" "${json[@]}" --interface 127.0.0.2
check "  then 127.0.0.2 is throttled, even with the right code: 429" test "$code,$(error_of throttled)" = "429,throttled"
check "    with a Retry-After" grep -qi '^Retry-After: [1-9]' "$work/throttled.headers"
request GET /device
check "  and the device still wants setup" contains "$work/body" '"setup_required":true'
setup_as owner "$code_shown" "${json[@]}" -H "Origin: http://127.0.0.1:$port"
check "the owner at 127.0.0.1 with the right code and the page's own Origin: 200" test "$code" = 200
check "  the device is set up" contains "$work/owner" '"setup_required":false'
sleep 0.3 # the daemon's loop removes the spent code's file
check "  and the code's file is gone" test ! -e "$work/setup-code"
request GET /log
check "  and the event log (a signed read) never carried the code" \
  test "$code" = 200 -a "$(grep -c "$code_shown" "$work/body")" = 0
setup_as again "$code_shown" "${json[@]}"
check "the same code again: 409 setup-done" test "$code,$(error_of again)" = "409,setup-done"

# Host on every route, signed ones too.
for target in / /app.js /api/v1/device /api/v1/auth/nonce /api/v1/log /api/v1/images /api/v1/jobs/1 \
              /api/v1/settings /api/v1/target /api/v1/events /nothing/here; do
  got=$(curl -s -m 2 -o /dev/null -w '%{http_code}' -H "Host: rebound.example:$port" "$url$target")
  check "GET $target through Host rebound.example: 421" test "$got" = 421
done
got=$(curl -s -o /dev/null -w '%{http_code}' -X OPTIONS -H 'Host: rebound.example' "$api/setup")
check "OPTIONS through Host rebound.example: 421" test "$got" = 421
for host in "127.0.0.1:$port" "localhost:$port" LOCALHOST "airswd.test:$port" "AIRSWD.test." 10.0.0.7; do
  got=$(curl -s -o /dev/null -w '%{http_code}' -H "Host: $host" "$api/device")
  check "Host $host is answered (200)" test "$got" = 200
done
for host in "127.0.0.1.nip.example" "airswd.test.evil.example" "1.2.3.4.example" "airswd" "[::1]:$port" \
            "localhost.evil.example" ":$port"; do
  got=$(curl -s -o /dev/null -w '%{http_code}' -H "Host: $host" "$api/device")
  check "Host $host: 421" test "$got" = 421
done

# Origin on the changing routes after setup: refused before the signature is even looked at.
echo '{"debug":true}' >"$work/debug.json"
got=$(curl -s -o "$work/put" -w '%{http_code}' -X PUT "${json[@]}" -H 'Origin: http://evil.example' \
  -H "$(sign_request PUT /api/v1/settings "$work/debug.json")" --data-binary @"$work/debug.json" "$api/settings")
check "a correctly signed PUT /settings from Origin http://evil.example: 403" test "$got" = 403
got=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -H "Origin: http://evil.example" \
  --data-binary @"$work/debug.json" "$api/jobs")
check "  a POST /jobs from there: 403" test "$got" = 403
got=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE -H "Origin: http://evil.example" "$api/images/1")
check "  a DELETE from there: 403" test "$got" = 403
got=$(curl -s -o /dev/null -w '%{http_code}' -H "Origin: http://evil.example" "$api/device")
check "  a GET from there is answered (reads are the browser's to withhold: no CORS header)" test "$got" = 200
got=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
  -H "$(sign_request POST /api/v1/images "$work/debug.json")" --data-binary @"$work/debug.json" "$api/images")
check "an upload declared as JSON: 415" test "$got" = 415
request PUT /settings -d '{"debug":true}'
check "the owner's signed PUT /settings without an Origin (a CLI): 200" test "$code" = 200

# The headers of every answer: the page, an API answer, a refusal, an engine error, a 421.
for probe in "/" "/api/v1/device" "/api/v1/target" "/nothing/here" "/api/v1/device -H Host:x.example"; do
  read -r -a args <<<"$probe"
  curl -s -o /dev/null -D "$work/headers" "$url${args[0]}" "${args[@]:1}"
  check "GET $probe carries nosniff" grep -qi '^X-Content-Type-Options: nosniff' "$work/headers"
  check "  the CSP" grep -qi "^Content-Security-Policy: default-src 'self'; frame-ancestors 'none'" "$work/headers"
  check "  and Referrer-Policy: no-referrer" grep -qi '^Referrer-Policy: no-referrer' "$work/headers"
done

check "SIGTERM stops airswdd" stop_daemon
start_daemon sim
check "after a restart, set up: no setup code is printed" test "$(grep -c 'setup code' "$work/daemon.err")" = 1
check "  and no code file is written" test ! -e "$work/setup-code"
check "  the salt setup kept is served still" test "$(device_salt)" = "$salt"
stop_daemon
start_daemon sim --factory-reset
check "a factory reset draws a new salt" test "$(device_salt)" != "$salt"
check "  and shows a new setup code" test "$(cat "$work/setup-code")" != "$code_shown"
stop_daemon

((failures == 0)) && echo "every cross-site request was refused, and the owner set the device up"
exit $((failures > 0))
