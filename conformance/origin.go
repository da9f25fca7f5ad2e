package conformance

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/ferrox/ferrox/parser"
)

// OriginHeader names the field the recording origin puts on every response
// it sends: "c<conn> r<seq>", the upstream connection (numbered from 1 over
// the origin's life) and the request's place on it (from 1). A client that
// receives it through a front end knows which forwarded request it answers.
const OriginHeader = "X-Ferrox-Origin"

// maxUpstreamBytes bounds the raw bytes kept per upstream connection.
const maxUpstreamBytes = 1 << 20

// Upstream is what the recording origin saw on one connection from the
// front end: the raw bytes, the requests it framed strictly, and how the
// stream ended.
type Upstream struct {
	Conn     int       `json:"conn"`
	Raw      []byte    `json:"raw"`
	Requests []Message `json:"requests,omitempty"`
	// Reject is the strict parser's rejection of the bytes at RejectAt
	// (a stable reason token and the status the origin answered), empty
	// when everything received framed cleanly.
	Reject       string `json:"reject,omitempty"`
	RejectStatus int    `json:"reject_status,omitempty"`
	RejectAt     int    `json:"reject_at,omitempty"`
	// Pending is the number of bytes after the last framed request that do
	// not (yet) make a message: a head or body cut short.
	Pending int `json:"pending,omitempty"`
	// Closed says who ended the connection: "front end", "origin" (after a
	// rejection or a request asking to close), or "runner" (still open when
	// the case ended).
	Closed string `json:"closed"`
}

// Origin is the recording origin placed behind a front end in a chain run.
// It accepts the front end's upstream connections, keeps their raw bytes,
// frames them with the strict parser and answers every request it framed
// with a small 200 naming it (OriginHeader), a 100 Continue first when the
// request expects one, and a 400 when the bytes do not parse, after which it
// closes. Collect hands over what arrived since the last call.
type Origin struct {
	ln net.Listener

	mu     sync.Mutex
	conns  []*upstreamConn // since the last Collect
	nconn  int
	nreq   int           // requests framed over all connections (Message.Arrival)
	last   time.Time     // last accept or byte received
	wake   chan struct{} // closed and replaced on every activity
	closed bool
	wg     sync.WaitGroup

	// OnUpstream, when set before Serve, receives every upstream
	// connection's record when Collect hands it over (ferrox origin
	// --record writes them to files).
	OnUpstream func(Upstream)
}

type upstreamConn struct {
	nc  net.Conn
	rec Upstream // since the last Collect
	pos int      // offset in rec.Raw after the last framed request
	seq int      // requests framed over the connection's life
}

// ListenOrigin opens the recording origin's listener on addr
// ("127.0.0.1:0" picks a port). Call Serve to accept.
func ListenOrigin(addr string) (*Origin, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &Origin{ln: ln, wake: make(chan struct{}), last: time.Now()}, nil
}

// Addr is the address the front end must forward to.
func (o *Origin) Addr() string { return o.ln.Addr().String() }

// Serve accepts upstream connections until Close.
func (o *Origin) Serve() error {
	for {
		nc, err := o.ln.Accept()
		if err != nil {
			o.mu.Lock()
			closed := o.closed
			o.mu.Unlock()
			if closed {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return err
		}
		o.mu.Lock()
		if o.closed {
			o.mu.Unlock()
			nc.Close()
			return nil
		}
		o.nconn++
		u := &upstreamConn{nc: nc, rec: Upstream{Conn: o.nconn}}
		o.conns = append(o.conns, u)
		o.touchLocked()
		o.wg.Add(1)
		o.mu.Unlock()
		go o.handle(u)
	}
}

func (o *Origin) touchLocked() {
	o.last = time.Now()
	close(o.wake)
	o.wake = make(chan struct{})
}

// handle reads one upstream connection to its end, answering each request
// as soon as it is framed.
func (o *Origin) handle(u *upstreamConn) {
	defer o.wg.Done()
	defer u.nc.Close()
	buf := make([]byte, 32<<10)
	sent100 := -1 // the offset of the message a 100 Continue was sent for
	for {
		n, err := u.nc.Read(buf)
		o.mu.Lock()
		if n > 0 {
			if room := maxUpstreamBytes - len(u.rec.Raw); room > 0 {
				u.rec.Raw = append(u.rec.Raw, buf[:min(n, room)]...)
			}
			o.touchLocked()
		}
		var out []byte
		stop := false
		for !stop && u.pos < len(u.rec.Raw) {
			m, mn, ferr := frameOne(u.rec.Raw[u.pos:])
			switch {
			case ferr == nil:
				shift(&m, u.pos)
				u.seq++
				m.Tag = originTag(u.rec.Conn, u.seq)
				o.nreq++
				m.Arrival = o.nreq
				u.rec.Requests = append(u.rec.Requests, m)
				u.pos += mn
				out = appendOriginResponse(out, m.Tag, &m)
				if !m.KeepAlive {
					u.rec.Closed = "origin"
					stop = true
				}
			case errors.Is(ferr, parser.ErrNeedMore):
				stop = true
			case errors.Is(ferr, errHeadOnly):
				if m.Expect100 && sent100 != u.pos {
					sent100 = u.pos
					out = append(out, "HTTP/1.1 100 Continue\r\n\r\n"...)
				}
				stop = true
			default:
				var pe *parser.Error
				u.rec.RejectStatus = 400
				u.rec.Reject = ferr.Error()
				u.rec.RejectAt = u.pos
				if errors.As(ferr, &pe) {
					u.rec.Reject, u.rec.RejectStatus, u.rec.RejectAt = pe.Reason, pe.Status, u.pos+pe.Offset
				}
				out = appendOriginReject(out, originTag(u.rec.Conn, u.seq+1), u.rec.RejectStatus)
				u.rec.Closed = "origin"
				stop = true
			}
		}
		u.rec.Pending = len(u.rec.Raw) - u.pos
		if err != nil && u.rec.Closed == "" {
			u.rec.Closed = "front end"
		}
		done := u.rec.Closed != ""
		o.mu.Unlock()
		if len(out) > 0 {
			_ = u.nc.SetWriteDeadline(time.Now().Add(5 * time.Second))
			if _, werr := u.nc.Write(out); werr != nil {
				done = true
			}
		}
		if done {
			return
		}
	}
}

// shift moves a message's offsets from its own start to the stream's.
func shift(m *Message, base int) {
	m.Start += base
	m.HeadEnd += base
	m.End += base
}

func originTag(conn, seq int) string { return "c" + strconv.Itoa(conn) + " r" + strconv.Itoa(seq) }

// appendOriginResponse answers a framed request: 200, its tag in a field
// and in the body (no body for HEAD).
func appendOriginResponse(out []byte, tag string, m *Message) []byte {
	body := "origin " + tag + " " + m.Method + "\n"
	out = append(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"...)
	out = append(out, OriginHeader+": "+tag+"\r\n"...)
	out = append(out, "Content-Length: "+strconv.Itoa(len(body))+"\r\n"...)
	if !m.KeepAlive {
		out = append(out, "Connection: close\r\n"...)
	}
	out = append(out, "\r\n"...)
	if m.Method != "HEAD" {
		out = append(out, body...)
	}
	return out
}

// appendOriginReject answers bytes the strict parser rejects, then the
// origin closes.
func appendOriginReject(out []byte, tag string, status int) []byte {
	tag += " rejected"
	body := "origin " + tag + "\n"
	return fmt.Appendf(out, "HTTP/1.1 %d Bad Request\r\nContent-Type: text/plain\r\n%s: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
		status, OriginHeader, tag, len(body), body)
}

// Collect waits until the origin has been quiet (no new connection, no
// byte) for quiet, or until max has passed, and returns what every
// upstream connection carried since the last call, in order of arrival.
// A connection that ended cleanly between two requests stays open for the
// front end to reuse (its next bytes belong to the next Collect); one that
// holds an incomplete message or was refused is closed, so one case's
// leftovers cannot leak into the next case through a front end's pool.
func (o *Origin) Collect(quiet, max time.Duration) []Upstream {
	deadline := time.Now().Add(max)
	for {
		o.mu.Lock()
		wake, last := o.wake, o.last
		o.mu.Unlock()
		now := time.Now()
		if !now.Before(deadline) || now.Sub(last) >= quiet {
			break
		}
		t := time.NewTimer(min(quiet-now.Sub(last), deadline.Sub(now)))
		select {
		case <-wake:
		case <-t.C:
		}
		t.Stop()
	}
	o.mu.Lock()
	var out []Upstream
	var drop []*upstreamConn
	keep := o.conns[:0]
	for _, u := range o.conns {
		idle := u.rec.Closed == "" && u.pos == len(u.rec.Raw)
		if len(u.rec.Raw) > 0 {
			if !idle && u.rec.Closed == "" {
				u.rec.Closed = "runner" // before the close below, so the handler keeps it
			}
			rec := u.rec
			rec.Raw = append([]byte(nil), rec.Raw...)
			rec.Requests = append([]Message(nil), rec.Requests...)
			out = append(out, rec)
		}
		if idle {
			u.rec = Upstream{Conn: u.rec.Conn}
			u.pos = 0
			keep = append(keep, u)
		} else {
			drop = append(drop, u)
		}
	}
	clear(o.conns[len(keep):])
	o.conns = keep
	o.mu.Unlock()
	for _, u := range drop {
		u.nc.Close()
	}
	if o.OnUpstream != nil {
		for _, rec := range out {
			o.OnUpstream(rec)
		}
	}
	return out
}

// Close stops accepting, closes every connection and waits for their
// handlers.
func (o *Origin) Close() error {
	o.mu.Lock()
	o.closed = true
	conns := o.conns
	o.mu.Unlock()
	err := o.ln.Close()
	for _, u := range conns {
		u.nc.Close()
	}
	o.wg.Wait()
	return err
}
