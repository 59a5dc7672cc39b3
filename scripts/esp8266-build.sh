#!/usr/bin/env bash
# Builds the ESP8266 firmware (ports/esp8266) with the SDK's GNU make flow, once per flash layout, into
# build/esp8266/4mb and build/esp8266/1mb; writes for each a combined image to flash at 0x0
# (build/esp8266/airswd-esp8266-4mb.bin: bootloader, partition table, OTA data, the app, and erased settings between
# them) and the esptool.py arguments that flash the pieces (build/esp8266/<board>/flash_args); checks the budgets
# (scripts/esp8266-budgets.sh). Exit status 1 when a build fails or a budget is exceeded.
# Usage: esp8266-build.sh [BUILD_DIR]
# ESP8266_EXTRA_CONFIG, when set, holds sdkconfig lines added to both layouts' (tests/hil builds a bench variant so).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
mkdir -p "$build"
build=$(cd "$build" && pwd) # the SDK's make runs in ports/esp8266: every path it gets is absolute
out=$build/esp8266
eval "$("$root/scripts/esp8266-sdk.sh" "$build")"
export IDF_PATH

# What the SDK's make flow expects of the machine, and Debian's compiler lacks (docs/esp8266.md, "Building"):
# `python` is Debian's python3; an empty libstdc++ satisfies the SDK's -lstdc++ (no C++ is built).
tools=$out/tools
mkdir -p "$tools/bin" "$tools/lib"
ln -sfn /usr/bin/python3 "$tools/bin/python"
[[ -f "$tools/lib/libstdc++.a" ]] || xtensa-lx106-elf-ar rcs "$tools/lib/libstdc++.a"
export PATH=$tools/bin:$PATH

# Warnings GCC 12 raises in the SDK's own sources, which its -Werror=all would make fatal; -fcommon for the
# bootloader's duplicate tentative definitions; the bundle's newlib before Debian's picolibc.
sdk_flags=(
  EXTRA_CFLAGS="-fcommon -Wno-error=address -Wno-error=format-truncation -Wno-error=array-parameter -Wno-error=stringop-overflow"
  EXTRA_CXXFLAGS=-fcommon
  EXTRA_CPPFLAGS="-isystem $ESP8266_NEWLIB/include"
  EXTRA_LDFLAGS="-L$ESP8266_NEWLIB/lib -L$tools/lib"
)

# combine FLASH_ARGS OUTPUT: one image of the pieces at their offsets, erased (0xFF) between them, up to the end of
# the last; flashed at 0x0 it leaves the device as a fresh one (its settings partition erased).
combine() {
  local args=($(cat "$1")) end=0 pieces=()
  for ((i = 0; i < ${#args[@]}; i++)); do
    [[ "${args[i]}" =~ ^0x[0-9a-fA-F]+$ ]] || continue
    local offset=$((args[i])) file=${args[i + 1]}
    [[ -f "$file" ]] || file=$build/$file
    pieces+=("$offset:$file")
    local piece_end=$((offset + $(stat -c %s "$file")))
    ((piece_end > end)) && end=$piece_end
  done
  head -c "$end" /dev/zero | tr '\0' '\377' >"$2.partial"
  for piece in "${pieces[@]}"; do
    dd if="${piece#*:}" of="$2.partial" bs=4096 seek="${piece%%:*}" oflag=seek_bytes conv=notrunc status=none
  done
  mv "$2.partial" "$2"
}

for board in 4mb 1mb; do
  dir=$out/$board
  mkdir -p "$dir"
  { cat "$root/ports/esp8266/sdkconfig.defaults" "$root/ports/esp8266/sdkconfig.$board"
    printf '%s\n' "${ESP8266_EXTRA_CONFIG:-}"; } >"$dir/sdkconfig.defaults.new"
  # A changed configuration starts the board's configuration afresh; an unchanged one leaves the build incremental.
  if ! cmp -s "$dir/sdkconfig.defaults.new" "$dir/sdkconfig.defaults"; then
    mv "$dir/sdkconfig.defaults.new" "$dir/sdkconfig.defaults"
    rm -f "$dir/sdkconfig"
  else
    rm -f "$dir/sdkconfig.defaults.new"
  fi
  common=(-C "$root/ports/esp8266" BUILD_DIR_BASE="$dir" SDKCONFIG="$dir/sdkconfig"
          SDKCONFIG_DEFAULTS="$dir/sdkconfig.defaults" "${sdk_flags[@]}")
  [[ -f "$dir/sdkconfig" ]] || make "${common[@]}" defconfig >"$dir/defconfig.log" 2>&1
  echo "esp8266: building the $board firmware in ${dir#"$root/"}"
  make "${common[@]}" -j"$(nproc)" all >"$dir/build.log" 2>&1 || {
    tail -n 40 "$dir/build.log"
    echo "esp8266: the $board build failed; the whole log is $dir/build.log" >&2
    exit 1
  }
  # "--flash_mode dio --flash_freq 40m --flash_size 4MB 0xd000 FILE 0x0 FILE ...", paths relative to the build dir.
  make -s "${common[@]}" print_flash_cmd 2>/dev/null | tail -n 1 >"$dir/flash_args"
  combine "$dir/flash_args" "$out/airswd-esp8266-$board.bin"
done

status=0
for board in 4mb 1mb; do
  "$root/scripts/esp8266-budgets.sh" "$out/$board" "$root/ports/esp8266/partitions-$board.csv" || status=1
done
exit $status
