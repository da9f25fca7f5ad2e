package fuzz

import (
	"testing"

	"pgregory.net/rapid"
)

func TestPropDifferential(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) { checkDifferential(t, genRequest.Draw(t, "request")) })
}

func TestPropConnection(t *testing.T) {
	e := newConnEnv(t, nil, nil)
	rapid.Check(t, func(t *rapid.T) { e.checkConnection(t, genStream.Draw(t, "stream")) })
}

func TestPropConditional(t *testing.T) {
	e := newRangeEnv(t)
	rapid.Check(t, func(t *rapid.T) { e.checkStaticResponse(t, genRequest.Draw(t, "request")) })
}

func TestPropChunkedSplits(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) { checkChunkedSplits(t, genChunked.Draw(t, "input")) })
}
