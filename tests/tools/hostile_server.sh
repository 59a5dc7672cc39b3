# hostile_server.sh - sourced by the tests that point the command line at a hostile server of tests/tools
# (hostile_http_server.py, hostile_mdns_server.py): a scratch folder removed at exit, the check/contains helpers, and
# the server started and stopped by the PID started here.
#   check DESCRIPTION COMMAND...   prints ok/FAIL and counts failures in $failures
#   contains FILE TEXT             FILE holds TEXT
#   start_server SCRIPT CASE       runs python3 SCRIPT CASE on a port it picks and waits for its "port N" line; sets
#                                  server (its PID) and server_port
#   stop_server                    stops it
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d)
server=
cleanup() { [[ -n $server ]] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
failures=0
check() { if "${@:2}"; then echo "ok    $1"; else echo "FAIL  $1"; failures=$((failures + 1)); fi; }
contains() { grep -q -F -- "$2" "$1"; }

start_server() {
  python3 "$1" "$2" >"$work/$2.port" &
  server=$!
  server_port=
  for _ in $(seq 1 100); do
    server_port=$(sed -n 's/^port \([0-9][0-9]*\)$/\1/p' "$work/$2.port" 2>/dev/null)
    [[ -n $server_port ]] && break
    sleep 0.1
  done
}

stop_server() {
  kill "$server"
  wait "$server" 2>/dev/null
  server=
}
