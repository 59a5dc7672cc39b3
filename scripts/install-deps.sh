#!/usr/bin/env bash
# Installs the Debian packages that building and testing airswd need. Idempotent; prints nothing when everything
# is already installed. Run as root, or as a user with sudo.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libcmocka-dev                                   # unit tests
  libmbedtls-dev                                  # the one crypto library: signed containers (src/secure)
  openssl                                         # signs and verifies containers we read and write (tests/tools)
  libunicorn-dev                                  # the simulator's Cortex-M core
  sigrok-cli                                      # decodes our SWD traces (tests/interop)
  gcc-xtensa-lx106 binutils-xtensa-lx106 picolibc-xtensa-lx106-elf   # ESP8266 cross build of the core
  gcc-arm-none-eabi libnewlib-arm-none-eabi       # ARM cross build of the core
  clang libclang-rt-dev                           # libFuzzer targets (tests/fuzz)
  qemu-system-arm                                 # runs the example firmware (tests/interop)
  qemu-system-misc                                # qemu-system-xtensa: the core's tests on the ESP8266's CPU (tests/lx106)
  python3-pyparsing python3-serial python3-click python3-future python3-pyelftools python3-cryptography
  python3-setuptools                              # the ESP8266 SDK's build tools (ldgen, esptool.py): make esp8266
  openocd stm32flash                              # program the simulated parts (tests/interop)
  gdb-multiarch                                   # loads and debugs through our GDB server (tests/gdb)
  bc                                              # arithmetic of bench/bench_openocd.sh
  curl python3                                    # drive the HTTP server and the REST API, read its JSON (tests)
  python3-dnspython                               # judges airswdd's mDNS answers (tests/tools/mdns_judge.py)
  chromium nodejs npm                             # headless browser test of the web page (tests/web): Debian's
                                                  # chromium, driven by playwright-core that npm installs
)

missing=()
for package in "${packages[@]}"; do
  # A Node.js from another source (NodeSource) bundles npm and conflicts with Debian's npm package.
  [[ "$package" == npm ]] && command -v npm >/dev/null && continue
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
