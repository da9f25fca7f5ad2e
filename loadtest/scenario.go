package loadtest

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Scenarios lists the scenario names Run accepts.
var Scenarios = []string{"keepalive", "close", "ramp", "slowloris", "slowbody", "idle"}

// Run validates cfg and runs the named scenario.
func Run(ctx context.Context, name string, cfg Config) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	switch name {
	case "slowloris", "slowbody", "idle":
		if cfg.Target.Scheme != "http" {
			return nil, fmt.Errorf("loadtest: %s sends its slow connections over plain TCP: give an http:// target", name)
		}
	}
	planned := cfg.Planned(name)
	if planned > MaxRunCap {
		return nil, fmt.Errorf("%w: %s would run %v > %v", ErrCap, name, planned, MaxRunCap)
	}
	if cfg.MaxDuration == 0 {
		cfg.MaxDuration = min(planned+planned/10+30*time.Second, MaxRunCap)
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.MaxDuration)
	defer cancel()
	res := &Result{
		Schema:   SchemaVersion,
		Scenario: name,
		Target:   cfg.Target.String(),
		Started:  time.Now().UTC(),
		Config: Settings{
			Rate: cfg.Rate, ClosedLoop: cfg.ClosedLoop, DurationMS: ms(cfg.Duration),
			Connections: cfg.Connections, SlowConns: cfg.SlowConns,
			SlowIntervalMS: ms(cfg.SlowInterval), SlowSources: cfg.SlowSources,
			SlowSameSource: cfg.SlowSameSource, Paths: cfg.requestURIs(),
			Method: cfg.Method, Headers: headerLines(cfg.Header), Targets: describeTargets(cfg.Targets),
		},
		Phases: []Phase{},
	}
	switch name {
	case "keepalive":
		keepalive(ctx, &cfg, res)
	case "close":
		closeScenario(ctx, &cfg, res)
	case "ramp":
		ramp(ctx, &cfg, res)
	case "slowloris":
		slow(ctx, &cfg, res, slowHeaders)
	case "slowbody":
		slow(ctx, &cfg, res, slowBody)
	case "idle":
		idle(ctx, &cfg, res)
	default:
		return nil, fmt.Errorf("loadtest: unknown scenario %q", name)
	}
	res.ElapsedMS = ms(time.Since(res.Started))
	if ctx.Err() != nil {
		res.StoppedEarly = true
		res.Notes = append(res.Notes, "stopped early: "+context.Cause(ctx).Error())
	}
	res.Verdict = res.Judge()
	return res, nil
}

// keepalive: constant rate (or closed loop) over persistent connections.
func keepalive(ctx context.Context, c *Config, res *Result) {
	res.Phases = append(res.Phases, c.attack(ctx, attackOpts{
		name: "keepalive", pacer: rate(c.Rate), duration: c.Duration,
		keepAlive: true, closed: c.ClosedLoop,
	}))
}

// closeScenario: the same rate with a new connection per request.
func closeScenario(ctx context.Context, c *Config, res *Result) {
	res.Phases = append(res.Phases, c.attack(ctx, attackOpts{
		name: "close", pacer: rate(c.Rate), duration: c.Duration,
		keepAlive: false, closed: c.ClosedLoop,
	}))
}

// ramp raises the rate in RampSteps steps from Rate/RampSteps to Rate. Each
// step lasts Duration (like one vegeta attack per rate) and ramps linearly
// (vegeta LinearPacer) from its own rate to the next step's. The run stops after the first step that
// fails (success < 100% or p99 over the bound); MaxOKRate is the start rate
// of the last step that passed.
func ramp(ctx context.Context, c *Config, res *Result) {
	steps := c.RampSteps
	stepDur := c.Duration
	res.P99BoundMS = ms(c.P99Bound)
	for i := 1; i <= steps && ctx.Err() == nil; i++ {
		from := c.Rate * i / steps
		to := c.Rate * (i + 1) / steps
		if i == steps {
			to = from
		}
		from = max(from, 1)
		pacer := vegeta.LinearPacer{
			StartAt: rate(from),
			Slope:   float64(to-from) / stepDur.Seconds(),
		}
		p := c.attack(ctx, attackOpts{
			name: fmt.Sprintf("ramp-%d", from), pacer: pacer, duration: stepDur, keepAlive: true,
		})
		p.Legit = false
		res.Phases = append(res.Phases, p)
		// A step cut short (Ctrl-C, the hard cap) is reported, not credited.
		if ctx.Err() != nil || p.Requests == 0 || p.Success < 1 || p.P99MS > ms(c.P99Bound) {
			return
		}
		res.MaxOKRate = float64(from)
	}
}

// maxTargetsEcho bounds the targets echoed in Settings.
const maxTargetsEcho = 100

// headerLines is h as "Name: value" lines, sorted by name, each value of
// a name in its order; nil for none. The value of a field that may carry
// a credential (see secretField) is replaced by "(redacted)": reports get
// published.
func headerLines(h http.Header) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(h)) {
		for _, v := range h[k] {
			if secretField(k) {
				v = "(redacted)"
			}
			out = append(out, k+": "+v)
		}
	}
	return out
}

// secretField reports whether a field of this name may carry a
// credential: Authorization, Proxy-Authorization, Cookie, and any name
// with auth, cookie, token, secret, key, session, password or credential
// in it (X-Api-Key, X-Auth-Token, X-Session-Id, ...).
func secretField(name string) bool {
	n := strings.ToLower(name)
	for _, s := range []string{"auth", "cookie", "token", "secret", "key", "session", "password", "credential"} {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}

// describeTargets lists targets as "METHOD URL", at most maxTargetsEcho.
func describeTargets(ts []vegeta.Target) []string {
	var out []string
	for i, t := range ts {
		if i == maxTargetsEcho {
			out = append(out, fmt.Sprintf("… %d more", len(ts)-i))
			break
		}
		out = append(out, t.Method+" "+t.URL)
	}
	return out
}
