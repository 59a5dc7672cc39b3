#!/usr/bin/env bash
# QEMU, an emulator no one here wrote, runs the F1 example image on its stm32vldiscovery board (an F100 with
# 8 KB SRAM); the image's hello line must appear on USART1 within a few seconds. Then prints the sizes of the
# example images of every family.
#
# Usage: test_qemu_f1.sh FIRMWARE_BUILD_DIR   (the build directory of examples/firmware)
set -u
fw_dir=$1
image=$fw_dir/f1/hello_f1.bin
expected="hello from airswd example firmware (STM32F1)"

source "$(dirname "$0")/../common/skip.sh"
command -v qemu-system-arm >/dev/null ||
  skip_test "qemu-system-arm is not installed (Debian package qemu-system-arm; scripts/install-deps.sh)"
[[ -f "$image" ]] || { echo "FAIL: firmware $image was not built (is arm-none-eabi-gcc installed?)"; exit 1; }

work=$(mktemp -d)
qemu_pid=
cleanup() {
  if [[ -n "$qemu_pid" ]] && kill -0 "$qemu_pid" 2>/dev/null; then
    kill "$qemu_pid" 2>/dev/null
    wait "$qemu_pid" 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# timeout is the backstop should this script die before it stops QEMU itself.
timeout 30 qemu-system-arm -M stm32vldiscovery -nographic -monitor none -serial stdio -kernel "$image" \
  </dev/null >"$work/serial.out" 2>"$work/qemu.err" &
qemu_pid=$!

found=0
for _ in $(seq 50); do   # up to 5 s
  if grep -qF "$expected" "$work/serial.out"; then found=1; break; fi
  kill -0 "$qemu_pid" 2>/dev/null || break
  sleep 0.1
done
kill "$qemu_pid" 2>/dev/null
wait "$qemu_pid" 2>/dev/null
qemu_pid=

echo "QEMU serial output:"
tr -d '\r' <"$work/serial.out" | sed 's/^/      /'
if ((found)); then
  echo "ok    QEMU stm32vldiscovery prints \"$expected\""
else
  echo "FAIL  QEMU stm32vldiscovery did not print \"$expected\" within 5 s"
  sed 's/^/      qemu: /' "$work/qemu.err"
fi

echo "Example image sizes:"
if command -v arm-none-eabi-size >/dev/null; then
  arm-none-eabi-size "$fw_dir"/*/hello_*.elf | sed 's/^/      /'
fi
for bin in "$fw_dir"/*/hello_*.bin; do
  printf '      %-16s %6d bytes\n' "$(basename "$bin")" "$(stat -c %s "$bin")"
done

((found)) || exit 1
exit 0
