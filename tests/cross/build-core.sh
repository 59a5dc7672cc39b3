#!/usr/bin/env bash
# Builds the portable core (src/) for the ESP8266 (xtensa-lx106, -Os -mlongcalls) and for Cortex-M0+ and Cortex-M4
# with warnings as errors, prints its code and static RAM size on each, and checks the ESP8266 budgets of design.md:
# core code <= 120 KB, core static RAM <= 12 KB. Objects are compiled and archived, not linked: on the ESP8266 the
# SDK and the ROM provide libc and the integer division helpers at link time.
# Usage: build-core.sh OUTPUT_DIR       Exit status 77 (skipped) when a cross compiler is missing.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/build/cross}
code_budget=$((120 * 1024))
ram_budget=$((12 * 1024))
picolibc_specs=/usr/lib/xtensa-lx106-elf/picolibc.specs
warnings=(-std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wundef -Wvla
          -Wpointer-arith -Wformat=2)

for tool in xtensa-lx106-elf-gcc arm-none-eabi-gcc; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIPPED: $tool is not installed (scripts/install-deps.sh installs it)"
    exit 77
  fi
done

# mbedTLS headers (the ESP8266 RTOS SDK ships its own copy of mbedTLS 2.x): a folder holding only a link to Debian's,
# so that no other host header can leak into a cross build the way -I/usr/include would let it.
mbedtls_headers=/usr/include/mbedtls
if [[ ! -f $mbedtls_headers/sha256.h ]]; then
  echo "SKIPPED: $mbedtls_headers is missing (apt-get install libmbedtls-dev)"
  exit 77
fi
mkdir -p "$out/include"
ln -sfn "$mbedtls_headers" "$out/include/mbedtls"

mapfile -t sources < <(cd "$root/src" && find . -name '*.c' | sort)

# build NAME TOOL_PREFIX FLAGS...: compiles every source into OUTPUT_DIR/NAME and archives it; prints its size.
build() {
  local name=$1 prefix=$2
  shift 2
  local dir="$out/$name" objects=()
  rm -rf "$dir"
  mkdir -p "$dir"
  for source in "${sources[@]}"; do
    local object="$dir/$(echo "${source#./}" | tr / _).o"
    "${prefix}gcc" "${warnings[@]}" "$@" -I"$root/src" -isystem "$out/include" -c "$root/src/$source" -o "$object"
    objects+=("$object")
  done
  "${prefix}ar" rcs "$dir/libairswd_core.a" "${objects[@]}"
  # size -t prints a total line: text data bss dec hex
  read -r text data bss _ < <("${prefix}size" -t "${objects[@]}" | tail -n 1)
  printf '%-22s code %7d B   static RAM %6d B (data %d, bss %d)\n' "$name" "$text" $((data + bss)) "$data" "$bss"
  last_text=$text
  last_ram=$((data + bss))
}

echo "portable core, ${#sources[@]} files:"
build xtensa-lx106 xtensa-lx106-elf- -Os -mlongcalls -ffreestanding -specs="$picolibc_specs"
xtensa_text=$last_text
xtensa_ram=$last_ram
build cortex-m0plus arm-none-eabi- -Os -mcpu=cortex-m0plus -mthumb -ffreestanding
build cortex-m4 arm-none-eabi- -Os -mcpu=cortex-m4 -mthumb -ffreestanding

echo "symbols the ESP8266 link must provide:"
xtensa-lx106-elf-nm -u "$out/xtensa-lx106/libairswd_core.a" | awk 'NF == 2 {print $2}' | sort -u |
  grep -v -x -F -f <(xtensa-lx106-elf-nm --defined-only "$out/xtensa-lx106/libairswd_core.a" | awk 'NF == 3 {print $3}') |
  tr '\n' ' '
echo

status=0
if ((xtensa_text > code_budget)); then
  echo "FAIL: xtensa-lx106 core code $xtensa_text B exceeds the budget of $code_budget B"
  status=1
fi
if ((xtensa_ram > ram_budget)); then
  echo "FAIL: xtensa-lx106 core static RAM $xtensa_ram B exceeds the budget of $ram_budget B"
  status=1
fi
((status == 0)) && echo "budgets (ESP8266): code $xtensa_text / $code_budget B, static RAM $xtensa_ram / $ram_budget B: ok"
exit $status
