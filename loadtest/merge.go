package loadtest

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// maxMergeResults bounds how many results Merge decodes.
const maxMergeResults = 100_000_000

// Merge decodes raw vegeta results from several sources (for example the
// gob files of a distributed attack, each machine at total/N) and returns
// one Result: a phase per attack name and an "all" phase over everything.
// Each result also goes to onResult when it is not nil.
func Merge(onResult func(*vegeta.Result), decs ...vegeta.Decoder) (*Result, error) {
	all := &vegeta.Metrics{}
	byName := map[string]*vegeta.Metrics{}
	var names []string
	for i, dec := range decs {
		for n := 0; ; n++ {
			if n >= maxMergeResults {
				return nil, fmt.Errorf("loadtest: source %d: more than %d results", i, maxMergeResults)
			}
			var r vegeta.Result
			err := dec.Decode(&r)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("loadtest: source %d, result %d: %w", i, n, err)
			}
			m, ok := byName[r.Attack]
			if !ok {
				m = &vegeta.Metrics{}
				byName[r.Attack] = m
				names = append(names, r.Attack)
			}
			m.Add(&r)
			all.Add(&r)
			if onResult != nil {
				onResult(&r)
			}
		}
	}
	slices.Sort(names)
	res := &Result{Schema: SchemaVersion, Scenario: "merged", Started: time.Now().UTC(), Phases: []Phase{}}
	for _, name := range names {
		m := byName[name]
		m.Close()
		p := PhaseOf(name, m)
		res.Phases = append(res.Phases, p)
	}
	all.Close()
	p := PhaseOf("all", all)
	p.Legit = true
	res.Phases = append(res.Phases, p)
	res.Verdict = res.Judge()
	return res, nil
}
