# daemon_test.sh - sourced by the tests that run airswdd: a scratch folder removed at exit, the check/contains
# helpers, and the daemon started on a loopback port it chooses and stopped by the PID started here.
#   check DESCRIPTION COMMAND...   prints ok/FAIL and counts failures in $failures
#   contains FILE TEXT             FILE holds TEXT
#   start_daemon TARGET [ARGS...]  runs $airswdd on 127.0.0.1:0 with $work/state (and ARGS); its GDB and console
#                                  ports on 0 too (the system picks them) unless ARGS name them, so that tests running
#                                  side by side never race for the default ports; sets pid, port, url
#                                  (http://127.0.0.1:PORT) and api (url/api/v1); stdout in $work/daemon.out, stderr
#                                  appended to $work/daemon.err; the setup code, while setup is open, in
#                                  $work/setup-code (--setup-code-file)
#   stop_daemon                    SIGTERM, then its exit status
#   daemon_mdns_port               prints the UDP port the daemon answers mDNS queries on (--mdns-port; none without)
#   request METHOD PATH [curl args...]  a request to $api: the body in $work/body, the HTTP status in $code. The
#                                  request body is given as -d (--data) TEXT or --data-binary @FILE, sent as
#                                  application/octet-stream to the upload routes and as application/json elsewhere
#                                  unless a -H 'Content-Type: ...' says otherwise. Every request but setup and the
#                                  nonce is signed with $passphrase once it is set.
#   wait_job ID, wait_job_event FILE ID   a job's end: by polling it, or as the event stream in FILE says
#   get_body PATH                  GET PATH as request sends it; the body on stdout
#   setup_daemon [SETUP-JSON-FIELDS]   first-boot setup with $passphrase (set to a default when empty) and the code
#   device_salt                    prints the device's salt (GET /api/v1/device: auth.salt)
#   sign_request METHOD PATH FILE  prints the Authorization header for a request with FILE as its body, with a fresh
#                                  nonce (tests/tools/auth_sign.py computes it independently of airswd's code)
#   needs_curl_and_firmware DIR    skips the test (tests/common/skip.sh) without curl or the example firmware in DIR;
#                                  sets elf to DIR/f1/hello_f1.elf
#   json_field EXPRESSION          prints EXPRESSION (such as "['error']") of the JSON in $work/body
#   check_debug_switch WHAT WAIT   on a fresh daemon: WHAT (the GDB port, both console ports) stays closed before
#                                  setup, after it, and after an unsigned request to turn debug mode on (401); the
#                                  signed request opens it. WAIT open|closed waits for that state. Sets $passphrase.
tools_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d)
export AUTH_SIGN_CACHE=$work # auth_sign.py derives K once per passphrase and salt
pid=
cleanup() { [[ -n "$pid" ]] && kill -KILL "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
failures=0
check() { if "${@:2}"; then echo "ok    $1"; else echo "FAIL  $1"; failures=$((failures + 1)); fi; }
contains() { grep -q -F -- "$2" "$1"; }

# free_port: a TCP port on 127.0.0.1 nobody listens on now.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# port_refuses PORT: nothing accepts a connection on 127.0.0.1:PORT.
port_refuses() {
  ! python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 2)' "$1" 2>/dev/null
}

start_daemon() {
  : >"$work/daemon.out"
  "$airswdd" --target "$1" --listen 127.0.0.1:0 --state-dir "$work/state" --setup-code-file "$work/setup-code" \
    --gdb-port 0 --console-port 0 --rfc2217-port 0 "${@:2}" >"$work/daemon.out" 2>>"$work/daemon.err" &
  pid=$!
  for _ in $(seq 1 100); do
    grep -q "listening on" "$work/daemon.out" 2>/dev/null && break
    sleep 0.1
  done
  port=$(sed -n 's|^airswdd: listening on http://127.0.0.1:\([0-9]*\)$|\1|p' "$work/daemon.out")
  url="http://127.0.0.1:$port"
  api="$url/api/v1"
}

daemon_mdns_port() {
  sed -n 's|^airswdd: mDNS: answering unicast queries on 127.0.0.1:\([0-9]*\) as .*|\1|p' "$work/daemon.out"
}

stop_daemon() {
  kill -TERM "$pid"
  wait "$pid"
  local status=$?
  pid=
  return $status
}

passphrase=

# Every request but setup and the nonce: after setup the device answers reads of its work to signed requests only
# (GET /device answers its summary unsigned, the whole signed).
needs_auth() {
  [[ $1 == POST && $2 == /setup ]] && return 1
  [[ $1 != GET || $2 != /auth/nonce ]]
}

device_salt() {
  curl -s "$api/device" | python3 -c 'import json,sys; print(json.load(sys.stdin)["auth"]["salt"])'
}

sign_request() {
  local nonce
  nonce=$(curl -s "$api/auth/nonce" | python3 -c 'import json,sys; print(json.load(sys.stdin)["nonce"])')
  python3 "$tools_dir/auth_sign.py" "$passphrase" "$(device_salt)" "$1" "$2" "$nonce" "$3"
}

request() {
  local method=$1 path=$2 args=() has_body=0 typed=0
  shift 2
  while (($#)); do
    case $1 in
      -d | --data | --data-binary)
        has_body=1
        if [[ $2 == @* ]]; then cp "${2#@}" "$work/request"; else printf '%s' "$2" >"$work/request"; fi
        shift 2 ;;
      -H)
        [[ ${2,,} == content-type:* ]] && typed=1
        args+=("$1" "$2"); shift 2 ;;
      *) args+=("$1"); shift ;;
    esac
  done
  ((has_body)) || : >"$work/request"
  ((has_body)) && args+=(--data-binary @"$work/request")
  if ((has_body && !typed)); then
    if [[ $path == /images* || $path == /firmware* ]]; then
      args+=(-H 'Content-Type: application/octet-stream')
    else
      args+=(-H 'Content-Type: application/json')
    fi
  fi
  if [[ -n $passphrase ]] && needs_auth "$method" "${path%%\?*}"; then
    args+=(-H "$(sign_request "$method" "/api/v1$path" "$work/request")")
  fi
  code=$(curl -s -o "$work/body" -w '%{http_code}' -X "$method" "${args[@]}" "$api$path")
}

# wait_job ID: polls GET /jobs/ID until the job is no longer queued or running (60 s at most); its record in
# $work/body.
wait_job() {
  for _ in $(seq 1 600); do
    request GET "/jobs/$1"
    grep -qE '"state":"(queued|running)"' "$work/body" || return 0
    sleep 0.1
  done
  return 1
}

# wait_job_event FILE ID: waits (30 s at most) until the event stream written to FILE says that job ID ended. A test
# that keeps a stream open waits so rather than by polling: each signed poll takes two connections (the nonce, then
# the request), and with the ESP8266's two a third one evicts the idle stream.
wait_job_event() {
  for _ in $(seq 1 300); do
    grep -qE "data: \{\"job\":$2,\"state\":\"(done|failed|cancelled)\"\}" "$1" && return 0
    sleep 0.1
  done
  return 1
}

# get_body PATH: the body of GET $api/PATH on stdout (signed once $passphrase is set, as request signs it).
get_body() {
  request GET "$1"
  cat "$work/body"
}

setup_daemon() {
  passphrase=${passphrase:-correct horse battery staple}
  local key
  key=$(python3 "$tools_dir/auth_sign.py" --key "$passphrase" "$(device_salt)")
  request POST /setup -d "{\"setup_code\":\"$(cat "$work/setup-code" 2>/dev/null)\",\"admin_key\":\"$key\"${1:-}}"
}

needs_curl_and_firmware() {
  source "$tools_dir/../common/skip.sh"
  command -v curl >/dev/null || skip_test "curl is not installed (scripts/install-deps.sh)"
  [[ -f "$1/f1/hello_f1.elf" ]] || skip_test "example firmware not built (arm-none-eabi-gcc missing)"
  elf=$1/f1/hello_f1.elf
}

json_field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))$1)" "$work/body"; }

check_debug_switch() {
  local what=$1 wait=$2
  check "before setup $what refuses connections" "$wait" closed
  passphrase="the owner's long passphrase"
  setup_daemon >/dev/null
  check "after setup, with debug mode off, $what still refuses them" "$wait" closed
  code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H 'Content-Type: application/json' -d '{"debug":true}' \
    "$api/settings")
  check "an unsigned request cannot turn debug mode on (401)" test "$code" = 401
  check "  and $what stays closed" "$wait" closed
  request PUT /settings -d '{"debug":true}'
  check "the signed request turns debug mode on" test "$code" = 200
  check "  and $what opens" "$wait" open
}
