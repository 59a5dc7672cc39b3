#!/usr/bin/env bash
# web/auth.js (the page's SHA-256, HMAC and Authorization header) agrees with node:crypto and with docs/auth.md.
# Usage: test_auth_js.sh WEB_SOURCE_DIR       Skipped without node (failed under CI).
set -u
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../common/skip.sh"
command -v node >/dev/null || skip_test "node is not installed (Debian package nodejs; scripts/install-deps.sh)"
# The page may load nothing from outside the device, and must not need a secure context.
if grep -nE "https?://|crypto\.subtle|require\(" "$1/auth.js"; then
  echo "FAIL: web/auth.js refers to an outside resource, crypto.subtle or a Node module"
  exit 1
fi
exec node "$here/test_auth_js.js" "$1/auth.js"
