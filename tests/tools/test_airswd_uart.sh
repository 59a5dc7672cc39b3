#!/usr/bin/env bash
# `airswd --target sim:PART,uart flash FILE`: the example firmware through the simulated chip's ROM bootloader
# (AN3155) on USART1, on F030, F103, F411, L476, G071, F746, L053 and L152, as BIN, HEX, ELF and a signed container. After each flash
# the firmware prints its hello line, and stm32flash (which no one here wrote) reads the same bytes back through
# the ROM bootloader of the same chip (SWD on the G071, whose ROM no longer runs once the flash holds a firmware). Then the failures: read protection, a wrong command line, and transport
# auto choosing the bootloader when SWD does not answer.
# Usage: test_airswd_uart.sh AIRSWD STM32SIM FIRMWARE_DIR
set -u
airswd=$1 STM32SIM=$2 firmware=$3
source "$(dirname "$0")/../common/skip.sh"
source "$(dirname "$0")/../interop/sim_server.sh"
[[ -f "$firmware/f1/hello_f1.elf" ]] || skip_test "example firmware not built (arm-none-eabi-gcc missing)"
command -v stm32flash >/dev/null || skip_test "stm32flash is not installed (Debian package stm32flash)"

work=$(mktemp -d)
trap 'stop_stm32sim; rm -rf "$work"' EXIT
failures=0
check() { if "${@:2}"; then echo "ok    $1"; else echo "FAIL  $1"; failures=$((failures + 1)); fi; }
contains() { grep -q -F -- "$2" "$1"; }

"$airswd" keygen -o "$work/key.pem" >/dev/null 2>&1 || { echo "FAIL  keygen"; exit 1; }

# The flash array of a state file (cli_sim_state.c: a 5-line text header, the flash, the option bytes).
flash_of_state() {
  local state=$1 out=$2 header size
  header=$(head -n 5 "$state" | wc -c)
  size=$(sed -n 3p "$state" | cut -d' ' -f2)
  tail -c +$((header + 1)) "$state" | head -c "$size" >"$out"
}

# stm32flash reads LENGTH bytes from the chip whose flash is FLASH, through its ROM bootloader on a pty. Its
# timeouts are the host's: on a loaded machine it may give up once, so it has a second try on a fresh chip (the
# bytes must match either way).
stm32flash_read() {
  local part=$1 flash=$2 length=$3 out=$4 status=1
  for attempt in 1 2; do
    start_stm32sim "$work" --part "$part" --boot0 --flash-file "$flash" --uart-pty "$work/pty" || return 1
    timeout 60 stm32flash -m 8n1 -b 115200 -r "$out" -S "0x08000000:$length" "$work/pty" >"$work/stm32flash.out" 2>&1
    status=$?
    stop_stm32sim
    ((status == 0)) && break
    echo "      stm32flash attempt $attempt exited $status:"
    sed 's/^/        /' "$work/stm32flash.out" | tail -n 5
  done
  return $status
}

# The L0 and L1 ROMs refuse to read the flash size register: airswd finds the end of the flash by reading.
for spec in "stm32f030r8 f0 F0" "stm32f103c8 f1 F1" "stm32f411ce f4 F4" "stm32l476rg l4 L4" "stm32g071rb g0 G0" \
  "stm32f746zg f7 F7" "stm32l053r8 l0 L0" "stm32l152re l1 L1"; do
  read -r part family name <<<"$spec"
  bin="$firmware/$family/hello_$family.bin"
  "$airswd" sign --key "$work/key.pem" --version 1 --target "$part" "$bin" -o "$work/$family.signed" >/dev/null 2>&1
  for file in "$bin" "$firmware/$family/hello_$family.hex" "$firmware/$family/hello_$family.elf" \
    "$work/$family.signed"; do
    what="$part $(basename "$file")"
    state="$work/$part.state"
    rm -f "$state" "$work/console"
    "$airswd" --target "sim:$part,uart,state=$state,console=$work/console" flash "$file" >"$work/out" 2>"$work/err"
    check "$what: flash through the ROM bootloader succeeds" test $? -eq 0
    check "  through the bootloader" contains "$work/out" "through   ROM bootloader (UART)"
    check "  the firmware prints its hello line" contains "$work/console" \
      "hello from airswd example firmware (STM32$name)"
    size=$(stat -c %s "$bin")
    rm -f "$work/back.bin"
    if [[ $family == g0 ]]; then
      # A G0 boots its ROM only while the flash is empty (nBOOT_SEL): SWD reads it back instead.
      "$airswd" --target "sim:$part,state=$state" read 0x08000000 "$size" -o "$work/back.bin" >/dev/null 2>&1
      check "  SWD reads it back (exit $?)" cmp -s "$bin" "$work/back.bin"
    else
      flash_of_state "$state" "$work/flash.bin"
      stm32flash_read "$part" "$work/flash.bin" "$size" "$work/back.bin"
      check "  stm32flash reads it back (exit $?)" cmp -s "$bin" "$work/back.bin"
    fi
  done
  sed 's/^/      /' "$work/out"
done

# read, reset and erase through the bootloader too.
state="$work/f1.state" target="sim:stm32f103c8,uart,state=$work/f1.state"
rm -f "$state"
"$airswd" --target "$target" flash --no-reset "$firmware/f1/hello_f1.elf" >/dev/null 2>&1
"$airswd" --target "$target" read 0x08000000 "$(stat -c %s "$firmware/f1/hello_f1.bin")" -o "$work/read.bin" \
  >"$work/out" 2>"$work/err"
check "read through the bootloader copies the flash into a file" cmp -s "$work/read.bin" "$firmware/f1/hello_f1.bin"
rm -f "$work/console"
"$airswd" --target "$target,console=$work/console" reset >"$work/out" 2>"$work/err"
check "reset through the bootloader succeeds" test $? -eq 0
check "  and the firmware runs" contains "$work/console" "hello from airswd example firmware (STM32F1)"
"$airswd" --target "$target" erase >"$work/out" 2>"$work/err"
check "erase through the bootloader succeeds" test $? -eq 0
check "  saying which programmer it used" contains "$work/out" "through   ROM bootloader (UART)"
"$airswd" --target "$target" verify "$firmware/f1/hello_f1.elf" >"$work/out" 2>"$work/err"
check "  and verify then finds the firmware gone (exit 1)" test $? -eq 1
check "  naming the first address that differs" contains "$work/err" "verifying: flash at 0x08000000 holds 0xFF"

"$airswd" --target "$target" info >"$work/out" 2>"$work/err"
check "info through the bootloader names the part" contains "$work/out" \
  "STM32F10x medium density (PID 0x410), ROM bootloader v2.2 (Erase)"
check "  its flash" contains "$work/out" "64 KB in 64 erase units"
# An L072's ROM refuses to read its flash size register; its size is where Read Memory stops taking addresses.
"$airswd" --target "sim:stm32l072cz,uart" info >"$work/out" 2>"$work/err"
check "info through the bootloader finds an L072's 192 KB by reading" contains "$work/out" "192 KB in 1536 erase units"
"$airswd" --target "sim:stm32l476rg,uart" --json info >"$work/out" 2>"$work/err"
check "  and as JSON" grep -q '^{"part":"STM32L47x/L48x","dev_id":1045,"flash_size":1048576,.*"read_protected":false' \
  "$work/out"

# Read protection: the sentence that names it, and the flash unchanged.
state="$work/rdp.state"
"$airswd" --target "sim:stm32f103c8,state=$state" flash "$firmware/f1/hello_f1.bin" >/dev/null 2>&1
"$airswd" --target "sim:stm32f103c8,state=$state" option-bytes --set rdp=1 >/dev/null 2>&1
check "read protection set over SWD" test $? -eq 0
cp "$state" "$work/rdp.before"
"$airswd" --target "sim:stm32f103c8,uart,state=$state" flash "$firmware/f4/hello_f4.bin" >"$work/out" 2>"$work/err"
check "a read-protected part fails with exit status 1" test $? -eq 1
check "  naming read protection" contains "$work/err" "read protection is active"
check "  and the way out" contains "$work/err" "airswd unlock --yes"
"$airswd" --target "sim:stm32f103c8,uart,state=$state" info >"$work/info" 2>&1
check "  info through the bootloader shows it" contains "$work/info" "read protection active"
check "  with the flash unchanged" cmp -s "$state" "$work/rdp.before"
"$airswd" --target "sim:stm32f103c8,uart,state=$state" unlock >"$work/out" 2>"$work/err"
check "unlock through the bootloader without --yes is refused (exit $?)" contains "$work/err" "unlock --yes"
check "  and changes nothing" cmp -s "$state" "$work/rdp.before"
"$airswd" --target "sim:stm32f103c8,uart,state=$state" unlock --yes >"$work/out" 2>"$work/err"
check "unlock --yes through the bootloader removes read protection (exit $?)" contains "$work/out" \
  "read protection of STM32F10x medium density removed through the ROM bootloader"
"$airswd" --target "sim:stm32f103c8,uart,state=$state,console=$work/console" flash "$firmware/f1/hello_f1.bin" \
  >"$work/out" 2>"$work/err"
check "  and the part flashes again through it" contains "$work/console" "hello from airswd example firmware (STM32F1)"

# transport auto: SWD does not answer (swd=off), the bootloader is used, and the result says so.
"$airswd" --target "sim:stm32f103c8,auto,swd=off,console=$work/console" flash "$firmware/f1/hello_f1.hex" \
  >"$work/out" 2>"$work/err"
check "auto flashes through the bootloader when SWD does not answer" test $? -eq 0
check "  and says which one it used" contains "$work/out" "through   ROM bootloader (UART) (auto)"
check "  and the firmware runs" contains "$work/console" "hello from airswd example firmware (STM32F1)"
"$airswd" --target "sim:stm32f103c8,uart" --json flash "$firmware/f1/hello_f1.elf" >"$work/out" 2>"$work/err"
check "--json names the backend" contains "$work/out" '"backend":"ROM bootloader (UART)"'

"$airswd" --target "sim:stm32f103c8,uart,baud=12" flash "$firmware/f1/hello_f1.bin" >/dev/null 2>"$work/err"
check "a baud rate out of range is a usage error" contains "$work/err" "baud= wants a rate in bit/s"

echo "$failures failure(s)"
exit $((failures > 0))
