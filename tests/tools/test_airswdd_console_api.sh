#!/usr/bin/env bash
# The console through the API (docs/console.md, "In the web page"; docs/api.md): what the page uses, driven here
# without a browser by signed requests (tests/tools/console_api_client.py, signing with auth_sign.py) against a real
# airswdd on a simulated F103 running the echo example firmware:
# - GET /api/v1/device says "console": true;
# - with debug mode off, POST /api/v1/console is refused (403 debug-mode-off), a signed stream that asks for the
#   console is told it is closed and carries none of its output, and both console ports refuse connections;
# - an unsigned stream (the status made public) that asks for the console is refused (401); a stream asked from a
#   position that is not a number is refused (400); a body over 384 bytes is refused (413); an unsigned POST is
#   refused (401);
# - in debug mode the stream says open, carries the history (the firmware's greeting), and 64 KB of random bytes
#   sent 384 bytes a signed request come back byte for byte at 115200 baud, with no gap in the stream;
# - PUT /api/v1/console {"baud"} sets the line's rate (the log says it, a new stream's open event carries it);
# - with the transport setting uart, a line typed while a flash job talks to the ROM bootloader waits (the log says
#   so) and reaches the firmware after the job, which succeeds;
# - debug mode off again: the stream says closed, and POST and PUT are refused.
# Usage: test_airswdd_console_api.sh PATH/TO/airswd PATH/TO/airswdd FIRMWARE_DIR
set -u
airswd=$1 airswdd=$2 firmware=$3
source "$(dirname "$0")/daemon_test.sh"
source "$(dirname "$0")/../common/skip.sh"
command -v curl >/dev/null || skip_test "curl is not installed (scripts/install-deps.sh)"
echo_elf=$firmware/f1/echo_f1.elf
[[ -f $echo_elf ]] || skip_test "example firmware not built (arm-none-eabi-gcc missing)"
client() { python3 "$(dirname "$0")/console_api_client.py" "$url" "$passphrase" "$@"; }
log_has() { get_body /log | grep -q -F -- "$1"; }

raw_port=$(free_port)
rfc2217_port=$(free_port)
start_daemon "sim:stm32f103c8,state=$work/chip.state" --console-port "$raw_port" --rfc2217-port "$rfc2217_port"
check "airswdd starts" test -n "$port"
passphrase="the owner's long passphrase"
setup_daemon >/dev/null
check "setup is done" test "$code" = 200

request GET /device
check "GET /api/v1/device says the device has a console" contains "$work/body" '"console":true'

# ---- debug mode off: every way in refuses
printf 'hello\r\n' >"$work/line"
request POST /console --data-binary @"$work/line" -H 'Content-Type: application/octet-stream'
check "with debug mode off POST /api/v1/console is refused (403 debug-mode-off)" \
  test "$code:$(json_field "['error']")" = "403:debug-mode-off"
client state closed >"$work/state.out"
check "  a signed stream that asks for the console is told it is closed" test $? = 0
check "  the raw console port refuses connections" port_refuses "$raw_port"
check "  the RFC 2217 port refuses connections" port_refuses "$rfc2217_port"

request PUT /settings -d '{"public_status":true}'
code=$(curl -s -o "$work/body" -w '%{http_code}' "$api/events?console=0")
check "an unsigned stream (status public) that asks for the console is refused (401)" test "$code" = 401
check "  saying that the console needs a signed stream" contains "$work/body" "signed event stream"
code=$(curl -s -o /dev/null -w '%{http_code}' -m 2 "$api/events")
check "  while the unsigned stream without the console is served" test "$code" = 200
request PUT /settings -d '{"public_status":false}'
request GET '/events?console=12x' -m 2
check "a stream asked from a position that is not a number is refused (400)" test "$code" = 400

request PUT /settings -d '{"debug":true}'
check "debug mode on (signed)" test "$code" = 200
head -c 385 /dev/urandom >"$work/long"
request POST /console --data-binary @"$work/long" -H 'Content-Type: application/octet-stream'
check "a body over 384 bytes is refused (413)" test "$code" = 413
code=$(curl -s -o "$work/body" -w '%{http_code}' -X POST -H 'Content-Type: application/octet-stream' \
  --data-binary @"$work/line" "$api/console")
check "an unsigned POST /api/v1/console is refused (401)" test "$code" = 401
request POST /console --data-binary @"$work/line" -H 'Content-Type: application/json'
check "a POST /api/v1/console whose body is declared JSON is refused (415)" test "$code" = 415

export AIRSWD_PASSPHRASE=$passphrase
"$airswd" --device "$url" flash "$echo_elf" >"$work/flash.out" 2>&1
check "the echo firmware is flashed" test $? = 0

client state open >"$work/state.out"
check "in debug mode the stream says the console is open" test $? = 0
client history "echo from airswd example firmware (STM32F1)" >"$work/history.out"
check "  and carries the history: the firmware's greeting" test $? = 0
sed 's/^/    /' "$work/history.out"
request POST /console --data-binary @"$work/line" -H 'Content-Type: application/octet-stream'
check "  POST /api/v1/console takes a line ({\"taken\":7})" test "$code:$(cat "$work/body")" = '200:{"taken":7}'
request PUT /console -d '{"baud":9600}'
check "PUT /api/v1/console {\"baud\": 9600} sets the line's rate" test "$code:$(cat "$work/body")" = '200:{"baud":9600}'
check "  which the log says" log_has "console: the line runs at 9600 baud 8N1 (set by the page)"
client state open >"$work/state.out"
check "  and a stream opened now says it" grep -q '"baud": 9600' "$work/state.out"
request PUT /console -d '{"baud":"fast"}'
check "  a baud rate that is not a number is refused (400)" test "$code" = 400
request PUT /console -d '{"baud":115200}'
check "  back at 115200" test "$code:$(cat "$work/body")" = '200:{"baud":115200}'
client echo 65536 >"$work/echo.out"
check "64 KB of random bytes sent through POST /api/v1/console come back byte for byte in the stream" test $? = 0
sed 's/^/    /' "$work/echo.out"

# ---- a job through the ROM bootloader holds the line: what is typed meanwhile waits, then reaches the firmware
request PUT /settings -d '{"transport":"uart"}'
request POST "/images?name=echo_f1.elf" --data-binary @"$echo_elf"
image=$(json_field "['id']")
request POST /jobs -d "{\"action\":\"flash\",\"image\":$image}"
job=$(json_field "['id']")
printf 'typed during the job\r\n' >"$work/typed"
request POST /console --data-binary @"$work/typed" -H 'Content-Type: application/octet-stream'
check "a line typed while a flash job through the ROM bootloader runs is taken" test "$code" = 200
wait_job "$job"
check "  the job succeeds through the ROM bootloader" \
  test "$(json_field "['state']"):$(json_field "['backend']")" = "done:ROM bootloader (UART)"
check "  the log says that the job holds the line" log_has "console: a job may talk to the ROM bootloader on USART1"
client history "typed during the job" >"$work/typed.out"
check "  the line then reaches the firmware, which echoes it" test $? = 0
request PUT /settings -d '{"transport":"swd"}'

request PUT /settings -d '{"debug":false}'
client state closed >"$work/state.out"
check "debug mode off again: the stream says the console is closed" test $? = 0
request POST /console --data-binary @"$work/line" -H 'Content-Type: application/octet-stream'
check "  and POST /api/v1/console is refused (403)" test "$code" = 403
request PUT /console -d '{"baud":9600}'
check "  and so is PUT /api/v1/console (403)" test "$code" = 403
check "  the raw port refuses again" port_refuses "$raw_port"

stop_daemon
check "airswdd stops cleanly" test $? = 0
((failures == 0)) || { echo "--- daemon stderr"; tail -20 "$work/daemon.err"; }
exit $((failures > 0))
