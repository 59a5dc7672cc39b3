#!/usr/bin/env bash
# Builds the wire test program for the ESP8266's CPU: OUTPUT_DIR/wire_target.elf, the port's SWD wire
# (ports/esp8266/main/esp8266_swd.c) compiled as the firmware compiles it (-O2 -mlongcalls, hot functions in .iram1.*),
# the core's src/swd beside it, on the runtime of tests/lx106/runtime, against the SDK's newlib.
#
# It also compiles esp8266_swd.c the way the SDK build will (ESP_PLATFORM, the SDK's esp_attr.h, gnu99, the SDK's
# warnings) and checks that every hot function lands in IRAM there too.
#
# When the cross compiler or the SDK's newlib is missing, the reason goes to OUTPUT_DIR/UNAVAILABLE and the script
# succeeds, so that the rest of the build goes on; the test then reports itself skipped with that reason.
#
# Usage: build-target.sh OUTPUT_DIR BUILD_DIR     BUILD_DIR: where scripts/esp8266-sdk.sh unpacks the SDK bundle
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out=${1:?usage: build-target.sh OUTPUT_DIR BUILD_DIR}
build=${2:?usage: build-target.sh OUTPUT_DIR BUILD_DIR}
mkdir -p "$out/obj"
rm -f "$out/UNAVAILABLE"

lx106_unavailable_extra() { rm -f "$out/wire_target.elf"; }
source "$root/tests/lx106/toolchain.sh"
lx106_toolchain "lx106 wire" "$out" "$build"

cc=xtensa-lx106-elf-gcc
runtime=$root/tests/lx106/runtime
port=$root/ports/esp8266/main
warnings=(-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wundef -Wpointer-arith -Wvla)
common=(-mlongcalls -ffunction-sections -fdata-sections -isystem "$ESP8266_NEWLIB/include" -I "$root/src" -I "$port"
        -I "$runtime" -I "$here")

compile() { # compile OBJECT SOURCE FLAGS...
  local object=$1 source=$2
  shift 2
  "$cc" "${common[@]}" "$@" -c "$source" -o "$out/obj/$object"
}

# The wire exactly as the firmware builds it (ports/esp8266: -O2 for this file).
compile esp8266_swd.o "$port/esp8266_swd.c" -std=c11 -O2 "${warnings[@]}"
# The core and the program, with the firmware's size optimisation.
for source in "$root"/src/swd/swd_*.c "$root/src/status.c"; do
  compile "core_$(basename "${source%.c}").o" "$source" -std=c11 -Os "${warnings[@]}"
done
compile wire_target.o "$here/wire_target.c" -std=c11 -Os "${warnings[@]}"
for source in "$runtime"/syscalls.c "$runtime"/arith.c "$runtime"/no_float.c; do
  compile "runtime_$(basename "${source%.c}").o" "$source" -std=gnu11 -Os
done
compile runtime_start.o "$runtime/start.S"

"$cc" -nostdlib -Wl,--gc-sections -T "$here/iram.ld" -T "$runtime/lx106.ld" -o "$out/wire_target.elf.partial" \
  "$out"/obj/*.o "$ESP8266_NEWLIB/lib/libc.a" -lgcc "$ESP8266_NEWLIB/lib/libc.a" 2>"$out/link.log" ||
  { cat "$out/link.log" >&2; exit 1; }
# QEMU's sim machine has RWX memory everywhere; that warning is the only one expected.
grep -v "LOAD segment with RWX permissions" "$out/link.log" >&2 || true

# The hot functions must be in IRAM: a cache miss in flash would stall a packet for microseconds.
hot="esp8266_swd_transfer esp8266_swd_packet_fast esp8266_swd_packet_paced esp8266_swd_write_bit esp8266_swd_read_bit \
esp8266_swd_set_swdio_output"
check_iram() { # check_iram OBJECT_OR_ELF WHAT
  local symbols missing=""
  symbols=$(xtensa-lx106-elf-objdump -t "$1")
  for function in $hot; do
    grep -Eq "[[:space:]]\.iram[0-9a-z._]*[[:space:]].*[[:space:]]$function\$" <<<"$symbols" || missing+=" $function"
  done
  [[ -z "$missing" ]] || { echo "lx106 wire: not in IRAM in $2:$missing" >&2; exit 1; }
}
check_iram "$out/wire_target.elf.partial" "the test program"

# The SDK's build of the same file: its esp_attr.h, its dialect and warnings (make/project.mk), -O2.
"$cc" -std=gnu99 -O2 -mlongcalls -ffunction-sections -fdata-sections -nostdlib -DESP_PLATFORM -Wall -Werror=all \
  -Wextra -Wno-unused-parameter -Wno-sign-compare -isystem "$ESP8266_NEWLIB/include" \
  -I "$IDF_PATH/components/esp8266/include" -I "$root/src" -c "$port/esp8266_swd.c" -o "$out/obj_sdk_esp8266_swd.o"
check_iram "$out/obj_sdk_esp8266_swd.o" "the SDK build"

mv "$out/wire_target.elf.partial" "$out/wire_target.elf"
