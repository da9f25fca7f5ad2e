#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build: every native Go fuzz target of the
# module becomes a libFuzzer binary in $OUT, with a seed corpus
# $OUT/<name>_seed_corpus.zip.
#
# Targets are found by grepping `func FuzzX(f *testing.F)` in the _test.go
# files of every package, so a new target is built without editing this
# script. A binary is named after its package directory and target
# (fuzz_FuzzConnection, parser_FuzzParse, server_static_FuzzParseRange).
# Seeds: every corpus case (raw bytes and case text) and the target's
# testdata/fuzz/<Target>/ inputs, encoded for go-118-fuzz-build's
# argument decoding by scripts/fuzzseeds.
#
# The same steps run without a container in scripts/fuzz-libfuzzer.sh
# (make fuzz-libfuzzer), which also runs each binary.
#
# Exit status: non-zero when any target fails to build, naming it and the
# compiler's message (a target is never skipped silently).
cd "$SRC/ferrox"

GO118FUZZBUILD=v0.0.0-20250520111509-a70c2aa677fa
go install "github.com/AdamKorcz/go-118-fuzz-build@$GO118FUZZBUILD"
# go-118-fuzz-build swaps "testing" for its shim package in the target's
# file; the module needs it (in this build copy only).
go get "github.com/AdamKorcz/go-118-fuzz-build/testing@$GO118FUZZBUILD"

# compile_native_go_fuzzer moves the target's file aside and writes a
# rewritten copy; restore the package from this snapshot after each one.
pristine=$(mktemp -d)
cp -a . "$pristine/"

targets=$(grep -rEo --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\([A-Za-z_][A-Za-z0-9_]* \*testing\.F\)' . |
  grep -vE '(^|/)(testdata|out|vendor)/' |
  sed -E 's#^\./##; s#^([^:]*)/[^/:]*:func (Fuzz[A-Za-z0-9_]*)\(.*#\1 \2#; s#^[^/:]*:func (Fuzz[A-Za-z0-9_]*)\(.*#. \1#' |
  sort -u)

specs=()
while read -r dir target; do specs+=("$dir:$target"); done <<< "$targets"
seeds=$(mktemp -d)
go run ./scripts/fuzzseeds -out "$seeds" "${specs[@]}"

module=$(go list -m)
failed=()
for spec in "${specs[@]}"; do
  dir=${spec%%:*} target=${spec#*:}
  name="${dir//\//_}_$target"
  [ "$dir" = . ] && name=$target
  pkg="$module/$dir"
  [ "$dir" = . ] && pkg=$module
  echo "== $pkg $target -> $name"
  if ! compile_native_go_fuzzer "$pkg" "$target" "$name"; then
    failed+=("$dir $target")
  fi
  # go-118-fuzz-build writes <file>_fuzz.go; compile_native_go_fuzzer
  # versions that rewrite the file themselves write <file>_fuzz_.go.
  find "$dir" -maxdepth 1 \( -name '*_fuzz.go' -o -name '*_fuzz_.go' \) -delete
  rm -f main.*.go
  cp -p "$pristine/$dir"/*.go "$dir"/
  if [ -d "$seeds/$target" ] && [ -n "$(ls -A "$seeds/$target")" ]; then
    (cd "$seeds/$target" && zip -q -r "$OUT/${name}_seed_corpus.zip" .)
  fi
  # Per-target libFuzzer options (e.g. max_len), named by the target.
  if [ -f "$pristine/.clusterfuzzlite/options/$target.options" ]; then
    cp "$pristine/.clusterfuzzlite/options/$target.options" "$OUT/$name.options"
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  printf 'NOT BUILT: %s\n' "${failed[@]}" >&2
  exit 1
fi
