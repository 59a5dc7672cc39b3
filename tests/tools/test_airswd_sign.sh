#!/usr/bin/env bash
# Signed containers with the airswd command line and with openssl, which no one here wrote: keygen -> sign ->
# inspect verifies; openssl accepts our header signature; a key made by openssl and a header signed by
# `openssl dgst -sign`, attached with `sign --attach`, are accepted by `inspect --pub`; tampering is caught.
# Usage: test_airswd_sign.sh PATH/TO/airswd FIRMWARE.bin
set -u
airswd=$1 firmware=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
check() { if "${@:2}"; then echo "ok    $1"; else echo "FAIL  $1"; failures=$((failures + 1)); fi; }
source "$(dirname "$0")/../common/skip.sh"
command -v openssl >/dev/null || skip_test "openssl is not installed (scripts/install-deps.sh)"

"$airswd" keygen -o "$work/key.pem" >"$work/out" 2>&1
check "keygen writes a private and a public key" test -f "$work/key.pem" -a -f "$work/key.pub.pem"
check "  the private key is mode 0600" test "$(stat -c %a "$work/key.pem")" = 600
check "  openssl reads it as a P-256 key" \
  bash -c "openssl ec -in '$work/key.pem' -text -noout 2>/dev/null | grep -q prime256v1"
"$airswd" keygen -o "$work/key.pem" >/dev/null 2>&1
check "keygen refuses to overwrite a key" test $? -eq 1
"$airswd" keygen --aes -o "$work/aes.hex" >/dev/null 2>&1
check "keygen --aes writes 32 hex digits" grep -qE '^[0-9a-f]{32}$' "$work/aes.hex"

"$airswd" sign --key "$work/key.pem" --version 7 --target stm32f103c8 "$firmware" -o "$work/signed.bin" 2>"$work/err"
check "sign makes a container" test $? -eq 0
"$airswd" inspect --pub "$work/key.pub.pem" "$work/signed.bin" >"$work/out" 2>&1
check "inspect --pub verifies it" test $? -eq 0
check "  and prints the header" grep -q "DEV_ID 0x410" "$work/out"
check "  the security version" grep -qE "^security version +7$" "$work/out"
check "  the verdict" grep -qE "^signature .*valid$" "$work/out"
sed 's/^/      /' "$work/out"
"$airswd" --json inspect --pub "$work/key.pub.pem" "$work/signed.bin" >"$work/out" 2>&1
check "inspect --json" grep -q '"signature":"valid"' "$work/out"

# Our header signature is a standard one: openssl checks it over the first 256 bytes.
head -c 256 "$work/signed.bin" >"$work/header.bin"
siglen=$(od -An -tu2 -j256 -N2 "$work/signed.bin" | tr -d ' ')
tail -c +259 "$work/signed.bin" | head -c "$siglen" >"$work/sig.der"
openssl dgst -sha256 -verify "$work/key.pub.pem" -signature "$work/sig.der" "$work/header.bin" >"$work/out" 2>&1
check "openssl dgst -verify accepts our signature" grep -q "Verified OK" "$work/out"

# A flipped payload bit and a flipped header bit.
cp "$work/signed.bin" "$work/bad.bin"
printf '\x55' | dd of="$work/bad.bin" bs=1 seek=$(( $(stat -c %s "$work/bad.bin") - 3 )) conv=notrunc 2>/dev/null
"$airswd" inspect --pub "$work/key.pub.pem" "$work/bad.bin" >"$work/out" 2>&1
check "a changed payload fails inspect" test $? -eq 1
cp "$work/signed.bin" "$work/bad.bin"
printf '\x09' | dd of="$work/bad.bin" bs=1 seek=12 conv=notrunc 2>/dev/null
"$airswd" inspect --pub "$work/key.pub.pem" "$work/bad.bin" >"$work/out" 2>&1
check "a changed header fails the signature" grep -q "INVALID" "$work/out"

# openssl's key, openssl's signature, attached by us.
openssl ecparam -name prime256v1 -genkey -noout -out "$work/ossl.pem" 2>/dev/null
openssl ec -in "$work/ossl.pem" -pubout -out "$work/ossl.pub.pem" 2>/dev/null
"$airswd" sign --pub "$work/ossl.pub.pem" --version 3 --target stm32f103c8 --target stm32f411ce \
  --encrypt-key "$work/aes.hex" "$firmware" -o "$work/unsigned.bin" --header-out "$work/h.bin" 2>"$work/err"
check "sign --header-out writes the bytes to sign" test "$(stat -c %s "$work/h.bin" 2>/dev/null)" = 256
openssl dgst -sha256 -sign "$work/ossl.pem" -out "$work/ossl.der" "$work/h.bin"
"$airswd" sign --attach "$work/ossl.der" "$work/unsigned.bin" -o "$work/attached.bin" 2>"$work/err"
check "sign --attach" test $? -eq 0
"$airswd" inspect --pub "$work/ossl.pub.pem" "$work/attached.bin" >"$work/out" 2>&1
check "inspect --pub accepts openssl's key and signature" test $? -eq 0
check "  on an encrypted payload" grep -q "AES-128-CTR encrypted" "$work/out"
"$airswd" inspect --pub "$work/key.pub.pem" "$work/attached.bin" >"$work/out" 2>&1
check "  and another public key is refused" test $? -eq 1

"$airswd" sign --key "$work/key.pem" --version 1 --target stm32f999 "$firmware" -o "$work/x.bin" >/dev/null 2>&1
check "an unknown part is a command line error" test $? -eq 2
"$airswd" inspect "$firmware" >/dev/null 2>&1
check "inspect of a plain binary fails" test $? -eq 1

echo "$failures failure(s)"
[[ $failures -eq 0 ]]
