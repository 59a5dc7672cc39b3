#!/usr/bin/env bash
# Builds the test programs for the ESP8266's CPU (tests/lx106/programs) into OUTPUT_DIR/*.elf, incrementally: the
# host build runs this on every build, and a run with nothing to rebuild takes about a second.
#
# The programs need xtensa-lx106-elf-gcc and the ESP8266_RTOS_SDK with its newlib (scripts/esp8266-sdk.sh finds
# or unpacks them). When one is missing, the reason goes to OUTPUT_DIR/UNAVAILABLE and this script succeeds, so
# that a machine without them still builds everything else; tests/lx106/run.sh then prints the reason and skips
# (or fails, when the environment variable CI is set).
#
# Usage: build.sh OUTPUT_DIR [BUILD_DIR]     BUILD_DIR: where esp8266-sdk.sh unpacks the bundle (default build/)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?usage: build.sh OUTPUT_DIR [BUILD_DIR]}
build=${2:-$root/build}
mkdir -p "$out"
out=$(cd "$out" && pwd)

source "$root/tests/lx106/toolchain.sh"
lx106_toolchain lx106 "$out" "$build"

# Configured again only when the SDK or newlib moved; otherwise the build notices its own changes.
settings="IDF_PATH=$IDF_PATH ESP8266_NEWLIB=$ESP8266_NEWLIB"
if [[ ! -f "$out/CMakeCache.txt" || "$(cat "$out/.settings" 2>/dev/null)" != "$settings" ]]; then
  cmake -S "$root/tests/lx106/programs" -B "$out" -DCMAKE_TOOLCHAIN_FILE="$root/tests/lx106/programs/toolchain.cmake" \
    -DIDF_PATH="$IDF_PATH" -DESP8266_NEWLIB="$ESP8266_NEWLIB" >"$out/configure.log" ||
    { cat "$out/configure.log"; exit 1; }
  echo "$settings" >"$out/.settings"
fi
# Quiet unless it fails: the host build prints its own progress.
if ! cmake --build "$out" -j "$(nproc)" >"$out/build.log" 2>&1; then
  cat "$out/build.log"
  exit 1
fi
rm -f "$out/UNAVAILABLE"
