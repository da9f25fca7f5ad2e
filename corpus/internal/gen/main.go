// Command gen writes the corpus case files from the compact tables below,
// in canonical form (corpus.Format). Run from the repository root:
//
//	go run ./corpus/internal/gen
//	go run ./corpus/internal/gen -fixture DIR   # write the fixture tree
//
// The tables are the one source of truth for corpus/cases: every case is a
// row in the table of its group, and TestCasesInSync fails when the
// committed files differ from what the tables produce. Each group's table
// is a function named after it: request-line, fields and host in
// syntax.go; framing-cl, framing-te and chunked in framing.go; smuggling in
// smuggling.go; persistence, version and limits in persistence.go;
// semantics-static and paths in semantics_static.go; chain in chain.go;
// message (the fixture-free cases) in message.go.
//
// gen rewrites the whole tree, but refuses to delete a file the tables do
// not produce (a hand-written case) unless -prune is given.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ferrox/ferrox/corpus"
)

// host is the Host line every case sends unless it is about Host.
const host = "Host: localhost\r\n"

// smuggled is the request hidden in bodies by the smuggling cases. Its
// target does not exist, so a desynced server answers it with 404, which the
// runner tells apart from the canary's 200.
const smuggled = "GET /smuggled HTTP/1.1\r\n" + host + "\r\n"

func get(target string) string { return "GET " + target + " HTTP/1.1\r\n" + host + "\r\n" }

// req builds a request: line, extra field lines (each without CRLF), body.
func req(line string, fields []string, body string) string {
	var sb strings.Builder
	sb.WriteString(line + "\r\n")
	for _, f := range fields {
		sb.WriteString(f + "\r\n")
	}
	sb.WriteString("\r\n" + body)
	return sb.String()
}

// getH is GET target with Host: localhost plus extra fields.
func getH(target string, fields ...string) string {
	return req("GET "+target+" HTTP/1.1", append([]string{"Host: localhost"}, fields...), "")
}

type opt func(*corpus.Case)

func noCanary(c *corpus.Case) { c.Canary = false }
func split(c *corpus.Case)    { c.Mode = corpus.SendSplit }
func half(c *corpus.Case)     { c.HalfClose = true }
func paced(ms int) opt {
	return func(c *corpus.Case) { c.Mode, c.PaceMS = corpus.SendPaced, ms }
}
func check(names ...string) opt { return func(c *corpus.Case) { c.Check = names } }

// chain sets the chain expectation where DefaultChain(expect) is wrong for
// a front end; the value is read by corpus.ParseChain ("reject | forward").
// A value it refuses is kept as written, so build's round trip through
// corpus.Parse reports it.
func chain(value string) opt {
	return func(c *corpus.Case) {
		cs, err := corpus.ParseChain(value)
		if err != nil {
			cs = []corpus.ChainOutcome{corpus.ChainOutcome(value)}
		}
		c.Chain = cs
	}
}

// Chain expectations where corpus.DefaultChain(expect) is wrong for a front
// end (FORMAT.md, "Chain outcomes").
var (
	// fwd: a well-formed request whose 4xx the origin decides (a missing
	// file, a method the resource refuses, a failed precondition): a
	// front end forwards it.
	fwd = chain("forward")
	// either: a front end may answer the request itself, or forward it
	// framed as the client framed it.
	either = chain("reject | forward")
	// selfAnswer: the front end must answer itself and not forward.
	selfAnswer = chain("reject")
)

// orReject allows reject beside the derived chain expectation. A body on
// GET or HEAD is the reason: RFC 9110 9.3.1 expects some implementations
// to refuse such a request for its smuggling potential, so a front end
// that does is safe, while one server must read the body.
func orReject(c *corpus.Case) { c.Chain = union(c.Chain, corpus.ChainReject) }

// orForward allows forward beside the derived chain expectation: the
// request is well-formed and its 4xx is the origin's to give.
func orForward(c *corpus.Case) { c.Chain = union(c.Chain, corpus.ChainForward) }

// union adds o to cs in canonical order (reject before forward).
func union(cs []corpus.ChainOutcome, o corpus.ChainOutcome) []corpus.ChainOutcome {
	has := map[corpus.ChainOutcome]bool{o: true}
	for _, x := range cs {
		has[x] = true
	}
	var out []corpus.ChainOutcome
	for _, x := range []corpus.ChainOutcome{corpus.ChainReject, corpus.ChainForward} {
		if has[x] {
			out = append(out, x)
		}
	}
	return out
}

type gen struct {
	cases []corpus.Case
	err   error
}

// add appends one case; cases default to canary: yes, mode whole, and the
// chain expectation derived from expect (corpus.DefaultChain).
func (g *gen) add(group, id, section string, level corpus.Level, reqID, checks, expect, raw string, opts ...opt) {
	out, err := corpus.ParseExpect(expect)
	if err != nil && g.err == nil {
		g.err = fmt.Errorf("%s: %v", id, err)
	}
	id = groupPrefix[group] + id
	c := corpus.Case{ID: id, Group: group, Section: section, Level: level, Requirement: reqID,
		Checks: checks, Expect: out, Chain: corpus.DefaultChain(out), Canary: true, Mode: corpus.SendWhole, Raw: []byte(raw)}
	for _, o := range opts {
		o(&c)
	}
	g.cases = append(g.cases, c)
}

// groupPrefix keeps ids unique across groups and tells the group at a glance.
var groupPrefix = map[string]string{
	"request-line": "rl-", "fields": "field-", "host": "host-", "framing-cl": "cl-", "framing-te": "te-",
	"chunked": "chunk-", "smuggling": "smuggle-", "persistence": "conn-", "version": "version-",
	"limits": "limit-", "semantics-static": "static-", "paths": "path-", "chain": "chain-",
	"message": "msg-",
}

// Outcome shorthands.
const (
	rej     = "400+close | 400" // syntax error in a delimited head: 400, closing optional
	rejC    = "400+close"       // framing in doubt: 400 and close
	ok      = "2xx"             // served, connection kept (canary answered)
	okOrRej = "2xx | 400+close | 400"
	clte    = "400+close | 2xx+close" // CL+TE: reject, or use TE and close
	te501   = "501+close | 400+close"
	notFnd  = "400 | 400+close | 403 | 403+close | 404 | 404+close"
)

// both expands each status to "S | S+close".
func both(statuses ...string) string {
	var parts []string
	for _, s := range statuses {
		parts = append(parts, s, s+"+close")
	}
	return strings.Join(parts, " | ")
}

func main() {
	out := flag.String("out", "corpus/cases", "directory to (re)create")
	fixture := flag.String("fixture", "", "write the fixture tree to this directory instead, and exit")
	prune := flag.Bool("prune", false, "delete case files the tables no longer produce (a removed case)")
	flag.Parse()
	if *fixture != "" {
		if err := corpus.WriteFixture(*fixture); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
		return
	}
	cs, err := build()
	if err == nil {
		err = write(*out, cs, *prune)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	fmt.Printf("gen: wrote %d cases to %s\n", len(cs), *out)
}

// tables are the case tables, one function per group (its "const grp").
var tables = []func(*gen){
	requestLine, fields, hostCases, // syntax.go
	framingCL, framingTE, chunked, // framing.go
	smuggling,                    // smuggling.go
	persistence, version, limits, // persistence.go
	semanticsStatic, paths, // semantics_static.go
	chainCases, // chain.go
	message,    // message.go: the fixture-free cases
}

// build runs every table and returns the cases sorted by id, each checked
// by a round trip through corpus.Format and corpus.Parse.
func build() ([]corpus.Case, error) {
	g := &gen{}
	for _, t := range tables {
		t(g)
	}
	if g.err != nil {
		return nil, g.err
	}
	cs := g.cases
	seen := map[string]bool{}
	for _, c := range cs {
		if seen[c.ID] {
			return nil, fmt.Errorf("duplicate id %q", c.ID)
		}
		seen[c.ID] = true
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].ID < cs[j].ID })
	for _, c := range cs {
		if _, err := corpus.Parse(caseFile(c), corpus.Format(c)); err != nil {
			return nil, err
		}
	}
	return cs, nil
}

// caseFile is the slash path of c's file relative to the cases directory's
// parent: "cases/<group>/<id>.case".
func caseFile(c corpus.Case) string {
	return path.Join("cases", c.Group, c.ID+".case")
}

// write replaces dir with the case files of cs. A file under dir that the
// tables do not produce is someone's hand-written case, or a case removed
// from the tables: write refuses to delete it unless prune is set, and
// then leaves dir untouched.
func write(dir string, cs []corpus.Case, prune bool) error {
	want := map[string]bool{}
	for _, c := range cs {
		want[filepath.Join(dir, c.Group, c.ID+".case")] = true
	}
	var strays []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == dir {
			return fs.SkipAll
		}
		if err != nil {
			return err
		}
		if !d.IsDir() && !want[p] {
			strays = append(strays, p)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading %s: %w", dir, err)
	}
	if len(strays) > 0 && !prune {
		return fmt.Errorf("%d file(s) in %s are not produced by the tables; nothing was written:\n  %s\n"+
			"a case is added as a row in the table of its group in corpus/internal/gen (README: \"Add a case\"); "+
			"to delete removed cases, rerun with -prune", len(strays), dir, strings.Join(strays, "\n  "))
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	for _, c := range cs {
		p := filepath.Join(dir, c.Group, c.ID+".case")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, corpus.Format(c), 0o644); err != nil {
			return err
		}
	}
	return nil
}
