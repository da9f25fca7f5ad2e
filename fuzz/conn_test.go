package fuzz

import (
	"testing"

	"pgregory.net/rapid"
)

func TestCorpusConnection(t *testing.T) {
	e := newConnEnv(t, nil, nil)
	for _, c := range corpusCases(t) {
		t.Run(c.ID, func(t *testing.T) { e.checkConnection(t, c.Raw) })
	}
}

func TestConnectionSeeds(t *testing.T) {
	e := newConnEnv(t, nil, nil)
	for i, s := range connSeeds {
		t.Run(string(rune('a'+i)), func(t *testing.T) {
			methods, _ := streamRequests([]byte(s))
			if n := e.checkConnection(t, []byte(s)); n < len(methods) {
				t.Errorf("ServeConn(%q) = %d responses; want %d", s, n, len(methods))
			}
		})
	}
}

func TestPropResponseHead(t *testing.T) {
	h := &fixedHandler{}
	rapid.Check(t, propResponseHead(h, newConnEnv(t, h, nil)))
}
