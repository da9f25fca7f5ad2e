package loadtest

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// cutMode is how the test target ends a connection that is too slow.
type cutMode int

const (
	cut408 cutMode = iota
	cutClose
	cutReset
)

// target is a tiny raw HTTP/1.1 responder on a loopback listener: it reads
// request heads (and Content-Length bodies), answers 200 "ok" with
// keep-alive, and optionally cuts a request that is not complete within
// slowCut, or a connection idle for idleCut.
type target struct {
	slowCut  time.Duration
	idleCut  time.Duration
	mode     cutMode
	status   int // response status; default 200
	limit    int // answer 503 and close beyond this many open connections
	perIP    int // close at once beyond this many open connections from one address
	byIP     map[string]int
	open     atomic.Int64
	sources  sync.Map // remote IP string -> true
	accepted atomic.Int64

	reqs []seenReq // requests read, at most maxSeen

	ln    net.Listener
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns map[net.Conn]bool
}

func startTarget(t *testing.T, tg *target) *url.URL {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tg.ln = ln
	tg.conns = map[net.Conn]bool{}
	tg.wg.Add(1)
	go tg.serve()
	t.Cleanup(func() {
		ln.Close()
		tg.mu.Lock()
		for c := range tg.conns {
			c.Close()
		}
		tg.mu.Unlock()
		tg.wg.Wait()
	})
	return &url.URL{Scheme: "http", Host: ln.Addr().String()}
}

func (tg *target) serve() {
	defer tg.wg.Done()
	for {
		c, err := tg.ln.Accept()
		if err != nil {
			return
		}
		tg.accepted.Add(1)
		if ta, ok := c.RemoteAddr().(*net.TCPAddr); ok {
			tg.sources.Store(ta.IP.String(), true)
		}
		ip := ""
		if ta, ok := c.RemoteAddr().(*net.TCPAddr); ok {
			ip = ta.IP.String()
		}
		if tg.perIP > 0 {
			tg.mu.Lock()
			if tg.byIP == nil {
				tg.byIP = map[string]int{}
			}
			over := tg.byIP[ip] >= tg.perIP
			if !over {
				tg.byIP[ip]++
			}
			tg.mu.Unlock()
			if over {
				c.Close()
				continue
			}
		}
		if n := tg.open.Add(1); tg.limit > 0 && n > int64(tg.limit) {
			io.WriteString(c, "HTTP/1.1 503 Busy\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
			c.Close()
			tg.open.Add(-1)
			continue
		}
		tg.mu.Lock()
		tg.conns[c] = true
		tg.mu.Unlock()
		tg.wg.Add(1)
		go func() {
			defer tg.wg.Done()
			tg.handle(c)
			tg.open.Add(-1)
			tg.mu.Lock()
			delete(tg.conns, c)
			if tg.perIP > 0 {
				tg.byIP[ip]--
			}
			tg.mu.Unlock()
		}()
	}
}

func (tg *target) handle(c net.Conn) {
	defer c.Close()
	br := bufio.NewReader(c)
	long := 10 * time.Second
	for {
		// Idle wait for the first byte of the next request.
		c.SetReadDeadline(time.Now().Add(cmpDur(tg.idleCut, long)))
		if _, err := br.Peek(1); err != nil {
			return
		}
		c.SetReadDeadline(time.Now().Add(cmpDur(tg.slowCut, long)))
		req, err := readRequest(br)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() && tg.slowCut > 0 {
				tg.cut(c)
			}
			return
		}
		tg.mu.Lock()
		if len(tg.reqs) < maxSeen {
			tg.reqs = append(tg.reqs, req)
		}
		tg.mu.Unlock()
		status := tg.status
		if status == 0 {
			status = 200
		}
		resp := "HTTP/1.1 " + strconv.Itoa(status) + " X\r\nContent-Length: 2\r\n\r\nok"
		if _, err := io.WriteString(c, resp); err != nil || req.closeAfter {
			return
		}
	}
}

func (tg *target) cut(c net.Conn) {
	switch tg.mode {
	case cut408:
		io.WriteString(c, "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
	case cutReset:
		c.(*net.TCPConn).SetLinger(0)
	}
}

func cmpDur(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// maxSeen bounds the requests a target records.
const maxSeen = 10000

// seenReq is one request as the target read it.
type seenReq struct {
	method, target string
	header         map[string]string // lower-case name -> last value
	body           string
	closeAfter     bool // the client asked to close
}

// requests returns a copy of the requests read so far.
func (tg *target) requests() []seenReq {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return append([]seenReq(nil), tg.reqs...)
}

// readRequest reads one head and its Content-Length body.
func readRequest(br *bufio.Reader) (seenReq, error) {
	req := seenReq{header: map[string]string{}}
	n := 0
	for i := 0; ; i++ {
		if i > 1000 {
			return req, errors.New("head too long")
		}
		line, err := br.ReadString('\n')
		if err != nil {
			return req, err
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			break
		}
		if i == 0 {
			f := strings.Fields(line)
			if len(f) == 3 {
				req.method, req.target = f[0], f[1]
			}
			continue
		}
		k, v, _ := strings.Cut(line, ":")
		v = strings.TrimSpace(v)
		req.header[strings.ToLower(k)] = v
		switch strings.ToLower(k) {
		case "content-length":
			n, _ = strconv.Atoi(v)
		case "connection":
			req.closeAfter = strings.EqualFold(v, "close")
		}
	}
	var body strings.Builder
	_, err := io.CopyN(&body, br, int64(n))
	req.body = body.String()
	return req, err
}
