package fuzz

import (
	"testing"

	"pgregory.net/rapid"
)

func TestCorpusStaticResponse(t *testing.T) {
	e := newRangeEnv(t)
	for _, c := range corpusCases(t) {
		t.Run(c.ID, func(t *testing.T) { e.checkStaticResponse(t, c.Raw) })
	}
}

func TestPropRange(t *testing.T) {
	e := newRangeEnv(t)
	etag, lastMod := e.validators(t, "/big.txt")
	rapid.Check(t, propRange(e, etag, lastMod))
}
