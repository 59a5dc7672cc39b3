#!/usr/bin/env bash
# Messages that point to the right fix, each once: the command a person types rather than a raw API request, the
# seconds to wait, where key ids are listed, what a file is when it is not a container, why a second daemon cannot
# start, and no sentence said twice.
# Usage: test_airswd_messages.sh PATH/TO/airswd PATH/TO/airswdd FIRMWARE_DIR
source "$(dirname "$0")/cli_test.sh"
elf=$firmware/f1/hello_f1.elf
# once FILE TEXT: TEXT appears in FILE exactly once.
once() { test "$(grep -oF -- "$2" "$1" | wc -l)" = 1; }

# Local.
"$airswd" inspect "$elf" 2>inspect.err
check "inspect of an ELF says it is a firmware image, not a container, and what makes one" \
  contains inspect.err "holds a firmware image (ELF), not a signed container: inspect reads containers"
check "  without the advice for a broken build" test "$(grep -c 'build output' inspect.err)" = 0
"$airswd" --target sim:stm32f103c8,state=chip.state reset >/dev/null
"$airswd" --target sim:stm32f411ce,state=chip.state info 2>part.err
check "a state file of another part says so" contains part.err "holds the state of a stm32f103c8, not of a stm32f411ce"
check "  and not that it is damaged" test "$(grep -c 'truncated or damaged' part.err)" = 0
# A state file from a simulator whose option area was smaller (64 bytes before the L1's 0x88).
{ printf 'airswd-sim-state 1\npart stm32f103c8\nflash 65536\noptions 64\n\n'; head -c $((65536 + 64)) /dev/zero; } \
  >old.state
"$airswd" --target sim:stm32f103c8,state=old.state info 2>old.err
check "a state file of another simulator version says so, and what to do" contains old.err \
  "was written by another version of the simulator (65536 B of flash and 64 B of option bytes"
check "  not that it belongs to another part" test "$(grep -c 'holds the state of a' old.err)" = 0
"$airswd" verify "$elf" 2>verify.err
check "verify of another image says to flash it, not that the flash is worn" \
  contains verify.err "flash the image to put it there"
check "  and nothing about wear" test "$(grep -c 'worn' verify.err)" = 0

# Through a daemon.
"$airswd" keygen -o owner.pem >/dev/null
"$airswd" keygen --aes -o image.key >/dev/null
"$airswd" sign --key owner.pem --version 1 --target stm32f103c8 --encrypt-key image.key "$elf" -o secret.airswd \
  >/dev/null
start_daemon "sim:stm32f103c8,state=$work/daemon-chip.state"
"$airswdd" --target sim --listen 127.0.0.1:0 --state-dir "$work/state" >second.out 2>second.err
check "a second daemon on the same state folder exits 1" test $? = 1
check "  saying another airswdd serves it" contains second.err "another airswdd serves --state-dir $work/state"
check "  and not that an upload is in progress" test "$(grep -c 'upload is in progress' second.err)" = 0
export AIRSWD_PASSPHRASE="a long enough passphrase"
"$airswd" --device "$url" setup --code "$(cat setup-code)" --signing-key owner.pub.pem >/dev/null
passphrase=$AIRSWD_PASSPHRASE
"$airswd" --device "$url" read 0x08000000 16 -o back.bin 2>read.err
check "a read with debug mode off names the command that turns it on" \
  contains read.err "airswd --device $url debug on"
check "  and no raw API request" test "$(grep -c 'PUT /api/v1/settings' read.err)" = 0
"$airswd" --device "$url" flash --connect-under-reset "$elf" 2>cur.err
check "flash --connect-under-reset through a device names the settings command" \
  contains cur.err "airswd --device $url settings connect_under_reset=true"
"$airswd" --device "$url" settings connect_under_reset=true >settings.out
check "  which sets it" grep -q '^connect_under_reset *true$' settings.out
check "  and lists the trusted key ids" grep -q '^trusted_keys *\["[0-9a-f]\{16\}"\]$' settings.out
"$airswd" --device "$url" untrust 12 2>untrust.err
check "untrust's usage says where key ids are listed" contains untrust.err "as \`airswd --device URL settings\` lists"
"$airswd" --device "$url" flash secret.airswd 2>secret.err
check "an encrypted container without an image key is refused" contains secret.err "image-encrypted"
check "  saying it once" once secret.err "has no image key"
request GET /jobs/99
check "an unknown job id: 404, saying ids count from 1 since the start" \
  contains "$work/body" "no job with this id: ids count from 1 since the device started"
for _ in 1 2 3 4 5 6; do AIRSWD_PASSPHRASE="not the passphrase" "$airswd" --device "$url" info 2>>throttle.err; done
check "too many wrong passphrases: the seconds to wait" grep -qE "throttled: too many failed attempts: wait [0-9]+ s" \
  throttle.err
stop_daemon
exit $((failures > 0))
