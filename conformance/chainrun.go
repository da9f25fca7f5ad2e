package conformance

import (
	"context"
	"fmt"
	"time"

	"github.com/ferrox/ferrox/corpus"
)

// RunChain replays every case through the front end at cfg.Target, with
// origin (the address the front end forwards to) recording what reaches
// it, and judges each case as a chain (judgeChain). Cases run one at a
// time: whatever the origin receives between two cases belongs to the case
// in between, and the origin closes every upstream connection after each
// case so a front end's pool cannot carry one case's leftovers into the
// next. Split replays are skipped: a front end re-segments the stream
// anyway. The error is non-nil only for an invalid Config or a cancelled
// ctx.
func RunChain(ctx context.Context, cfg Config, origin *Origin, cases []corpus.Case) (*Run, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if origin == nil {
		return nil, fmt.Errorf("conformance: a chain run needs a recording origin")
	}
	run := &Run{Target: cfg.Target, TLS: cfg.TLS, Origin: origin.Addr(), Started: time.Now()}
	run.Results = make([]Result, len(cases))
	origin.Collect(0, 0) // forget anything from before the run
	for i := range cases {
		c := &cases[i]
		r := Result{Case: *c, Target: cfg.Target, Replays: 1}
		if ctx.Err() != nil {
			r.Verdict, r.Reason = Error, "not run: "+ctx.Err().Error()
			r.Observed.Err = r.Reason
			run.Results[i] = r
			continue
		}
		r.Observed, r.Chain, r.Verdict, r.Reason = chainCase(ctx, &cfg, origin, c)
		run.Results[i] = r
		if cfg.Progress != nil {
			cfg.Progress(i+1, len(cases))
		}
	}
	run.Duration = time.Since(run.Started)
	return run, ctx.Err()
}

// chainCase replays one case through the front end and judges it.
func chainCase(ctx context.Context, cfg *Config, origin *Origin, c *corpus.Case) (obs Observed, ch *Chain, v Verdict, why string) {
	refs := splitRequests(c.Raw)
	obs = safeReplay(ctx, cfg, c, refs, 0)
	// The front end may still be forwarding when the client side is done:
	// wait until the origin has been quiet for the idle period.
	ups := origin.Collect(cfg.Idle, cfg.Timeout)
	stream := obs.Sent
	ch = &Chain{Intent: ReadIntent(stream), Upstreams: ups}
	if obs.Err != "" {
		return obs, ch, Error, obs.Err
	}
	v, why = judgeChain(c, &obs, ch, stream)
	return obs, ch, v, why
}
