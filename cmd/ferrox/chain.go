package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ferrox/ferrox/conformance"
	"github.com/ferrox/ferrox/corpus"
	"github.com/ferrox/ferrox/internal/loopback"
)

// runChain is `ferrox conform --via`: the cases go to a front end, a
// recording origin listens behind it, and the chain judge grades each case.
func runChain(o *conformOptions, cases []corpus.Case, stdout, stderr io.Writer, resolver loopback.Resolver) int {
	if err := checkFlagAddr("--via", resolver, o.via, o.allowRemote); err != nil {
		fmt.Fprintf(stderr, "ferrox conform: %v\n", err)
		return 2
	}
	// The origin always listens on loopback: it answers whatever reaches it.
	if err := checkFlagAddr("--origin", resolver, o.origin, false); err != nil {
		fmt.Fprintf(stderr, "ferrox conform: %v\n", err)
		return 2
	}
	if o.mutate > 0 {
		var seeds []corpus.Case
		for _, c := range cases {
			if c.Group == "smuggling" || c.Group == "chain" {
				seeds = append(seeds, c)
			}
		}
		if len(seeds) == 0 {
			fmt.Fprintln(stderr, "ferrox conform: --mutate: the selected cases hold no smuggling or chain case to mutate")
			return 2
		}
		cases = append(cases, conformance.Mutate(seeds, o.mutate, o.seed)...)
	}
	origin, err := conformance.ListenOrigin(o.origin)
	if err != nil {
		fmt.Fprintf(stderr, "ferrox conform: --origin %s: %v\n", o.origin, err)
		return 2
	}
	defer origin.Close()
	go func() { _ = origin.Serve() }()
	fmt.Fprintf(stderr, "recording origin on %s; sending the cases through %s\n", origin.Addr(), o.via)

	cfg := conformance.Config{
		Target:             o.via,
		TLS:                o.tls,
		InsecureSkipVerify: o.insecure,
		ServerName:         o.serverName,
		RootCAs:            o.roots,
		Timeout:            o.timeout,
		Parallel:           1,
		NoSplits:           true,
	}
	return gradeRun(o, cfg, cases, stdout, stderr,
		func(ctx context.Context, cfg conformance.Config) (conformance.PreflightInfo, error) {
			return conformance.PreflightInfo{}, probeChain(ctx, cfg, origin)
		},
		func(ctx context.Context, cfg conformance.Config, cases []corpus.Case) (*conformance.Run, error) {
			return conformance.RunChain(ctx, cfg, origin, cases)
		})
}

// checkFlagAddr checks a HOST:PORT flag and the loopback rule.
func checkFlagAddr(flagName string, r loopback.Resolver, addr string, allowRemote bool) error {
	if _, port, err := net.SplitHostPort(addr); err != nil || port == "" {
		return fmt.Errorf("%s %q: want HOST:PORT", flagName, addr)
	}
	if err := refuseRemote(r, addr, allowRemote); err != nil {
		return fmt.Errorf("%s: %w", flagName, err)
	}
	return nil
}

// probeChain sends one plain request through the front end and checks it
// reached the origin, so a front end pointed elsewhere is a clear error
// instead of 555 "not forwarded" findings.
func probeChain(ctx context.Context, cfg conformance.Config, origin *conformance.Origin) error {
	probe := corpus.Case{ID: "chain-probe", Level: corpus.MUST, Raw: []byte("GET /chain-probe HTTP/1.1\r\nHost: localhost\r\n\r\n"),
		Expect: []corpus.Outcome{{Status: "2xx"}}, Mode: corpus.SendWhole}
	run, err := conformance.RunChain(ctx, cfg, origin, []corpus.Case{probe})
	if err != nil {
		return err
	}
	r := run.Results[0]
	if r.Chain == nil || len(r.Chain.Upstreams) == 0 {
		got := "no response"
		if len(r.Observed.Responses) > 0 {
			got = fmt.Sprintf("a %d response", r.Observed.Responses[0].Status)
		}
		return fmt.Errorf("a plain GET sent to %s never reached the recording origin on %s (the client got %s): point the front end's upstream at %s", cfg.Target, origin.Addr(), got, origin.Addr())
	}
	return nil
}

// summarizeFindings prints how many cases showed each kind of finding.
func summarizeFindings(w io.Writer, run *conformance.Run) {
	byKind := map[string][]string{}
	for _, r := range run.Results {
		if r.Chain == nil {
			continue
		}
		seen := map[string]bool{}
		for _, f := range r.Chain.Findings {
			if !seen[f.Kind] {
				seen[f.Kind] = true
				byKind[f.Kind] = append(byKind[f.Kind], r.Case.ID)
			}
		}
	}
	kinds := make([]string, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		ids := byKind[k]
		more := ""
		if len(ids) > 8 {
			ids, more = ids[:8], fmt.Sprintf(" (+%d more)", len(byKind[k])-8)
		}
		fmt.Fprintf(w, "finding %s: %d cases: %s%s\n", k, len(byKind[k]), strings.Join(ids, " "), more)
	}
}

// writeMutationFindings writes every mutated case that fails where its
// seed did not as a case file under out/mutations, ready to be reviewed
// and added to the corpus.
func writeMutationFindings(run *conformance.Run, out string) ([]string, error) {
	var written []string
	dir := filepath.Join(out, "mutations")
	failed := map[string]bool{}
	for _, r := range run.Results {
		if r.Case.Group != "mutated" && r.Verdict == conformance.Fail {
			failed[r.Case.ID] = true
		}
	}
	for _, r := range run.Results {
		if r.Case.Group != "mutated" || r.Verdict != conformance.Fail {
			continue
		}
		if k := strings.LastIndex(r.Case.ID, "-m"); k > 0 && failed[r.Case.ID[:k]] {
			continue // the seed already shows it
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return written, err
		}
		p := filepath.Join(dir, r.Case.ID+".case")
		c := r.Case
		c.Group = ""
		if err := os.WriteFile(p, corpus.Format(c), 0o644); err != nil {
			return written, err
		}
		written = append(written, p)
	}
	return written, nil
}
