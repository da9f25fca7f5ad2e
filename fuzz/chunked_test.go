package fuzz

import (
	"testing"
)

func TestCorpusChunkedSplits(t *testing.T) {
	for _, c := range corpusCases(t) {
		t.Run(c.ID, func(t *testing.T) { checkChunkedSplits(t, chunkedCorpusInput(c.Raw)) })
	}
}

func TestChunkedSplitsSeeds(t *testing.T) {
	for i, s := range chunkedSeeds {
		t.Run(string(rune('a'+i)), func(t *testing.T) { checkChunkedSplits(t, []byte(s)) })
	}
}
