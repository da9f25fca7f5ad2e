package fuzz

import (
	"testing"
)

func TestCorpusDifferential(t *testing.T) {
	for _, c := range corpusCases(t) {
		t.Run(c.ID, func(t *testing.T) { checkDifferential(t, c.Raw) })
	}
}
