#!/usr/bin/env bash
# The exit status of every case in the README's table: 0 done, 1 the operation failed, 2 a bad command line (a file
# named on it that cannot be opened, a folder that does not exist for an output, included). A bad command line is
# found before the chip or the device is touched: the cases that would otherwise reach them run against an unwired
# target or an address where nothing listens, which would fail with 1, not 2.
# Usage: test_airswd_exit_codes.sh PATH/TO/airswd PATH/TO/airswdd FIRMWARE_DIR
source "$(dirname "$0")/cli_test.sh"
nowhere=http://127.0.0.1:1 # nothing listens on port 1

# expect STATUS TEXT DESCRIPTION -- COMMAND...: the exit status, and TEXT ("" for none) on stdout or stderr.
expect() {
  local status=$1 text=$2 description=$3
  shift 4
  "$@" >out.txt 2>err.txt
  local rc=$?
  check "$description: exit $status" test "$rc" = "$status"
  [[ -z $text ]] || check "  saying: $text" grep -qF -- "$text" out.txt err.txt
}

"$airswd" keygen -o owner.pem >/dev/null
"$airswd" sign --key owner.pem --version 1 --target stm32f103c8 "$firmware/f1/hello_f1.elf" -o app.airswd

# 0: done, help asked for.
expect 0 "usage: airswd" "airswd --help" -- "$airswd" --help
expect 0 "usage: airswdd" "airswdd --help" -- "$airswdd" --help
expect 0 "airswd 0." "airswd --version" -- "$airswd" --version
expect 0 "read ADDRESS LENGTH -o FILE" "airswd read --help" -- "$airswd" read --help
expect 0 "settings [KEY=VALUE...]" "airswd settings --help (a device's command)" -- "$airswd" settings --help
expect 0 "" "info of the simulated part" -- "$airswd" info
expect 0 "" "inspect of a container" -- "$airswd" inspect --pub owner.pub.pem app.airswd
expect 0 "no airswd device answered" "list with nobody answering (an empty list)" \
  -- "$airswd" list --mdns-server 127.0.0.1:1 --timeout 0.3

# 1: the operation failed.
expect 1 "target not responding" "info of an unwired target" -- "$airswd" --target unwired info
expect 1 "the flash holds other data" "verify of another image" \
  -- "$airswd" verify "$firmware/f1/hello_f1.bin" --base 0x08000100
expect 1 "cannot save the simulator state" "a simulator state that cannot be saved" \
  -- "$airswd" --target sim:stm32f103c8,state=nowhere/chip.state reset
expect 1 "exists: not overwritten" "keygen over an existing key" -- "$airswd" keygen -o owner.pem
expect 1 "text, not an image" "flash of a file that is not an image" -- "$airswd" flash "$0"
expect 1 "cannot reach the device" "an unreachable device" -- "$airswd" --device "$nowhere" info

# 2: a bad command line, before anything is touched.
expect 2 "unknown command 'nosuch'" "an unknown command" -- "$airswd" nosuch
expect 2 "list --timeout takes seconds" "list with a --timeout that is no number" -- "$airswd" list --timeout soon
expect 2 "" "an unknown option" -- "$airswd" --nosuch info
expect 2 "usage: airswd read" "read without -o" -- "$airswd" read 0x08000000 16
expect 2 "cannot open nosuch.elf: No such file" "flash of a missing file" -- "$airswd" flash nosuch.elf
expect 2 "cannot open nosuch.pem: No such file" "sign with a missing key" \
  -- "$airswd" sign --key nosuch.pem --version 1 --target stm32f103c8 "$firmware/f1/hello_f1.elf" -o x.airswd
expect 2 "cannot open nosuch.elf: No such file" "sign of a missing image" \
  -- "$airswd" sign --key owner.pem --version 1 --target stm32f103c8 nosuch.elf -o x.airswd
expect 2 "cannot open nosuch.airswd: No such file" "inspect of a missing file" -- "$airswd" inspect nosuch.airswd
expect 2 "cannot create nowhere/x.bin" "read into a folder that does not exist (before the chip is read)" \
  -- "$airswd" --target unwired read 0x08000000 16 -o nowhere/x.bin
expect 2 "unknown simulated part" "an unknown simulated part" -- "$airswd" --target sim:stm32nosuch info
expect 2 "setup works through a device only" "a device command without --device" -- "$airswd" setup
expect 2 "goes before the command" "a global option after the command" -- "$airswd" info --device "$nowhere"
expect 2 "choose a local target" "--target with --device" -- "$airswd" --device "$nowhere" --target unwired info
expect 2 "cannot open nosuch.elf: No such file" "flash of a missing file through a device" \
  -- "$airswd" --device "$nowhere" flash nosuch.elf
expect 2 "cannot create nowhere/x.bin" "a device read into a folder that does not exist (before it is asked)" \
  -- "$airswd" --device "$nowhere" read 0x08000000 16 -o nowhere/x.bin
expect 2 "cannot open nosuch.pem: No such file" "trust of a missing key file" \
  -- "$airswd" --device "$nowhere" trust nosuch.pem
expect 2 "cannot open nosuch.airswd: No such file" "update-firmware of a missing file" \
  -- "$airswd" --device "$nowhere" update-firmware nosuch.airswd
expect 2 "unknown setting 'colour=red'" "settings with an unknown key" \
  -- "$airswd" --device "$nowhere" settings colour=red
expect 2 "" "airswdd with an unknown option" -- "$airswdd" --nosuch
expect 2 "--listen" "airswdd --listen at a name that is no address" \
  -- "$airswdd" --listen nosuch.invalid:8080 --state-dir st
exit $((failures > 0))
