// Package fuzz holds Ferrox's cross-package fuzz targets and property
// tests. Nothing imports it: its non-test files hold the properties and
// fixtures, so that the targets (targets_test.go) also build as libFuzzer
// binaries with go-118-fuzz-build (engine.go); the tests sit beside them.
//
// Each property is written once, as a check function (checkX(tb, in) or
// a rapid property), and run by several runners: a rapid check
// (TestPropX), a native fuzz target (FuzzX, seeded from every corpus
// case, or FuzzPropX through rapid.MakeFuzz via fuzzRapid) and a table over the corpus
// (TestCorpusX). The properties:
//
//   - differential parsing against net/http.ReadRequest, with a commented
//     allowlist of intended differences (differential.go,
//     stricter.go);
//   - chunked bodies decode the same in any split (chunked.go);
//   - path resolution never leaves the root and agrees with an os.Root
//     oracle; DecodePath agrees with url.PathUnescape (path.go);
//   - a whole connection over random client bytes ends, answers with
//     well-framed responses, never more than the requests sent and
//     nothing after "Connection: close"; the response head re-parses
//     (conn.go);
//   - a keep-alive connection state machine under testing/synctest
//     (keepalive.go, pipe.go);
//   - Range and conditional requests (range.go);
//   - through a chain (net/http serving httputil.ReverseProxy in front of
//     the recording origin), no request reaches the origin that the
//     strict reading of the client bytes does not hold, beyond a
//     commented allowlist of net/http's leniencies (chain.go);
//   - config loading and case files report positioned errors
//     (config.go, casefile.go).
//
// Run the unit side with `go test ./fuzz` (RAPID_CHECKS=N for more rapid
// cases) and every fuzz target of the module with
// `FUZZTIME=30s ./fuzz/run.sh` (make fuzz). Inputs under testdata/fuzz
// are regression tests: a committed crasher fails until the bug is fixed.
package fuzz
