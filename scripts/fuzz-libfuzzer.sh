#!/usr/bin/env bash
# Builds every native Go fuzz target of the module as a libFuzzer binary,
# the way OSS-Fuzz and ClusterFuzzLite do (compile_native_go_fuzzer:
# go-118-fuzz-build, then clang -fsanitize=fuzzer), runs each for a
# bounded time on its seed corpus, and prints a table. No containers: the
# tools come from Debian (clang) and the Go module proxy.
#
# Targets are found by grepping `func FuzzX(f *testing.F)` in the module's
# _test.go files, so a new target is picked up without editing this file.
# go-118-fuzz-build rewrites the package it builds (it moves the target's
# file aside and writes a rewritten copy), so every build happens in a
# scratch copy of the work tree, restored after each target; the work
# tree and its go.mod are never touched.
#
# Environment:
#   FUZZ_SECONDS   libFuzzer -max_total_time per target (default 10)
#   FUZZ_MATCH     only targets whose "dir.Target" matches this ERE
#   FUZZ_OUT       output directory (default out/libfuzzer): libfuzzer.md,
#                  bin/, seeds/, corpus/, crashes/, logs/
#   FUZZ_GOTEST=1  also run `go test -fuzz` on each target for FUZZ_SECONDS
#                  (one worker, like libFuzzer) for the execs/s comparison
#   PLANTED=1      instead of the real targets: the planted-crash round trip
#                  (a scratch target in the scratch copy crashes on inputs
#                  starting with "FRX!"; libFuzzer must find it, the
#                  binary run on the crash file must fail with the panic,
#                  and so must go test on the crash file decoded into the
#                  target's testdata/fuzz by scripts/fuzzseeds -decode)
#   GO118FUZZBUILD version of github.com/AdamKorcz/go-118-fuzz-build
#
# Exit status: 0 when every target built and ran clean (or, with
# PLANTED=1, when the crash was found and reproduced), 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

FUZZ_SECONDS=${FUZZ_SECONDS:-10}
FUZZ_MATCH=${FUZZ_MATCH:-}
FUZZ_OUT=${FUZZ_OUT:-out/libfuzzer}
FUZZ_GOTEST=${FUZZ_GOTEST:-0}
PLANTED=${PLANTED:-0}
GO118FUZZBUILD=${GO118FUZZBUILD:-v0.0.0-20250520111509-a70c2aa677fa}
mkdir -p "$FUZZ_OUT"
OUT=$(cd "$FUZZ_OUT" && pwd)
rm -rf "$OUT/bin" "$OUT/logs" "$OUT/corpus" "$OUT/crashes" "$OUT/seeds"
mkdir -p "$OUT/bin" "$OUT/logs" "$OUT/corpus" "$OUT/crashes" "$OUT/seeds"

# --- tools ------------------------------------------------------------
if ! command -v clang >/dev/null; then
  echo "== installing clang (Debian)"
  { apt-get update && apt-get install -y clang; } > "$OUT/logs/apt.log" 2>&1 ||
    { echo "fuzz-libfuzzer: apt-get install clang failed (log: $OUT/logs/apt.log)" >&2; exit 1; }
fi
GOBIN=$(go env GOPATH)/bin
if ! [ -x "$GOBIN/go-118-fuzz-build" ] || [ "$(cat "$GOBIN/.go-118-fuzz-build.version" 2>/dev/null)" != "$GO118FUZZBUILD" ]; then
  echo "== go install github.com/AdamKorcz/go-118-fuzz-build@$GO118FUZZBUILD"
  (cd / && GOFLAGS= go install "github.com/AdamKorcz/go-118-fuzz-build@$GO118FUZZBUILD") ||
    { echo "fuzz-libfuzzer: go install go-118-fuzz-build failed" >&2; exit 1; }
  echo "$GO118FUZZBUILD" > "$GOBIN/.go-118-fuzz-build.version"
fi
FUZZBUILD=$GOBIN/go-118-fuzz-build

# --- scratch copy -----------------------------------------------------
WORK=$(mktemp -d /tmp/ferrox-libfuzzer.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
PRISTINE=$WORK/pristine SRC=$WORK/src
mkdir -p "$PRISTINE"
# The work tree as it is (tracked and untracked files, not ignored ones).
git ls-files -z -co --exclude-standard | while IFS= read -r -d '' f; do
  [ -e "$f" ] && printf '%s\0' "$f"
done | tar --null -T - -cf - | tar -xf - -C "$PRISTINE"
# The build needs the tool's testing shim in go.mod: add it in the copy.
(cd "$PRISTINE" && GOFLAGS=-mod=mod go get "github.com/AdamKorcz/go-118-fuzz-build/testing@$GO118FUZZBUILD") > "$OUT/logs/go-get.log" 2>&1 ||
  { echo "fuzz-libfuzzer: go get of the testing shim failed (log: $OUT/logs/go-get.log)" >&2; exit 1; }
cp -a "$PRISTINE" "$SRC"

# restore DIR: undo go-118-fuzz-build's edits of DIR's files in $SRC.
restore() {
  find "$SRC/$1" -maxdepth 1 -name '*_fuzz.go' -delete
  rm -f "$SRC"/main.*.go
  cp -p "$PRISTINE/$1"/*.go "$SRC/$1"/
}

# --- targets ----------------------------------------------------------
# "dir Target" per line, from `func FuzzX(f *testing.F)` in _test.go files.
list_targets() {
  grep -rEo --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\([A-Za-z_][A-Za-z0-9_]* \*testing\.F\)' "$1" |
    grep -vE '(^|/)(testdata|out|vendor)/' |
    sed -E 's#^\./##; s#^([^:]*)/[^/:]*:func (Fuzz[A-Za-z0-9_]*)\(.*#\1 \2#; s#^[^/:]*:func (Fuzz[A-Za-z0-9_]*)\(.*#. \1#' |
    sort -u
}

# build DIR TARGET NAME: build $OUT/bin/NAME; prints why on failure.
build() {
  local dir=$1 target=$2 name=$3 log="$OUT/logs/$3.build.log"
  (cd "$SRC" && "$FUZZBUILD" -o "$WORK/$name.a" -func "$target" "./$dir") > "$log" 2>&1
  local rc=$?
  restore "$dir"
  if [ $rc -ne 0 ]; then
    echo "go-118-fuzz-build failed: $(grep -vE '^(#|$)' "$log" | head -n 3 | tr '\n' ' ')(log: $log)"
    return 1
  fi
  if ! clang -fsanitize=fuzzer "$WORK/$name.a" -o "$OUT/bin/$name" >> "$log" 2>&1; then
    echo "clang link failed (log: $log)"
    return 1
  fi
  rm -f "$WORK/$name.a"
}

# run NAME SECONDS: libFuzzer on a copy of NAME's seeds; sets execs, rate,
# units (corpus size at the end), result, crash.
run() {
  local name=$1 secs=$2 log="$OUT/logs/$1.run.log" target=${3:-} opts=()
  # Per-target libFuzzer options, the file .clusterfuzzlite/build.sh ships
  # as $OUT/<name>.options (only max_len is read here).
  local optfile="$ROOT/.clusterfuzzlite/options/$target.options"
  if [ -n "$target" ] && [ -f "$optfile" ]; then
    local ml
    ml=$(sed -nE 's/^max_len *= *([0-9]+).*/\1/p' "$optfile")
    [ -n "$ml" ] && opts+=("-max_len=$ml")
  fi
  mkdir -p "$OUT/corpus/$name" "$OUT/crashes/$name" "$WORK/tmp/$name"
  cp "$OUT/seeds/$name"/* "$OUT/corpus/$name"/ 2>/dev/null
  # libFuzzer checks -max_total_time only after it has replayed the seed
  # corpus; a slow target's replay is cut by SIGINT after twice the time
  # (libFuzzer then prints its stats and exits).
  # TMPDIR: the per-process fixtures' temp dirs (fuzz/engine.go) live
  # until the process ends and are never removed; keep them in $WORK.
  (cd "$OUT/crashes/$name" && TMPDIR="$WORK/tmp/$name" timeout -s INT -k 10 $((2 * secs)) "$OUT/bin/$name" -max_total_time="$secs" "${opts[@]}" \
    -print_final_stats=1 -timeout=25 -rss_limit_mb=4096 -artifact_prefix="$OUT/crashes/$name/" "$OUT/corpus/$name") > "$log" 2>&1
  local rc=$?
  execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -n 1)
  rate=$(sed -nE 's/^stat::average_exec_per_sec: *([0-9]+).*/\1/p' "$log" | tail -n 1)
  # libFuzzer's own corpus count (inputs with distinct features) at the end.
  units=$(sed -nE 's/^#[0-9]+[[:space:]]+DONE .* corp: ([0-9]+)\/.*/\1/p' "$log" | tail -n 1)
  units=${units:-?}
  # A slow-unit-* file (an input slower than libFuzzer's -report_slow_units,
  # 10 s) is written the same way but is no finding; -timeout catches hangs.
  crash=$(sed -nE 's/.*Test unit written to (.*)$/\1/p' "$log" | grep -v '/slow-unit-' | head -n 1)
  slow=$(sed -nE 's/^stat::slowest_unit_time_sec: *([0-9]+).*/\1/p' "$log" | tail -n 1)
  if [ "${slow:-0}" -ge 10 ]; then
    echo "   note: slowest input took ${slow}s (libFuzzer wrote it as slow-unit-*; not a crash)" >&2
  fi
  execs=${execs:-0} rate=${rate:-0}
  if [ -n "$crash" ] || grep -qE '^==[0-9]+== ERROR: libFuzzer' "$log"; then
    result=CRASH
  elif ! grep -qE '^#[0-9]+[[:space:]]+INITED' "$log"; then
    result=ok-seeds # cut while replaying the seeds: no finding, no mutation
  elif [ $rc -eq 0 ] || [ $rc -eq 124 ] || [ $rc -eq 72 ]; then
    result=ok
  else
    result=ERROR
  fi
}

# --- planted crash ----------------------------------------------------
if [ "$PLANTED" = 1 ]; then
  dir=fuzz name=planted_FuzzPlanted
  # Only in the scratch copy: the real targets never see this file.
  cat > "$PRISTINE/$dir/planted_test.go" <<'EOF'
package fuzz

import "testing"

// FuzzPlanted crashes on inputs that start with "FRX!" (one branch per
// byte, so coverage guides libFuzzer to it).
func FuzzPlanted(f *testing.F) {
	f.Add([]byte("GET / HTTP/1.1\r\n\r\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) >= 4 && in[0] == 'F' && in[1] == 'R' && in[2] == 'X' && in[3] == '!' {
			panic("planted crash: the input starts with FRX!")
		}
	})
}
EOF
  cp "$PRISTINE/$dir/planted_test.go" "$SRC/$dir/"
  echo "== planted: building $dir FuzzPlanted in the scratch copy"
  if ! why=$(build "$dir" FuzzPlanted "$name"); then echo "planted: $why"; exit 1; fi
  (cd "$SRC" && go run ./scripts/fuzzseeds -out "$OUT/seeds" "$dir:FuzzPlanted") > /dev/null || exit 1
  mv "$OUT/seeds/FuzzPlanted" "$OUT/seeds/$name"
  echo "== planted: fuzzing (at most 120s; it stops at the first crash)"
  run "$name" 120
  echo "   libFuzzer: $result after $execs execs ($rate execs/s); crash file: ${crash:-none}"
  if [ "$result" != CRASH ] || [ -z "$crash" ]; then
    echo "planted: libFuzzer did not find the planted crash (log: $OUT/logs/$name.run.log)"; exit 1
  fi
  echo "   crash file bytes (go-fuzz-headers: 4-byte length, then the []byte):"
  od -An -c "$crash" | head -n 3 | sed 's/^/     /'
  echo "== planted: reproducing: $OUT/bin/$name $crash"
  "$OUT/bin/$name" "$crash" > "$OUT/logs/$name.repro.log" 2>&1
  rc=$?
  grep -m1 -E 'panic: |planted crash' "$OUT/logs/$name.repro.log" | sed 's/^/   /'
  echo "   exit status $rc"
  if [ $rc -eq 0 ] || ! grep -q 'planted crash: the input starts with FRX!' "$OUT/logs/$name.repro.log"; then
    echo "planted: the crash file did not reproduce the panic (log: $OUT/logs/$name.repro.log)"
    exit 1
  fi
  # The same input as a go test regression input (what a developer does
  # with a crash from ClusterFuzzLite): decode, commit, go test fails.
  gofile="$SRC/$dir/testdata/fuzz/FuzzPlanted/$(basename "$crash")"
  mkdir -p "$(dirname "$gofile")"
  (cd "$SRC" && go run ./scripts/fuzzseeds -decode "$crash" "$dir:FuzzPlanted") > "$gofile" || exit 1
  echo "== planted: as a go test input (fuzzseeds -decode): $(sed -n 2p "$gofile")"
  (cd "$SRC" && go test -count=1 -run '^FuzzPlanted$' "./$dir") > "$OUT/logs/$name.gotest.log" 2>&1
  rc=$?
  grep -m1 -E 'planted crash' "$OUT/logs/$name.gotest.log" | sed 's/^[[:space:]]*/   /'
  echo "   go test exit status $rc"
  if [ $rc -ne 0 ] && grep -q 'planted crash: the input starts with FRX!' "$OUT/logs/$name.gotest.log"; then
    echo "planted: found, reproduced from the crash file, and failing under go test (logs: $OUT/logs/$name.{run,repro,gotest}.log)"
    exit 0
  fi
  echo "planted: go test did not fail on the decoded crash input (log: $OUT/logs/$name.gotest.log)"
  exit 1
fi

# --- every target -----------------------------------------------------
targets=$(list_targets .)
if [ -z "$targets" ]; then
  echo "fuzz-libfuzzer: no fuzz targets found" >&2
  exit 1
fi
specs=()
while read -r dir target; do
  if [ -n "$FUZZ_MATCH" ] && ! [[ "$dir.$target" =~ $FUZZ_MATCH ]]; then continue; fi
  specs+=("$dir:$target")
done <<< "$targets"
echo "== ${#specs[@]} targets; seeds from the corpus cases and testdata/fuzz"
go run ./scripts/fuzzseeds -out "$WORK/seeds" "${specs[@]}" > "$OUT/logs/seeds.log" 2>&1 ||
  { echo "fuzz-libfuzzer: seed conversion failed (log: $OUT/logs/seeds.log)" >&2; exit 1; }

status=0
rows=() notbuilt=()
for spec in "${specs[@]}"; do
  dir=${spec%%:*} target=${spec#*:}
  name="${dir//\//_}_$target"
  [ "$dir" = . ] && name=$target
  mv "$WORK/seeds/$target" "$OUT/seeds/$name"
  nseeds=$(find "$OUT/seeds/$name" -type f | wc -l)
  echo "== $dir $target: build"
  if ! why=$(build "$dir" "$target" "$name"); then
    echo "   NOT BUILT: $why"
    rows+=("$dir|$target|$nseeds|-|-|-|NOT-BUILT|-")
    notbuilt+=("$dir $target: $why")
    status=1
    continue
  fi
  echo "== $dir $target: libFuzzer ${FUZZ_SECONDS}s on $nseeds seeds"
  run "$name" "$FUZZ_SECONDS" "$target"
  gorate=-
  if [ "$FUZZ_GOTEST" = 1 ]; then
    glog="$OUT/logs/$name.gotest.log"
    # The same target under go test -fuzz, one worker, same duration.
    go test -run '^$' -fuzz "^$target\$" -fuzztime "${FUZZ_SECONDS}s" -fuzzminimizetime 100x -parallel 1 "./$dir" > "$glog" 2>&1
    last=$(grep -E '^fuzz: elapsed: [0-9]+s, execs: ' "$glog" | tail -n 1)
    gel=$(sed -nE 's/^fuzz: elapsed: ([0-9]+)s,.*/\1/p' <<< "$last")
    gex=$(sed -nE 's/.*execs: ([0-9]+) .*/\1/p' <<< "$last")
    if [ -n "$gel" ] && [ "$gel" -gt 0 ]; then gorate=$((gex / gel)); fi
  fi
  if [ "$result" = CRASH ] || [ "$result" = ERROR ]; then
    status=1
    echo "   $result: ${crash:-no crash file} (log: $OUT/logs/$name.run.log)"
    grep -m1 -E '^panic: ' "$OUT/logs/$name.run.log" | sed 's/^/   /'
  fi
  rows+=("$dir|$target|$nseeds|$execs|$rate|$units|$result|$gorate")
done

printf '\n%-14s %-26s %6s %9s %8s %7s %-7s %s\n' package target seeds execs execs/s corpus result go-test-execs/s
for r in "${rows[@]}"; do
  IFS='|' read -r dir target nseeds execs rate units result gorate <<< "$r"
  printf '%-14s %-26s %6s %9s %8s %7s %-7s %s\n' "$dir" "$target" "$nseeds" "$execs" "$rate" "$units" "$result" "$gorate"
done
{
  echo "# libFuzzer run"
  echo
  echo "FUZZ_SECONDS=$FUZZ_SECONDS per target, go-118-fuzz-build $GO118FUZZBUILD, $(clang --version | head -n 1), $(go version | awk '{print $3}'), $(date -u +%Y-%m-%dT%H:%M:%SZ)."
  echo
  echo "| package | target | seeds | libFuzzer execs | execs/s | corpus at end | result | go test -fuzz execs/s |"
  echo "|---|---|---:|---:|---:|---:|---|---:|"
  for r in "${rows[@]}"; do
    IFS='|' read -r dir target nseeds execs rate units result gorate <<< "$r"
    echo "| $dir | $target | $nseeds | $execs | $rate | $units | $result | $gorate |"
  done
  if [ ${#notbuilt[@]} -gt 0 ]; then
    echo
    echo "Not built:"
    echo
    for n in "${notbuilt[@]}"; do echo "- $n"; done
  fi
} > "$OUT/libfuzzer.md"
for n in "${notbuilt[@]}"; do echo "NOT BUILT: $n"; done
echo
echo "report: $OUT/libfuzzer.md; binaries: $OUT/bin/; logs: $OUT/logs/"
exit $status
