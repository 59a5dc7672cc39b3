#!/usr/bin/env bash
# The bench procedure with a real ESP8266 and STM32 (README.md beside this file): what CI cannot check. Not run in CI.
#
#   tests/hil/bench.sh --device URL --key OWNER.pem --part PART [--console TTY] [STEP...]
#
# The device is set up already (README.md, "Set it up"), with OWNER.pem's public half trusted; the admin passphrase
# is in $AIRSWD_PASSPHRASE. STEPs, all by default, in this order:
#   device  the device answers; its log's heap line against the 36 KB the budget keeps free
#   hello   the example firmware, signed and flashed through the device; its hello line read on TTY (a USB serial
#           adapter on the STM32's USART1 TX), or asked of the person when there is no TTY
#   speed   64 KB of random bytes flashed and verified at each SWCLK setting, with the device's own timings
#   update  the firmware's own update: the current build, one version up, must confirm itself; then a bench build
#           that never confirms (CONFIG_AIRSWD_HIL_NEVER_CONFIRM), whose place the previous firmware must take back
#   reset   the factory reset by the FLASH button (asks the person to hold it), seen on the setup access point
# Against a device without a board (airswdd), the steps it cannot do say so and are skipped.
# Exit status: the number of failed checks.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${AIRSWD_BUILD:-$root/build}
airswd=$build/tools/airswd
url= key= part= console=
steps=()
while (($#)); do
  case $1 in
    --device) url=$2; shift 2 ;;
    --key) key=$2; shift 2 ;;
    --part) part=$2; shift 2 ;;
    --console) console=$2; shift 2 ;;
    device | hello | speed | update | reset) steps+=("$1"); shift ;;
    *) echo "usage: $0 --device URL --key OWNER.pem --part PART [--console TTY] [device|hello|speed|update|reset]..."
       exit 2 ;;
  esac
done
[[ -n "$url" && -f "$key" && -n "$part" ]] || { echo "$0: --device, --key and --part are needed (--help)"; exit 2; }
[[ -n "${AIRSWD_PASSPHRASE:-}" ]] || { echo "$0: the admin passphrase goes in AIRSWD_PASSPHRASE"; exit 2; }
((${#steps[@]})) || steps=(device hello speed update reset)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
check() { if "${@:2}"; then echo "ok    $1"; else echo "FAIL  $1"; failures=$((failures + 1)); fi; }
say() { echo "      $*"; }
# The device's status in full: a signed read (unsigned, it answers only its name, version and setup state).
device_json() { curl -s -m 5 -H "$("$airswd" --device "$url" auth-header GET /api/v1/device)" "$url/api/v1/device"; }
json_field() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval('d' + sys.argv[1]))" "$1"; }
is_board=$(device_json | json_field '["board"]' 2>/dev/null)

# The family's example firmware (examples/firmware) for PART.
case $part in
  stm32f0*) family=f0 ;; stm32f1*) family=f1 ;; stm32f4*) family=f4 ;; stm32l4*) family=l4 ;; stm32g0*) family=g0 ;;
  *) echo "$0: no example firmware for $part"; exit 2 ;;
esac
example=$build/examples/firmware/$family/hello_$family.elf

step_device() {
  local info
  info=$(device_json)
  check "the device answers at $url" test -n "$info"
  say "$(echo "$info" | json_field '["name"] + " " + d["version"] + ", up " + str(d["uptime_s"]) + " s"')"
  if [[ "$is_board" != True ]]; then say "not an ESP8266 (no board): no heap line to read"; return; fi
  "$airswd" --device "$url" --json info >"$work/info.json"
  check "it identifies the STM32" grep -q '"part"' "$work/info.json"
  local line free
  line=$(curl -s -m 5 -H "$("$airswd" --device "$url" auth-header GET /api/v1/log)" "$url/api/v1/log" |
         python3 -c 'import json,sys; print([l["text"] for l in json.load(sys.stdin) if l["text"].startswith("heap:")][-1])' 2>/dev/null)
  say "${line:-no heap line yet (it comes 30 s after start)}"
  free=$(echo "$line" | sed -n 's/^heap: \([0-9]*\) B free.*/\1/p')
  check "the heap left is at least 36 KB (docs/esp8266.md: the build's estimate is 38 KB)" test "${free:-0}" -ge 36864
}

step_hello() {
  [[ -f "$example" ]] || { echo "FAIL  $example is not built (make build)"; failures=$((failures + 1)); return; }
  "$airswd" sign --key "$key" --version "${AIRSWD_HIL_VERSION:-1}" --target "$part" "$example" -o "$work/hello.airswd"
  if [[ -n "$console" ]]; then
    stty -F "$console" 115200 raw -echo
    timeout 15 cat "$console" >"$work/console.txt" &
    local reader=$!
  fi
  "$airswd" --device "$url" flash "$work/hello.airswd"
  check "the example firmware is flashed through the device" test $? = 0
  if [[ -n "$console" ]]; then
    wait "$reader"
    check "the STM32 says hello on its USART1" grep -q "hello from airswd example firmware" "$work/console.txt"
  else
    read -r -p "      Does the STM32's LED blink (about twice a second)? [y/n] " answer
    check "the person saw the example firmware run" test "$answer" = y
  fi
}

# SWCLK through the settings route, signed as the CLI signs (auth-header).
set_swclk() {
  printf '{"swclk_hz":%s}' "$1" >"$work/settings.json"
  curl -s -m 10 -o /dev/null -w '%{http_code}' -X PUT -H 'Content-Type: application/json' \
    -H "$("$airswd" --device "$url" auth-header PUT /api/v1/settings "$work/settings.json")" \
    --data-binary @"$work/settings.json" "$url/api/v1/settings"
}

step_speed() {
  head -c 65536 /dev/urandom >"$work/random.bin"
  "$airswd" sign --key "$key" --version "${AIRSWD_HIL_VERSION:-1}" --target "$part" --format bin "$work/random.bin" \
    -o "$work/random.airswd"
  for hz in 4000000 2000000 1000000 500000; do
    check "SWCLK set to $hz Hz" test "$(set_swclk "$hz")" = 200
    "$airswd" --device "$url" --json flash "$work/random.airswd" >"$work/flash.json"
    check "64 KB flashed and verified at $hz Hz" grep -q '"ok":true' "$work/flash.json"
    python3 - "$work/flash.json" "$hz" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
p = r.get("phases_us", {})
print("      %9s Hz: program %.3f s, verify %.3f s, whole job %.3f s (the device's clock)" %
      (sys.argv[2], p.get("program", 0) / 1e6, p.get("verify", 0) / 1e6, r.get("total_us", 0) / 1e6))
EOF
  done
  set_swclk 4000000 >/dev/null
}

# Waits up to $1 s for the device to answer again after a restart (uptime below what it was); its uptime, or "".
wait_restart() {
  local deadline=$((SECONDS + $1)) uptime
  sleep 5
  while ((SECONDS < deadline)); do
    uptime=$(device_json | json_field '["uptime_s"]' 2>/dev/null)
    [[ -n "$uptime" && "$uptime" -lt $((SECONDS + 5)) ]] && { echo "$uptime"; return; }
    sleep 2
  done
}

log_has() {
  curl -s -m 5 -H "$("$airswd" --device "$url" auth-header GET /api/v1/log)" "$url/api/v1/log" | grep -q "$1"
}

step_update() {
  if [[ "$is_board" != True ]]; then say "not an ESP8266: its own updates are tested by tests/tools/test_airswdd_firmware.sh"; return; fi
  local version=${AIRSWD_HIL_FIRMWARE_VERSION:?set AIRSWD_HIL_FIRMWARE_VERSION above the firmware minimum of the device}
  "$airswd" sign --key "$key" --version "$version" --target esp8266 "$build/esp8266/4mb/airswd.bin" -o "$work/fw.airswd"
  SECONDS=0
  "$airswd" --device "$url" update-firmware "$work/fw.airswd"
  check "the device takes its firmware, version $version" test $? = 0
  check "it comes back within 60 s" test -n "$(wait_restart 60)"
  sleep 5
  check "the new firmware confirmed itself" log_has "update to security version $version confirmed"
  ESP8266_EXTRA_CONFIG=CONFIG_AIRSWD_HIL_NEVER_CONFIRM=y "$root/scripts/esp8266-build.sh" "$work/never" >/dev/null
  "$airswd" sign --key "$key" --version $((version + 1)) --target esp8266 "$work/never/esp8266/4mb/airswd.bin" \
    -o "$work/never.airswd"
  SECONDS=0
  "$airswd" --device "$url" update-firmware "$work/never.airswd"
  check "the device takes a firmware that will not confirm itself" test $? = 0
  say "waiting for it to give way (60 s of trial, then the restart)"
  sleep 70
  check "the previous firmware is back within 120 s" test -n "$(wait_restart 60)"
  sleep 5
  check "it says the update did not hold" log_has "did not confirm itself"
}

step_reset() {
  if [[ "$is_board" != True ]]; then say "not an ESP8266: airswdd's --factory-reset is tested by test_airswdd_signed.sh"; return; fi
  read -r -p "      Hold the FLASH button 5 s (the LED stays on, then the device restarts); Enter when done. " _
  read -r -p "      Join the network airswd-XXXXXX it opens, then Enter. " _
  local fresh
  fresh=$(curl -s -m 10 http://192.168.4.1/api/v1/device | json_field '["auth"]["setup_required"]' 2>/dev/null)
  check "after the factory reset the device asks for setup on its access point" test "$fresh" = True
  say "set it up again (README.md, 'Set it up') before the next run"
}

for step in "${steps[@]}"; do
  echo "== $step"
  "step_$step"
done
echo "$failures failure(s)"
exit "$failures"
