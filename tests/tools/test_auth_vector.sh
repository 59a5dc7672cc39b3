#!/usr/bin/env bash
# The worked example of docs/auth.md, computed independently by Python's hashlib (pbkdf2_hmac for K) and hmac from the
# inputs the document states, matches the numbers printed there and the header the C code prints
# (tests/unit/test_secure_auth).
# Usage: test_auth_vector.sh TEST_SECURE_AUTH_PROGRAM DOCS_AUTH_MD       Exit status 77 (skipped) without python3.
set -euo pipefail
program=$1
doc=$2
source "$(dirname "$0")/../common/skip.sh"
command -v python3 >/dev/null || skip_test "python3 is not installed (scripts/install-deps.sh)"

# A row of the example's table: "| name | `value` |" -> value
row() { sed -n "s/^| $1 | \`\\([^\`]*\\)\`.*|\$/\\1/p" "$doc"; }
passphrase=$(row passphrase) salt=$(row salt) nonce=$(row nonce) request=$(row request) body=$(row body)
[[ -n $passphrase && -n $salt && -n $nonce && -n $request && -n $body ]] ||
  { echo "FAIL: the example's inputs are not in $doc"; exit 1; }

expected=$(python3 - "$passphrase" "$salt" "$nonce" "$request" "$body" <<'PY'
import hashlib, hmac, sys
passphrase, salt, nonce, request, body = sys.argv[1:]
method, path = request.split(" ", 1)
key = hashlib.pbkdf2_hmac("sha256", passphrase.encode(), bytes.fromhex(salt), 100000, 32)
body_hash = hashlib.sha256(body.encode()).hexdigest()
mac = hmac.new(key, "\n".join([method, path, nonce, body_hash]).encode(), hashlib.sha256).hexdigest()
print(key.hex(), body_hash, mac)
print(f"AIRSWD-HMAC-SHA256 nonce={nonce}, body={body_hash}, mac={mac}")
PY
)
read -r key body_hash mac <<<"$(head -n 1 <<<"$expected")"
header=$(tail -n 1 <<<"$expected")

failures=0
check() { # what, computed, documented
  if [[ $2 != "$3" ]]; then
    echo "FAIL: $1: python computes $2, the document says $3"
    failures=$((failures + 1))
  fi
}
check K "$key" "$(row K)"
check "body SHA-256" "$body_hash" "$(row 'body SHA-256')"
check mac "$mac" "$(row mac)"
grep -qxF "Authorization: $header" "$doc" || { echo "FAIL: the document's header is not $header"; failures=$((failures + 1)); }
# The whole output first: grep -q stops reading at its match, which would fail the pipe (pipefail) with SIGPIPE.
printed=$("$program" 2>&1)
if ! grep -qxF "$header" <<<"$printed"; then
  echo "FAIL: $program does not print $header"
  failures=$((failures + 1))
fi
((failures == 0)) && echo "docs/auth.md worked example: python, the document and the C code agree (mac $mac)"
exit $((failures > 0))
