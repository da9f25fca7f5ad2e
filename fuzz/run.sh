#!/usr/bin/env bash
# Runs every native fuzz target of the module, one after another (go test
# -fuzz takes one target per run), for FUZZTIME each, then prints a summary
# table and writes it as Markdown and JSON.
#
# Environment:
#   FUZZTIME       time per target (default 30s; `make ci` passes 5s)
#   FUZZ_OUT       report directory (default out/fuzz): fuzz.md, fuzz.json, logs/
#   FUZZ_PARALLEL  fuzzing workers per target (default 2: the CI box has 2 cores)
#   FUZZ_JOBS      targets fuzzed at the same time (default 1). On 2 cores,
#                  FUZZ_JOBS=2 FUZZ_PARALLEL=1 halves the wall time of a
#                  long run (20 targets at 10m: 100 minutes, not 200).
#   FUZZ_MATCH     only run targets whose "package.Target" matches this ERE
#   FUZZ_PKGS      package patterns to scan (default ./...)
#   FUZZ_MINIMIZE  -fuzzminimizetime (default 100x). Go minimizes every new
#                  interesting input for up to 60s by default, and executions
#                  spent minimizing are not counted: with rapid.MakeFuzz
#                  targets (where a one-byte change reshapes the whole input)
#                  that stalls a short run. Crashers are minimized with it too.
#   FUZZ_CACHE_DIR a directory the CI keeps between runs (README, "Fuzzing
#                  in CI"): its inputs are copied into Go's fuzz cache
#                  ($(go env GOCACHE)/fuzz: the "new interesting" inputs a
#                  run starts from) before the run, and the cache is copied
#                  back after it, so short runs accumulate coverage instead
#                  of starting over.
#
# Exit status: 0 when every target ran clean, 1 when any target failed
# (a new crasher, or a committed testdata/fuzz input that still fails; the
# summary names the file; or a package whose tests do not build), 2 when
# no target could be listed.
set -uo pipefail
cd "$(dirname "$0")/.."

FUZZTIME=${FUZZTIME:-30s}
FUZZ_OUT=${FUZZ_OUT:-out/fuzz}
FUZZ_PARALLEL=${FUZZ_PARALLEL:-2}
FUZZ_JOBS=${FUZZ_JOBS:-1}
FUZZ_MATCH=${FUZZ_MATCH:-}
FUZZ_PKGS=${FUZZ_PKGS:-./...}
FUZZ_MINIMIZE=${FUZZ_MINIMIZE:-100x}
MODULE=$(go list -m)

mkdir -p "$FUZZ_OUT/logs"

FUZZ_CACHE_DIR=${FUZZ_CACHE_DIR:-}
gofuzzcache="$(go env GOCACHE)/fuzz"
if [ -n "$FUZZ_CACHE_DIR" ]; then
  mkdir -p "$FUZZ_CACHE_DIR" "$gofuzzcache"
  cp -R "$FUZZ_CACHE_DIR/." "$gofuzzcache/"
  echo "== fuzz cache: $(find "$FUZZ_CACHE_DIR" -type f | wc -l) inputs from $FUZZ_CACHE_DIR"
fi
rows="$FUZZ_OUT/.rows.$$"
rowdir="$FUZZ_OUT/.rows.$$.d" # one row file per target, in target order
: > "$rows"
mkdir -p "$rowdir"
trap 'rm -rf "$rows" "$rowdir"' EXIT

# One `go test -list` over all packages: target names come first, then the
# "ok <pkg>" line that owns them.
# A package whose tests do not build gets an ERROR row (its targets are
# unknown) and fails the run; the others still run.
list=$(go test -list '^Fuzz' $FUZZ_PKGS 2>&1)
targets=$(echo "$list" | awk '
  /^Fuzz[A-Za-z0-9_]*$/ { names[++n] = $1; next }
  /^ok[ \t]/ { for (i = 1; i <= n; i++) print $2, names[i]; n = 0 }')
broken=$(echo "$list" | awk '/^FAIL[ \t]/ && /\[(build|setup) failed\]/ { print $2 }')
if [ -z "$targets" ] && [ -z "$broken" ]; then
  echo "fuzz/run.sh: no fuzz targets found" >&2
  echo "$list" >&2
  exit 2
fi

status=0
for pkg in $broken; do
  rel=${pkg#"$MODULE"}; rel=${rel#/}; rel=${rel:-.}
  log="$FUZZ_OUT/logs/${rel//\//_}.build.log"
  echo "$list" > "$log"
  echo "== $rel: tests do not build (log: $log)"
  status=1
  printf '%s\x1f%s\x1f0\x1f0\x1f0\x1f0\x1fERROR\x1f\x1f%s\n' "$rel" "(build failed)" "$log" >> "$rows"
done

# run_target REL TARGET ROWFILE: fuzz one target, write its summary row.
run_target() {
  local rel=$1 target=$2 row=$3
  local log rc last elapsed execs newin rate crasher result sub
  log="$FUZZ_OUT/logs/${rel//\//_}.$target.log"
  echo "== $rel $target ($FUZZTIME, $FUZZ_PARALLEL workers)"
  go test -run '^$' -fuzz "^${target}\$" -fuzztime "$FUZZTIME" -fuzzminimizetime "$FUZZ_MINIMIZE" -parallel "$FUZZ_PARALLEL" "./$rel" > "$log" 2>&1
  rc=$?
  # Last progress line: "fuzz: elapsed: 5s, execs: 1234 (246/sec), new
  # interesting: 3 (total: 40)"; past a minute the time reads "9m57s",
  # past an hour "1h2m3s".
  last=$(grep -E '^fuzz: elapsed: ([0-9]+h)?([0-9]+m)?[0-9]+s, execs: ' "$log" | tail -n 1)
  elapsed=$(sed -nE 's/^fuzz: elapsed: ([0-9hms]+),.*/\1/p' <<< "$last" |
    awk '{ t = 0; s = $0
      if (match(s, /[0-9]+h/)) t += 3600 * substr(s, RSTART, RLENGTH - 1)
      if (match(s, /[0-9]+m/)) t += 60 * substr(s, RSTART, RLENGTH - 1)
      if (match(s, /[0-9]+s/)) t += substr(s, RSTART, RLENGTH - 1)
      print t }')
  execs=$(sed -nE 's/.*execs: ([0-9]+) .*/\1/p' <<< "$last")
  newin=$(sed -nE 's/.*new interesting: ([0-9]+).*/\1/p' <<< "$last")
  elapsed=${elapsed:-0}; execs=${execs:-0}; newin=${newin:-0}
  # The per-line rate is over the last reporting interval (often 0 at the
  # end); report the mean over the whole run instead.
  if [ "$elapsed" -gt 0 ]; then rate=$((execs / elapsed)); else rate=$execs; fi
  crasher=""
  if [ $rc -eq 0 ]; then
    result=ok
    # All of FUZZTIME went into replaying the seed corpus.
    [ "$execs" -eq 0 ] && result=ok-seeds
  elif grep -qE '^ +context deadline exceeded$' "$log" && ! grep -qE 'Failing input written|seed corpus entry|_test\.go:[0-9]+:' "$log"; then
    # Go's fuzz coordinator can report its own -fuzztime deadline as a
    # failure, with no input and no test output (go.dev/issue/75804, fixed
    # in Go 1.27): not a finding.
    result=ok-go75804
  else
    result=FAIL
    status=1
    # A new crasher: "Failing input written to testdata/fuzz/FuzzX/abc".
    crasher=$(sed -nE 's/.*Failing input written to (testdata\/fuzz\/[^ ]+).*/\1/p' "$log" | head -n 1)
    # A committed input that still fails: "failure while testing seed
    # corpus entry: FuzzX/abc" (or "--- FAIL: FuzzX/abc" without -fuzz).
    if [ -z "$crasher" ]; then
      sub=$(sed -nE -e "s/.*seed corpus entry: ${target}\/([^ ]+).*/\1/p" \
        -e "s/.*--- FAIL: ${target}\/([0-9a-f]{16})( .*)?$/\1/p" "$log" | head -n 1)
      if [ -n "$sub" ] && [ -f "$rel/testdata/fuzz/$target/$sub" ]; then
        crasher="$rel/testdata/fuzz/$target/$sub"
      elif [ -n "$sub" ]; then
        crasher="$target/$sub (an f.Add seed)"
      fi
    else
      crasher="$rel/$crasher"
    fi
    [ -z "$crasher" ] && ! grep -q -- '--- FAIL' "$log" && result=ERROR
    echo "   $rel $target: $result${crasher:+: $crasher} (log: $log)"
    grep -E -- '--- FAIL|_test.go:[0-9]+:' "$log" | head -n 8 | sed 's/^/   /'
  fi
  printf '%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\n' "$rel" "$target" "$execs" "$rate" "$newin" "$elapsed" "$result" "$crasher" "$log" > "$row"
}

n=0
while read -r pkg target; do
  rel=${pkg#"$MODULE"}; rel=${rel#/}; rel=${rel:-.}
  if [ -n "$FUZZ_MATCH" ] && ! [[ "$rel.$target" =~ $FUZZ_MATCH ]]; then
    continue
  fi
  n=$((n + 1))
  row=$(printf '%s/%04d' "$rowdir" "$n")
  if [ "$FUZZ_JOBS" -gt 1 ]; then
    while [ "$(jobs -rp | wc -l)" -ge "$FUZZ_JOBS" ]; do wait -n; done
    run_target "$rel" "$target" "$row" &
  else
    run_target "$rel" "$target" "$row"
  fi
done <<< "$targets"
wait
cat "$rowdir"/* >> "$rows" 2>/dev/null
if [ -n "$FUZZ_CACHE_DIR" ]; then
  cp -R "$gofuzzcache/." "$FUZZ_CACHE_DIR/"
  echo "== fuzz cache: $(find "$FUZZ_CACHE_DIR" -type f | wc -l) inputs saved to $FUZZ_CACHE_DIR"
fi
if grep -qE $'\x1f(FAIL|ERROR)\x1f' "$rows"; then
  status=1
fi

# Summary table on stdout.
echo
printf '%-14s %-28s %12s %9s %5s %-6s %s\n' package target execs execs/s new result crasher
while IFS=$'\x1f' read -r rel target execs rate newin elapsed result crasher log; do
  printf '%-14s %-28s %12s %9s %5s %-6s %s\n' "$rel" "$target" "$execs" "$rate" "$newin" "$result" "$crasher"
done < "$rows"

# Markdown report.
{
  echo "# Fuzz run"
  echo
  echo "FUZZTIME=$FUZZTIME per target, $FUZZ_PARALLEL workers, $FUZZ_JOBS target(s) at a time, -fuzzminimizetime $FUZZ_MINIMIZE, $(go version | awk '{print $3}'), $(date -u +%Y-%m-%dT%H:%M:%SZ)."
  echo
  echo "| package | target | execs | execs/s | new inputs | result | crasher |"
  echo "|---|---|---:|---:|---:|---|---|"
  while IFS=$'\x1f' read -r rel target execs rate newin elapsed result crasher log; do
    echo "| $rel | $target | $execs | $rate | $newin | $result | ${crasher:+\`$crasher\`} |"
  done < "$rows"
  echo
  echo "Command: \`FUZZTIME=$FUZZTIME FUZZ_PARALLEL=$FUZZ_PARALLEL FUZZ_JOBS=$FUZZ_JOBS ./fuzz/run.sh\`. Logs: \`$FUZZ_OUT/logs/\`."
} > "$FUZZ_OUT/fuzz.md"

# JSON report (names and paths are plain identifiers and file paths; they
# are still escaped for quotes and backslashes).
esc() { local s=${1//\\/\\\\}; printf '%s' "${s//\"/\\\"}"; }
{
  printf '{\n  "fuzztime": "%s",\n  "parallel": %s,\n  "jobs": %s,\n  "go": "%s",\n  "date": "%s",\n  "ok": %s,\n  "targets": [' \
    "$(esc "$FUZZTIME")" "$FUZZ_PARALLEL" "$FUZZ_JOBS" "$(go version | awk '{print $3}')" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    "$([ $status -eq 0 ] && echo true || echo false)"
  sep=""
  while IFS=$'\x1f' read -r rel target execs rate newin elapsed result crasher log; do
    printf '%s\n    {"package": "%s", "target": "%s", "execs": %s, "execs_per_sec": %s, "new_inputs": %s, "elapsed_s": %s, "result": "%s", "crasher": "%s", "log": "%s"}' \
      "$sep" "$(esc "$rel")" "$(esc "$target")" "$execs" "$rate" "$newin" "$elapsed" "$result" "$(esc "$crasher")" "$(esc "$log")"
    sep=","
  done < "$rows"
  printf '\n  ]\n}\n'
} > "$FUZZ_OUT/fuzz.json"

echo
echo "reports: $FUZZ_OUT/fuzz.md $FUZZ_OUT/fuzz.json"
exit $status
