# daemon_test.sh - sourced by the tests that run airswdd: a scratch folder removed at exit, the check/contains
# helpers, and the daemon started on a loopback port it chooses and stopped by the PID started here.
#   check DESCRIPTION COMMAND...   prints ok/FAIL and counts failures in $failures
#   contains FILE TEXT             FILE holds TEXT
#   start_daemon TARGET [ARGS...]  runs $airswdd on 127.0.0.1:0 with $work/state (and ARGS); sets pid, port, url
#                                  (http://127.0.0.1:PORT) and api (url/api/v1); stdout in $work/daemon.out, stderr
#                                  appended to $work/daemon.err
#   stop_daemon                    SIGTERM, then its exit status
#   request METHOD PATH [curl args...]  a request to $api: the body in $work/body, the HTTP status in $code
work=$(mktemp -d)
pid=
cleanup() { [[ -n "$pid" ]] && kill -KILL "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
failures=0
check() { if "${@:2}"; then echo "ok    $1"; else echo "FAIL  $1"; failures=$((failures + 1)); fi; }
contains() { grep -q -F -- "$2" "$1"; }

start_daemon() {
  : >"$work/daemon.out"
  "$airswdd" --target "$1" --listen 127.0.0.1:0 --state-dir "$work/state" "${@:2}" >"$work/daemon.out" \
    2>>"$work/daemon.err" &
  pid=$!
  for _ in $(seq 1 100); do
    grep -q "listening on" "$work/daemon.out" 2>/dev/null && break
    sleep 0.1
  done
  port=$(sed -n 's|^airswdd: listening on http://127.0.0.1:\([0-9]*\)$|\1|p' "$work/daemon.out")
  url="http://127.0.0.1:$port"
  api="$url/api/v1"
}

stop_daemon() {
  kill -TERM "$pid"
  wait "$pid"
  local status=$?
  pid=
  return $status
}

request() {
  local method=$1 path=$2
  shift 2
  code=$(curl -s -o "$work/body" -w '%{http_code}' -X "$method" "$@" "$api$path")
}
