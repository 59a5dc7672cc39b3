# Sourced by the GDB server's tests: airswdd on a simulated part with debug mode on, and gdb-multiarch against it,
# with the daemon helpers of tests/tools/daemon_test.sh and the skip rule of tests/common/skip.sh. Needs $airswdd.
source "$(dirname "${BASH_SOURCE[0]}")/../tools/daemon_test.sh"
source "$(dirname "${BASH_SOURCE[0]}")/../common/skip.sh"

# require_tools gdb|protocol: skips the test without what it drives the daemon with (gdb-multiarch, or only curl).
require_tools() {
  [[ $1 == gdb ]] && ! command -v gdb-multiarch >/dev/null &&
    skip_test "gdb-multiarch is not installed (scripts/install-deps.sh)"
  command -v curl >/dev/null || skip_test "curl is not installed (scripts/install-deps.sh)"
}


# start_gdb_daemon PART: airswdd on sim:PART with its GDB port in $gdb_port, set up, debug mode on.
start_gdb_daemon() {
  gdb_port=$(free_port)
  start_daemon "sim:$1,state=$work/$1.state" --gdb-port "$gdb_port"
  passphrase="the owner's long passphrase"
  setup_daemon >/dev/null
  request PUT /settings -d '{"debug":true}'
  [[ $code == 200 ]] || return 1
  wait_gdb_port open
}

# wait_gdb_port open|closed: until the GDB port accepts connections (or refuses them), for up to 5 s.
wait_gdb_port() {
  for _ in $(seq 1 50); do
    if python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' \
      "$gdb_port" 2>/dev/null; then
      [[ $1 == open ]] && return 0
    else
      [[ $1 == closed ]] && return 0
    fi
    sleep 0.1
  done
  return 1
}

# run_gdb OUTPUT ELF COMMAND...: gdb-multiarch --batch on ELF with each COMMAND as -ex, output (both streams) to
# OUTPUT, connected to the daemon's GDB port first; a time limit so that a hung session fails the test.
run_gdb() {
  local output=$1 elf=$2 args=()
  shift 2
  [[ -n ${GDB_REMOTE_DEBUG:-} ]] && args+=(-ex "set debug remote 1")
  for command in "target extended-remote 127.0.0.1:$gdb_port" "$@"; do args+=(-ex "$command"); done
  timeout "${GDB_TIMEOUT:-120}" gdb-multiarch --nx --batch "${args[@]}" "$elf" >"$output" 2>&1
}
