#!/usr/bin/env bash
# The transport setting of airswdd (docs/api.md, docs/uart.md): jobs started through the API run over the programmer
# that GET/PUT /api/v1/settings {"transport"} names, and each job says which one it used.
# - a daemon started without a transport suffix says "swd"; a signed PUT sets "uart" (an unsigned one is refused,
#   401; a name that is no transport is refused, 400), which survives a restart of the daemon;
# - with "uart" a flash job runs over the simulated F103's ROM bootloader: its record says transport "uart" and
#   backend "ROM bootloader (UART)", the firmware then prints its hello line, and a verify job passes the same way;
# - back to "swd", a verify job says backend "SWD";
# - on a chip whose SWD does not answer (sim:...,swd=off), "swd" fails, and "auto" (set with `airswd settings
#   transport=auto`) falls back to the bootloader and says so (transport "auto", backend "ROM bootloader (UART)").
# Usage: test_airswdd_transport.sh PATH/TO/airswd PATH/TO/airswdd FIRMWARE_DIR
set -u
airswd=$1 airswdd=$2 firmware=$3
source "$(dirname "$0")/daemon_test.sh"
needs_curl_and_firmware "$firmware"

# POST /jobs with the JSON given; waits for the job; its record in $work/body.
run_job() {
  request POST /jobs -d "$1"
  local id
  id=$(json_field "['id']" 2>/dev/null) || return 1
  wait_job "$id"
}
job_says() { test "$(json_field "['state']"):$(json_field "['transport']"):$(json_field "['backend']")" = "$1"; }

start_daemon "sim:stm32f103c8,state=$work/chip.state"
check "airswdd starts" test -n "$port"
passphrase="the owner's long passphrase"
setup_daemon >/dev/null
request GET /settings
check "without a suffix the transport setting is swd" test "$(json_field "['transport']")" = swd
code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H 'Content-Type: application/json' -d '{"transport":"uart"}' \
  "$api/settings")
check "an unsigned PUT of the transport is refused (401)" test "$code" = 401
request PUT /settings -d '{"transport":"jtag"}'
check "a transport that is none of swd, uart, auto is refused (400)" test "$code" = 400
request PUT /settings -d '{"transport":"uart","debug":true}'
check "a signed PUT sets transport uart" test "$code:$(json_field "['transport']")" = "200:uart"

request POST "/images?name=hello_f1.elf" --data-binary @"$elf"
image=$(json_field "['id']")
check "the plain ELF is stored (debug mode)" test "$code" = 201
run_job "{\"action\":\"flash\",\"image\":$image}"
check "with transport uart the flash job runs over the ROM bootloader and says so" \
  job_says "done:uart:ROM bootloader (UART)"
for _ in $(seq 1 50); do
  contains "$work/daemon.err" "uart: hello from airswd example firmware (STM32F1)" && break
  sleep 0.1
done
check "  the firmware then prints its hello line" contains "$work/daemon.err" \
  "uart: hello from airswd example firmware (STM32F1)"

stop_daemon
check "airswdd stops" test $? = 0
start_daemon "sim:stm32f103c8,state=$work/chip.state"
request GET /settings
check "the transport setting survives a restart" test "$(json_field "['transport']")" = uart
run_job "{\"action\":\"verify\",\"image\":$image}"
check "  a verify job then runs over the ROM bootloader too" job_says "done:uart:ROM bootloader (UART)"
request PUT /settings -d '{"transport":"swd"}'
run_job "{\"action\":\"verify\",\"image\":$image}"
check "back to swd, the verify job runs over SWD" job_says "done:swd:SWD"
stop_daemon

# ---- SWD not answering (the pins not wired): auto falls back
start_daemon "sim:stm32f103c8,swd=off,state=$work/chip.state"
check "airswdd starts on a chip whose SWD does not answer" test -n "$port"
run_job "{\"action\":\"verify\",\"image\":$image}"
check "with transport swd the job fails" test "$(json_field "['state']")" = failed
sed 's/^/    /' "$work/body" | head -c 600; echo
AIRSWD_PASSPHRASE=$passphrase "$airswd" --device "$url" settings transport=jtag >"$work/cli.out" 2>&1
check "airswd settings transport=jtag is refused by the command line (exit 2)" test $? = 2
AIRSWD_PASSPHRASE=$passphrase "$airswd" --device "$url" settings transport=auto >"$work/cli.out" 2>&1
check "airswd settings transport=auto sets it" grep -qE '^transport +"auto"' "$work/cli.out"
request GET /settings
check "  the device has transport auto" test "$code:$(json_field "['transport']")" = "200:auto"
run_job "{\"action\":\"verify\",\"image\":$image}"
check "  auto falls back to the ROM bootloader and says so" job_says "done:auto:ROM bootloader (UART)"
stop_daemon

((failures == 0)) || { echo "--- daemon stderr"; tail -20 "$work/daemon.err"; }
exit $((failures > 0))
