# toolchain.sh - sourced by the scripts that build programs for the ESP8266's CPU (build.sh, wire/build-target.sh):
# lx106_toolchain NAME OUTPUT_DIR BUILD_DIR finds xtensa-lx106-elf-gcc and the ESP8266_RTOS_SDK with its newlib
# (scripts/esp8266-sdk.sh finds or unpacks them) and exports IDF_PATH and ESP8266_NEWLIB. When one is missing it
# writes the reason to OUTPUT_DIR/UNAVAILABLE and ends the calling script with success (lx106_unavailable_extra, when
# the caller defines it, runs first), so that a machine without them still builds everything else; the tests then
# print the reason and skip (or fail, with the environment variable CI set).

lx106_unavailable() {
  echo "$LX106_NAME: $*" >&2
  echo "$*" >"$LX106_OUT/UNAVAILABLE"
  declare -F lx106_unavailable_extra >/dev/null && lx106_unavailable_extra
  exit 0
}

lx106_toolchain() {
  LX106_NAME=$1 LX106_OUT=$2
  local build=$3 root sdk
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  command -v xtensa-lx106-elf-gcc >/dev/null ||
    lx106_unavailable "xtensa-lx106-elf-gcc is not installed (package gcc-xtensa-lx106; scripts/install-deps.sh)"
  sdk=$("$root/scripts/esp8266-sdk.sh" "$build" 2>"$LX106_OUT/esp8266-sdk.log") ||
    lx106_unavailable "no ESP8266_RTOS_SDK with newlib: $(tail -n 1 "$LX106_OUT/esp8266-sdk.log")"
  eval "$sdk"
  export IDF_PATH ESP8266_NEWLIB
}
