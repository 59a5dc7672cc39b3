#!/usr/bin/env bash
# Checks a built ESP8266 firmware against its budgets and prints them, like `make cross` prints the core's:
#   app      the app image against the flash partition it boots from (ota_0 or factory)
#   IRAM     instruction RAM used against the SDK's IRAM segment (CONFIG_SOC_IRAM_SIZE)
#   DRAM     static data (.data, .bss, .noinit) against the 96 KB data RAM segment
#   heap     the heap left at start, estimated (below), against the 36 KB that WiFi, lwIP's buffers and mbedTLS's
#            ECDSA bignums need: design.md
# The SDK's heap has two regions: data RAM after the static data (byte-addressable: lwIP and the WiFi driver allocate
# there), and the instruction RAM the code leaves free (32-bit access only: malloc, and so mbedTLS's bignums, take it
# first). The estimate: the data RAM segment, less the static data of the link map, less every task's stack (their
# sizes from the build's sdkconfig; the mDNS task's from the SDK's source) and task control block, less what the
# WiFi driver and lwIP allocate when WiFi starts (a fixed figure: docs/esp8266.md says where it comes from, and the
# device logs the real one); plus the free instruction RAM. Then, during a signed flash with two connections: less
# a full receive window and send buffer on each connection (lwIP, data RAM) and the ECDSA check's peak (mbedTLS,
# measured on lx106 under QEMU by tests/lx106/ecdsa_heap.c). During a GDB session (no job runs then), the data RAM
# must hold, beside the two connections' buffers, the engine's state (taken from the heap when a client comes) and
# one packet each way on the GDB connection (the protocol waits for each answer). Nothing here runs the firmware.
# Usage: esp8266-budgets.sh BOARD_BUILD_DIR PARTITIONS_CSV        Exit status 1 when a budget is exceeded.
set -euo pipefail

dir=$1
csv=$2
elf=$dir/airswd.elf
config=$dir/sdkconfig
: "${IDF_PATH:?IDF_PATH must point at the SDK}"

heap_minimum=$((36 * 1024))
wifi_at_start=$((14 * 1024)) # WiFi driver + lwIP allocations once WiFi runs (docs/esp8266.md, "Heap")
ecdsa_peak=4864 # one P-256 verification's heap peak: lx106.ecdsa_heap measures 4,644 B and fails above this
tcb=112                      # FreeRTOS task control block with this SDK's options, rounded up

setting() { sed -n "s/^CONFIG_$1=//p" "$config"; }
source_root=$(cd "$(dirname "$0")/.." && pwd)
define() { sed -n "s/^#define $1 *\([0-9]*\)u\{0,1\}.*/\1/p" "$source_root/$2"; }

# Section sizes, by name, from the ELF.
declare -A section
while read -r name size _; do
  [[ "$size" =~ ^[0-9]+$ ]] && section[$name]=$size
done < <(xtensa-lx106-elf-size -A "$elf")

dram_segment=$(( $(sed -n 's/.*dram0_0_seg.*len = \(0x[0-9A-Fa-f]*\).*/\1/p' "$IDF_PATH/components/esp8266/ld/esp8266.ld") ))
iram_segment=$(( $(setting SOC_IRAM_SIZE) ))
static_dram=$(( ${section[.dram0.data]:-0} + ${section[.dram0.bss]:-0} + ${section[.noinit]:-0} ))
iram=$(( ${section[.iram0.vectors]:-0} + ${section[.iram0.text]:-0} + ${section[.iram0.bss]:-0} ))

# The app partition it boots from: the first app partition of the table.
app_partition=$(awk -F, '!/^#/ && $2 ~ /app/ {gsub(/ /, "", $5); print $5; exit}' "$csv")
app_partition=$((app_partition))
app=$(stat -c %s "$dir/airswd.bin")

mdns_stack=$(sed -n 's/^#define MDNS_SERVICE_STACK_DEPTH *\([0-9]*\).*/\1/p' \
  "$IDF_PATH/components/mdns/private_include/mdns_private.h")
tasks=(
  "network (main) $(setting ESP_MAIN_TASK_STACK_SIZE)"
  "job $(setting AIRSWD_JOB_TASK_STACK)"
  "led+button $(setting AIRSWD_STATUS_TASK_STACK)"
  "event loop $(setting ESP_SYSTEM_EVENT_TASK_STACK_SIZE)"
  "lwIP $(setting LWIP_TCPIP_TASK_STACK_SIZE)"
  "WiFi (ppT) $(setting WIFI_PPT_TASKSTACK_SIZE)"
  "timers $(setting FREERTOS_TIMER_STACKSIZE)"
  "idle $(setting FREERTOS_IDLE_TASK_STACKSIZE)"
  "mDNS $mdns_stack"
)
stacks=0
list=""
for task in "${tasks[@]}"; do
  size=${task##* }
  stacks=$((stacks + size + tcb))
  list+="${task% *} $size, "
done
dram_heap=$((dram_segment - static_dram - stacks - wifi_at_start))
iram_heap=$((iram_segment - iram))
heap=$((dram_heap + iram_heap))
connections=2
in_flight=$((connections * ($(setting LWIP_TCP_WND_DEFAULT) + $(setting LWIP_TCP_SND_BUF_DEFAULT))))
flash_heap=$((heap - in_flight - ecdsa_peak))
gdb_state=$(define GDB_SESSION_HEAP ports/esp8266/main/esp8266_main.c) # a _Static_assert there holds it
gdb_in_flight=$((2 * ($(define GDB_PACKET_MAX src/gdb/gdb_server.h) + 128))) # a packet each way, headers and pbufs
gdb_dram=$((dram_heap - in_flight - gdb_state - gdb_in_flight))

board=$(basename "$dir")
printf 'esp8266 %-4s app   %8d / %8d B of its partition (%d %%)\n' "$board" "$app" "$app_partition" \
  $((100 * app / app_partition))
printf '             IRAM  %8d / %8d B\n' "$iram" "$iram_segment"
printf '             DRAM  %8d / %8d B static (.data %d, .bss %d)\n' "$static_dram" "$dram_segment" \
  "${section[.dram0.data]:-0}" "${section[.dram0.bss]:-0}"
printf '             heap  %8d B at start, estimated (>= %d): DRAM %d = %d - %d static - %d stacks and TCBs (%s) - %d WiFi and lwIP; IRAM %d\n' \
  "$heap" "$heap_minimum" "$dram_heap" "$dram_segment" "$static_dram" "$stacks" "${list%, }" "$wifi_at_start" "$iram_heap"
printf '             heap  %8d B left during a signed flash with %d connections: less %d in lwIP buffers, %d ECDSA peak\n' \
  "$flash_heap" "$connections" "$in_flight" "$ecdsa_peak"
printf '             heap  %8d B of data RAM left during a GDB session with %d connections: less %d in lwIP buffers, %d the engine, %d its packets\n' \
  "$gdb_dram" "$connections" "$in_flight" "$gdb_state" "$gdb_in_flight"

status=0
((app <= app_partition)) || { echo "FAIL: the $board app ($app B) does not fit its partition ($app_partition B)"; status=1; }
((iram <= iram_segment)) || { echo "FAIL: IRAM $iram B exceeds $iram_segment B"; status=1; }
((static_dram <= dram_segment)) || { echo "FAIL: static DRAM $static_dram B exceeds $dram_segment B"; status=1; }
((heap >= heap_minimum)) || { echo "FAIL: the heap left at start, $heap B, is below $heap_minimum B"; status=1; }
((flash_heap > 0 && dram_heap > in_flight)) ||
  { echo "FAIL: a signed flash with $connections connections would exhaust the heap"; status=1; }
((gdb_dram > 0)) || { echo "FAIL: a GDB session with $connections connections would exhaust the data RAM"; status=1; }
exit $status
