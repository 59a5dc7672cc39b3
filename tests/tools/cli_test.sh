# cli_test.sh - sourced by the command-line tests that take PATH/TO/airswd PATH/TO/airswdd FIRMWARE_DIR: sets airswd,
# airswdd and firmware (absolute paths), brings in daemon_test.sh (a scratch folder $work, check, contains,
# start_daemon...) and the shared skip rule, skips without the example firmware, and works in $work.
set -u
airswd=$(realpath "$1") airswdd=$(realpath "$2") firmware=$(realpath "$3")
source "$(dirname "${BASH_SOURCE[0]}")/daemon_test.sh"
source "$(dirname "${BASH_SOURCE[0]}")/../common/skip.sh"
[[ -f "$firmware/f1/hello_f1.elf" ]] || skip_test "example firmware not built (arm-none-eabi-gcc missing)"
cd "$work" || exit 1
