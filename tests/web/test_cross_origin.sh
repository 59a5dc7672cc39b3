#!/usr/bin/env bash
# Issue 14, item 1 in Chromium (tests/web/cross_origin.js): a page of another site and a DNS-rebound name try to run
# first-boot setup on a fresh airswdd, even knowing the setup code; the device must still want setup afterwards,
# with its log naming no setup. The attacker's page is served from 127.0.0.2 on a port of its own.
# Usage: test_cross_origin.sh BUILD_DIR AIRSWDD       Exit status 77 (skipped) without node or chromium.
set -u
build_dir=$1
airswdd=$2
. "$(dirname "$0")/browser_env.sh"

work=$(mktemp -d)
daemon_pid= attacker_pid=
cleanup() {
  for p in $attacker_pid $daemon_pid; do
    kill "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  rm -rf "$work"
}
trap cleanup EXIT

"$airswdd" --target sim --listen 127.0.0.1:0 --state-dir "$work/state" --setup-code-file "$work/setup-code" \
  >"$work/daemon.out" 2>"$work/daemon.err" &
daemon_pid=$!
for _ in $(seq 1 100); do
  grep -q "listening on" "$work/daemon.out" 2>/dev/null && break
  sleep 0.05
done
url=$(sed -n 's|^airswdd: listening on \(http://127.0.0.1:[0-9]*\)$|\1/|p' "$work/daemon.out")
[[ -n "$url" ]] || { echo "FAIL: airswdd did not start"; cat "$work/daemon.err"; exit 1; }

# The attacker's site: one page, on 127.0.0.2.
mkdir "$work/site"
echo '<!doctype html><title>a page of another site</title><p>nothing to see' >"$work/site/index.html"
timeout 120 python3 -m http.server 0 --bind 127.0.0.2 --directory "$work/site" >"$work/site.out" 2>&1 &
attacker_pid=$!
attacker=
for _ in $(seq 1 100); do
  attacker=$(sed -n 's|^Serving HTTP on 127.0.0.2 port \([0-9]*\).*|http://127.0.0.2:\1/|p' "$work/site.out")
  [[ -n "$attacker" ]] && break
  sleep 0.05
done
[[ -n "$attacker" ]] || { echo "FAIL: the attacker's site did not start"; cat "$work/site.out"; exit 1; }
echo "device $url, another site $attacker"

salt=$(curl -s "${url}api/v1/device" | python3 -c 'import json,sys; print(json.load(sys.stdin)["auth"]["salt"])')
key=$(python3 "$here/../tools/auth_sign.py" --key "a passphrase of the attacker" "$salt")
NODE_PATH=$npm_dir/node_modules CHROMIUM=$chromium timeout 120 \
  node "$here/cross_origin.js" "$url" "$attacker" "$(cat "$work/setup-code")" "$key"
status=$?

setup=$(curl -s "${url}api/v1/device" | python3 -c 'import json,sys; print(json.load(sys.stdin)["auth"]["setup_required"])')
echo "afterwards GET /api/v1/device: setup_required $setup"
[[ "$setup" == True ]] || { echo "FAIL: a page that is not the device's own ran first-boot setup"; status=1; }
if grep -q "setup done" "$work/daemon.err"; then
  echo "FAIL: the daemon's log says setup was done"
  status=1
fi
((status == 0)) && echo "no page of another site, nor a rebound name, could run setup or read the device"
exit $status
