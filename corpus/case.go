// Package corpus holds Ferrox's raw RFC 9112 request cases as embedded data
// files (cases/<group>/<id>.case) and the codec for them.
//
// A case file is a header of "key: value" lines (id, section, level,
// requirement, checks, expect, and optionally chain, canary, mode, pace-ms,
// half-close, check, fixture), a line "---", then the raw request bytes in a visible
// notation: printable ASCII literally, \r \n \t \0 \\ and \xHH escapes,
// \{N*X} for N copies of one byte; line breaks in the notation are ignored.
// FORMAT.md specifies the format, the outcome syntax and the fixture
// contract (Fixture, WriteFixture) the cases are written against.
//
// All returns the embedded cases; Parse and Format convert one file, and
// Format(Parse(f)) == f for every committed file; Encode and Decode convert
// the byte notation, with Decode(Encode(b)) == b for all b.
package corpus

// Level is a requirement level.
type Level string

const (
	MUST   Level = "MUST"
	SHOULD Level = "SHOULD"
	MAY    Level = "MAY"
	Safety Level = "safety" // not an RFC keyword: a security property (smuggling, traversal, injection)
	// Policy is not an RFC keyword either: the expectation is a site's
	// choice (dotfiles refused, TRACE off), so a case outside its outcomes
	// warns and never fails a run by default.
	Policy Level = "policy"
)

// Outcome is one allowed outcome of a case. A case passes when the observed
// behaviour matches any one of its outcomes.
type Outcome struct {
	// Status is an exact code ("400"), a class ("4xx"), "any", or "" for
	// "no response at all" (the server closed or reset without answering).
	// ParseOutcome, FormatOutcome and MatchStatus define the notation.
	Status string
	// Close: the connection must be closed by the server after the response
	// (FIN or RST, before any canary is answered).
	Close bool
}

// Mode is how the runner sends the request bytes.
type Mode string

const (
	SendWhole Mode = "whole" // one write
	SendSplit Mode = "split" // also replayed split at every byte offset; all splits must agree
	SendPaced Mode = "paced" // one byte per Pace interval (slow client)
)

// Case is one conformance case.
type Case struct {
	ID          string // stable slug, unique, e.g. "cl-te-both"; never positional
	Section     string // RFC section, e.g. "RFC9112 6.1" or "RFC9110 13.1.2"
	Level       Level
	Checks      string         // one line, our own words
	Expect      []Outcome      // allowed outcomes (at least one)
	Chain       []ChainOutcome // allowed front-end outcomes in a chain run; Parse fills DefaultChain(Expect) when the key is absent
	Canary      bool           // append a canary request (GET /canary.txt) after the raw bytes to detect desync
	Mode        Mode
	PaceMS      int      // with SendPaced: milliseconds between bytes
	HalfClose   bool     // shut down the write side after sending (the server sees EOF)
	Check       []string // extra response checks by name, e.g. "head-no-body", "date" (KnownChecks)
	Requirement string   // requirement id in the coverage list this case tests, e.g. "9112-6.3-invalid-cl"
	// FixtureFree: the case needs no fixture (key "fixture: no"). It asks
	// for / only, its outcomes are judged on whatever / answers (status
	// "accept"), and its canary is GET / instead of GET /canary.txt.
	FixtureFree bool
	Raw         []byte // exact bytes to send (after decoding the file notation)
	File        string // path of the case file inside the embedded tree
	Group       string // the case file's directory: the RFC area, e.g. "chunked", "smuggling"
}

// Requirement is one server requirement of RFC 9112 (or server-side RFC
// 9110) in our own words; cases name the requirement they test.
type Requirement struct {
	ID      string // e.g. "9112-6.3-invalid-cl"
	Section string // e.g. "RFC9112 6.3"
	Level   string // MUST, SHOULD, MAY, safety, policy
	Text    string
}
