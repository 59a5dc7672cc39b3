#!/usr/bin/env bash
# PlatformIO's upload sequence for `upload_protocol = blackmagic`, verbatim, in gdb-multiarch against airswdd on a
# simulated part: connect, `monitor swdp_scan`, `attach 1`, `load`, `compare-sections`, `kill`. The flash then
# holds the firmware (compare-sections says so, and the simulated USART prints the firmware's hello line once gdb
# has gone), and the part's own flash driver reports no error.
# Usage: test_gdb_platformio_load.sh PATH/TO/airswdd FIRMWARE_DIR PART FAMILY
set -u
airswdd=$1 firmware=$2 part=$3 family=$4
source "$(dirname "$0")/gdb_daemon.sh"
require_tools gdb
elf=$firmware/$family/hello_$family.elf
[[ -f $elf ]] || skip_test "example firmware not built (arm-none-eabi-gcc missing)"

check "airswdd on $part with debug mode on opens its GDB port" start_gdb_daemon "$part"
check "the blank part printed nothing before" bash -c "! grep -q 'uart: hello' '$work/daemon.err'"

run_gdb "$work/gdb.out" "$elf" "monitor swdp_scan" "attach 1" "load" "compare-sections" "kill"
check "gdb ends the sequence" test $? = 0
sed 's/^/    gdb: /' "$work/gdb.out"
check "  swdp_scan lists the part as number 1" grep -qE '^ 1 +STM32' "$work/gdb.out"
check "  attach stops the core and gdb shows where" \
  grep -qE '^(0x[0-9a-f]+ in |<signal handler called>)' "$work/gdb.out"
check "  load writes the sections" grep -qE "^Transfer rate|^Start address" "$work/gdb.out"
check "  compare-sections finds every section matching" \
  bash -c "grep -q 'matched' '$work/gdb.out' && ! grep -qi 'MIS-MATCHED' '$work/gdb.out'"
check "  no error or warning on the way" bash -c "! grep -qiE 'error|fail|warning|could not' '$work/gdb.out'"
# The firmware runs once gdb has gone: its hello line on the simulated USART.
for _ in $(seq 1 50); do grep -q "uart: hello from airswd" "$work/daemon.err" && break; sleep 0.1; done
check "the firmware prints its hello line after the session" grep -q "uart: hello from airswd" "$work/daemon.err"

stop_daemon
check "airswdd stops cleanly" test $? = 0
((failures == 0))
