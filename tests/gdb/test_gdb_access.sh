#!/usr/bin/env bash
# Who reaches the GDB port of airswdd, and how the debug session and flash jobs share the target:
# - debug mode off: the port refuses connections; a signed request turns debug mode on and the port opens;
# - while a client holds the session a flash job is refused with 409 and a reason that names the gdb session, and a
#   second client is told that another one holds the target, then closed;
# - the interrupt byte stops a running core and the stop is reported;
# - a client that drops its connection (no detach) leaves every comparator cleared and the core running;
# - debug mode turned off drops the session and closes the port; jobs run again.
# Usage: test_gdb_access.sh PATH/TO/airswd PATH/TO/airswdd FIRMWARE_DIR
set -u
airswd=$1 airswdd=$2 firmware=$3
source "$(dirname "$0")/gdb_daemon.sh"
require_tools protocol
client=$(dirname "$0")/rsp_client.py
[[ -f "$firmware/f1/hello_f1.elf" ]] || skip_test "example firmware not built (arm-none-eabi-gcc missing)"
json_field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))$1)" "$work/body"; }

gdb_port=$(free_port)
start_daemon "sim:stm32f103c8,state=$work/chip.state" --gdb-port "$gdb_port"
check "airswdd starts" test -n "$port"
check_debug_switch "the GDB port" wait_gdb_port
export AIRSWD_PASSPHRASE=$passphrase
"$airswd" --device "$url" flash "$firmware/f1/hello_f1.elf" >/dev/null 2>&1
check "the firmware is flashed by a job while no gdb session holds the target" test $? = 0

# ---- the interrupt byte
python3 "$client" interrupt "$gdb_port" >"$work/interrupt.out" 2>&1
check "continue, then the interrupt byte stops the core" test $? = 0
sed 's/^/    /' "$work/interrupt.out"
check "  the stop reply says SIGINT" grep -q "^after the interrupt: T02" "$work/interrupt.out"
check "  and detach answers OK" grep -q "^detach: OK" "$work/interrupt.out"

# ---- a software breakpoint in RAM (the FPB of a Cortex-M3 breaks in flash only)
python3 "$client" ram_break "$gdb_port" >"$work/ram.out" 2>&1
check "a software breakpoint in RAM is written, hit and taken out" test $? = 0
sed 's/^/    /' "$work/ram.out"

# ---- a dropped connection
python3 "$client" dropped "$gdb_port" >"$work/dropped.out" 2>&1
check "a dropped client leaves the comparators cleared and the firmware running" test $? = 0
sed 's/^/    /' "$work/dropped.out"

# ---- a session holds the target
python3 "$client" hold "$gdb_port" "$work/release" >"$work/hold.out" 2>&1 &
holder=$!
for _ in $(seq 1 50); do grep -q held "$work/hold.out" && break; sleep 0.1; done
check "a gdb client holds the session" grep -q held "$work/hold.out"
request POST /jobs -d '{"action":"erase"}'
check "a job during the session is refused with 409" test "$code" = 409
check "  its reason names the gdb session" bash -c "grep -q 'gdb session' '$work/body'"
python3 "$client" refused "$gdb_port" >"$work/second.out" 2>&1
check "a second gdb client is told another one holds the target" grep -q "another gdb client" "$work/second.out"

# ---- debug mode off ends the session
request PUT /settings -d '{"debug":false}'
check "debug mode is turned off" test "$code" = 200
for _ in $(seq 1 50); do grep -q "closed the session" "$work/hold.out" && break; sleep 0.1; done
check "  the server drops the session" grep -q "closed the session" "$work/hold.out"
check "  and the GDB port closes" wait_gdb_port closed
touch "$work/release"
wait "$holder"
request POST /jobs -d '{"action":"reset"}'
check "jobs run again once the session is gone" test "$code" = 201 -o "$code" = 202
job=$(json_field "['id']")
wait_job "$job"
check "  and the job succeeds" bash -c "grep -q '\"state\":\"done\"' '$work/body'"

stop_daemon
check "airswdd stops cleanly" test $? = 0
((failures == 0))
