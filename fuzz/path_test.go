package fuzz

import (
	"testing"

	"pgregory.net/rapid"
)

func TestCorpusPathNoEscape(t *testing.T) {
	e := newPathEnv(t)
	for _, c := range corpusCases(t) {
		t.Run(c.ID, func(t *testing.T) { e.checkRequestNoEscape(t, c.Raw) })
	}
}

func TestPathResolveSeeds(t *testing.T) {
	e := newPathEnv(t)
	for _, s := range pathSeeds {
		t.Run(s, func(t *testing.T) { e.checkPathResolve(t, []byte(s)) })
	}
}

func TestPropTraversal(t *testing.T) {
	rapid.Check(t, propTraversal(newPathEnv(t)))
}
