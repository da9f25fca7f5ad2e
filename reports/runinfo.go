package reports

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ferrox/ferrox/conformance"
	"github.com/ferrox/ferrox/corpus"
)

// fact is one line of what graded what, with what: every report format
// carries the same facts (runFacts), under Name for people and Key for
// machines (JSON field, JUnit property).
type fact struct {
	Name, Key, Value string
}

// runFacts lists the run's provenance in report order. Unknown values are
// "" (the renderers show a dash).
func runFacts(run *conformance.Run) []fact {
	fs := []fact{
		{"Grader", "grader", run.Grader},
		{"Corpus revision", "corpus_revision", run.CorpusRev},
		{"Target", "target", run.Target},
		{"Server header", "server", run.Server},
		{"Fixture prefix", "prefix", fixtureFact(run)},
		{"TLS", "tls", strconv.FormatBool(run.TLS)},
		{"Options", "options", run.Options},
	}
	if run.Origin != "" {
		fs = append(fs, fact{"Recording origin", "origin", run.Origin})
	}
	return fs
}

// FixtureWhere says where the run found the fixture: prefix is the path it
// is served under ("/", "/ferrox/"); used is false when every case graded
// is fixture-free (--no-fixture, or a selection of message cases only), so
// that no report claims a fixture that was never asked for: the message
// cases were sent to prefix.
func FixtureWhere(run *conformance.Run) (prefix string, used bool) {
	prefix = run.Prefix
	if prefix == "" {
		prefix = "/"
	}
	if len(run.Results) == 0 {
		return prefix, true
	}
	for _, r := range run.Results {
		if !r.Case.FixtureFree {
			return prefix, true
		}
	}
	return prefix, false
}

// fixtureFact is the Fixture prefix fact's value: the prefix, or "none
// (message cases at /)".
func fixtureFact(run *conformance.Run) string {
	prefix, used := FixtureWhere(run)
	if !used {
		return "none (message cases at " + prefix + ")"
	}
	return prefix
}

// orDash shows an unknown value as a dash.
func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// rfcURL links an RFC section name ("RFC9112 6.1", "RFC9110 13.1.2") to
// its anchor on rfc-editor.org; "" when the name is not of that form.
func rfcURL(section string) string {
	num, sec, ok := strings.Cut(section, " ")
	num, isRFC := strings.CutPrefix(num, "RFC")
	if !ok || !isRFC || num == "" || sec == "" || !allDigitsDots(num) || !allDigitsDots(sec) {
		return ""
	}
	return "https://www.rfc-editor.org/rfc/rfc" + num + "#section-" + sec
}

func allDigitsDots(s string) bool {
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && s[i] != '.' {
			return false
		}
	}
	return s != "" && s[0] != '.' && s[len(s)-1] != '.'
}

// requirementSections maps requirement ids to their RFC section
// (corpus/requirements.txt).
var requirementSections = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	rs, err := corpus.Requirements()
	if err != nil {
		return m
	}
	for _, r := range rs {
		m[r.ID] = r.Section
	}
	return m
})

// requirementURL links a requirement id to the RFC section it paraphrases:
// from the requirement list, else from an id of the form "9112-6.1-...".
func requirementURL(id string) string {
	if s, ok := requirementSections()[id]; ok {
		return rfcURL(s)
	}
	num, rest, ok := strings.Cut(id, "-")
	sec, _, _ := strings.Cut(rest, "-")
	if !ok {
		return ""
	}
	return rfcURL("RFC" + num + " " + sec)
}

// humanDuration prints a duration for people: 850 µs, 4.2 ms, 340 ms,
// 1.2 s, 2 min 05 s.
func humanDuration(d time.Duration) string {
	switch {
	case d < 0:
		return "–"
	case d < time.Millisecond:
		return fmt.Sprintf("%d µs", d.Microseconds())
	case d < 10*time.Millisecond:
		return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64) + " ms"
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	case d < time.Minute:
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " s"
	}
	s := int(d.Round(time.Second).Seconds())
	return fmt.Sprintf("%d min %02d s", s/60, s%60)
}

// reproCommand is the ferrox command that re-runs one case with verbose
// output against the same target.
func reproCommand(run *conformance.Run, r *conformance.Result) string {
	var b strings.Builder
	b.WriteString("ferrox conform ")
	if run.Origin != "" {
		b.WriteString("--via " + run.Target + " --origin " + run.Origin)
	} else {
		b.WriteString("--target " + run.Target)
	}
	if run.TLS {
		b.WriteString(" --tls --insecure")
	}
	if run.Prefix != "" && run.Prefix != "/" {
		b.WriteString(" --prefix " + run.Prefix)
	}
	if r.Case.FixtureFree {
		b.WriteString(" --no-fixture")
	}
	b.WriteString(" --cases " + r.Case.ID + " -v")
	return b.String()
}

// maxOneLiner bounds the bytes a raw one-liner carries; bigger cases point
// to the JSON report's base64 instead.
const maxOneLiner = 4096

// rawOneLiner is a shell line that sends the exact bytes of the replay
// shown (case and canary, whole) and prints the answer, with bash's
// /dev/tcp (no nc needed) or, over TLS, openssl s_client. "" when the
// bytes are too many for a command line.
func rawOneLiner(run *conformance.Run, r *conformance.Result) string {
	sent := r.Observed.Sent
	if len(sent) == 0 || len(sent) > maxOneLiner {
		return ""
	}
	host, port, err := net.SplitHostPort(run.Target)
	if err != nil {
		return ""
	}
	data := printfQuote(sent)
	if run.TLS {
		return fmt.Sprintf("(printf '%s'; sleep 3) | openssl s_client -quiet -connect %s -servername localhost 2>/dev/null", data, net.JoinHostPort(host, port))
	}
	return fmt.Sprintf("(exec 3<>/dev/tcp/%s/%s; printf '%s' >&3; timeout 3 cat <&3)", host, port, data)
}

// printfQuote writes b as the format of a single-quoted printf: printable
// ASCII as itself ("%" doubled, "\" escaped, "'" as \x27), CR, LF and TAB
// as \r \n \t, every other byte as \xHH.
func printfQuote(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		switch {
		case c == '%':
			s.WriteString("%%")
		case c == '\\':
			s.WriteString(`\\`)
		case c == '\'':
			s.WriteString(`\x27`)
		case c == '\r':
			s.WriteString(`\r`)
		case c == '\n':
			s.WriteString(`\n`)
		case c == '\t':
			s.WriteString(`\t`)
		case c >= 0x20 && c < 0x7f:
			s.WriteByte(c)
		default:
			fmt.Fprintf(&s, `\x%02x`, c)
		}
	}
	return s.String()
}
