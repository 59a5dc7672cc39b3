#!/usr/bin/env bash
# The files airswd produces appear whole or not at all (tools/airswd/cli_output.c): a read that fails halfway leaves
# no file (before, 64 KB of a 128 KB read stayed behind), keygen makes a pair or nothing and never overwrites, sign
# into a folder that does not exist leaves nothing, and no temporary file is ever left beside the outputs. A simulator
# state that cannot be saved fails the command (exit 1); `airswdd --help` is not an error (exit 0, usage on stdout).
# Usage: test_airswd_outputs.sh PATH/TO/airswd FIRMWARE_DIR PATH/TO/airswdd
set -u
airswd=$(realpath "$1") firmware=$(realpath "$2") airswdd=$(realpath "$3")
source "$(dirname "$0")/../common/skip.sh"
[[ -f "$firmware/f1/hello_f1.elf" ]] || skip_test "example firmware not built (arm-none-eabi-gcc missing)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
failures=0
check() { if "${@:2}"; then echo "ok    $1"; else echo "FAIL  $1"; failures=$((failures + 1)); fi; }
no_temporaries() { ! ls -a | grep -q '\.tmp-'; }

# A read that fails at 0x08010000 (the simulated F103C8 has 64 KB): exit 1, no file.
"$airswd" read 0x08000000 0x20000 -o cut.bin 2>err.txt
check "a read that fails at 0x08010000 exits 1" test $? = 1
check "  saying where" grep -q "0x08010000" err.txt
check "  and leaves no file behind" test ! -e cut.bin
echo "an older read" >kept.bin
"$airswd" read 0x08000000 0x20000 -o kept.bin 2>/dev/null
check "  nor replaces a file that was there" grep -q "an older read" kept.bin
"$airswd" read 0x08000000 0x10000 -o whole.bin >/dev/null
check "a read that succeeds writes the whole file" test "$(stat -c %s whole.bin 2>/dev/null)" = 65536
check "no temporary file is left by the reads" no_temporaries

# keygen: a pair or nothing, never over an existing key.
"$airswd" keygen -o owner.pem >/dev/null
check "keygen writes the pair" test -s owner.pem -a -s owner.pub.pem
check "  the private key readable by its owner only" test "$(stat -c %a owner.pem)" = 600
cp owner.pem owner.pem.first
"$airswd" keygen -o owner.pem >/dev/null 2>&1
check "keygen again refuses (exit 1)" test $? = 1
check "  and leaves the first key as it was" cmp -s owner.pem owner.pem.first
echo "someone's public key" >other.pub.pem
"$airswd" keygen -o other.pem >/dev/null 2>&1
check "keygen whose public half exists refuses" test $? = 1
check "  and writes no private key either" test ! -e other.pem
check "no temporary file is left by keygen" no_temporaries

# sign: into a folder that does not exist, nothing; into a file that exists, replaced whole.
"$airswd" sign --key owner.pem --version 1 --target stm32f103c8 "$firmware/f1/hello_f1.elf" -o nowhere/x.airswd \
  >/dev/null 2>&1
check "sign into a folder that does not exist fails" test $? -ne 0
check "  and leaves nothing" test ! -e nowhere
echo "old" >app.airswd
"$airswd" sign --key owner.pem --version 1 --target stm32f103c8 "$firmware/f1/hello_f1.elf" -o app.airswd >/dev/null
check "sign over an existing file replaces it with the container" test "$(head -c 8 app.airswd)" = AIRSWDC1
check "no temporary file is left by sign" no_temporaries
# A file named on the command line that does not open is a bad command line (exit 2), with the reason, everywhere.
"$airswd" flash nosuch.elf >/dev/null 2>err.txt
check "flash of a missing file exits 2" test $? = 2
check "  naming the reason" grep -q "cannot open nosuch.elf: No such file" err.txt
"$airswd" sign --key nosuch.pem --version 1 --target stm32f103c8 "$firmware/f1/hello_f1.elf" -o x.airswd \
  >/dev/null 2>err.txt
check "sign with a missing key file exits 2" test $? = 2
check "  naming the reason" grep -q "cannot open nosuch.pem: No such file" err.txt
"$airswd" sign --key owner.pem --version 1 --target stm32f103c8 nosuch.elf -o x.airswd >/dev/null 2>err.txt
check "sign of a missing image exits 2" test $? = 2
"$airswd" inspect nosuch.airswd >/dev/null 2>err.txt
check "inspect of a missing file exits 2" test $? = 2
check "  naming the reason" grep -q "cannot open nosuch.airswd: No such file" err.txt

# The simulator's state=FILE: a command that changed the chip and could not save it did not do what it says.
"$airswd" --target sim:stm32f103c8,state=nowhere/chip.state reset >/dev/null 2>err.txt
check "a state that cannot be saved fails the command (exit 1)" test $? = 1
check "  saying so" grep -q "cannot save the simulator state" err.txt

"$airswdd" --help >usage.txt 2>/dev/null
check "airswdd --help exits 0" test $? = 0
check "  with the usage on stdout" grep -q "^usage: airswdd" usage.txt
"$airswdd" --no-such-option >/dev/null 2>&1
check "airswdd with an unknown option exits 2" test $? = 2
exit $((failures > 0))
