#!/usr/bin/env bash
# airswdd's mDNS responder judged by an independent DNS implementation: dnspython (mdns_judge.py) sends one-shot
# queries to the daemon's --mdns-port on 127.0.0.1 and parses the answers with its own code: the PTR of
# _http._tcp.local with SRV (the HTTP port), TXT (path, api, airswd=VERSION) and A in the additional section, the
# ID and question repeated; SRV, TXT and A asked one by one; the service types; no answer about another instance.
# Then hostile queries (a name pointing to itself, pointers forward and out of the packet, labels past the end,
# names over 255 bytes, escape sequences, questions announced and missing, a response, noise) get no answer, and
# the responder still answers a good query after them; the daemon is alive and stops cleanly.
# Usage: test_airswdd_mdns.sh PATH/TO/airswdd
set -u
airswdd=$1
source "$(dirname "$0")/daemon_test.sh"
source "$(dirname "$0")/../common/skip.sh"
judge_python=
for candidate in python3 /usr/bin/python3; do
  "$candidate" -c 'import dns.message, dns.query' 2>/dev/null && judge_python=$candidate && break
done
[[ -n $judge_python ]] || skip_test "dnspython is not installed (python3-dnspython, scripts/install-deps.sh)"

start_daemon sim --mdns-port 0 --hostname bench-judge
mport=$(daemon_mdns_port)
check "the daemon prints its mDNS port (got '$mport')" test -n "$mport"
"$judge_python" "$tools_dir/mdns_judge.py" "$mport" bench-judge "$port" 0.4.0 | sed 's/^/  /'
check "dnspython's judgement" test "${PIPESTATUS[0]}" = 0
check "the daemon still runs" kill -0 "$pid"
stop_daemon
check "  and stops cleanly (exit 0)" test $? = 0

echo "$failures failure(s)"
[[ $failures -eq 0 ]]
