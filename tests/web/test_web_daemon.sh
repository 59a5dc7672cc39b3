#!/usr/bin/env bash
# The acceptance run of the web page: headless Chromium against the real airswdd (a simulated Blue Pill, a fresh
# state folder, so a device that wants first-boot setup, on a loopback port the daemon chose): it opens the page the
# daemon serves from its binary, sets the device up with a passphrase and a signing key, sees a plain firmware
# refused, drops a signed container, clicks flash, and sees success with the progress bar at 100%; then debug mode,
# an image with no room beside the rollback copy, logging out and in (tests/web/test_web_page.sh does the driving
# and saves BUILD_DIR/web-screenshot.png). The store is a 1 MB ESP8266's 256 KB: an image that fills it is quick to
# send and still one the upload's check (a generic STM32 of up to 2 MB of flash) takes. The daemon has an update slot
# for the programmer's own firmware (--firmware-slot), which it checks as the ESP8266 does and keeps without
# restarting: the page uploads a container signed for esp8266 (security version 3) and sees an older one refused;
# the slot's record then holds the new minimum. The daemon is stopped by the PID this script started.
#
# Usage: test_web_daemon.sh AIRSWDD BUILD_DIR FIRMWARE.elf AIRSWD
set -u
airswdd=$1 build_dir=$2 firmware=$3 airswd=$4
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
daemon_pid=
cleanup() {
  if [[ -n "$daemon_pid" ]]; then
    kill "$daemon_pid" 2>/dev/null
    wait "$daemon_pid" 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT

"$airswdd" --target "sim:stm32f103c8,state=$work/chip.state" --listen 127.0.0.1:0 --state-dir "$work/state" \
  --gdb-port 0 --console-port 0 --rfc2217-port 0 --store-size 256K --firmware-slot "$work/slot.bin" --setup-code-file "$work/setup-code" >"$work/daemon.out" \
  2>"$work/daemon.err" &
daemon_pid=$!
for _ in $(seq 1 100); do
  grep -q "listening on" "$work/daemon.out" 2>/dev/null && break
  kill -0 "$daemon_pid" 2>/dev/null || { echo "FAIL: airswdd exited:"; cat "$work/daemon.err"; exit 1; }
  sleep 0.05
done
url=$(sed -n 's|^airswdd: listening on \(http://127.0.0.1:[0-9]*\)$|\1/|p' "$work/daemon.out")
[[ -n "$url" ]] || { echo "FAIL: airswdd did not say where it listens"; cat "$work/daemon.err"; exit 1; }
echo "airswdd serves $url"

status=$(curl -s -o /dev/null -w '%{http_code} %{content_type}' --compressed "$url")
echo "GET / -> $status"
[[ "$status" == "200 text/html"* ]] || { echo "FAIL: the daemon does not serve the page"; exit 1; }

setup=$(curl -s "${url}api/v1/device" | grep -o '"setup_required":[a-z]*')
echo "GET /api/v1/device -> $setup"
[[ "$setup" == '"setup_required":true' ]] || { echo "FAIL: a fresh daemon should want first-boot setup"; exit 1; }

# The setup code, as the person at the daemon's console reads it.
SETUP_CODE=$(cat "$work/setup-code") bash "$here/test_web_page.sh" "$build_dir" "$firmware" "$airswd" "$url"
result=$?
kill "$daemon_pid"
wait "$daemon_pid"
daemon_exit=$?
daemon_pid=
echo "airswdd stopped (exit $daemon_exit)"
# The firmware the page sent passed the daemon's check: the programmer's minimum rose to its security version.
if grep -q "min_security_version 3" "$work/slot.bin.state" 2>/dev/null; then
  echo "the update slot's record: min_security_version 3"
else
  echo "FAIL: the update slot's record does not hold min_security_version 3:"
  cat "$work/slot.bin.state" 2>&1
  result=1
fi
((result == 0 && daemon_exit == 0))
