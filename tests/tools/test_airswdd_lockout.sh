#!/usr/bin/env bash
# Issue 14, item 4: nobody at another address can lock the owner out. On a set-up airswdd, tests/tools/lockout.py
# runs an attacker at 127.0.0.2 (wrong MACs and floods of nonce requests) against the owner at 127.0.0.1, whose
# every correctly signed request must be answered 200 within 1 s while the attacker stays throttled.
# Usage: test_airswdd_lockout.sh AIRSWDD
set -u
airswdd=$1
. "$(dirname "$0")/daemon_test.sh"

start_daemon sim
[[ -n "$port" ]] || { echo "FAIL: airswdd did not start"; cat "$work/daemon.err"; exit 1; }
setup_daemon
check "first-boot setup answers 200" test "$code" = 200
python3 "$tools_dir/lockout.py" 127.0.0.1 "$port" "$passphrase" "$(device_salt)" 12
check "the owner was never refused nor delayed, and the attacker stayed throttled" test $? = 0
check "SIGTERM stops airswdd" stop_daemon
exit $((failures > 0))
