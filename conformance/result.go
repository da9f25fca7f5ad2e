// Package conformance is the black-box runner: it replays corpus cases over
// TCP or TLS against any server and judges the responses. In a chain run
// (RunChain) it sends them through a front end to its recording origin
// (Origin) and judges what reached the origin against what the client
// meant. It never imports server, so it can grade any HTTP/1.1
// implementation; package parser is its reference reading of bytes (client
// intent, forwarded requests), never of a server's responses.
package conformance

import (
	"time"

	"github.com/ferrox/ferrox/corpus"
)

// Verdict is the judgement of one case.
type Verdict string

const (
	Pass  Verdict = "pass"
	Fail  Verdict = "fail"  // observed behaviour is outside the allowed outcomes
	Warn  Verdict = "warn"  // a SHOULD/MAY/policy case outside its outcomes (not counted as failure)
	Error Verdict = "error" // the runner could not run the case (dial failed, ...)
)

// End is how the server ended (or did not end) the connection.
type End string

const (
	EndOpen    End = "open" // still open when the read deadline passed (timeout)
	EndFIN     End = "fin"  // orderly close (EOF)
	EndRST     End = "rst"  // connection reset
	EndUnknown End = "unknown"
)

// Response is one framed response as observed on the wire.
type Response struct {
	Status  int
	Proto   string
	Headers [][2]string // in order, as received
	BodyLen int64
	Framing string        // "content-length", "chunked", "close", "none"
	At      time.Duration // when its last byte arrived, since the replay started

	BodyStart []byte // the first bytes of the content (at most 64; chunked decoded)
}

// Observed is what the runner saw for one replay of a case.
type Observed struct {
	Responses []Response
	End       End
	Sent      []byte // bytes written (including any canary)
	Received  []byte // bytes read, raw
	Elapsed   time.Duration
	Note      string // problems framing the responses, split disagreements, ...

	Interim  []Response // 1xx responses other than 101, not counted in Responses
	Unframed int        // received bytes that belong to no complete response
	Split    int        // the byte offset this replay was split at (0: whole)
	Err      string     // runner failure (dial, TLS handshake); verdict Error
}

// Result is the outcome of one case against one target.
type Result struct {
	Case     corpus.Case
	Target   string
	Verdict  Verdict
	Observed Observed
	Reason   string // why the verdict, in one line

	Replays int // connections used: the whole replay plus every split replay

	// Chain is set in a chain run (RunChain): what the client meant, what
	// reached the recording origin behind the front end, and the findings.
	Chain *Chain
}

// Run is a whole run against one target.
type Run struct {
	Target string
	TLS    bool
	Origin string // chain run: the recording origin's address behind the front end at Target
	Prefix string // the path the fixture was served under (Config.Prefix); "" for /
	Server string // the target's Server response field, from the preflight or the first response carrying one

	// Set by the caller, for the reports: what graded, with what.
	Grader    string // the grader's version ("ferrox v1.2.3", "dev")
	CorpusRev string // corpus.Revision() of the cases run
	Options   string // the run's options, one line (the command's flags)
	Started   time.Time
	Duration  time.Duration
	Results   []Result // in corpus order (deterministic)
}
