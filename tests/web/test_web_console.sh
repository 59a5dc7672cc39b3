#!/usr/bin/env bash
# The console in the page (issue 16's acceptance), in headless Chromium against a real airswdd whose simulated F103
# runs the echo example firmware: drive_console.js logs in, sees the console closed and its route refuse with debug
# mode off, opens it with the page's Debug mode button, and sends 64 KB of random bytes through the Console panel
# that come back byte for byte at 115200 baud; then closes it again. Here, around it: the device is set up and the
# firmware flashed (signed requests of tests/tools/daemon_test.sh), and with debug mode off both console ports
# refuse connections, before and after, and the device's log holds the baud rates the page chose. The daemon is
# stopped by the PID started here.
# Usage: test_web_console.sh AIRSWDD AIRSWD BUILD_DIR FIRMWARE_DIR
set -u
airswdd=$1 airswd=$2 build_dir=$3 firmware=$4
source "$(dirname "$0")/browser_env.sh"
source "$here/../tools/daemon_test.sh"
command -v curl >/dev/null || skip_test "curl is not installed (scripts/install-deps.sh)"
echo_elf=$firmware/f1/echo_f1.elf
[[ -f $echo_elf ]] || skip_test "example firmware not built (arm-none-eabi-gcc missing)"

raw_port=$(free_port)
rfc2217_port=$(free_port)
start_daemon "sim:stm32f103c8,state=$work/chip.state" --console-port "$raw_port" --rfc2217-port "$rfc2217_port"
check "airswdd starts" test -n "$port"
passphrase="the owner's long passphrase"
setup_daemon >/dev/null
check "setup is done" test "$code" = 200
request PUT /settings -d '{"debug":true}'
AIRSWD_PASSPHRASE=$passphrase "$airswd" --device "$url" flash "$echo_elf" >"$work/flash.out" 2>&1
check "the echo firmware is flashed" test $? = 0
request PUT /settings -d '{"debug":false}'
check "debug mode is off" test "$code" = 200
sleep 0.3 # the console's thread closes the ports within its look (100 ms)
check "with debug mode off the raw console port refuses connections" port_refuses "$raw_port"
check "  and so does the RFC 2217 port" port_refuses "$rfc2217_port"

head -c 65536 /dev/urandom >"$work/random.bin"
NODE_PATH=$npm_dir/node_modules node "$here/drive_console.js" "$url/" "$passphrase" "$work/random.bin" \
  "$build_dir/web-console.png" 2>&1 | tee "$work/drive.out"
check "the page's console: closed and refused, then open, and 64 KB echoed byte for byte" \
  grep -q '^PASS$' "$work/drive.out"
get_body /log >"$work/log.json"
check "  the page set the line to 9600 baud (the device's log says so)" \
  contains "$work/log.json" "console: the line runs at 9600 baud 8N1 (set by the page)"
check "  and back to 115200" contains "$work/log.json" "console: the line runs at 115200 baud 8N1 (set by the page)"
check "debug mode off again (through the page): the raw console port refuses connections" port_refuses "$raw_port"
check "  and so does the RFC 2217 port" port_refuses "$rfc2217_port"

stop_daemon
check "airswdd stops cleanly" test $? = 0
((failures == 0)) || { echo "--- daemon stderr"; tail -20 "$work/daemon.err"; }
exit $((failures > 0))
