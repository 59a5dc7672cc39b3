#!/usr/bin/env bash
# Finds (or gets) what the ESP8266 firmware builds against, and prints it as two shell assignments:
#   IDF_PATH=/path/to/ESP8266_RTOS_SDK
#   ESP8266_NEWLIB=/path/to/newlib          (include/ and lib/ of newlib built for xtensa-lx106)
# so that a Makefile or a script can `eval "$(scripts/esp8266-sdk.sh)"`. Where they come from, first match wins:
#   1. $IDF_PATH when it is set (an SDK checkout of your own), with $ESP8266_NEWLIB when that is set too;
#   2. the bundle ../shared/esp8266/esp8266-toolchain.tar.xz beside the checkout (or $AIRSWD_ESP8266_BUNDLE),
#      unpacked once under build/esp8266-toolchain/ (about 75 MB, a few seconds);
#   3. upstream, on a machine with internet: ESP8266_RTOS_SDK at tag v3.4 with its submodules, and newlib
#      (espressif/newlib-esp32 at esp-2020r3) built for lx106 with Debian's compiler, both at the commits below and
#      checked, into build/esp8266-toolchain/ (some 10 minutes on 2 cores, once).
# Nothing of this lands in the repository. Messages go to stderr; exit status 1 when nothing could be found.
#
# Usage: esp8266-sdk.sh [BUILD_DIR]     (default: build/ of the checkout)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
mkdir -p "$build"
build=$(cd "$build" && pwd)
toolchain=$build/esp8266-toolchain
bundle=${AIRSWD_ESP8266_BUNDLE:-$root/../shared/esp8266/esp8266-toolchain.tar.xz}

sdk_repo=https://github.com/espressif/ESP8266_RTOS_SDK.git
sdk_tag=v3.4
sdk_commit=89a3f254b63819035f65d9c5dcdae8864f1a6a8a
newlib_repo=https://github.com/espressif/newlib-esp32.git
newlib_tag=esp-2020r3
newlib_commit=78c7e93abd86181307ba9a050f43a353f8853e62

say() { echo "esp8266-sdk: $*" >&2; }

emit() {
  printf 'IDF_PATH=%q\nESP8266_NEWLIB=%q\n' "$1" "$2"
}

have_newlib() { [[ -f "$1/lib/libc.a" && -f "$1/include/newlib.h" ]]; }

# 2. The bundle: unpacked again only when it changed (its size and time stamp are remembered).
from_bundle() {
  [[ -f "$bundle" ]] || return 1
  local stamp="$toolchain/.bundle" identity
  identity=$(stat -c '%s %Y' "$bundle")
  if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$identity" || ! -d "$toolchain/ESP8266_RTOS_SDK" ]]; then
    say "unpacking $bundle into $toolchain"
    rm -rf "$toolchain.partial"
    mkdir -p "$toolchain.partial"
    tar -xJf "$bundle" -C "$toolchain.partial"
    local top
    top=$(find "$toolchain.partial" -mindepth 1 -maxdepth 1 -type d | head -n 1)
    rm -rf "$toolchain"
    mv "$top" "$toolchain"
    rm -rf "$toolchain.partial"
    echo "$identity" >"$stamp"
  fi
  emit "$toolchain/ESP8266_RTOS_SDK" "$toolchain/newlib"
}

# 3. Upstream, checked against the pinned commits.
fetch_sdk() {
  local sdk=$toolchain/ESP8266_RTOS_SDK
  if [[ ! -d "$sdk/.git" ]]; then
    say "cloning ESP8266_RTOS_SDK $sdk_tag with its submodules"
    rm -rf "$sdk"
    git clone --quiet --branch "$sdk_tag" --recurse-submodules "$sdk_repo" "$sdk" >&2
  fi
  local commit
  commit=$(git -C "$sdk" rev-parse HEAD)
  if [[ "$commit" != "$sdk_commit" ]]; then
    say "ESP8266_RTOS_SDK is at $commit, not $sdk_commit ($sdk_tag): remove $sdk to fetch it again"
    return 1
  fi
}

build_newlib() {
  local out=$toolchain/newlib
  have_newlib "$out" && return 0
  local work=$toolchain/newlib-build
  rm -rf "$work"
  mkdir -p "$work"
  say "cloning newlib-esp32 $newlib_tag"
  git clone --quiet --branch "$newlib_tag" "$newlib_repo" "$work/src" >&2
  local commit
  commit=$(git -C "$work/src" rev-parse HEAD)
  if [[ "$commit" != "$newlib_commit" ]]; then
    say "newlib-esp32 is at $commit, not $newlib_commit ($newlib_tag)"
    return 1
  fi
  # The tree carries the ESP32's core description; the L106 has no loop instructions (memcpy.S: loopnez).
  local isa=$toolchain/ESP8266_RTOS_SDK/components/esp8266/include/xtensa/config/core-isa.h
  find "$work/src" -path '*xtensa/config/core-isa.h' -exec cp "$isa" {} \;
  say "building newlib for xtensa-lx106 (several minutes)"
  mkdir -p "$work/obj"
  (
    cd "$work/obj"
    "$work/src/configure" --target=xtensa-lx106-elf --prefix="$work/install" \
      --enable-newlib-io-c99-formats --enable-newlib-io-long-long --enable-newlib-io-float \
      --enable-newlib-io-pos-args --enable-newlib-reent-small --disable-newlib-supplied-syscalls \
      --enable-newlib-long-time_t --enable-newlib-nano-malloc --enable-target-optspace --disable-multilib \
      CFLAGS_FOR_TARGET="-Os -mlongcalls -ffunction-sections -fdata-sections" >"$work/configure.log" 2>&1
    make -j"$(nproc)" MAKEINFO=true all >"$work/make.log" 2>&1
    make MAKEINFO=true install >>"$work/make.log" 2>&1
  ) || { say "newlib did not build: see $work/configure.log and $work/make.log"; return 1; }
  rm -rf "$out.partial"
  mkdir -p "$out.partial"
  cp -r "$work/install/xtensa-lx106-elf/include" "$work/install/xtensa-lx106-elf/lib" "$out.partial/"
  mv "$out.partial" "$out"
}

from_upstream() {
  command -v git >/dev/null || return 1
  mkdir -p "$toolchain"
  fetch_sdk && build_newlib || return 1
  emit "$toolchain/ESP8266_RTOS_SDK" "$toolchain/newlib"
}

if [[ -n "${IDF_PATH:-}" ]]; then
  newlib=${ESP8266_NEWLIB:-}
  if [[ -z "$newlib" ]]; then
    if from_bundle >/dev/null || build_newlib; then
      newlib=$toolchain/newlib
    fi
  fi
  if ! have_newlib "$newlib"; then
    say "IDF_PATH is set ($IDF_PATH) but no newlib for lx106 was found: set ESP8266_NEWLIB"
    exit 1
  fi
  emit "$IDF_PATH" "$newlib"
elif from_bundle; then
  :
elif from_upstream; then
  :
else
  say "no ESP8266_RTOS_SDK: set IDF_PATH, put the bundle at $bundle, or run this on a machine with internet"
  exit 1
fi
