package conformance

import (
	"context"
	"net"
	"strings"
	"time"

	"github.com/ferrox/ferrox/corpus"
)

const maxReceived = 1 << 20 // raw bytes kept per replay

// replay sends one case over a fresh connection (whole, or split at byte
// offset split of Raw) and reads until the server closes, the expected
// responses arrived and the line stayed quiet for cfg.Idle, a read timed
// out, or the per-case deadline passed.
func replay(ctx context.Context, cfg *Config, c *corpus.Case, refs []reqInfo, split int) Observed {
	obs := Observed{Split: split, End: EndUnknown}
	sent := append([]byte(nil), c.Raw...)
	if c.Canary {
		sent = append(sent, cfg.canaryFor(c)...)
	}
	obs.Sent = sent
	if ctx.Err() != nil {
		obs.Err = "not run: " + ctx.Err().Error()
		return obs
	}
	start := time.Now()
	conn, err := dial(ctx, cfg)
	if err != nil {
		obs.Err = "dial: " + err.Error()
		obs.Elapsed = time.Since(start)
		return obs
	}
	defer conn.Close()
	// Cancellation interrupts a blocked read or write at once.
	defer context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })()

	// Per-case deadline: the send time of a paced case plus a few read
	// timeouts.
	limit := start.Add(4*cfg.Timeout + paceDuration(c, len(sent), cfg.MaxPace))
	if dl, ok := ctx.Deadline(); ok && dl.Before(limit) {
		limit = dl
	}
	_ = conn.SetWriteDeadline(limit)

	stop := make(chan struct{})
	wdone := make(chan error, 1)
	go func() { wdone <- send(conn, c, sent, split, cfg.MaxPace, stop) }()
	defer close(stop)

	expected := len(refs)
	if c.Canary {
		expected++
	}
	idle := cfg.Idle
	if split > 0 && idle > 100*time.Millisecond {
		// Split replays are judged by outcome only; a shorter quiet period
		// keeps a 300-replay case affordable.
		idle = 100 * time.Millisecond
	}
	methodOf := func(i int) string {
		if i < len(refs) && refs[i].Method != "" {
			return refs[i].Method
		}
		return "GET"
	}

	var fr framer
	var werr error
	writing := true
	buf := make([]byte, 32<<10)
	var notes []string
	for {
		if writing {
			select {
			case werr = <-wdone:
				writing = false
			default:
			}
		}
		wait := cfg.Timeout
		if satisfied(c, &fr, expected) {
			wait = idle
		}
		now := time.Now()
		if !now.Before(limit) {
			obs.End = EndOpen
			notes = append(notes, "per-case deadline passed")
			break
		}
		_ = conn.SetReadDeadline(deadlineFrom(now, wait, limit))
		n, err := conn.Read(buf)
		if n > 0 {
			if room := maxReceived - len(obs.Received); room > 0 {
				obs.Received = append(obs.Received, buf[:min(n, room)]...)
			}
			before := len(fr.final) + len(fr.interim)
			fr.feed(buf[:n])
			fr.advance(methodOf, false)
			stamp(&fr, before, time.Since(start))
		}
		if err == nil {
			continue
		}
		if isTimeout(err) {
			if writing {
				select {
				case werr = <-wdone:
					writing = false
				default:
				}
			}
			if writing && !satisfied(c, &fr, expected) && time.Now().Before(limit) {
				continue // still sending: the server may be waiting for bytes
			}
			obs.End = EndOpen
			break
		}
		obs.End = classifyEnd(err)
		if obs.End == EndUnknown {
			notes = append(notes, "read: "+err.Error())
		}
		break
	}
	// The stream is over for framing purposes: a close-delimited body ends here.
	before := len(fr.final) + len(fr.interim)
	fr.advance(methodOf, true)
	stamp(&fr, before, time.Since(start))
	if fr.err != nil {
		notes = append(notes, "framing: "+fr.err.Error())
	}
	if writing {
		select {
		case werr = <-wdone:
		default:
		}
	}
	if werr != nil && classifyEnd(werr) != EndRST {
		notes = append(notes, "write: "+werr.Error())
	}
	obs.Responses = fr.final
	obs.Interim = fr.interim
	obs.Unframed = fr.unframed()
	obs.Elapsed = time.Since(start)
	obs.Note = strings.Join(notes, "; ")
	return obs
}

// stamp records the arrival time on responses framed since before.
func stamp(fr *framer, before int, at time.Duration) {
	all := len(fr.final) + len(fr.interim)
	if all == before {
		return
	}
	for i := range fr.final {
		if fr.final[i].At == 0 {
			fr.final[i].At = at
		}
	}
	for i := range fr.interim {
		if fr.interim[i].At == 0 {
			fr.interim[i].At = at
		}
	}
}

// satisfied reports whether reading may stop after a quiet period: every
// expected response arrived, or framing failed. When the first response can
// only pass if the server then closes, it is never satisfied: the runner
// waits a full read timeout for the close.
func satisfied(c *corpus.Case, fr *framer, expected int) bool {
	if fr.err != nil || fr.switched {
		return true
	}
	if len(fr.final) == 0 {
		return false
	}
	if onlyCloseOutcomes(c, fr.final[0].Status) {
		return false
	}
	return len(fr.final) >= expected
}

// paceDuration is how long a paced send takes (bounded by maxPace).
func paceDuration(c *corpus.Case, n int, maxPace time.Duration) time.Duration {
	if c.Mode != corpus.SendPaced || c.PaceMS <= 0 {
		return 0
	}
	d := time.Duration(n) * time.Duration(c.PaceMS) * time.Millisecond
	return min(d, maxPace)
}

// send writes the bytes: at once, in two writes at offset split, or paced.
// With TCP_NODELAY each Write leaves as its own segment; no sleep is used to
// separate the two halves of a split (the server must cope with any
// segmentation, so coalescing is harmless, only less probing).
func send(conn net.Conn, c *corpus.Case, sent []byte, split int, maxPace time.Duration, stop <-chan struct{}) error {
	var err error
	switch {
	case split > 0 && split < len(sent):
		if _, err = conn.Write(sent[:split]); err == nil {
			_, err = conn.Write(sent[split:])
		}
	case c.Mode == corpus.SendPaced && c.PaceMS > 0:
		err = sendPaced(conn, sent, time.Duration(c.PaceMS)*time.Millisecond, maxPace, stop)
	default:
		_, err = conn.Write(sent)
	}
	if err != nil {
		return err
	}
	if c.HalfClose {
		return closeWrite(conn)
	}
	return nil
}

// sendPaced writes one byte per pace interval; when that would take longer
// than maxPace it writes several bytes per interval instead.
func sendPaced(conn interface {
	Write([]byte) (int, error)
}, sent []byte, pace, maxPace time.Duration, stop <-chan struct{}) error {
	per := 1
	if total := time.Duration(len(sent)) * pace; total > maxPace && maxPace > 0 {
		per = int((total + maxPace - 1) / maxPace)
	}
	t := time.NewTicker(pace)
	defer t.Stop()
	for i := 0; i < len(sent); i += per {
		if i > 0 {
			select {
			case <-t.C:
			case <-stop:
				return nil
			}
		}
		if _, err := conn.Write(sent[i:min(i+per, len(sent))]); err != nil {
			return err
		}
	}
	return nil
}
