#!/usr/bin/env bash
# The progress bar on a terminal (script(1) gives airswd one), local and through a daemon: each phase's bar is drawn
# at 100 % exactly once and ends there, also when the daemon's last report came before the phase's end (the remote
# bar used to stay at "program 74 %" before the summary). Without a terminal, plain lines and no bar.
# Usage: test_airswd_progress.sh PATH/TO/airswd PATH/TO/airswdd FIRMWARE_DIR
source "$(dirname "$0")/cli_test.sh"
command -v script >/dev/null || skip_test "script(1) is missing (util-linux)"

# on_terminal OUT COMMAND...: runs the command with its stderr on a terminal; what the terminal showed in OUT.
on_terminal() {
  local out=$1
  shift
  script -qec "$(printf '%q ' "$@") >/dev/null" /dev/null >"$out"
}
# The bar's drawings, one per line: "PHASE PERCENT".
cat >bars.py <<'EOF'
import re, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
for piece in re.split(r"[\r\n]+", text):
    m = re.match(r"(\w+) +\[[# ]+\] +(\d+)%", piece)
    if m:
        print(m.group(1), m.group(2))
EOF
# ends_full FILE: every phase's last drawing is 100 %, and no phase is drawn at 100 % twice.
ends_full() {
  python3 bars.py "$1" >bars.txt
  test -s bars.txt || return 1
  local phase
  for phase in $(cut -d' ' -f1 bars.txt | sort -u); do
    test "$(grep "^$phase " bars.txt | tail -1)" = "$phase 100" || return 1
    test "$(grep -c "^$phase 100$" bars.txt)" = 1 || return 1
  done
}

head -c 262144 /dev/urandom >big.bin
on_terminal local.tty "$airswd" --target sim:stm32f103re flash big.bin
check "local flash on a terminal: each phase's bar ends at 100 %, drawn there once" ends_full local.tty
check "  erase, program and verify all drawn" \
  test "$(python3 bars.py local.tty | cut -d' ' -f1 | sort -u | tr '\n' ' ')" = "erase program verify "
"$airswd" --target sim:stm32f103re flash big.bin >/dev/null 2>plain.err
check "without a terminal: plain lines, no bar" \
  test "$(grep -c 'program 100% (262144 of 262144)' plain.err)" = 1 -a "$(grep -c '\[' plain.err)" = 0

start_daemon "sim:stm32f103re,state=$work/chip.state"
export AIRSWD_PASSPHRASE="a long enough passphrase"
"$airswd" --device "$url" setup --code "$(cat setup-code)" >/dev/null
"$airswd" --device "$url" debug on >/dev/null
on_terminal remote.tty "$airswd" --device "$url" flash big.bin
check "remote flash on a terminal: each phase's bar ends at 100 %, drawn there once" ends_full remote.tty
check "  the program phase drawn" grep -q '^program ' bars.txt
stop_daemon
exit $((failures > 0))
