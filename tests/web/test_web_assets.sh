#!/usr/bin/env bash
# The page embedded in airswd_web decompresses back to the files of web/, byte for byte, and every file of the page
# is there. Prints the sizes and the total that the binary carries.
#
# Usage: test_web_assets.sh DUMP_PROGRAM WEB_SOURCE_DIR
set -u
dump=$1
web_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$dump" "$work" >"$work/manifest" || { echo "FAIL: $dump reported a problem"; exit 1; }

failures=0
total=0
total_gzip=0
while read -r path size gzip_size file content_type; do
  source=$web_dir$path
  if ! gzip -t "$file" 2>/dev/null; then
    echo "FAIL: $path is not valid gzip data"; failures=$((failures + 1)); continue
  fi
  if ! gzip -dc "$file" | cmp -s - "$source"; then
    echo "FAIL: $path does not decompress to $source"; failures=$((failures + 1)); continue
  fi
  if [[ $size -ne $(wc -c <"$source") ]]; then
    echo "FAIL: $path records $size bytes, $source has $(wc -c <"$source")"; failures=$((failures + 1))
  fi
  printf '%-12s %6d bytes -> %5d gzip  %s\n' "$path" "$size" "$gzip_size" "$content_type"
  total=$((total + size))
  total_gzip=$((total_gzip + gzip_size))
done <"$work/manifest"

for page_file in index.html auth.js app.js style.css; do
  grep -q "^/$page_file " "$work/manifest" || { echo "FAIL: /$page_file is not embedded"; failures=$((failures + 1)); }
done
# auth.js defines the signing helpers that app.js calls: it must be loaded, and before app.js.
auth_line=$(grep -n '<script src="auth.js"' "$web_dir/index.html" | cut -d: -f1)
app_line=$(grep -n '<script src="app.js"' "$web_dir/index.html" | cut -d: -f1)
if [[ -z "$auth_line" || -z "$app_line" ]] || ((auth_line > app_line)); then
  echo "FAIL: index.html must load auth.js before app.js (auth.js line ${auth_line:-none}, app.js ${app_line:-none})"
  failures=$((failures + 1))
else
  echo "index.html loads auth.js (line $auth_line) before app.js (line $app_line)"
fi
# The page must load nothing from outside the device.
if grep -nE '(src|href)="(https?:)?//' "$web_dir"/index.html || grep -nE "https?://" "$web_dir"/auth.js "$web_dir"/app.js "$web_dir"/style.css; then
  echo "FAIL: the page refers to an outside resource"; failures=$((failures + 1))
fi

echo "web page: $total bytes, $total_gzip bytes compressed in the binary"
[[ $failures -eq 0 ]] || { echo "$failures failure(s)"; exit 1; }
echo "PASS"
