#!/usr/bin/env bash
# The web page stays served whatever its downloads do: HEAD requests (which send no body) and downloads cut short
# (the client resets the connection mid-body) must each give back the file slot they took, so that /, /app.js and
# /style.css still answer 200 with the whole file afterwards. Before, four HEADs of /app.js left the page answering
# 503 busy until a restart.
# Usage: test_airswdd_page_slots.sh PATH/TO/airswdd
set -u
airswdd=$1
source "$(dirname "$0")/daemon_test.sh"
source "$(dirname "$0")/../common/skip.sh"
command -v curl >/dev/null || skip_test "curl is not installed (scripts/install-deps.sh)"

start_daemon "sim:stm32f103c8,state=$work/chip.state"
check "airswdd starts" test -n "$port"
[[ -n "$port" ]] || { cat "$work/daemon.err"; exit 1; }

files=(/ /app.js /style.css)
# whole_file PATH: GET answers 200 and the body is as long as its Content-Length says.
whole_file() {
  local headers=$work/headers status length got
  status=$(curl -s -m 5 -D "$headers" -o "$work/file" -w '%{http_code}' -H 'Accept-Encoding: gzip' "$url$1")
  length=$(sed -n 's/^[Cc]ontent-[Ll]ength: *\([0-9]*\).*/\1/p' "$headers")
  got=$(stat -c %s "$work/file")
  [[ $status == 200 && -n $length && $got == "$length" ]] || { echo "      $1: $status, $got of ${length:-?} bytes"; return 1; }
}
for f in "${files[@]}"; do check "GET $f answers the whole file at first" whole_file "$f"; done

# Many more HEADs than there are file slots.
heads_ok=0
for round in 1 2 3 4 5 6; do
  for f in "${files[@]}"; do
    [[ $(curl -s -m 5 -I -o /dev/null -w '%{http_code}' "$url$f") == 200 ]] && heads_ok=$((heads_ok + 1))
  done
done
check "18 HEAD requests answer 200 ($heads_ok did)" test "$heads_ok" -eq 18
for f in "${files[@]}"; do check "after the HEADs, GET $f still answers the whole file" whole_file "$f"; done

# Downloads cut short: a tiny receive window, then a reset while the body is still being sent.
python3 - "$port" <<'PY'
import socket, struct, sys, time
port = int(sys.argv[1])
for round in range(4):
    for path in ("/", "/app.js", "/style.css"):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 256)
        s.connect(("127.0.0.1", port))
        s.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip\r\n\r\n")
        s.recv(64)
        time.sleep(0.02)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
PY
sleep 0.2
for f in "${files[@]}"; do check "after 12 downloads cut short, GET $f still answers the whole file" whole_file "$f"; done
code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$api/device")
check "the API answers too" test "$code" = 200

stop_daemon
check "airswdd stops cleanly" test $? -eq 0
exit $((failures > 0))
