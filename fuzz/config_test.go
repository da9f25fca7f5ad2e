package fuzz

import (
	"testing"
)

func TestConfigLoadSeeds(t *testing.T) {
	dir := t.TempDir()
	for i, s := range configSeeds {
		t.Run(string(rune('a'+i)), func(t *testing.T) { checkConfigLoad(t, dir, []byte(s)) })
	}
}
