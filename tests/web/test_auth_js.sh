#!/usr/bin/env bash
# web/auth.js (the page's SHA-256, HMAC and Authorization header) agrees with node:crypto and with docs/auth.md.
# Usage: test_auth_js.sh WEB_SOURCE_DIR       Exit status 77 (skipped) without node.
set -u
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v node >/dev/null; then
  echo "SKIPPED: node is not installed"
  exit 77
fi
# The page may load nothing from outside the device, and must not need a secure context.
if grep -nE "https?://|crypto\.subtle|require\(" "$1/auth.js"; then
  echo "FAIL: web/auth.js refers to an outside resource, crypto.subtle or a Node module"
  exit 1
fi
exec node "$here/test_auth_js.js" "$1/auth.js"
