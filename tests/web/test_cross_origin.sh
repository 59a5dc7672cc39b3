#!/usr/bin/env bash
# Issue 14, item 1 in Chromium (tests/web/cross_origin.js): a page of another site and a DNS-rebound name try to run
# first-boot setup on a fresh airswdd, even knowing the setup code; the device must still want setup afterwards,
# with its log naming no setup. The attacker's page is served from 127.0.0.2 on a port of its own.
# Usage: test_cross_origin.sh BUILD_DIR AIRSWDD       Exit status 77 (skipped) without node or chromium.
set -u
build_dir=$1
airswdd=$2
. "$(dirname "$0")/browser_env.sh"

. "$here/../tools/daemon_test.sh"
attacker_pid=
stop_attacker() { [[ -n "$attacker_pid" ]] && kill "$attacker_pid" 2>/dev/null; cleanup; }
trap stop_attacker EXIT

start_daemon sim
[[ -n "$port" ]] || { echo "FAIL: airswdd did not start"; cat "$work/daemon.err"; exit 1; }
url=$url/

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

key=$(python3 "$tools_dir/auth_sign.py" --key "a passphrase of the attacker" "$(device_salt)")
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
