#!/usr/bin/env bash
# `airswd list` against airswdd's mDNS responder, on 127.0.0.1 (--mdns-port 0: the daemon answers unicast queries on
# a port it prints, and `list --mdns-server` asks there):
# - the daemon's line: its --hostname as instance, NAME.local as host, the URL of its HTTP port, its version; the URL
#   answers GET /api/v1/device, and so does NAME.local in Host (the daemon answers to its mDNS name);
# - --json: one object, {"ok":true,"devices":[{name, host, url, version}]};
# - nobody answering (a UDP port nobody serves): exit 0, nothing on stdout, a sentence on stderr; --json "devices":[];
# - bad --timeout and --mdns-server: exit 2 with the reason;
# - airswdd on the loopback without --mdns-port, and with --no-mdns, answers no mDNS at all.
# Usage: test_airswd_list.sh PATH/TO/airswd PATH/TO/airswdd
set -u
airswd=$1 airswdd=$2
source "$(dirname "$0")/daemon_test.sh"
source "$(dirname "$0")/../common/skip.sh"
command -v curl >/dev/null || skip_test "curl is not installed (scripts/install-deps.sh)"

# answer EXPRESSION: prints EXPRESSION of d, the JSON object in $work/body.
answer() { python3 -c "import json,sys; d = json.load(open(sys.argv[1])); print($1)" "$work/body"; }
# free_udp_port: a UDP port on 127.0.0.1 nobody serves now.
free_udp_port() {
  python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

start_daemon sim --mdns-port 0 --hostname bench-a
mport=$(daemon_mdns_port)
check "the daemon prints its mDNS port (got '$mport')" test -n "$mport"
check "  with its instance and host names" grep -q "as bench-a (bench-a.local)" "$work/daemon.out"

"$airswd" list --mdns-server "127.0.0.1:$mport" --timeout 1 >"$work/list.out" 2>"$work/list.err"
rc=$?
check "list exits 0 (got $rc)" test "$rc" = 0
check "  one line" test "$(wc -l <"$work/list.out")" = 1
read -r name host device_url version <"$work/list.out"
check "  name bench-a (got '$name')" test "$name" = bench-a
check "  host bench-a.local (got '$host')" test "$host" = bench-a.local
check "  URL $url (got '$device_url')" test "$device_url" = "$url"
check "  version 0.4.0, as airswd --version says (got '$version')" test "airswd $version" = "$("$airswd" --version)"
check "  nothing on stderr" test ! -s "$work/list.err"

"$airswd" list --json --mdns-server "127.0.0.1:$mport" --timeout 1 >"$work/body" 2>"$work/list.err"
rc=$?
check "list --json exits 0 (got $rc)" test "$rc" = 0
check "  one JSON object: ok, one device" test "$(answer "d['ok'], len(d['devices'])" 2>&1)" = "True 1"
check "  name, host, url, version" test "$(answer "d['devices'][0]['name'], d['devices'][0]['host']")" = \
  "bench-a bench-a.local"
json_url=$(json_field "['devices'][0]['url']")
check "  url $json_url is the daemon's" test "$json_url" = "$url"
check "  version 0.4.0" test "$(json_field "['devices'][0]['version']")" = 0.4.0
code=$(curl -s -o "$work/device" -w '%{http_code}' "$json_url/api/v1/device")
check "  the URL answers GET /api/v1/device (HTTP $code)" test "$code" = 200
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Host: bench-a.local:$port" "$json_url/api/v1/device")
check "  and so does Host: bench-a.local (HTTP $code)" test "$code" = 200
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Host: bench-b.local:$port" "$json_url/api/v1/device")
check "  but not another name (HTTP $code: 421)" test "$code" = 421
stop_daemon
check "the daemon stops cleanly after answering mDNS" test $? = 0

silent=$(free_udp_port)
"$airswd" list --mdns-server "127.0.0.1:$silent" --timeout 0.5 >"$work/list.out" 2>"$work/list.err"
rc=$?
check "nobody answering: exit 0 (got $rc)" test "$rc" = 0
check "  nothing on stdout" test ! -s "$work/list.out"
check "  a sentence on stderr" contains "$work/list.err" "no airswd device answered on 127.0.0.1:$silent within 0.5 s"
"$airswd" list --json --mdns-server "127.0.0.1:$silent" --timeout 0.5 >"$work/body" 2>/dev/null
check "  --json: an empty list" test "$(answer "d['ok'], d['devices']")" = "True []"

"$airswd" list --timeout soon >"$work/list.out" 2>"$work/list.err"
rc=$?
check "list --timeout soon: exit 2 (got $rc)" test "$rc" = 2
check "  saying what it takes" contains "$work/list.err" "list --timeout takes seconds"
"$airswd" list --mdns-server 127.0.0.1 >"$work/list.out" 2>"$work/list.err"
rc=$?
check "list --mdns-server without a port: exit 2 (got $rc)" test "$rc" = 2
check "  saying what it takes" contains "$work/list.err" "takes an IPv4 ADDRESS:PORT"
"$airswd" list --json --mdns-server nowhere:5353 >"$work/body" 2>/dev/null
check "  --json: the error object, bad-command-line" test "$(answer "d['ok'], d['error']['status']")" = \
  "False bad-command-line"

: >"$work/daemon.err"
start_daemon sim
check "on the loopback without --mdns-port: no mDNS" test -z "$(grep mDNS "$work/daemon.out")"
stop_daemon
start_daemon sim --mdns-port 0 --no-mdns
check "--no-mdns: no mDNS, even with --mdns-port" test -z "$(daemon_mdns_port)"
check "  and the daemon serves HTTP" test -n "$port"
stop_daemon

echo "$failures failure(s)"
[[ $failures -eq 0 ]]
