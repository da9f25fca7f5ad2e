package fuzz

import (
	"testing"

	"pgregory.net/rapid"
)

func TestPropKeepAlive(t *testing.T) {
	rapid.Check(t, propKeepAlive(newSite(t).Root))
}
