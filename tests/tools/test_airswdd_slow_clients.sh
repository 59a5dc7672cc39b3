#!/usr/bin/env bash
# Slow clients and event streams must not keep the owner out (issue 14, item 6), on airswdd and on
# airswdd_esp8266_sizes (2 connections): setup trickled after setup is refused before its body, a trickled body is
# cut at its total deadline, and with every connection held by event streams, slow bodies, slow heads or idle
# clients the owner's nonce and signed request are each answered within 1 s (slow_clients.py).
# Usage: test_airswdd_slow_clients.sh PATH/TO/airswdd CONNECTIONS
set -u
airswdd=$1 connections=$2
source "$(dirname "$0")/daemon_test.sh"
source "$(dirname "$0")/../common/skip.sh"
command -v curl >/dev/null || skip_test "curl is not installed (scripts/install-deps.sh)"

start_daemon "sim:stm32f103c8,state=$work/chip.state"
check "airswdd starts" test -n "$port"
[[ -n "$port" ]] || { cat "$work/daemon.err"; exit 1; }
setup_daemon
check "first-boot setup" test "$code" = 200

AIRSWD_TEST_PASSPHRASE=$passphrase python3 "$tools_dir/slow_clients.py" "$url" "$connections"
check "slow clients and streams did not keep the owner out" test $? = 0
check "airswdd stops cleanly" stop_daemon
echo "$failures failure(s)"
[[ $failures -eq 0 ]]
