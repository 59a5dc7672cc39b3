# browser_env.sh - sourced by the tests that drive Debian's chromium with playwright-core: skips without node or
# chromium (fails under CI: tests/common/skip.sh), installs the pinned playwright-core into $build_dir/npm once (it
# downloads no browser), and sets
#   here (this folder), web_dir (web/), chromium, npm_dir (NODE_PATH for node).
# Needs $build_dir.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
web_dir=$(cd "$here/../../web" && pwd)
chromium=${CHROMIUM:-/usr/bin/chromium}
playwright_version=1.65.1   # pinned: a new playwright-core may need a newer browser than Debian ships

source "$here/../common/skip.sh"
command -v node >/dev/null || skip_test "node is not installed (Debian package nodejs; scripts/install-deps.sh)"
[[ -x "$chromium" ]] || skip_test "$chromium is not installed (Debian package chromium; scripts/install-deps.sh)"
command -v npm >/dev/null || { echo "FAIL: npm is not installed (Debian package npm; scripts/install-deps.sh)"; exit 1; }

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
