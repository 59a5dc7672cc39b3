#!/usr/bin/env bash
# A load that the flash refuses: the first pages of the simulated F103 are write-protected in its option bytes, so
# gdb's `load` fails at vFlashErase with an error reply (the reason in airswdd's log), the flash is left locked, and
# the session goes on: the monitor still answers and `monitor option` shows the protection; `monitor option erase`
# removes it, and the next load goes through before gdb detaches.
# Usage: test_gdb_flash_errors.sh PATH/TO/airswd PATH/TO/airswdd FIRMWARE_DIR
set -u
airswd=$1 airswdd=$2 firmware=$3
source "$(dirname "$0")/gdb_daemon.sh"
require_tools gdb
elf=$firmware/f1/hello_f1.elf
[[ -f $elf ]] || skip_test "example firmware not built (arm-none-eabi-gcc missing)"

"$airswd" --target "sim:stm32f103c8,state=$work/stm32f103c8.state" option-bytes --set wrp=0-3 >"$work/wrp.out" 2>&1
check "the first erase units are write-protected" test $? = 0
check "airswdd on the protected part opens its GDB port" start_gdb_daemon stm32f103c8
run_gdb "$work/gdb.out" "$elf" "monitor swdp_scan" "attach 1" "load" "monitor version" "monitor option" \
  "monitor option erase" "monitor option" "load" "detach"
sed 's/^/    gdb: /' "$work/gdb.out"
check "load fails with an error reply from vFlashErase" grep -q "Error erasing flash with vFlashErase packet" \
  "$work/gdb.out"
check "the reason is in airswdd's log" grep -qiE "gdb: flash: .*(write-protect|WRPRTERR)" "$work/daemon.err"
check "the session goes on: the monitor answers" grep -q "^airswd .* GDB server" "$work/gdb.out"
check "  and shows the protection" grep -qE "^WRPR 0x[0-9a-f]*[0-9a-e]$" "$work/gdb.out"
check "monitor option erase removes the write protection" grep -q "^removing the write protection" "$work/gdb.out"
check "  which monitor option then shows" grep -q "^WRPR 0xffffffff$" "$work/gdb.out"
check "  and the next load goes through" grep -q "^Transfer rate" "$work/gdb.out"
check "  and gdb detaches" grep -q "detached\]" "$work/gdb.out"

stop_daemon
check "airswdd stops cleanly" test $? = 0
((failures == 0))
