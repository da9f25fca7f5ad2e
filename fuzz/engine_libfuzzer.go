//go:build libfuzzer

package fuzz

// libFuzzer: built by go-118-fuzz-build (see engine.go).
const libFuzzer = true
