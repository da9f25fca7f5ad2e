package loadtest

import (
	"context"
	"net/http"
	"net/url"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// attackOpts are the knobs of one vegeta phase.
type attackOpts struct {
	name      string
	pacer     vegeta.Pacer
	duration  time.Duration
	keepAlive bool
	closed    bool // closed loop: Connections workers, no pacing
}

// noProxy keeps legitimate traffic direct even when the environment names
// an HTTP proxy: a load test measures the target, not a proxy.
func noProxy(*http.Request) (*url.URL, error) { return nil, nil }

// newAttacker builds a vegeta attacker. Options that reach into the
// transport must follow any Client option (vegeta asserts *http.Transport);
// we pass no Client, and HTTP/2 is always off.
func (c *Config) newAttacker(o attackOpts) *vegeta.Attacker {
	opts := []func(*vegeta.Attacker){
		vegeta.HTTP2(false),
		vegeta.Proxy(noProxy),
		vegeta.KeepAlive(o.keepAlive),
		vegeta.Timeout(c.Timeout),
		vegeta.Redirects(vegeta.NoFollow),
		vegeta.MaxBody(0),
	}
	if o.keepAlive {
		opts = append(opts, vegeta.Connections(c.Connections), vegeta.MaxConnections(c.Connections))
	}
	if o.closed {
		opts = append(opts, vegeta.Workers(uint64(c.Connections)), vegeta.MaxWorkers(uint64(c.Connections)))
	}
	return vegeta.NewAttacker(opts...)
}

// attack runs one vegeta phase until its duration passes or ctx ends and
// returns its closed metrics. Every result also goes to c.OnResult.
func (c *Config) attack(ctx context.Context, o attackOpts) Phase {
	a := c.newAttacker(o)
	tr := vegeta.NewStaticTargeter(c.targets()...)
	pacer := o.pacer
	if o.closed {
		pacer = vegeta.Rate{}
	}
	stop := context.AfterFunc(ctx, func() { a.Stop() })
	defer stop()
	var m vegeta.Metrics
	for r := range a.Attack(tr, pacer, o.duration, o.name) {
		m.Add(r)
		if c.OnResult != nil {
			c.OnResult(r)
		}
	}
	m.Close()
	p := PhaseOf(o.name, &m)
	p.Legit = true
	return p
}

// rate is the constant pacer for n requests per second.
func rate(n int) vegeta.Rate { return vegeta.Rate{Freq: n, Per: time.Second} }
