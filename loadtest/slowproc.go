package loadtest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os/exec"
	"sync"
	"time"
)

// The slow clients in a process of their own.
//
// The slow engine holds a goroutine per connection, and Go's garbage
// collector scans every goroutine's stack in its mark phase; on a load
// generator pinned to one CPU the goroutines measuring the legitimate
// requests wait it out. Measured on the 2-core VM, 10 000 slowloris
// connections against Ferrox with its 10 s header timeout: the
// generator's collection ran every 1.6 s with a 38 ms mark phase, and
// every one showed up as a stall of 20–60 ms in the legitimate latency
// (p99 under attack 16–20 ms in three runs); against nginx, which holds
// the connections, the attacker reconnects and allocates less, so its
// collections came every 2.9 s and its p99 was 7–9 ms (two runs). With
// the slow clients in a worker process the same setup measured 3.3 ms
// and 2.1 ms: the difference had been the load generator's more than the
// servers'. So when Config.SlowWorker is set (ferrox load sets it),
// slowloris and slowbody run their slow connections in the process it
// starts, and the legitimate traffic has this one to itself.
//
// A process of its own is not yet a CPU of its own: where the server
// cuts slow connections and the attacker reconnects (Ferrox's 10 s
// header timeout against 2 000 connections: 200 a second, in waves), the
// worker's bursts of work delayed the measured requests on the CPU they
// share. So the worker runs at idle CPU priority (yieldCPU; SCHED_IDLE on
// Linux), which a waking measured request preempts at once. Seven runs
// each, 2 000 connections, the servers' defaults (bench-compare, the
// generator's build alternating): the median legitimate p99 under attack
// went 1.17 → 0.82 ms for nginx; for Ferrox only 1.49 → 1.39 ms, the
// rest being the server's own (see nestHeads). At 10 000, fewer runs:
// about 3.2 ms for both before, 2.2–3.0 after. The attack kept its
// strength (6 000 connects, 2 000 held at once).
//
// The protocol, one JSON value per line: the job (slowJob) on the
// worker's standard input; then events on its standard output: the open
// count as it changes (every 100 ms at most, for Live), "ramped" once all
// the connections were started, and the statistics at the end. The
// worker stops when its standard input ends (this process closed it, or
// died).

// slowJob is what the worker needs of the Config, resolved.
type slowJob struct {
	Kind           slowKind      `json:"kind"` // slowHeaders or slowBody
	N              int           `json:"n"`    // connections, after connCap
	Target         string        `json:"target"`
	Paths          []string      `json:"paths,omitempty"`
	Timeout        time.Duration `json:"timeout"`
	SlowConns      int           `json:"slow_conns"`
	SlowInterval   time.Duration `json:"slow_interval"`
	SlowRampPerSec int           `json:"slow_ramp_per_sec"`
	SlowReconnects int           `json:"slow_reconnects"`
	SlowSources    int           `json:"slow_sources"`
	SlowSameSource bool          `json:"slow_same_source,omitempty"`
	T0             time.Time     `json:"t0"` // the run's start: the origin of SlowOpenSeries
}

// slowEvent is one line of the worker's output.
type slowEvent struct {
	Open   *int64     `json:"open,omitempty"`
	Ramped bool       `json:"ramped,omitempty"`
	Stats  *SlowStats `json:"stats,omitempty"`
	Note   string     `json:"note,omitempty"` // for the run's report
}

// slowClients is a running slow engine, here or in a worker.
type slowClients interface {
	// ramped is closed once every connection was started (or the run
	// ended first).
	ramped() <-chan struct{}
	// stop ends the connections and returns what they saw, and notes
	// for the run's report.
	stop() (*SlowStats, []string, error)
}

// startSlow starts the n slow connections of kind: in a worker when
// c.SlowWorker is set and the worker starts, else here (the reason is
// then noted in res).
func startSlow(ctx context.Context, c *Config, kind slowKind, n int, res *Result) slowClients {
	if c.SlowWorker != nil {
		w, err := startSlowWorker(c, kind, n, res.Started)
		if err == nil {
			return w
		}
		res.Notes = append(res.Notes, "slow connections ran in the measuring process: "+err.Error())
	}
	return startSlowHere(ctx, c, kind, n, res.Started)
}

// slowHere runs the engine in this process.
type slowHere struct {
	eng    *slowEngine
	cancel context.CancelFunc
	done   chan struct{}
}

func startSlowHere(ctx context.Context, c *Config, kind slowKind, n int, t0 time.Time) *slowHere {
	h := &slowHere{eng: newSlowEngine(c, kind, n), done: make(chan struct{})}
	h.eng.startSeries(t0, time.Now())
	ctx, h.cancel = context.WithCancel(ctx)
	go func() {
		defer close(h.done)
		h.eng.run(ctx)
	}()
	return h
}

func (h *slowHere) ramped() <-chan struct{} { return h.eng.rampDone }

func (h *slowHere) stop() (*SlowStats, []string, error) {
	h.cancel()
	<-h.done
	return h.eng.result(), nil, nil
}

// slowWorker is the engine in a worker process.
type slowWorker struct {
	cmd      *exec.Cmd
	in       io.WriteCloser
	rampDone chan struct{}
	done     chan struct{} // the output ended
	stderr   bytes.Buffer  // the worker's errors (bounded, see limitWriter)

	// Set by the reader before done closes.
	stats *SlowStats
	notes []string
	err   error
}

// workerStopWait bounds the wait for a stopped worker's statistics: its
// connections close at once, so only a hung worker takes longer (it is
// killed).
const workerStopWait = 30 * time.Second

func startSlowWorker(c *Config, kind slowKind, n int, t0 time.Time) (*slowWorker, error) {
	job := slowJob{Kind: kind, N: n, Target: c.Target.String(), Paths: c.Paths, Timeout: c.Timeout,
		SlowConns: c.SlowConns, SlowInterval: c.SlowInterval, SlowRampPerSec: c.SlowRampPerSec,
		SlowReconnects: c.SlowReconnects, SlowSources: c.SlowSources, SlowSameSource: c.SlowSameSource, T0: t0}
	w := &slowWorker{cmd: c.SlowWorker(), rampDone: make(chan struct{}), done: make(chan struct{})}
	w.cmd.Stderr = &limitWriter{w: &w.stderr, n: 4096}
	in, err := w.cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := w.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := w.cmd.Start(); err != nil {
		return nil, err
	}
	w.in = in
	go w.read(out, c.Live)
	if err := json.NewEncoder(in).Encode(&job); err != nil {
		w.stop()
		return nil, fmt.Errorf("slow worker: sending the job: %w", err)
	}
	return w, nil
}

// read takes the worker's events until its output ends.
func (w *slowWorker) read(out io.Reader, live *Live) {
	defer close(w.done)
	var open int64 // as last reported, mirrored into live
	ramped := false
	defer func() {
		if !ramped {
			close(w.rampDone)
		}
		live.addSlow(-open)
	}()
	dec := json.NewDecoder(bufio.NewReader(out))
	for {
		var ev slowEvent
		if err := dec.Decode(&ev); err != nil {
			if !errors.Is(err, io.EOF) {
				w.err = fmt.Errorf("slow worker: reading its output: %w", err)
			}
			io.Copy(io.Discard, out) // let it finish writing and exit
			return
		}
		if ev.Open != nil {
			live.addSlow(*ev.Open - open)
			open = *ev.Open
		}
		if ev.Ramped && !ramped {
			ramped = true
			close(w.rampDone)
		}
		if ev.Stats != nil {
			w.stats = ev.Stats
		}
		if ev.Note != "" && len(w.notes) < 4 { // one comes; a broken worker cannot flood the report
			w.notes = append(w.notes, ev.Note)
		}
	}
}

func (w *slowWorker) ramped() <-chan struct{} { return w.rampDone }

func (w *slowWorker) stop() (*SlowStats, []string, error) {
	w.in.Close() // the worker's signal to stop
	select {
	case <-w.done:
	case <-time.After(workerStopWait):
		w.cmd.Process.Kill()
		<-w.done
	}
	werr := w.cmd.Wait()
	switch {
	case w.err != nil:
		return nil, w.notes, w.err
	case werr != nil:
		return nil, w.notes, fmt.Errorf("slow worker: %w%s", werr, stderrTail(w.stderr.Bytes()))
	case w.stats == nil:
		return nil, w.notes, fmt.Errorf("slow worker: ended without its statistics%s", stderrTail(w.stderr.Bytes()))
	}
	return w.stats, w.notes, nil
}

func stderrTail(b []byte) string {
	if b = bytes.TrimSpace(b); len(b) == 0 {
		return ""
	}
	return ": " + string(b)
}

// limitWriter keeps the first n bytes written to it and drops the rest.
type limitWriter struct {
	w io.Writer
	n int
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if k := min(len(p), l.n); k > 0 {
		l.w.Write(p[:k])
		l.n -= k
	}
	return len(p), nil
}

// RunSlowWorker is the worker's side (see Config.SlowWorker): it reads a
// job from in, runs its slow connections until in ends or ctx is done,
// and writes their events to out.
func RunSlowWorker(ctx context.Context, in io.Reader, out io.Writer) error {
	br := bufio.NewReader(in)
	var job slowJob
	if err := json.NewDecoder(br).Decode(&job); err != nil {
		return fmt.Errorf("loadtest: slow worker: reading the job: %w", err)
	}
	c, err := job.config()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		// The job is one line: whatever follows is nothing, then the end.
		io.Copy(io.Discard, br)
		cancel()
	}()
	var mu sync.Mutex
	enc := json.NewEncoder(out)
	emit := func(ev slowEvent) error {
		mu.Lock()
		defer mu.Unlock()
		return enc.Encode(&ev)
	}
	// The measured requests come first on a CPU shared with them.
	emit(slowEvent{Note: yieldCPU()})
	h := startSlowHere(ctx, c, job.Kind, job.N, job.T0)
	reported := int64(0)
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	report := func() {
		if n := c.Live.SlowOpen.Load(); n != reported {
			reported = n
			emit(slowEvent{Open: &n})
		}
	}
	rc := h.ramped()
wait:
	for {
		select {
		case <-rc:
			rc = nil
			emit(slowEvent{Ramped: true})
		case <-t.C:
			report()
		case <-h.done:
			break wait
		}
	}
	stats, _, _ := h.stop()
	zero := int64(0)
	emit(slowEvent{Open: &zero})
	return emit(slowEvent{Stats: stats})
}

// config is the Config the job describes.
func (j *slowJob) config() (*Config, error) {
	if j.Kind != slowHeaders && j.Kind != slowBody {
		return nil, fmt.Errorf("loadtest: slow worker: unknown kind %d", j.Kind)
	}
	u, err := url.Parse(j.Target)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("loadtest: slow worker: target %q is not an http:// URL", j.Target)
	}
	if j.N < 0 || j.N > MaxSlowConnsCap || j.SlowSources < 1 || j.SlowSources > 250 || j.SlowInterval <= 0 ||
		j.SlowRampPerSec <= 0 || j.SlowReconnects < 0 || j.Timeout <= 0 {
		return nil, fmt.Errorf("loadtest: slow worker: job out of bounds: %+v", *j)
	}
	return &Config{Target: u, Paths: j.Paths, Timeout: j.Timeout, SlowConns: j.SlowConns,
		SlowInterval: j.SlowInterval, SlowRampPerSec: j.SlowRampPerSec, SlowReconnects: j.SlowReconnects,
		SlowSources: j.SlowSources, SlowSameSource: j.SlowSameSource, Live: &Live{}}, nil
}
