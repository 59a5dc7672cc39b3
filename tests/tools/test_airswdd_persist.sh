#!/usr/bin/env bash
# The airswdd daemon's settings and event log survive a restart on the same state directory: settings changed by
# PUT /settings come back from GET /settings after a SIGTERM and a new start, the log lines of the first run are
# still in GET /log (with their numbers, the new run's lines numbered after them), and the log file stays bounded
# when many lines are written (a factory-less restart after many restarts).
# Usage: test_airswdd_persist.sh PATH/TO/airswdd
set -u
airswdd=$1
source "$(dirname "$0")/daemon_test.sh"
source "$(dirname "$0")/../common/skip.sh"
command -v curl >/dev/null || skip_test "curl is not installed (scripts/install-deps.sh)"

target="sim:stm32f103c8,state=$work/chip.state"

log_field() { python3 -c "import json,sys; l=json.load(open(sys.argv[1])); print($1)" "$work/body"; }

start_daemon "$target"
check "airswdd starts on a fresh state directory" test -n "$port"
setup_daemon
check "first-boot setup answers 200" test "$code" = 200
request GET /settings
check "GET /settings answers 200" test "$code" = 200
check "  with the default verify" contains "$work/body" '"verify":true'
request PUT /settings -H 'Content-Type: application/json' \
  --data '{"swclk_hz": 1000000, "connect_under_reset": true, "verify": false, "public_status": true}'
check "PUT /settings answers 200" test "$code" = 200
request GET /log
check "GET /log answers 200" test "$code" = 200
check "  with the start line" contains "$work/body" 'serving sim:stm32f103c8'
first_last=$(log_field "l[-1]['seq']")
first_count=$(log_field "len(l)")
check "stop with SIGTERM exits 0" stop_daemon
check "the settings are in the state directory" test -s "$work/state/settings.txt"
check "the log is in the state directory" test -s "$work/state/log.txt"
check "the security record is in the state directory, readable by its owner only" \
  test "$(stat -c %a "$work/state/security.bin")" = 600

start_daemon "$target"
check "airswdd starts again on the same state directory" test -n "$port"
request GET /settings
check "the settings survive the restart: swclk_hz" contains "$work/body" '"swclk_hz":1000000'
check "  connect_under_reset" contains "$work/body" '"connect_under_reset":true'
check "  verify" contains "$work/body" '"verify":false'
check "  public_status" contains "$work/body" '"public_status":true'
request POST /setup -d '{"admin_key":"00000000000000000000000000000000000000000000000000000000000000aa"}'
check "setup stays closed after the restart (409)" test "$code" = 409
saved_passphrase=$passphrase passphrase=
request PUT /settings -d '{"verify": true}'
check "  and an unsigned change is still refused (401)" test "$code" = 401
passphrase=$saved_passphrase
request GET /log
check "the log survives the restart: the first run's start line" \
  test "$(log_field "sum('serving' in x['text'] for x in l)")" = 2
check "  the first run's lines keep their numbers" test "$(log_field "l[$first_count - 1]['seq']")" = "$first_last"
check "  the new run's lines are numbered after them" test "$(log_field "l[-1]['seq'] > $first_last")" = True
check "stop with SIGTERM exits 0 again" stop_daemon

# Many restarts: the log file stays bounded (compacted) and GET /log keeps the newest lines only.
for _ in $(seq 1 40); do
  start_daemon "$target"
  stop_daemon
done
start_daemon "$target"
request GET /log
check "after 40 more restarts GET /log is bounded" test "$(log_field "len(l) <= 64")" = True
check "  and keeps the newest line" contains "$work/body" 'serving sim:stm32f103c8'
lines=$(wc -l <"$work/state/log.txt")
echo "log file: $lines lines, $(wc -c <"$work/state/log.txt") bytes"
check "the log file is bounded" test "$lines" -le 200
request GET /settings
check "the settings are still there" contains "$work/body" '"swclk_hz":1000000'
check "stop with SIGTERM exits 0 after the restarts" stop_daemon

# Damaged files (a crash in the middle of a write): a torn last log line and garbage are skipped, a settings file
# without its end marker is ignored (the defaults).
printf 'not a log line\n99999 1 torn' >>"$work/state/log.txt"
printf 'swclk_hz 5\nverify 0\n' >"$work/state/settings.txt"
start_daemon "$target"
check "airswdd starts on damaged files" test -n "$port"
request GET /log
check "  GET /log leaves the torn line out" test "$(grep -c torn "$work/body")" = 0
check "  and keeps the good lines" contains "$work/body" 'serving sim:stm32f103c8'
check "  numbered on from them" test "$(log_field "all(a['seq'] + 1 == b['seq'] for a, b in zip(l, l[1:]))")" = True
request GET /settings
check "  a settings file cut short gives the defaults" contains "$work/body" '"verify":true'
check "stop with SIGTERM exits 0 on damaged files" stop_daemon
start_daemon "$target"
request GET /log
check "after one more restart the torn line is still out" test "$(grep -c torn "$work/body")" = 0
check "  and the numbers still follow on" \
  test "$(log_field "all(a['seq'] + 1 == b['seq'] for a, b in zip(l, l[1:]))")" = True
check "the log file holds no torn line" test "$(grep -c torn "$work/state/log.txt")" = 0
check "stop with SIGTERM exits 0 at the end" stop_daemon

echo "$failures failure(s)"
[[ $failures -eq 0 ]]
