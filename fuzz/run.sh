#!/usr/bin/env bash
# Runs every native fuzz target in the module for FUZZTIME each, one at a
# time (go test -fuzz takes one target per run), and prints a summary.
set -uo pipefail
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-30s}
status=0
printf '%-40s %-10s %s\n' target time result > /tmp/ferrox-fuzz-summary.$$
for pkg in $(go list ./...); do
  for t in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz'); do
    echo "== $pkg $t ($FUZZTIME)"
    if go test -run '^$' -fuzz "^${t}\$" -fuzztime "$FUZZTIME" "$pkg"; then r=ok; else r=FAIL; status=1; fi
    printf '%-40s %-10s %s\n' "$t" "$FUZZTIME" "$r" >> /tmp/ferrox-fuzz-summary.$$
  done
done
cat /tmp/ferrox-fuzz-summary.$$; rm -f /tmp/ferrox-fuzz-summary.$$
exit $status
