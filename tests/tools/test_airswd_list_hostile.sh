#!/usr/bin/env bash
# `airswd list --mdns-server` against a responder that answers with hostile DNS messages (hostile_mdns_server.py):
# noise, messages cut short, counts that lie, compression pointers that loop, point forward, out of the packet or
# past 64 KB, names over 255 bytes, labels past the end or of a reserved type, record data that runs past the
# packet or past its RDLENGTH, SRV and A records of the wrong size, TXT items that overrun, escape sequences, NULs
# and dots in labels, names that are not UTF-8, a version that is no version, goodbyes (TTL 0), a query instead of
# an answer, another ID, an error code, and an ordinary web server (no airswd=VERSION in its TXT).
# Each ends the command with exit 0 (no signal, no hang), nothing on stdout and the sentence that nobody answered:
# nothing bogus is listed. For comparison, the good answers (alone, after hostile ones, with a broken copy after it,
# and piece by piece as airswd's follow-up queries ask for them) list the one device. The parser's bounds are also
# checked under ASan and UBSan by the fuzz target's replay (tests/fuzz/fuzz_mdns.c, test fuzz_mdns_replay.san).
# Usage: test_airswd_list_hostile.sh PATH/TO/airswd
set -u
airswd=$1
source "$(dirname "$0")/hostile_server.sh"

good_line="good good.local http://127.0.0.1:8080 0.4.0"
declare -A listed=([good]=$good_line [good-after-bad]=$good_line [good-then-bad-copy]=$good_line
                   [follow-up]=$good_line)

cases=$(python3 "$here/hostile_mdns_server.py" --list)
check "the server has its cases ($(wc -w <<<"$cases"))" test "$(wc -w <<<"$cases")" -ge 30
for case in $cases; do
  start_server "$here/hostile_mdns_server.py" "$case"
  timeout 30 "$airswd" list --mdns-server "127.0.0.1:$server_port" --timeout 0.5 >"$work/out" 2>"$work/err"
  rc=$?
  stop_server
  before=$failures
  check "$case: exit 0 (got $rc)" test "$rc" = 0
  expected=${listed[$case]:-}
  if [[ -n $expected ]]; then
    check "  lists the device: $expected" test "$(tr -s ' ' <"$work/out")" = "$expected"
  else
    check "  lists nothing" test ! -s "$work/out"
    check "  says nobody answered" contains "$work/err" "no airswd device answered on 127.0.0.1:$server_port"
  fi
  ((failures == before)) || sed 's/^/      /' "$work/out" "$work/err" | head -5
done

# --json, on a hostile answer and on a good one: one object each.
for case in compression-loop good; do
  start_server "$here/hostile_mdns_server.py" "$case"
  "$airswd" list --json --mdns-server "127.0.0.1:$server_port" --timeout 0.5 >"$work/out" 2>/dev/null
  rc=$?
  stop_server
  devices=$(python3 -c 'import json,sys; d = json.load(open(sys.argv[1]))
print(d["ok"], [x["name"] for x in d["devices"]])' "$work/out" 2>&1)
  check "$case --json: exit 0 (got $rc), one object (got: $devices)" test "$rc" = 0
  if [[ $case == good ]]; then
    check "  with the device" test "$devices" = "True ['good']"
  else
    check "  with no device" test "$devices" = "True []"
  fi
done

echo "$failures failure(s)"
[[ $failures -eq 0 ]]
