#!/usr/bin/env bash
# Read and write protection through the airswd command line, on a simulated chip kept between runs (state=FILE), for
# one part of each controller generation: `option-bytes --set rdp=1` protects the flash, `info` shows it, `read`
# and `flash` fail naming it (before anything is erased), `unlock` asks for --yes, `unlock --yes` brings level 0
# back with an erased flash, and flashing works again; `option-bytes --set wrp=...` protects erase units, which a
# flash then cannot touch, until `wrp=none`. What is refused on purpose: rdp=0 (that is unlock) and rdp=2.
# Usage: test_airswd_protection.sh PATH/TO/airswd
set -u
airswd=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
check() { if "${@:2}"; then echo "ok    $1"; else echo "FAIL  $1"; failures=$((failures + 1)); sed 's/^/      /' "$work/out" "$work/err"; fi; }
contains() { grep -q -F -- "$2" "$1"; }

# A 3000-byte image (it spans several erase units on the parts with small pages), a vector table first: a binary.
{ printf '\x00\x50\x00\x20\x01\x01\x00\x08'; yes "airswd protection test image 0123456789" | head -c 2992; } \
  >"$work/image.bin"
head -c 16 /dev/zero | tr '\0' '\377' >"$work/erased16.bin"

for part in stm32f103c8 stm32f411ce stm32l476rg stm32g071rb; do
  target=(--target "sim:$part,state=$work/$part.state")
  run() { "$airswd" "${target[@]}" "$@" >"$work/out" 2>"$work/err"; }

  run flash "$work/image.bin"
  check "$part: flash on a new chip succeeds" test $? -eq 0
  run option-bytes
  check "$part: option-bytes shows level 0" contains "$work/out" "read protection   level 0"
  check "$part:   and no write protection" contains "$work/out" "write protection  none"
  run --json option-bytes
  check "$part: option-bytes --json is one JSON object" \
    grep -q '^{"ok":true,"part":.*"rdp_level":0,.*"protected_units":\[\]}$' "$work/out"

  run option-bytes --set rdp=0
  check "$part: rdp=0 is refused as a usage error (exit status 2)" test $? -eq 2
  check "$part:   pointing at unlock" contains "$work/err" 'run `airswd unlock --yes` for that'
  run option-bytes --set rdp=2
  check "$part: rdp=2 is refused (exit status 2)" test $? -eq 2
  check "$part:   because it is permanent" contains "$work/err" "level 2 is permanent"

  run option-bytes --set rdp=1
  check "$part: option-bytes --set rdp=1 succeeds" test $? -eq 0
  check "$part:   and reads back level 1" contains "$work/out" "read protection   level 1"
  run info
  check "$part: info shows read protection level 1" contains "$work/out" "read protection level 1"

  run read 0x08000000 4 -o "$work/f"
  check "$part: read of the flash fails (exit status 1)" test $? -eq 1
  check "$part:   naming read protection" contains "$work/err" "which is read-protected (RDP level 1)"

  run flash "$work/image.bin"
  check "$part: flash fails (exit status 1)" test $? -eq 1
  check "$part:   with the read protection message" \
    contains "$work/err" 'is read-protected (RDP level 1): `airswd unlock --yes` removes it and erases the chip'
  run --json flash "$work/image.bin"
  check "$part:   before anything was erased" contains "$work/out" '"phase":"identify","status":"flash-protected"'
  check "$part:   and says the flash was not touched" contains "$work/out" '"flash_changed":false'

  run unlock
  check "$part: unlock without --yes is refused (exit status 2)" test $? -eq 2
  check "$part:   explaining that it erases the flash" contains "$work/err" "the chip erases its whole flash"
  run info
  check "$part:   and the chip is still protected" contains "$work/out" "read protection level 1"

  run unlock --yes
  check "$part: unlock --yes succeeds" test $? -eq 0
  check "$part:   and reports the chip time" grep -qE "^read protection of .* removed \(level 1 -> 0\).* [0-9.]+ ms chip time$" "$work/out"
  run info
  check "$part: info shows level 0 again" contains "$work/out" "read protection level 0"
  run read 0x08000000 16 -o "$work/f"
  check "$part: the flash can be read, and it was erased" cmp -s "$work/f" "$work/erased16.bin"
  run unlock --yes
  check "$part: unlock --yes at level 0 changes nothing" contains "$work/out" "nothing to do"

  run flash "$work/image.bin"
  check "$part: flash works again" test $? -eq 0
  run verify "$work/image.bin"
  check "$part:   and verifies" test $? -eq 0

  run option-bytes --set wrp=0-1
  check "$part: option-bytes --set wrp=0-1 succeeds" test $? -eq 0
  check "$part:   and shows the protected units" grep -qE "^write protection  units 0-[0-9]+ \(0x08000000\.\." "$work/out"
  run option-bytes --set wrp=99999
  check "$part: a unit past the flash is a usage error (exit status 2)" test $? -eq 2
  run flash "$work/image.bin"
  check "$part: flash over protected units fails (exit status 1)" test $? -eq 1
  check "$part:   naming write protection" contains "$work/err" "write-protected"
  run verify "$work/image.bin"
  check "$part:   and the image is still there" test $? -eq 0
  run option-bytes --set wrp=none
  check "$part: option-bytes --set wrp=none removes it" contains "$work/out" "write protection  none"
  run flash "$work/image.bin"
  check "$part: flash works again" test $? -eq 0
done

echo "$failures failure(s)"
exit $((failures > 0))
