#!/usr/bin/env bash
# A test that cannot run here is skipped (exit 77) on a developer's machine, and fails (exit 1) with the environment
# variable CI set, both through skip.sh (the scripts) and test_skip.h (the C programs): CI installs everything, so a
# skip there is a missing install step and must not pass.
# Usage: test_skip_rule.sh SKIP_STATUS_PROGRAM
set -u
here=$(cd "$(dirname "$0")" && pwd)
program=$1
failures=0
expect() { # DESCRIPTION STATUS EXPECTED
  if [[ $2 == "$3" ]]; then echo "ok    $1 (exit $2)"; else echo "FAIL  $1: exit $2, expected $3"; failures=$((failures + 1)); fi
}
script_status() { (source "$here/skip.sh"; skip_test "no such tool"; exit 0) >/dev/null; echo $?; }

expect "a script skips without CI" "$(env -u CI bash -c "$(declare -f script_status); here=$here; script_status")" 77
expect "a script fails with CI=1" "$(CI=1 bash -c "$(declare -f script_status); here=$here; script_status")" 1
env -u CI "$program" >/dev/null
expect "a C test program skips without CI" $? 77
CI=1 "$program" >/dev/null
expect "a C test program fails with CI=1" $? 1
CI=1 "$program" | grep -q "^FAILED: .*CI is set"
expect "and says why" $? 0
# Every test skips through these two, so that none can skip past the rule: no other file under tests/ ends with 77.
bare=$(grep -rlE 'exit\(?[[:space:]]*77|return 77' "$here/.." --include='*.sh' --include='*.c' --include='*.py' |
  grep -v -e '/common/skip.sh$' -e '/common/test_skip.h$' -e '/common/test_skip_rule.sh$' -e '/lx106/cmocka/')
[[ -z $bare ]] && status=0 || { status=1; echo "$bare" | sed 's/^/      skips by itself: /'; }
expect "no test skips except through skip.sh or test_skip.h" $status 0
exit $((failures > 0))
