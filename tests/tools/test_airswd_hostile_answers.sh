#!/usr/bin/env bash
# `airswd --device URL info` against a server that answers with hostile bytes (hostile_http_server.py): a chunk size
# that wraps a bound (ffffffffffffffff, issue 14), chunk sizes past the answer, huge, negative and disagreeing
# Content-Lengths, a head cut short, endless header lines, an endless body, a connection closed mid-body, bytes that
# are not HTTP.
# Each must end the CLI with exit 1 and a sentence that says what was wrong with the answer: never a signal (the
# wrapped bound made glibc abort), never a hang, never a success.
# Usage: test_airswd_hostile_answers.sh PATH/TO/airswd
set -u
airswd=$1
source "$(dirname "$0")/hostile_server.sh"

# Each case of hostile_http_server.py, and words the CLI's sentence must hold.
declare -A said=(
  [chunk-size-wraps]="a chunk of more than 16 MiB"
  [chunk-size-32-bits-wrap]="a chunk of more than 16 MiB"
  [chunk-size-past-end]="a chunk of more than 16 MiB"
  [chunk-longer-than-sent]="cut short: a chunk of 64 bytes has"
  [chunk-without-end]="cut short inside its chunked body"
  [content-length-huge]="Content-Length is not a length of at most 16 MiB"
  [content-length-too-many-digits]="Content-Length is not a length of at most 16 MiB"
  [content-length-negative]="Content-Length is not a length of at most 16 MiB"
  [content-length-over-limit]="Content-Length is not a length of at most 16 MiB"
  [content-lengths-disagree]="two different Content-Length values"
  [truncated-head]="cut short inside its header"
  [endless-header-lines]="header runs past 8192 bytes"
  [endless-body]="larger than the 16 MiB this client takes"
  [closed-mid-body]="cut short: 12 of its 1000 bytes arrived"
  [not-http]="not an HTTP answer"
  [status-not-a-number]="status line is not"
  [nul-in-head]="holds a NUL byte"
  [unknown-transfer-coding]="transfer coding this client does not read"
)

for case in "${!said[@]}"; do
  start_server "$here/hostile_http_server.py" "$case"
  started=$(date +%s)
  timeout 60 "$airswd" --device "http://127.0.0.1:$server_port" info >"$work/out" 2>"$work/err"
  rc=$?
  elapsed=$(($(date +%s) - started))
  stop_server
  before=$failures
  check "$case: exit 1 (got $rc after ${elapsed}s)" test "$rc" = 1
  check "  saying: ${said[$case]}" contains "$work/err" "${said[$case]}"
  ((failures == before)) || sed 's/^/      /' "$work/err" "$work/$case.port" | head -3
done

echo "$failures failure(s)"
[[ $failures -eq 0 ]]
