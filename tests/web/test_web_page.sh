#!/usr/bin/env bash
# Headless Chromium (Debian's chromium, driven by playwright-core from npm) uses the web page: uploads the example
# firmware, flashes it, and sees the job succeed with the progress bar at 100% (tests/web/drive_page.js). Without a
# device URL it serves the page from tests/web/mock_api.js, a fake of the API of docs/api.md, so the page's own logic
# is tested without the daemon. Saves BUILD_DIR/web-screenshot.png (and -phone.png).
#
# Usage: test_web_page.sh BUILD_DIR FIRMWARE.elf [URL]
set -u
build_dir=$1
firmware=$2
url=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
web_dir=$(cd "$here/../../web" && pwd)
chromium=${CHROMIUM:-/usr/bin/chromium}
playwright_version=1.65.1   # pinned: a new playwright-core may need a newer browser than Debian ships

if ! command -v node >/dev/null; then
  echo "SKIPPED: node is not installed (Debian package nodejs; scripts/install-deps.sh)"
  exit 77
fi
if [[ ! -x "$chromium" ]]; then
  echo "SKIPPED: $chromium is not installed (Debian package chromium; scripts/install-deps.sh)"
  exit 77
fi
command -v npm >/dev/null || { echo "FAIL: npm is not installed (Debian package npm; scripts/install-deps.sh)"; exit 1; }
[[ -f "$firmware" ]] || { echo "FAIL: firmware $firmware was not built (is arm-none-eabi-gcc installed?)"; exit 1; }

# Debian 12's own Node.js is 18, which playwright-core stopped supporting after 1.49; 1.49.1 still drives Debian's
# chromium. A newer Node.js (as the NodeSource packages bring) gets the newer pin.
if (($(node -p 'process.versions.node.split(".")[0]') < 20)); then
  playwright_version=1.49.1
fi

# playwright-core into the build folder, once per pinned version. It downloads no browser: we use Debian's.
npm_dir=$build_dir/npm
installed=$(node -p "try { require('$npm_dir/node_modules/playwright-core/package.json').version } catch (e) { '' }")
if [[ "$installed" != "$playwright_version" ]]; then
  mkdir -p "$npm_dir"
  if ! npm install --prefix "$npm_dir" --no-audit --no-fund --loglevel=error \
      "playwright-core@$playwright_version" >"$build_dir/npm-install.log" 2>&1; then
    echo "FAIL: npm install playwright-core@$playwright_version failed:"
    cat "$build_dir/npm-install.log"
    exit 1
  fi
fi

work=$(mktemp -d)
mock_pid=
cleanup() {
  if [[ -n "$mock_pid" ]] && kill -0 "$mock_pid" 2>/dev/null; then
    kill "$mock_pid" 2>/dev/null
    wait "$mock_pid" 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT

if [[ -z "$url" ]]; then
  # timeout is the backstop should this script die before it stops the mock itself.
  timeout 240 node "$here/mock_api.js" "$web_dir" 0 >"$work/mock.out" 2>"$work/mock.err" &
  mock_pid=$!
  for _ in $(seq 100); do   # up to 10 s
    url=$(sed -n 's/^listening on //p' "$work/mock.out")
    [[ -n "$url" ]] && break
    kill -0 "$mock_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [[ -z "$url" ]]; then
    echo "FAIL: the mock API did not start:"
    cat "$work/mock.out" "$work/mock.err"
    exit 1
  fi
  echo "page served by the mock API at $url"
else
  echo "page served by the device at $url"
fi

NODE_PATH=$npm_dir/node_modules CHROMIUM=$chromium timeout 180 \
  node "$here/drive_page.js" "$url" "$firmware" "$build_dir/web-screenshot.png"
status=$?
if [[ $status -ne 0 && -n "$mock_pid" ]]; then
  echo "--- mock API output"
  cat "$work/mock.out" "$work/mock.err"
fi
exit $status
