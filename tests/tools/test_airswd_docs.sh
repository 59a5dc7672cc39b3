#!/usr/bin/env bash
# The documentation keeps up with the code: every command `airswd --help` lists appears in the README, and every
# route of the REST API's table (src/net/api.c, api_routes) appears in docs/api.md with its method.
# Usage: test_airswd_docs.sh PATH/TO/airswd SOURCE_DIR
set -u
airswd=$1 source_dir=$2
"$airswd" --help >"${TMPDIR:-/tmp}/airswd-help.$$" || { echo "FAIL  airswd --help exits 0"; exit 1; }
python3 - "${TMPDIR:-/tmp}/airswd-help.$$" "$source_dir" <<'PY'
import re, sys
help_text = open(sys.argv[1]).read()
source = sys.argv[2]
readme = open(source + "/README.md").read()
api_doc = open(source + "/docs/api.md").read()
failures = 0

def check(description, ok):
    global failures
    print(("ok    " if ok else "FAIL  ") + description)
    failures += not ok

# Commands: the first word of each entry after the first "commands" heading.
listing = help_text[help_text.index("\ncommands"):]
commands = sorted({m.group(1) for m in re.finditer(r"^[* ] ([a-z][a-z-]+)(?= |$)", listing, re.M)})
check("airswd --help lists commands (%d)" % len(commands), len(commands) >= 20)
for command in commands:
    shown = re.search(r"(^ +|airswd [^\n]*?)%s\b" % re.escape(command), readme, re.M)
    check("README shows the command %s" % command, shown is not None)

# Routes: METHOD and path of each entry of api_routes; the doc writes them in full or without /api/v1.
table = open(source + "/src/net/api.c").read()
routes = re.findall(r'\{HTTP_(GET|POST|PUT|DELETE), "(/api/v1[^"]*)"', table)
check("src/net/api.c has routes (%d)" % len(routes), len(routes) >= 15)
for method, path in routes:
    short = path[len("/api/v1"):]
    documented = re.search(r"%s (%s|%s)(?![\w/{])" % (method, re.escape(path), re.escape(short)), api_doc)
    check("docs/api.md documents %s %s" % (method, path), documented is not None)
sys.exit(1 if failures else 0)
PY
status=$?
rm -f "${TMPDIR:-/tmp}/airswd-help.$$"
exit $status
