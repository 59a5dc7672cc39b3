#!/usr/bin/env bash
# Headless Chromium (Debian's chromium, driven by playwright-core from npm) uses the web page of a fresh device
# (tests/web/drive_page.js): first-boot setup with a passphrase and a signing public key, the refusal of a plain
# firmware, the upload and flash of a signed container with the progress bar at 100%, settings, the trusted keys and
# the image key (a stranger's container refused, then taken once its key is trusted), the target's actions (verify,
# reset, read to a file, erase), debug mode and its banner, logging out, a wrong passphrase and the penalty after
# repeated ones, logging in; on a device with a board the WiFi of setup and the Board panel, on one that takes its own firmware the Programmer firmware panel. The key pair, the
# container and the programmer's firmware containers (a stand-in app image signed for esp8266 with security versions
# 3 and 2) are made here with the airswd CLI. Without a device URL it serves the page from tests/web/mock_api.js, a
# fake of the API of docs/api.md and docs/auth.md, so the page's own logic is tested without the daemon; with
# --mock-board the mock is a device with a board (mock_api.js --board). Saves BUILD_DIR/web-screenshot.png (and
# -phone.png), web-board-screenshot.png with --mock-board.
#
# Usage: test_web_page.sh BUILD_DIR FIRMWARE.elf AIRSWD [URL | --mock-board]
#        (URL: a device that is not set up yet)
set -u
build_dir=$1
firmware=$2
airswd=$3
url=${4:-}
mock_args=()
screenshot=$build_dir/web-screenshot.png
if [[ "$url" == --mock-board ]]; then
  url=
  mock_args=(--board)
  screenshot=$build_dir/web-board-screenshot.png
fi
. "$(dirname "$0")/browser_env.sh"
[[ -f "$firmware" ]] || { echo "FAIL: firmware $firmware was not built (is arm-none-eabi-gcc installed?)"; exit 1; }
[[ -x "$airswd" ]] || { echo "FAIL: the CLI $airswd was not built"; exit 1; }

work=$(mktemp -d)
mock_pid=
station_url=
cleanup() {
  if [[ -n "$mock_pid" ]] && kill -0 "$mock_pid" 2>/dev/null; then
    kill "$mock_pid" 2>/dev/null
    wait "$mock_pid" 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# The owner's signing key pair, and the example firmware in a container signed with it for the simulated part.
if ! "$airswd" keygen -o "$work/signing.pem" --pub "$work/signing-pub.pem" >"$work/keygen.out" 2>&1; then
  echo "FAIL: airswd keygen:"; cat "$work/keygen.out"; exit 1
fi
container=$work/$(basename "${firmware%.*}").airswd
if ! "$airswd" sign --key "$work/signing.pem" --version 1 --target stm32f103c8 "$firmware" -o "$container" \
    >"$work/sign.out" 2>&1; then
  echo "FAIL: airswd sign:"; cat "$work/sign.out"; exit 1
fi
echo "signed container $(basename "$container") ($(wc -c <"$container") bytes), public key $(basename "$work/signing-pub.pem")"
# A stranger's key pair and the same firmware signed with it: refused at the upload until the page trusts that key.
if ! "$airswd" keygen -o "$work/stranger.pem" --pub "$work/stranger-pub.pem" >"$work/keygen.out" 2>&1 ||
   ! "$airswd" sign --key "$work/stranger.pem" --version 1 --target stm32f103c8 "$firmware" \
       -o "$work/stranger.airswd" >"$work/sign.out" 2>&1; then
  echo "FAIL: the stranger's container:"; cat "$work/keygen.out" "$work/sign.out"; exit 1
fi
export STRANGER_CONTAINER=$work/stranger.airswd STRANGER_KEY=$work/stranger-pub.pem
# The programmer's own firmware: a stand-in for the ESP8266 app image (the device checks the container, not the app),
# signed for esp8266 with security version 3, and an older one with 2.
head -c 262144 /dev/urandom >"$work/programmer-app.bin"
for version in 3 2; do
  if ! "$airswd" sign --key "$work/signing.pem" --version "$version" --target esp8266 "$work/programmer-app.bin" \
      -o "$work/programmer-v$version.airswd" >"$work/sign.out" 2>&1; then
    echo "FAIL: airswd sign --target esp8266:"; cat "$work/sign.out"; exit 1
  fi
done

if [[ -z "$url" ]]; then
  # timeout is the backstop should this script die before it stops the mock itself.
  timeout 300 node "$here/mock_api.js" "$web_dir" 0 "${mock_args[@]}" >"$work/mock.out" 2>"$work/mock.err" &
  mock_pid=$!
  for _ in $(seq 100); do   # up to 10 s
    url=$(sed -n 's/^listening on //p' "$work/mock.out")
    station_url=$(sed -n 's/^station network on //p' "$work/mock.out")
    SETUP_CODE=$(sed -n 's/^setup code //p' "$work/mock.out")
    [[ -n "$url" && -n "$SETUP_CODE" && ( -z "${mock_args[*]}" || -n "$station_url" ) ]] && break
    kill -0 "$mock_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [[ -z "$url" ]]; then
    echo "FAIL: the mock API did not start:"
    cat "$work/mock.out" "$work/mock.err"
    exit 1
  fi
  echo "page served by the mock API at $url${station_url:+ (its station network: $station_url)}"
else
  echo "page served by the device at $url"
fi

[[ -n "${SETUP_CODE:-}" ]] || { echo "FAIL: no setup code (\$SETUP_CODE) for the page's first-boot setup"; exit 1; }
export SETUP_CODE
NODE_PATH=$npm_dir/node_modules CHROMIUM=$chromium timeout 240 \
  node "$here/drive_page.js" "$url" "$firmware" "$container" "$work/signing-pub.pem" "$screenshot" \
  "$work/programmer-v3.airswd" "$work/programmer-v2.airswd" ${station_url:+"$station_url"}
status=$?
if [[ $status -ne 0 && -n "$mock_pid" ]]; then
  echo "--- mock API output"
  cat "$work/mock.out" "$work/mock.err"
fi
exit $status
