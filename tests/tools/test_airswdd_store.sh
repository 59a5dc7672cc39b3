#!/usr/bin/env bash
# The staging store as large as the target's flash, through airswdd and `airswd --device`: a 400 KB image flashed
# on an STM32F411CE and read back (the store used to refuse it: 256 KB slots); on an STM32L476RG with the default
# store (2112 KB, a 4 MB ESP8266's partition) two 1 MB images kept (the current one and its rollback copy), a third
# refused with 507 and the sizes (and with 409 while a job runs), then flashed with --no-rollback and the chip's
# flash compared with the file; a 256 KB store (--store-size) that keeps a 64 KB F103 image's rollback copy and
# refuses an image larger than itself with 413; a store file of another size replaced with a notice; bad
# --store-size values.
# Usage: test_airswdd_store.sh PATH/TO/airswd PATH/TO/airswdd
set -u
airswd=$1 airswdd=$2
source "$(dirname "$0")/daemon_test.sh"
source "$(dirname "$0")/../common/skip.sh"
command -v curl >/dev/null || skip_test "curl is not installed (scripts/install-deps.sh)"

# run NAME ARGS...: stdout in $work/NAME.out, stderr in $work/NAME.err, the exit status in $rc.
run() {
  local name=$1
  shift
  "$airswd" "$@" >"$work/$name.out" 2>"$work/$name.err"
  rc=$?
}

# flashes DESCRIPTION NAME FILE [ARGS...]: `airswd --device $url flash FILE ARGS` as run NAME, checked to exit 0.
flashes() {
  run "$2" --device "$url" flash "${@:3}"
  check "$1 (exit 0)" test "$rc" = 0
}

export AIRSWD_PASSPHRASE="a long enough passphrase"
passphrase=$AIRSWD_PASSPHRASE

# A fresh state directory, first-boot setup, and debug mode for plain binaries.
start_fresh() {
  rm -rf "$work/state"
  start_daemon "$@"
  "$airswd" --device "$url" setup --code "$(cat "$work/setup-code")" >/dev/null 2>&1 && "$airswd" --device "$url" debug on >/dev/null 2>&1
}

json_of() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }
images_by_state() { get_body "/images" >"$work/images.json"; json_of "$work/images.json" \
  "' '.join(i['state'] + ':' + i['name'] for i in d)"; }

# ---- a 400 KB image on a 512 KB STM32F411CE
head -c 409600 /dev/urandom >"$work/f411.bin"
start_fresh "sim:stm32f411ce,state=$work/f411.state"
check "the default store holds 2112 KB less its 8 KB journal" \
  test "$(get_body "/device" | python3 -c 'import json,sys; print(json.load(sys.stdin)["store"]["capacity"])')" \
  = 2154496
flashes "a 400 KB image is flashed on the F411 through the daemon" f411 "$work/f411.bin"
check "  all of it programmed and verified" contains "$work/f411.out" "programmed 409600 bytes, verified 409600 bytes"
run f411_read --device "$url" read 0x08000000 409600 -o "$work/f411.back"
check "  and read back through the daemon, it is the file" cmp -s "$work/f411.back" "$work/f411.bin"
stop_daemon

# ---- 1 MB images on a 1 MB STM32L476RG, default store
for name in a b c; do head -c 1048576 /dev/urandom >"$work/$name.bin"; done
start_fresh "sim:stm32l476rg,state=$work/l476.state"
flashes "a 1 MB image is flashed on the L476" a "$work/a.bin"
flashes "a second 1 MB image is flashed beside it" b "$work/b.bin"
check "  and the first is kept as its rollback image" test "$(images_by_state)" = "previous:a.bin current:b.bin"
run c --device "$url" flash "$work/c.bin"
check "a third is refused (exit 1): no room beside the current and the rollback image" test "$rc" = 1
check "  with the sizes, the images by name, and what to do" contains "$work/c.err" \
  "no-room-for-rollback: the image needs 1,048,576 B; 57,344 B are free beside the current image (b.bin, 1,048,576 B) and the rollback image (a.bin, 1,048,576 B): upload with no_rollback to give up the rollback copy (1,105,920 B would be free)"
check "  and the command line's hint" contains "$work/c.err" "flash $work/c.bin --no-rollback"
request POST "/images?name=c.bin&format=bin" --data-binary @"$work/c.bin"
check "  the API answers 507 no-room-for-rollback" \
  test "$code,$(json_of "$work/body" "d['error']")" = "507,no-room-for-rollback"
check "  and the store is as it was" test "$(images_by_state)" = "previous:a.bin current:b.bin"
# While a job runs (it may be reading them), an upload may not give the current or rollback image up.
b_id=$(json_of "$work/images.json" "[i['id'] for i in d if i['name'] == 'b.bin'][0]")
request POST /jobs -d "{\"action\":\"flash\",\"image\":$b_id}"
job=$(json_of "$work/body" "d['id']")
request POST "/images?name=c.bin&format=bin&no_rollback=1" --data-binary @"$work/c.bin"
check "  with no_rollback during a job, the upload answers 409 busy" \
  test "$code,$(json_of "$work/body" "d['error']")" = "409,busy"
for _ in $(seq 1 300); do
  get_body "/jobs/$job" | grep -qE '"state":"(queued|running)"' || break
  sleep 0.1
done
check "  the job is done all the same" grep -q '"state":"done"' <(get_body "/jobs/$job")
flashes "with --no-rollback it is flashed" c_no_rollback "$work/c.bin" --no-rollback
check "  having given up the rollback image, as the log says" \
  grep -qE "image [0-9]+ \(a.bin, rollback image\) dropped to make room for c.bin: uploaded with no_rollback" \
  <(get_body "/log")
check "  and the image it replaced is the rollback image now" \
  test "$(images_by_state)" = "previous:b.bin current:c.bin"
check "the daemon stops (status 0)" stop_daemon
"$airswd" --target "sim:stm32l476rg,state=$work/l476.state" read 0x08000000 1048576 -o "$work/l476.back" \
  >/dev/null 2>&1
check "  and the chip's flash holds the third image" cmp -s "$work/l476.back" "$work/c.bin"

# ---- a 256 KB store (a 1 MB ESP8266's) and a 64 KB STM32F103C8
head -c 65536 /dev/urandom >"$work/x.bin"
head -c 65536 /dev/urandom >"$work/y.bin"
head -c 300000 /dev/urandom >"$work/big.bin"
start_fresh "sim:stm32f103c8,state=$work/f103.state" --store-size 256K
check "--store-size 256K: the store holds 256 KB less its journal" \
  test "$(get_body "/device" | python3 -c 'import json,sys; print(json.load(sys.stdin)["store"]["capacity"])')" \
  = 253952
flashes "  a 64 KB image is flashed" x "$work/x.bin"
flashes "  and another after it" y "$work/y.bin"
check "  keeping the first as the rollback image" test "$(images_by_state)" = "previous:x.bin current:y.bin"
run y_verify --device "$url" verify "$work/y.bin"
check "  the chip holds the second (verify exits 0)" test "$rc" = 0
run big --device "$url" flash "$work/big.bin"
check "  an image larger than the store is refused (exit 1) with 413 and the store's size" \
  contains "$work/big.err" "too-large: the image needs 300000 B; the store holds 253952 B"
check "the daemon stops (status 0)" stop_daemon

start_daemon "sim:stm32f103c8,state=$work/f103.state"
check "started again without --store-size on that state, the daemon says it replaces the store" \
  contains "$work/daemon.err" "store.bin was 256K and the store is now 2112K (--store-size): starting an empty store"
check "  and the store is empty" test "$(get_body "/images")" = "[]"
stop_daemon

for size in 8K 5000 12x -4K 5G; do
  "$airswdd" --target sim --listen 127.0.0.1:0 --state-dir "$work/state" --store-size "$size" >/dev/null \
    2>"$work/bad-size.err"
  rc=$?
  check "--store-size $size is refused with exit 2 and a sentence" \
    test "$rc,$(grep -c 'give whole 4 KB sectors' "$work/bad-size.err")" = "2,1"
done

if [[ $failures -ne 0 ]]; then
  echo "--- daemon stderr"
  cat "$work/daemon.err"
fi
exit $((failures != 0))
