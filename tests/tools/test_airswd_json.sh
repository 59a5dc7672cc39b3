#!/usr/bin/env bash
# Every airswd command in both modes, once succeeding and once failing, locally and through a daemon: with --json,
# stdout is exactly one JSON object whose "ok" says whether the exit status is 0, and every failure carries the one
# error shape of the README ({"ok":false,"error":{phase,status,detail,message,flash_changed,http_status}}); without
# it, the same exit status, the result on stdout and the reason on stderr. Remote flash carries what local flash
# does (part, dev_id, flash_size, unchanged_units).
# Usage: test_airswd_json.sh PATH/TO/airswd PATH/TO/airswdd FIRMWARE_DIR
source "$(dirname "$0")/cli_test.sh"
elf=$firmware/f1/hello_f1.elf

# The checks on one --json answer: one line, one object, "ok" as the exit status says, the error in its shape.
cat >shape.py <<'EOF'
import json, sys
rc, path = int(sys.argv[1]), sys.argv[2]
lines = open(path).read().splitlines()
assert len(lines) == 1, "%d lines on stdout" % len(lines)
answer = json.loads(lines[0])
assert isinstance(answer, dict), "not an object"
assert answer.get("ok") is (rc == 0), "ok is %r with exit status %d" % (answer.get("ok"), rc)
if rc != 0:
    error = answer["error"]
    assert sorted(error) == sorted(["phase", "status", "detail", "message", "flash_changed", "http_status"]), error
    assert all(isinstance(error[k], str) for k in ("phase", "status", "detail", "message")), error
    assert error["status"] and error["message"], "an empty status or message: %r" % error
    assert isinstance(error["flash_changed"], bool), error
    assert error["http_status"] is None or isinstance(error["http_status"], int), error
    assert (rc == 2) == (error["status"] == "bad-command-line") or rc == 1, error
EOF

# both NAME STATUS COMMAND...: the command with and without --json (given after the global options).
both() {
  local name=$1 status=$2
  shift 2
  local globals=() rest=("$@")
  while [[ ${rest[0]} == --device || ${rest[0]} == --target ]]; do
    globals+=("${rest[@]:0:2}")
    rest=("${rest[@]:2}")
  done
  "$airswd" "${globals[@]}" "${rest[@]}" >"$name.txt" 2>"$name.txt.err"
  local text_rc=$?
  "$airswd" "${globals[@]}" --json "${rest[@]}" >"$name.json" 2>"$name.json.err"
  local json_rc=$?
  check "$name: exit $status as text and as JSON" test "$text_rc" = "$status" -a "$json_rc" = "$status"
  check "  --json prints one object in the shape" python3 shape.py "$json_rc" "$name.json"
  if [[ $status == 0 ]]; then
    check "  text: the result on stdout" test -s "$name.txt"
  else
    check "  text: the reason on stderr" test -s "$name.txt.err"
  fi
}
"$airswd" keygen -o owner.pem >/dev/null

# Local commands.
local_chip=(--target "sim:stm32f103c8,state=$work/chip.state")
both probe.ok 0 probe
both probe.unwired 1 --target unwired probe
both info.ok 0 info
both info.unwired 1 --target unwired info
both info.usage 2 info extra
both flash.ok 0 "${local_chip[@]}" flash "$elf"
both flash.missing 2 flash nosuch.elf
both flash.text 1 flash "$0"
both verify.ok 0 "${local_chip[@]}" verify "$elf"
both verify.other 1 verify "$elf"
both read.ok 0 read 0x08000000 16 -o read.bin
both read.unwired 1 --target unwired read 0x08000000 16 -o read.bin
both read.folder 2 read 0x08000000 16 -o nowhere/read.bin
both erase.ok 0 erase
both erase.unwired 1 --target unwired erase
both reset.ok 0 reset --nrst
both reset.usage 2 reset --hard
both option-bytes.ok 0 option-bytes
both option-bytes.rdp2 2 option-bytes --set rdp=2
both unlock.ok 0 unlock --yes
both unlock.unasked 2 unlock
"$airswd" keygen -o text.pem >keygen.ok.txt 2>/dev/null
check "keygen: exit 0, the files named on stdout" test $? = 0 -a -s keygen.ok.txt
"$airswd" --json keygen -o json.pem >keygen.ok.json 2>/dev/null
check "keygen --json: exit 0, one object" python3 shape.py 0 keygen.ok.json
both keygen.exists 1 keygen -o owner.pem
both keygen.usage 2 keygen
both sign.ok 0 sign --key owner.pem --version 1 --target stm32f103c8 "$elf" -o app.airswd
both sign.missing 2 sign --key nosuch.pem --version 1 --target stm32f103c8 "$elf" -o app.airswd
both inspect.ok 0 inspect --pub owner.pub.pem app.airswd
both inspect.missing 2 inspect nosuch.airswd
both list.usage 2 list --mdns-server nowhere
both unknown 2 nosuch
both version 0 --version
check "info --json after the command: the part" grep -q '"part":"STM32F10x medium density"' info.ok.json
check "a failing job carries its phases beside the error" grep -q '"phases_us":.*"error":{"phase":"verify"' \
  verify.other.json
check "a usage error names its status" grep -q '"status":"bad-command-line"' info.usage.json

# Through a daemon: before setup, then as its owner.
start_daemon "sim:stm32f103c8,state=$work/daemon-chip.state" --mdns-port 0 --hostname json-bench
both list.ok 0 list --mdns-server "127.0.0.1:$(daemon_mdns_port)" --timeout 0.5
check "  the daemon listed" grep -q "\"name\":\"json-bench\"" list.ok.json
both remote.unset 1 --device "$url" info
check "  a device's refusal carries its HTTP status" grep -q '"status":"not-configured".*"http_status":403' \
  remote.unset.json
export AIRSWD_PASSPHRASE="a long enough passphrase"
both setup.usage 2 --device "$url" setup
"$airswd" --device "$url" --json setup --code "$(cat setup-code)" --signing-key owner.pub.pem >setup.json
check "setup: one object" python3 shape.py 0 setup.json
both setup.done 1 --device "$url" setup --code 0123456789abcdef
both remote.info 0 --device "$url" info
both remote.flash 0 --device "$url" flash app.airswd --skip-unchanged
check "  remote flash carries part, dev_id, flash size and unchanged units" \
  grep -q '"part":"STM32F10x medium density","dev_id":1040,"flash_size":65536,.*"unchanged_units":1' remote.flash.json
both remote.unsigned 1 --device "$url" flash "$elf"
check "  the device's error in the one shape" \
  grep -q '"status":"image-unsigned".*"http_status":403' remote.unsigned.json
both remote.verify 0 --device "$url" verify app.airswd
both remote.verify.missing 2 --device "$url" verify nosuch.airswd
both remote.erase 0 --device "$url" erase
both remote.reset 0 --device "$url" reset
both remote.read.off 1 --device "$url" read 0x08000000 16 -o remote.bin
both debug.on 0 --device "$url" debug on
both debug.usage 2 --device "$url" debug maybe
both remote.read 0 --device "$url" read 0x08000000 16 -o remote.bin
both settings.show 0 --device "$url" settings
both settings.set 0 --device "$url" settings verify=true
both settings.bad 2 --device "$url" settings verify=perhaps
"$airswd" keygen -o second.pem >/dev/null
both trust.ok 0 --device "$url" trust second.pub.pem
both trust.bad 1 --device "$url" trust app.airswd
# untrust changes what it acts on: each mode removes the second key, trusted again in between.
"$airswd" --device "$url" --json settings >keys.json
second_id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["trusted_keys"][-1])' keys.json)
"$airswd" --device "$url" untrust "$second_id" >untrust.txt 2>&1
check "untrust: exit 0" test $? = 0
"$airswd" --device "$url" trust second.pub.pem >/dev/null 2>&1
"$airswd" --device "$url" --json untrust "$second_id" >untrust.json 2>/dev/null
check "untrust --json: exit 0, one object" python3 shape.py 0 untrust.json
both untrust.unknown 1 --device "$url" untrust 0123456789abcdef
both auth-header.ok 0 --device "$url" auth-header GET /api/v1/settings
both auth-header.missing 2 --device "$url" auth-header POST /api/v1/jobs nosuch.json
both board.none 1 --device "$url" board
both update-firmware.none 1 --device "$url" update-firmware app.airswd
both update-firmware.missing 2 --device "$url" update-firmware nosuch.airswd
both remote.unreachable 1 --device 127.0.0.1:1 info
both remote.local-only 2 --device "$url" probe
stop_daemon
exit $((failures > 0))
