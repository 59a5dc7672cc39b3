#!/usr/bin/env bash
# `airswd --device URL` against a real airswdd: first-boot setup with the admin passphrase and a signing key, a signed
# container flashed while plain images are refused, trust/untrust of keys, debug mode turned on; then flash an ELF (phases printed, exit 0), --json flash (one object, ok
# true), a second flash while a big binary is being flashed (exit 1, busy), a truncated HEX (exit 1, image-truncated),
# an unreachable device (exit 1, the message), verify (equal, then after an erase: exit 1), read into a file, erase,
# reset, info; and the
# daemon's stderr carrying what the simulated STM32 printed on USART1 after the reset.
# Usage: test_airswd_remote.sh PATH/TO/airswd PATH/TO/airswdd FIRMWARE_DIR
set -u
airswd=$1 airswdd=$2 firmware=$3
source "$(dirname "$0")/daemon_test.sh"
source "$(dirname "$0")/../common/skip.sh"
[[ -f "$firmware/f1/hello_f1.elf" ]] || skip_test "example firmware not built (arm-none-eabi-gcc missing)"

# A 512 KB F1, so that a 256 KB binary takes a while to flash.
start_daemon "sim:stm32f103re,state=$work/chip.state"
check "airswdd prints its URL" test -n "$port"

# run NAME ARGS...: stdout in $work/NAME.out, stderr in $work/NAME.err, the exit status in $rc.
run() {
  local name=$1
  shift
  "$airswd" "$@" >"$work/$name.out" 2>"$work/$name.err"
  rc=$?
}

run unset --device "$url" flash "$firmware/f1/hello_f1.elf"
check "flash before setup exits 1" test "$rc" = 1
check "  saying the device is not set up, and how to" contains "$work/unset.err" "airswd --device $url setup"
export AIRSWD_PASSPHRASE="short"
run short --device "$url" setup --code "$(cat "$work/setup-code")"
check "setup refuses a passphrase shorter than 12 characters (exit 2)" test "$rc" = 2
export AIRSWD_PASSPHRASE="a long enough passphrase"
run no-code --device "$url" setup
check "setup without --code exits 2, saying where the code is" \
  test "$rc" = 2 -a "$(grep -c 'setup needs --code CODE' "$work/no-code.err")" = 1
run wrong-code --device "$url" setup --code 0123456789abcdef
check "setup with a wrong code exits 1: 403 wrong-setup-code" \
  test "$rc" = 1 -a "$(grep -c 'wrong-setup-code' "$work/wrong-code.err")" = 1
"$airswd" keygen -o "$work/owner.pem" >/dev/null
"$airswd" keygen -o "$work/second.pem" >/dev/null
run setup --device "$url" setup --code "$(tr a-f A-F <"$work/setup-code")" --signing-key "$work/owner.pub.pem"
check "setup with the passphrase and a signing key exits 0" test "$rc" = 0
passphrase=$AIRSWD_PASSPHRASE
request GET /device
owner_id=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['policy']['trusted_keys'][0])" "$work/body")
check "  and the device trusts that key ($owner_id)" contains "$work/setup.out" "trusted keys [\"$owner_id\"]"
run plain --device "$url" flash "$firmware/f1/hello_f1.elf"
check "a plain ELF is refused under the signed-only default (exit 1)" test "$rc" = 1
check "  naming image-unsigned" contains "$work/plain.err" "airswd: upload: image-unsigned"
"$airswd" sign --key "$work/owner.pem" --version 1 --target stm32f103re "$firmware/f1/hello_f1.elf" \
  -o "$work/signed.airswd" 2>/dev/null
run signed --device "$url" flash "$work/signed.airswd"
check "the signed container is flashed (exit 0)" test "$rc" = 0
run wrong --device "$url" --passphrase-file /dev/null erase
check "an empty passphrase file is refused before anything is sent (exit 2)" test "$rc" = 2
printf 'not the passphrase\n' >"$work/wrong.txt"
run wrong --device "$url" --passphrase-file "$work/wrong.txt" erase
check "a wrong passphrase: exit 1, bad-credentials" contains "$work/wrong.err" "airswd: erase: bad-credentials"
run trust --device "$url" trust "$work/second.pub.pem"
check "trust adds a second key" grep -qE 'trusted keys \["[0-9a-f]{16}","[0-9a-f]{16}"\]' "$work/trust.out"
run untrust --device "$url" untrust "$owner_id"
check "untrust removes the first" grep -qE "trusted keys \[\"[0-9a-f]{16}\"\]$" "$work/untrust.out"
run signed_again --device "$url" flash "$work/signed.airswd"
check "  after which its containers are refused: untrusted-key" \
  contains "$work/signed_again.err" "image-untrusted-key"
run debug --device "$url" debug on
check "debug on exits 0 and says so" contains "$work/debug.out" "debug: done; debug mode on"

run flash --device "$url" flash "$firmware/f1/hello_f1.elf"
check "flash through the daemon exits 0" test "$rc" = 0
check "  and prints the phases" grep -qE '^program +[0-9]+\.[0-9]{3} ms$' "$work/flash.out"
check "  and the total in chip time" grep -qE '^total +[0-9]+\.[0-9]{3} ms chip time$' "$work/flash.out"
check "  and the bytes verified" grep -qE '^programmed [1-9][0-9]* bytes, verified [1-9][0-9]* bytes$' "$work/flash.out"

run json --device "$url" --json flash "$firmware/f1/hello_f1.hex"
check "--json flash exits 0" test "$rc" = 0
check "  with one object, ok true and the phases" \
  python3 -c "import json,sys; o=json.load(open(sys.argv[1])); sys.exit(0 if o['ok'] is True and o['phases_us']['program'] > 0 else 1)" "$work/json.out"

run info --device "$url" info
check "info through the daemon names the part" contains "$work/info.out" "STM32F10x high density"
check "  its USER bits" grep -qE '^user bits   0x000000FF  WDG_SW=1 nRST_STOP=1 nRST_STDBY=1$' "$work/info.out"
check "  and no write protection" grep -qE '^write prot  none$' "$work/info.out"

# One job at a time: a second flash while a 256 KB binary is being flashed.
head -c 262144 /dev/urandom >"$work/big.bin"
"$airswd" --device "$url" flash "$work/big.bin" --base 0x08000000 >"$work/big.out" 2>"$work/big.err" &
big=$!
for _ in $(seq 1 100); do
  grep -q "flash big.bin: started" "$work/daemon.err" && break
  sleep 0.05
done
run busy --device "$url" flash "$firmware/f1/hello_f1.elf"
check "a flash while another job runs exits 1" test "$rc" = 1
check "  saying busy, with the daemon's detail and message" \
  grep -qE '^airswd: flash: busy: job [0-9]+ \(flash\) is running: ' "$work/busy.err"
wait "$big"
check "the big flash exits 0" test "$?" = 0

head -n 5 "$firmware/f1/hello_f1.hex" >"$work/truncated.hex"
run truncated --device "$url" flash "$work/truncated.hex"
check "a truncated HEX exits 1" test "$rc" = 1
check "  naming image-truncated" contains "$work/truncated.err" "airswd: upload: image-truncated"

run again --device "$url" flash "$firmware/f1/hello_f1.elf"
check "the refused requests left the store usable: another flash exits 0" test "$rc" = 0

run verify --device "$url" verify "$firmware/f1/hello_f1.elf"
check "verify of the flashed ELF exits 0" test "$rc" = 0
check "  having verified bytes and programmed none" grep -qE '^programmed 0 bytes, verified [1-9][0-9]* bytes$' \
  "$work/verify.out"
size=$(stat -c %s "$firmware/f1/hello_f1.bin")
run read --device "$url" read 0x08000000 "$size" -o "$work/read.bin"
check "read through the daemon exits 0" test "$rc" = 0
check "  and the file holds what was flashed" cmp -s "$work/read.bin" "$firmware/f1/hello_f1.bin"
request GET /images
check "  and leaves no image behind in the device's store" \
  python3 -c "import json,sys; sys.exit(any(i['name'].startswith('read-') for i in json.load(open(sys.argv[1]))))" \
  "$work/body"
run erase --device "$url" erase
check "erase through the daemon exits 0" test "$rc" = 0
check "  and prints the erased units" grep -qE '^erased +[1-9][0-9]* units' "$work/erase.out"
run verify_erased --device "$url" verify "$firmware/f1/hello_f1.elf"
check "verify after the erase exits 1" test "$rc" = 1
check "  with flash-differs" contains "$work/verify_erased.err" "flash-differs"
run readbad --device "$url" read 0x08000000 0x400000 -o "$work/too-much.bin"
check "a read larger than the device's store exits 1 with bad-request" grep -q "bad-request" "$work/readbad.err"
run reset --device "$url" reset --nrst
check "reset --nrst through the daemon exits 0" test "$rc" = 0
run unlock --device "$url" unlock --yes
check "unlock through a daemon is refused with exit 2" test "$rc" = 2
run again2 --device "$url" flash "$firmware/f1/hello_f1.elf"
check "a flash after all that exits 0" test "$rc" = 0

run unreachable --device http://127.0.0.1:1 flash "$firmware/f1/hello_f1.elf"
check "an unreachable device exits 1" test "$rc" = 1
check "  saying it cannot reach it" contains "$work/unreachable.err" \
  "airswd: cannot reach the device at http://127.0.0.1:1: Connection refused"
run badurl --device ftp://x flash "$firmware/f1/hello_f1.elf"
check "a URL that is not http:// exits 2" test "$rc" = 2

sleep 0.5
check "the daemon printed what the STM32 said on USART1" \
  contains "$work/daemon.err" "airswdd: uart: hello from airswd example firmware (STM32F1)"

kill -TERM "$pid"
wait "$pid"
status=$?
pid=
check "airswdd stops with status 0" test "$status" = 0

if [[ $failures -ne 0 ]]; then
  for f in "$work"/*.err "$work"/*.out; do echo "--- $f"; cat "$f"; done
fi
exit $((failures != 0))
