// Package fuzz holds Ferrox's cross-package fuzz targets and property
// tests (differential parsing against net/http, chunked splits, path
// resolution, whole connections, config loading, the corpus codec, the
// response head and the static handler's Range and conditional code).
//
// Each property is written once, as a check function, and run by several
// runners: a rapid check (TestPropX), a native fuzz target (FuzzX, seeded
// from every corpus case) and a table over the corpus (TestCorpusX). The
// package has no non-test code; fuzz/run.sh runs every fuzz target of the
// module in turn and writes a summary.
package fuzz
