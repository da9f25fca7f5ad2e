package fuzz

import (
	"testing"

	"github.com/ferrox/ferrox/corpus"
)

// TestCorpusCaseFile runs the property over every case as stored.
func TestCorpusCaseFile(t *testing.T) {
	for _, c := range corpusCases(t) {
		t.Run(c.ID, func(t *testing.T) { checkCaseFile(t, corpus.Format(c)) })
	}
}
