#!/usr/bin/env bash
# The console bridge of airswdd (docs/console.md) on a simulated F103 running the echo example firmware:
# - with debug mode off (before setup, after it, and with an unsigned request to turn it on) both console ports
#   refuse connections; a signed request opens them, and turning debug mode off closes them again;
# - a client that connects after the firmware greeted sees the greeting (the output history);
# - 64 KB of random bytes sent on the raw port come back byte for byte at 115200 baud;
# - a client stays connected while a flash job holds the target, and sees the reflashed firmware greet;
# - while a gdb client holds the target (the GDB thread then drives the chip) the echo keeps working;
# - pyserial's rfc2217:// client gets its echo back (0xFF bytes included), and its baud change reaches the line:
#   the daemon logs the new setting, and at 9600 baud against the firmware's 115200 the echo comes back garbled,
#   as slowly as the line runs at the new rate; back at 115200 it is clean again;
# - miniterm on the RFC 2217 port sends what is typed to the firmware and shows its echo;
# - a client beyond CONSOLE_CLIENTS is told the console is full;
# - a console port another program holds is said in the log, and taken once it is free.
# Usage: test_airswdd_console.sh PATH/TO/airswd PATH/TO/airswdd FIRMWARE_DIR
set -u
airswd=$1 airswdd=$2 firmware=$3
source "$(dirname "$0")/daemon_test.sh"
source "$(dirname "$0")/../common/skip.sh"
command -v curl >/dev/null || skip_test "curl is not installed (scripts/install-deps.sh)"
echo_elf=$firmware/f1/echo_f1.elf
[[ -f $echo_elf ]] || skip_test "example firmware not built (arm-none-eabi-gcc missing)"
serial_python=
for candidate in python3 /usr/bin/python3; do
  "$candidate" -c 'import serial' 2>/dev/null && serial_python=$candidate && break
done
[[ -n $serial_python ]] || skip_test "pyserial is not installed (python3-serial, scripts/install-deps.sh)"
client() { "$serial_python" "$(dirname "$0")/console_client.py" "$@"; }
both_ports() { client state "$raw_port" "$1" >/dev/null && client state "$rfc2217_port" "$1" >/dev/null; }
log_has() { get_body /log | grep -q -F -- "$1"; }

raw_port=$(free_port)
rfc2217_port=$(free_port)
gdb_port=$(free_port)
start_daemon "sim:stm32f103c8,state=$work/chip.state" --console-port "$raw_port" --rfc2217-port "$rfc2217_port" \
  --gdb-port "$gdb_port"
check "airswdd starts" test -n "$port"
check_debug_switch "each console port" both_ports
check "  the log says where they listen" log_has "console: listening on 127.0.0.1:$raw_port (raw)"

export AIRSWD_PASSPHRASE=$passphrase
"$airswd" --device "$url" flash "$echo_elf" >"$work/flash.out" 2>&1
check "the echo firmware is flashed" test $? = 0

# ---- the history: the greeting was sent before anyone connected
client history "$raw_port" "echo from airswd example firmware (STM32F1)" >"$work/history.out"
check "a client that connects late sees the greeting (the history)" test $? = 0
sed 's/^/    /' "$work/history.out"

# ---- the raw port: 64 KB at the line's rate
client echo "$raw_port" 65536 >"$work/echo.out"
check "64 KB of random bytes come back byte for byte through the raw port" test $? = 0
sed 's/^/    /' "$work/echo.out"

# ---- a job holds the target while a client stays connected
rm -f "$work/connected"
client hold "$raw_port" "echo from airswd example firmware" "$work/connected" >"$work/hold.out" &
holder=$!
for _ in $(seq 1 50); do [[ -f $work/connected ]] && break; sleep 0.1; done
"$airswd" --device "$url" flash "$echo_elf" >"$work/flash2.out" 2>&1
check "a flash job runs while a console client is connected" test $? = 0
wait "$holder"
check "  the client stays connected and sees the reflashed firmware greet" test $? = 0
sed 's/^/    /' "$work/hold.out"

# ---- a gdb session holds the target: the GDB thread lets the firmware run, and the line reaches it
python3 "$(dirname "$0")/../gdb/rsp_client.py" hold "$gdb_port" "$work/release" >"$work/gdb-hold.out" 2>&1 &
gdb_holder=$!
for _ in $(seq 1 50); do grep -qs held "$work/gdb-hold.out" && break; sleep 0.1; done
check "a gdb client holds the target" grep -q held "$work/gdb-hold.out"
client echo "$raw_port" 4096 >"$work/echo-gdb.out"
check "  and 4 KB still come back through the console meanwhile" test $? = 0
sed 's/^/    /' "$work/echo-gdb.out"
touch "$work/release"
wait "$gdb_holder"

# ---- RFC 2217 through pyserial
client rfc2217 "$rfc2217_port" >"$work/rfc2217.out" 2>&1
check "pyserial's rfc2217:// client: echo, IAC bytes, a baud change that reaches the line" test $? = 0
sed 's/^/    /' "$work/rfc2217.out"
check "  the daemon logs the line at 9600 baud" log_has "console: the line runs at 9600 baud 8N1"
check "  and the parity change" log_has "console: the line runs at 115200 baud 8E1"

# ---- miniterm, pyserial's terminal, on a pty: what is typed reaches the firmware, whose echo the daemon logs
if command -v script >/dev/null; then
  (sleep 2; printf 'typed through miniterm\n'; sleep 1; printf '\x1d') |
    timeout 30 script -q -e -c "$serial_python -m serial.tools.miniterm --raw rfc2217://127.0.0.1:$rfc2217_port \
      115200" "$work/miniterm.out" >/dev/null 2>&1
  check "miniterm on the RFC 2217 port exits cleanly (Ctrl-])" test $? = 0
  check "  what it sent reached the firmware, which echoed it" log_has "uart: typed through miniterm"
  check "  and miniterm showed the echo" grep -q "^typed through miniterm" "$work/miniterm.out"
else
  echo "not run: miniterm needs script(1) for a terminal (util-linux)"
fi

# ---- a client too many
client busy "$raw_port" 4 >"$work/busy.out"
check "a fifth client is told the console serves 4 at a time" test $? = 0

# ---- debug mode off closes the ports
request PUT /settings -d '{"debug":false}'
check "debug mode is turned off" test "$code" = 200
check "  and both console ports refuse connections again" both_ports closed
check "  the log says so" log_has "console: ports closed (debug mode is off)"

# ---- a console port another program holds: said once in the log, taken as soon as it is free
python3 -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); time.sleep(60)' "$raw_port" &
squatter=$!
sleep 0.3
request PUT /settings -d '{"debug":true}'
check "with the raw port taken by another program, debug mode still turns on" test "$code" = 200
wait_log() { for _ in $(seq 1 30); do log_has "$1" && return 0; sleep 0.2; done; return 1; }
check "  the log says the console cannot listen" wait_log "console: cannot listen on 127.0.0.1:$raw_port"
check "  and the RFC 2217 port stays closed meanwhile" client state "$rfc2217_port" closed
kill "$squatter"
wait "$squatter" 2>/dev/null
check "  once the port is free both console ports open" both_ports open
request PUT /settings -d '{"debug":false}'

stop_daemon
check "airswdd stops cleanly" test $? = 0
((failures == 0)) || { echo "$failures check(s) failed"; sed 's/^/    /' "$work/daemon.err" | tail -40; exit 1; }
