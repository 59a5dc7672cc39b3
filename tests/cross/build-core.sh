#!/usr/bin/env bash
# Builds the portable core (src/) for the ESP8266 (xtensa-lx106, -Os -mlongcalls) and for Cortex-M0+ and Cortex-M4
# with warnings as errors, prints its code and static RAM size on each, and checks the ESP8266 budgets of design.md:
# core code <= 176 KB (docs/esp8266.md, Budgets, says why it is no longer 144 KB), core static RAM <= 12 KB, and the
# device's state (service with its flash job, store, API, 2 HTTP connections) <= 24 KB of heap, with the ESP8266's
# buffer sizes (ports/esp8266/main/esp8266_sizes.h): struct device (src/device/device.h) and 2 struct
# http_connection. Objects are compiled and archived, not linked: on the ESP8266 the SDK and the ROM provide libc and
# the integer division helpers at link time.
# Usage: build-core.sh OUTPUT_DIR       Skipped (failed under CI) when a cross compiler is missing.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/build/cross}
code_budget=$((176 * 1024))
# The GDB engine (src/gdb) is linked only by a port that serves GDB: its code is counted apart, against its own budget.
gdb_code_budget=$((20 * 1024))
ram_budget=$((12 * 1024))
heap_budget=$((24 * 1024))
esp8266_sizes=$root/ports/esp8266/main/esp8266_sizes.h
picolibc_specs=/usr/lib/xtensa-lx106-elf/picolibc.specs
warnings=(-std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wundef -Wvla
          -Wpointer-arith -Wformat=2)

source "$root/tests/common/skip.sh"
for tool in xtensa-lx106-elf-gcc arm-none-eabi-gcc; do
  command -v "$tool" >/dev/null || skip_test "$tool is not installed (scripts/install-deps.sh installs it)"
done

# The core includes mbedTLS headers (src/secure). The host's /usr/include would bring glibc's headers along, so
# the cross compilers see a directory that holds only a link to the mbedTLS headers.
[[ -d /usr/include/mbedtls ]] ||
  skip_test "/usr/include/mbedtls is missing (libmbedtls-dev; scripts/install-deps.sh installs it)"
mkdir -p "$out/mbedtls-include"
ln -sfn /usr/include/mbedtls "$out/mbedtls-include/mbedtls"
# Debian configures mbedTLS for a POSIX host (pthread mutexes, files); a device build has its own configuration
# without them (the ESP8266 RTOS SDK's), which this user configuration stands in for.
cat > "$out/mbedtls-include/airswd_cross_mbedtls.h" <<'CONFIG'
#undef MBEDTLS_THREADING_C
#undef MBEDTLS_THREADING_PTHREAD
#undef MBEDTLS_FS_IO
#undef MBEDTLS_NET_C
#undef MBEDTLS_TIMING_C
#undef MBEDTLS_HAVE_TIME
#undef MBEDTLS_HAVE_TIME_DATE
#undef MBEDTLS_HAVEGE_C
#undef MBEDTLS_PSA_ITS_FILE_C
#undef MBEDTLS_PSA_CRYPTO_STORAGE_C
#undef MBEDTLS_ENTROPY_C
#undef MBEDTLS_PSA_CRYPTO_C
CONFIG

jobs=$(nproc 2>/dev/null || echo 2)
mapfile -t sources < <(cd "$root/src" && find . -name '*.c' | sort)

# compile TOOL_PREFIX SOURCE OBJECT FLAGS...: one file of (or against) the core, as the ESP8266 build compiles it.
compile() {
  local prefix=$1 source=$2 object=$3
  shift 3
  "${prefix}gcc" "${warnings[@]}" "$@" -I"$root/src" -isystem "$out/mbedtls-include" \
    -DMBEDTLS_USER_CONFIG_FILE='"airswd_cross_mbedtls.h"' -c "$source" -o "$object"
}

# build NAME TOOL_PREFIX FLAGS...: compiles every source into OUTPUT_DIR/NAME and archives it; prints its size.
build() {
  local name=$1 prefix=$2
  shift 2
  local dir="$out/$name" objects=()
  rm -rf "$dir"
  mkdir -p "$dir"
  # One compiler per CPU at a time; a warning (an error here) in any file fails the build.
  local running=() failed=0
  for source in "${sources[@]}"; do
    local object="$dir/$(echo "${source#./}" | tr / _).o"
    compile "$prefix" "$root/src/$source" "$object" "$@" &
    running+=($!)
    objects+=("$object")
    if ((${#running[@]} >= jobs)); then
      wait "${running[0]}" || failed=1
      running=("${running[@]:1}")
    fi
  done
  for job in "${running[@]}"; do wait "$job" || failed=1; done
  ((failed == 0)) || { echo "FAIL: the core does not compile for $name without warnings" >&2; exit 1; }
  "${prefix}ar" rcs "$dir/libairswd_core.a" "${objects[@]}"
  # size -t prints a total line: text data bss dec hex
  read -r text data bss _ < <("${prefix}size" -t "${objects[@]}" | tail -n 1)
  printf '%-22s code %7d B   static RAM %6d B (data %d, bss %d)\n' "$name" "$text" $((data + bss)) "$data" "$bss"
  last_text=$text
  last_ram=$((data + bss))
}

echo "portable core, ${#sources[@]} files:"
xtensa_flags=(-Os -mlongcalls -ffreestanding -specs="$picolibc_specs" -include "$esp8266_sizes")
build xtensa-lx106 xtensa-lx106-elf- "${xtensa_flags[@]}"
read -r gdb_text _ < <(xtensa-lx106-elf-size -t "$out"/xtensa-lx106/gdb_*.o | tail -n 1)
xtensa_text=$((last_text - gdb_text))
xtensa_ram=$last_ram
build cortex-m0plus arm-none-eabi- -Os -mcpu=cortex-m0plus -mthumb -ffreestanding
build cortex-m4 arm-none-eabi- -Os -mcpu=cortex-m4 -mthumb -ffreestanding

echo "symbols the ESP8266 link must provide:"
xtensa-lx106-elf-nm -u "$out/xtensa-lx106/libairswd_core.a" | awk 'NF == 2 {print $2}' | sort -u |
  grep -v -x -F -f <(xtensa-lx106-elf-nm --defined-only "$out/xtensa-lx106/libairswd_core.a" | awk 'NF == 3 {print $3}') |
  tr '\n' ' '
echo

# The device's state as xtensa lays it out: nm -S gives each object's size (hex) in device_ram.c.
compile xtensa-lx106-elf- "$root/tests/cross/device_ram.c" "$out/device_ram.o" "${xtensa_flags[@]}" -fno-common
declare -A ram
while read -r _ size _ name; do
  ram[${name#device_ram_}]=$((16#$size))
done < <(xtensa-lx106-elf-nm -S "$out/device_ram.o")
connections=2
device_heap=$((ram[device] + connections * ram[http_connection]))
echo "device state on the ESP8266 (${esp8266_sizes#"$root/"}): struct device ${ram[device]} B (service" \
  "${ram[service]} B, store ${ram[store]} B, api ${ram[api]} B, settings keeper and firmware update" \
  "$((ram[device] - ram[service] - ram[store] - ram[api])) B), struct http_connection ${ram[http_connection]} B each"

status=0
# The firmware links newlib's nano formatted I/O (docs/esp8266.md): no long long, size_t/intmax_t/ptrdiff_t, char or
# long double length modifiers, no floating point. A format string of the core or the port asking for one fails here.
nano_unsupported=$(cd "$root" && perl -ne '
  while (/"((?:[^"\\]|\\.)*)"/g) {
    my $text = $1;
    print "$ARGV:$.: \"$text\"\n" if $text =~ /%[-+ #0-9.*]*((ll|hh|[zjtLq])[a-zA-Z]|[fFeEgGaA])/;
  }
  close ARGV if eof;' $(find src ports/esp8266/main -name '*.[ch]' | sort))
if [[ -n $nano_unsupported ]]; then
  echo "FAIL: printf conversions that the ESP8266's nano printf does not have (print 64-bit numbers with decimal.h):"
  echo "$nano_unsupported"
  status=1
fi
if ((device_heap > heap_budget)); then
  echo "FAIL: the device's state with $connections connections, $device_heap B, exceeds the heap budget of $heap_budget B"
  status=1
fi
if ((xtensa_text > code_budget)); then
  echo "FAIL: xtensa-lx106 core code $xtensa_text B exceeds the budget of $code_budget B"
  status=1
fi
if ((gdb_text > gdb_code_budget)); then
  echo "FAIL: xtensa-lx106 GDB engine code $gdb_text B exceeds its budget of $gdb_code_budget B"
  status=1
fi
if ((xtensa_ram > ram_budget)); then
  echo "FAIL: xtensa-lx106 core static RAM $xtensa_ram B exceeds the budget of $ram_budget B"
  status=1
fi
((status == 0)) && echo "budgets (ESP8266): code $xtensa_text / $code_budget B (and the GDB engine $gdb_text /" \
  "$gdb_code_budget B), static RAM $xtensa_ram / $ram_budget B," \
  "state with $connections connections $device_heap / $heap_budget B of heap: ok"
exit $status
