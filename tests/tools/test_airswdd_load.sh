#!/usr/bin/env bash
# The airswdd daemon under load: 1,000 GETs (/api/v1/device, /api/v1/images, /, /app.js) over 50 concurrent
# connections, with 20 slow clients sending their request one byte per second (the daemon must cut them, not wait
# for them), while a probe checks that GET /api/v1/device keeps answering within 2 s (load_client.c). Then the
# daemon's peak resident memory (VmHWM), which must stay under 64 MB, and a clean SIGTERM.
# Usage: test_airswdd_load.sh PATH/TO/airswdd PATH/TO/load_client
set -u
airswdd=$1 load_client=$2
source "$(dirname "$0")/daemon_test.sh"
source "$(dirname "$0")/../common/skip.sh"
command -v curl >/dev/null || skip_test "curl is not installed (scripts/install-deps.sh)"
[[ -r /proc/self/status ]] || skip_test "no /proc"

start_daemon "sim:stm32f103c8,state=$work/chip.state"
check "airswdd starts" test -n "$port"
[[ -n "$port" ]] || { cat "$work/daemon.err"; exit 1; }

check "GET /api/v1/device answers before the storm" \
  test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/v1/device")" = 200
rss_before=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")

"$load_client" "$port" 1000 50 20 | tee "$work/load.out"
check "the load client's checks pass" test "${PIPESTATUS[0]}" = 0

code=$(curl -s -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/v1/device")
check "GET /api/v1/device answers after the storm" test "$code" = 200
peak_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")
echo "daemon memory: VmRSS ${rss_before} kB before the load, peak VmHWM ${peak_kb} kB"
check "the daemon's peak RSS is under 64 MB" test "$peak_kb" -lt 65536

kill -TERM "$pid"
wait "$pid"
status=$?
pid=
check "stop with SIGTERM exits 0" test "$status" = 0

echo "$failures failure(s)"
[[ $failures -eq 0 ]]
