package conformance

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/ferrox/ferrox/corpus"
)

// A mutation rewrites the head of a case's first message in one of the ways
// desync research plays with framing fields: name case, whitespace around
// the colon, duplicates, obfuscated values, line endings. It returns false
// when it does not apply to these bytes.
type mutation struct {
	name  string
	apply func(head []byte, r *rand.Rand) ([]byte, bool)
}

// framingNames are the fields whose spelling decides where a message ends
// or which host it is for.
var framingNames = []string{"Content-Length", "Transfer-Encoding", "Host"}

var mutations = []mutation{
	{"name-lower", onField(func(name, value string, r *rand.Rand) string { return strings.ToLower(name) + ": " + value })},
	{"name-upper", onField(func(name, value string, r *rand.Rand) string { return strings.ToUpper(name) + ": " + value })},
	{"space-before-colon", onField(func(name, value string, r *rand.Rand) string { return name + " : " + value })},
	{"tab-before-colon", onField(func(name, value string, r *rand.Rand) string { return name + "\t: " + value })},
	{"no-space", onField(func(name, value string, r *rand.Rand) string { return name + ":" + value })},
	{"tab-value", onField(func(name, value string, r *rand.Rand) string { return name + ":\t" + value })},
	{"trailing-ws", onField(func(name, value string, r *rand.Rand) string {
		return name + ": " + value + []string{" ", "\t", " \t"}[r.IntN(3)]
	})},
	{"value-prefix", onField(func(name, value string, r *rand.Rand) string {
		return name + ": " + []string{"\x0b", "\x0c", "\xa0", ",", " ,"}[r.IntN(5)] + value
	})},
	{"value-suffix", onField(func(name, value string, r *rand.Rand) string {
		return name + ": " + value + []string{"\x00", "\xff", ",", ";", " x"}[r.IntN(5)]
	})},
	{"name-prefix", onField(func(name, value string, r *rand.Rand) string {
		return []string{" ", "\t", "\xff", "X-"}[r.IntN(4)] + name + ": " + value
	})},
	{"name-suffix", onField(func(name, value string, r *rand.Rand) string {
		return name + []string{"\x00", "\x0b", "_", "s"}[r.IntN(4)] + ": " + value
	})},
	{"obs-fold", onField(func(name, value string, r *rand.Rand) string { return name + ":\r\n " + value })},
	{"duplicate", onField(func(name, value string, r *rand.Rand) string {
		other := value
		if strings.EqualFold(name, "Content-Length") {
			other = fmt.Sprint(r.IntN(64))
		}
		if r.IntN(2) == 0 {
			return name + ": " + value + "\r\n" + strings.ToLower(name) + ": " + other
		}
		return name + ": " + other + "\r\n" + name + ": " + value
	})},
	{"bare-lf", func(head []byte, r *rand.Rand) ([]byte, bool) {
		lines := bytes.Count(head, []byte("\r\n"))
		if lines < 2 {
			return nil, false
		}
		k := 1 + r.IntN(lines-1) // never the request-line's own end
		return replaceNth(head, []byte("\r\n"), []byte("\n"), k), true
	}},
	{"bare-cr-join", onField(func(name, value string, r *rand.Rand) string { return "X-Pad: 1\r" + name + ": " + value })},
	{"swap-order", func(head []byte, r *rand.Rand) ([]byte, bool) {
		lines := bytes.Split(head, []byte("\r\n"))
		if len(lines) < 4 {
			return nil, false
		}
		i := 1 + r.IntN(len(lines)-3)
		lines[i], lines[i+1] = lines[i+1], lines[i]
		return bytes.Join(lines, []byte("\r\n")), true
	}},
}

// onField turns a rewrite of one framing field line into a mutation: it
// picks one of the head's Content-Length, Transfer-Encoding or Host lines
// at random and replaces it.
func onField(rewrite func(name, value string, r *rand.Rand) string) func([]byte, *rand.Rand) ([]byte, bool) {
	return func(head []byte, r *rand.Rand) ([]byte, bool) {
		lines := bytes.Split(head, []byte("\r\n"))
		var idx []int
		for i, l := range lines {
			if i == 0 {
				continue
			}
			name, _, ok := bytes.Cut(l, []byte(":"))
			if !ok {
				continue
			}
			for _, f := range framingNames {
				if strings.EqualFold(strings.TrimSpace(string(name)), f) {
					idx = append(idx, i)
				}
			}
		}
		if len(idx) == 0 {
			return nil, false
		}
		i := idx[r.IntN(len(idx))]
		name, value, _ := bytes.Cut(lines[i], []byte(":"))
		lines[i] = []byte(rewrite(strings.TrimSpace(string(name)), strings.TrimSpace(string(value)), r))
		return bytes.Join(lines, []byte("\r\n")), true
	}
}

func replaceNth(b, old, repl []byte, n int) []byte {
	off := 0
	for k := 0; ; k++ {
		i := bytes.Index(b[off:], old)
		if i < 0 {
			return b
		}
		if k == n {
			out := append([]byte(nil), b[:off+i]...)
			out = append(out, repl...)
			return append(out, b[off+i+len(old):]...)
		}
		off += i + len(old)
	}
}

// Mutate derives n cases from the seeds (the smuggling and chain groups
// are the intended seeds) by applying one or two structured mutations to
// the head of each seed's first message. The same seeds, n and seed give
// the same cases, so a chain run's verdicts can be reproduced. A mutated
// case keeps its seed's bytes after the head (the hidden request, the
// canary) and expects only the universal chain checks (chain "any"): no
// smuggled request, nothing malformed forwarded, no response desync.
func Mutate(seeds []corpus.Case, n int, seed uint64) []corpus.Case {
	var usable []corpus.Case
	for _, c := range seeds {
		if headEnd(c.Raw) > 0 {
			usable = append(usable, c)
		}
	}
	if len(usable) == 0 || n <= 0 {
		return nil
	}
	r := rand.New(rand.NewPCG(seed, 0x6665726f78))
	out := make([]corpus.Case, 0, n)
	seen := map[string]bool{}
	for tries := 0; len(out) < n && tries < 20*n; tries++ {
		c := usable[r.IntN(len(usable))]
		end := headEnd(c.Raw)
		head := bytes.TrimSuffix(c.Raw[:end], []byte("\r\n\r\n"))
		if len(head) == len(c.Raw[:end]) {
			continue // a head not ended by CRLF CRLF: leave it to the seeds
		}
		var names []string
		for k := 0; k < 1+r.IntN(2); k++ {
			m := mutations[r.IntN(len(mutations))]
			h, ok := m.apply(append([]byte(nil), head...), r)
			if !ok {
				continue
			}
			head = h
			names = append(names, m.name)
		}
		if len(names) == 0 {
			continue
		}
		raw := append(append(append([]byte(nil), head...), "\r\n\r\n"...), c.Raw[end:]...)
		if seen[string(raw)] {
			continue
		}
		seen[string(raw)] = true
		m := c
		m.ID = fmt.Sprintf("%s-m%d", c.ID, len(out)+1)
		m.Level = corpus.Safety
		m.Checks = "mutation of " + c.ID + " (" + strings.Join(names, ", ") + "): nothing hidden in it reaches the origin as a request"
		m.Chain = []corpus.ChainOutcome{corpus.ChainAny}
		m.Raw = raw
		m.Mode = corpus.SendWhole
		m.File = ""
		m.Group = "mutated"
		out = append(out, m)
	}
	return out
}
