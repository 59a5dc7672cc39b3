#!/usr/bin/env bash
# Flashes the built firmware (make esp8266) into an ESP8266 on a serial port with the SDK's esptool.py: bootloader,
# partition table, OTA data and app at their offsets (build/esp8266/BOARD/flash_args), as the SDK's `make flash`
# does. The module must be in its download mode (GPIO0 low at reset; NodeMCU and D1 mini boards do it by themselves).
# Usage: esp8266-flash.sh BUILD_DIR BOARD PORT [BAUD]     BOARD: 4mb (NodeMCU, D1 mini) or 1mb (ESP-01)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$1
board=${2:-4mb}
port=${3:-}
baud=${4:-460800}
if [[ -z "$port" ]]; then
  echo "usage: make esp8266-flash PORT=/dev/ttyUSB0 [BOARD=4mb|1mb]" >&2
  exit 2
fi
args=$build/esp8266/$board/flash_args
if [[ ! -f "$args" ]]; then
  echo "esp8266-flash: no $board build in $build/esp8266 (make esp8266 first; BOARD is 4mb or 1mb)" >&2
  exit 2
fi
eval "$("$root/scripts/esp8266-sdk.sh" "$build")"
cd "$build" # flash_args names the pieces relative to the build directory
# shellcheck disable=SC2046
exec /usr/bin/python3 "$IDF_PATH/components/esptool_py/esptool/esptool.py" --chip esp8266 --port "$port" \
  --baud "$baud" --before default_reset --after hard_reset write_flash -z $(cat "$args")
