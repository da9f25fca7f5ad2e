package parser

import "testing"

// TestParseAllocs: accepting each benchmark request allocates nothing.
func TestParseAllocs(t *testing.T) {
	for _, rf := range loadRequests(t) {
		t.Run(rf.name, func(t *testing.T) {
			var p Parser
			var req Request
			a := testing.AllocsPerRun(100, func() {
				if _, err := p.Parse(rf.data, &req); err != nil {
					t.Fatalf("Parse(%s) = %v", rf.name, err)
				}
				_, _ = req.Header("Cookie")
			})
			if a != 0 {
				t.Errorf("Parse(%s) allocates %v times per run; want 0", rf.name, a)
			}
		})
	}
}

// TestParseAllocsTrickle: the ErrNeedMore path allocates nothing either.
func TestParseAllocsTrickle(t *testing.T) {
	rf := loadRequests(t)[0]
	var p Parser
	var req Request
	a := testing.AllocsPerRun(10, func() {
		for k := 1; k <= len(rf.data); k++ {
			if _, err := p.Parse(rf.data[:k], &req); err != nil && err != ErrNeedMore {
				t.Fatalf("Parse(%s prefix %d) = %v", rf.name, k, err)
			}
		}
	})
	if a != 0 {
		t.Errorf("trickled Parse allocates %v times per head; want 0", a)
	}
}
