package loadtest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// idle opens N keep-alive connections (gradually, SlowRampPerSec), sends one
// GET on each and reads the answer, lets them idle for Duration, then probes
// each with a second GET: a connection the server still holds answers it.
// With a PID it reads the target's VmRSS before and after opening them.
func idle(ctx context.Context, c *Config, res *Result) {
	n := c.connCap(c.SlowConns, res)
	res.Notes = append(res.Notes, c.slowSourceNote())
	st := &IdleStats{IdleConns: n, HoldMS: ms(c.Duration)}
	var err error
	if c.PID > 0 {
		if st.RSSKiBBefore, err = vmRSS(c.PID); err != nil {
			res.Notes = append(res.Notes, "rss: "+err.Error())
		}
	}
	conns := make([]*idleConn, n)
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		lat []time.Duration
		p   = Phase{Name: "idle", Legit: true, StatusCodes: map[string]int{}, Errors: []string{}}
	)
	errSeen := map[string]bool{}
	addErr := func(e string) {
		if !errSeen[e] && len(p.Errors) < maxErrors {
			errSeen[e] = true
			p.Errors = append(p.Errors, e)
		}
	}
	perTick := max(1, (c.SlowRampPerSec+99)/100)
	t := time.NewTicker(10 * time.Millisecond)
	began := time.Now()
	for i := 0; i < n && ctx.Err() == nil; i++ {
		if i > 0 && i%perTick == 0 {
			select {
			case <-t.C:
			case <-ctx.Done():
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			ic, d, code, err := openIdle(ctx, c, i)
			mu.Lock()
			defer mu.Unlock()
			p.Requests++
			p.StatusCodes[strconv.Itoa(code)]++
			if err != nil {
				addErr(err.Error())
				return
			}
			conns[i] = ic
			c.Live.addSlow(1)
			lat = append(lat, d)
		}()
	}
	t.Stop()
	wg.Wait()
	opened := time.Since(began)
	defer func() {
		for _, ic := range conns {
			if ic != nil {
				ic.nc.Close()
				c.Live.addSlow(-1)
			}
		}
	}()
	if p.Requests > 0 {
		p.Success = float64(len(lat)) / float64(p.Requests)
		p.Rate = float64(p.Requests) / max(opened.Seconds(), 1e-3)
		p.Throughput = float64(len(lat)) / max(opened.Seconds(), 1e-3)
	}
	if len(lat) > 0 {
		median(lat) // sorts
		q := func(f float64) float64 { return ms(lat[min(len(lat)-1, int(f*float64(len(lat))))]) }
		p.P50MS, p.P90MS, p.P95MS, p.P99MS, p.MaxMS = q(0.5), q(0.9), q(0.95), q(0.99), ms(lat[len(lat)-1])
		var sum time.Duration
		for _, d := range lat {
			sum += d
		}
		p.MeanMS = ms(sum / time.Duration(len(lat)))
		var h Histogram
		for _, d := range lat {
			h.Record(d)
		}
		p.Latency = h.Seal()
		p.FirstSend, p.LastSend = began, began.Add(opened)
	}
	if c.PID > 0 {
		if st.RSSKiBAfter, err = vmRSS(c.PID); err != nil {
			res.Notes = append(res.Notes, "rss: "+err.Error())
		} else if len(lat) > 0 {
			st.RSSKiBPerConn = float64(st.RSSKiBAfter-st.RSSKiBBefore) / float64(len(lat))
		}
	}
	select {
	case <-time.After(c.Duration):
	case <-ctx.Done():
	}
	// Probe every connection still open on our side.
	var held sync.WaitGroup
	var heldN int
	for _, ic := range conns {
		if ic == nil {
			continue
		}
		held.Add(1)
		go func() {
			defer held.Done()
			if _, err := ic.get(c); err == nil {
				mu.Lock()
				heldN++
				mu.Unlock()
			}
		}()
	}
	held.Wait()
	st.Held = heldN
	p.IdleStats = st
	if note, capped := idleCapped(conns, len(lat), c.slowSourceCount()); capped {
		// The opening requests measured the server's limit, not a failure
		// of legitimate traffic: inconclusive rather than failed.
		p.Legit = false
		res.SlowCapped = true
		res.Notes = append(res.Notes, note)
	}
	res.Phases = append(res.Phases, p)
}

// idleConn is one keep-alive connection with its reader.
type idleConn struct {
	nc net.Conn
	br *bufio.Reader
}

func openIdle(ctx context.Context, c *Config, i int) (*idleConn, time.Duration, int, error) {
	d := c.slowDialer(i)
	start := time.Now()
	nc, err := d.DialContext(ctx, "tcp", c.dialAddr())
	if err != nil {
		return nil, 0, 0, err
	}
	ic := &idleConn{nc: nc, br: bufio.NewReaderSize(nc, 4096)}
	code, err := ic.get(c)
	if err != nil {
		nc.Close()
		return nil, 0, code, err
	}
	return ic, time.Since(start), code, nil
}

// get sends one GET and reads the whole response within Timeout; a
// non-2xx/3xx answer is an error too.
func (ic *idleConn) get(c *Config) (int, error) {
	ic.nc.SetDeadline(time.Now().Add(c.Timeout))
	defer ic.nc.SetDeadline(time.Time{})
	req := "GET " + c.requestURIs()[0] + " HTTP/1.1\r\nHost: " + c.Target.Host + "\r\nUser-Agent: ferrox-load/idle\r\n\r\n"
	if _, err := io.WriteString(ic.nc, req); err != nil {
		return 0, err
	}
	resp, err := http.ReadResponse(ic.br, nil)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode < 200 || resp.StatusCode >= 400 {
		return resp.StatusCode, fmt.Errorf("status %d", resp.StatusCode)
	}
	if resp.Close {
		return resp.StatusCode, fmt.Errorf("server closes the connection after the response")
	}
	return resp.StatusCode, nil
}

// vmRSS reads the resident set size of a process in KiB from
// /proc/PID/status.
func vmRSS(pid int) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(v)
			if len(f) == 0 {
				break
			}
			return strconv.ParseInt(f[0], 10, 64)
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

// idleCapped reports whether the server refused most of the idle
// connections (fewer than 90% but some opened: a limit, not a broken
// target; see SlowStats.capped) and says so,
// with the most opened from one of the sources addresses.
func idleCapped(conns []*idleConn, opened, sources int) (string, bool) {
	n := len(conns)
	if n == 0 || opened == 0 || opened*10 >= n*9 {
		return "", false
	}
	bySrc := make([]int, sources)
	for i, ic := range conns {
		if ic != nil {
			bySrc[i%sources]++
		}
	}
	perSrc := slices.Max(bySrc)
	if sources <= 1 {
		return fmt.Sprintf("CAPPED: the server capped you at %d from one address: this measures its per-IP limit, not its idle-connection capacity (%d of %d idle connections opened; spread them over more addresses with --slow-sources)",
			opened, opened, n), true
	}
	return fmt.Sprintf("CAPPED: the server capped you at %d idle connections (at most %d from one of %d addresses): this measures its connection limit, not its idle-connection capacity (%d of %d opened)",
		opened, perSrc, sources, opened, n), true
}
