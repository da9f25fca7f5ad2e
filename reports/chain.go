package reports

import (
	"html/template"
	"strconv"
	"strings"

	"github.com/ferrox/ferrox/conformance"
)

// htmlChain is a chain result laid out for the page: findings, what the
// client meant, and per upstream connection the bytes the front end
// forwarded with the origin's strict framing of them, beside the client's
// bytes.
type htmlChain struct {
	Sent      template.HTML // the client's bytes
	SentLen   int
	Expect    string
	Findings  []conformance.Finding
	Intent    []htmlIntent
	Hidden    string
	Upstreams []htmlUpstream
}

type htmlIntent struct {
	N       int
	Class   string
	Reason  string
	Method  string
	Target  string
	Bytes   string
	BodyLen int64
	Origin  string // the tag of the forwarded request tied to it, "" when none reached the origin
}

type htmlUpstream struct {
	Conn     int
	Len      int
	Raw      template.HTML
	Requests []conformance.Message
	Reject   string
	Closed   string
	Pending  int
}

func chainView(r *conformance.Result) *htmlChain {
	ch := r.Chain
	if ch == nil {
		return nil
	}
	v := &htmlChain{Sent: wireHTML(r.Observed.Sent), SentLen: len(r.Observed.Sent), Expect: strings.Join(conformance.ChainExpect(&r.Case), " | "), Findings: ch.Findings}
	tagOf := map[int]string{}
	for tag, j := range ch.Matched {
		tagOf[j] = tag
	}
	for j, m := range ch.Intent.Messages {
		v.Intent = append(v.Intent, htmlIntent{
			N: j + 1, Class: m.Class, Reason: m.Reason, Method: m.Method, Target: m.Target,
			Bytes: strconv.Itoa(m.Start) + "–" + strconv.Itoa(m.End), BodyLen: m.BodyLen, Origin: tagOf[j],
		})
	}
	switch ch.Intent.HiddenWhy {
	case "framing":
		v.Hidden = "no request begins at or after byte " + strconv.Itoa(ch.Intent.Hidden) + ": the framing before it is in doubt"
	case "close":
		v.Hidden = "no request may follow byte " + strconv.Itoa(ch.Intent.Hidden) + ": the message before it closes the connection"
	}
	for _, u := range ch.Upstreams {
		hu := htmlUpstream{Conn: u.Conn, Len: len(u.Raw), Raw: wireHTML(u.Raw), Requests: u.Requests, Closed: u.Closed, Pending: u.Pending}
		if u.Reject != "" {
			hu.Reject = u.Reject + " at byte " + strconv.Itoa(u.RejectAt) + " (" + strconv.Itoa(u.RejectStatus) + ")"
		}
		v.Upstreams = append(v.Upstreams, hu)
	}
	return v
}

// chainFindingsText lists the findings one per line for Markdown and JUnit.
func chainFindingsText(r *conformance.Result) []string {
	if r.Chain == nil {
		return nil
	}
	var out []string
	for _, f := range r.Chain.Findings {
		s := string(f.Severity) + " " + f.Kind + ": " + f.Detail
		if f.Conn > 0 {
			s += " [c" + strconv.Itoa(f.Conn)
			if f.Seq > 0 {
				s += " r" + strconv.Itoa(f.Seq)
			}
			s += "]"
		}
		out = append(out, s)
	}
	return out
}

// forwardedSummary says in one line what reached the origin.
func forwardedSummary(r *conformance.Result) string {
	if r.Chain == nil {
		return ""
	}
	n, conns := 0, len(r.Chain.Upstreams)
	var rej []string
	for _, u := range r.Chain.Upstreams {
		n += len(u.Requests)
		if u.Reject != "" {
			rej = append(rej, u.Reject)
		}
	}
	s := strconv.Itoa(n) + " request(s) on " + strconv.Itoa(conns) + " upstream connection(s)"
	if len(rej) > 0 {
		s += "; the origin refused: " + strings.Join(rej, ", ")
	}
	return s
}

// chainDetailTmpl lays out a chain result (htmlChain) for a person: what
// the case expects, the findings, what the client meant, and the client's
// bytes beside each upstream connection's forwarded bytes. The conformance
// page and the chain matrix both use it.
const chainDetailTmpl = `{{define "chaindetail"}}<dl class="kv"><dt>Chain expects</dt><dd class="mono">{{.Expect}}</dd>{{if .Hidden}}<dt>Client stream</dt><dd>{{.Hidden}}</dd>{{end}}</dl>
{{if .Findings}}<ul class="findings">{{range .Findings}}<li><span class="badge v-{{.Severity}}">{{.Severity}}</span> <b class="mono">{{.Kind}}</b> {{.Detail}}{{if .Conn}} <span class="pill mono">c{{.Conn}}{{if .Seq}} r{{.Seq}}{{end}}</span>{{end}}</li>{{end}}</ul>{{end}}
<table><thead><tr><th>#</th><th>Client meant</th><th>Class</th><th>Bytes</th><th class="n">Body</th><th>Reached the origin as</th></tr></thead><tbody>
{{range .Intent}}<tr><td>{{.N}}</td><td class="mono">{{.Method}} {{.Target}}</td><td>{{.Class}}{{if .Reason}} <span class="count mono">{{.Reason}}</span>{{end}}</td><td class="mono">{{.Bytes}}</td><td class="n">{{.BodyLen}}</td><td class="mono">{{if .Origin}}{{.Origin}}{{else}}<span class="count">—</span>{{end}}</td></tr>
{{end}}</tbody></table>
<div class="side">
<div><h3>Client sent ({{.SentLen}} bytes)</h3><pre class="wire">{{.Sent}}</pre></div>
<div>{{range .Upstreams}}<h3>Forwarded on upstream c{{.Conn}} ({{.Len}} bytes, {{if .Closed}}closed by {{.Closed}}{{else}}kept open for reuse{{end}})</h3><pre class="wire">{{.Raw}}</pre>
<ul class="hdrs mono">{{range .Requests}}<li>{{.Tag}}: {{.Method}} {{.Target}} · {{.Framing}} · body {{.BodyLen}} · bytes {{.Start}}–{{.End}}</li>{{end}}{{if .Reject}}<li class="bad">refused: {{.Reject}}</li>{{end}}{{if .Pending}}<li>{{.Pending}} bytes of an incomplete message</li>{{end}}</ul>
{{else}}<h3>Forwarded</h3><p class="count">Nothing reached the origin.</p>{{end}}</div>
</div>{{end}}`
