package wire

import (
	"errors"
	"strings"
	"testing"
)

// closer records the order it was closed in.
type closer struct {
	name string
	log  *[]string
}

func (c *closer) Close() error {
	*c.log = append(*c.log, c.name)
	return errors.New("ignored")
}

func TestKeepRelease(t *testing.T) {
	var log []string
	var r Response
	a, b := &closer{"a", &log}, &closer{"b", &log}
	r.Keep(a)
	r.Keep(b)
	if k := r.Kept(); len(k) != 2 || k[0] != a || k[1] != b {
		t.Errorf("Kept() = %v; want [a b]", k)
	}
	r.Release()
	r.Release() // harmless
	if strings.Join(log, ",") != "a,b" || len(r.Kept()) != 0 {
		t.Errorf("Release closed %v, kept %d; want a,b once and nothing kept", log, len(r.Kept()))
	}
	r.Keep(&closer{"c", &log})
	r.Status = 404
	r.Reset()
	if strings.Join(log, ",") != "a,b,c" || r.Status != 0 {
		t.Errorf("Reset: closed %v, status %d; want c released and status cleared", log, r.Status)
	}
}

// TestArenas: strings and slices from the arenas keep their bytes while
// the arena grows, until Reset.
func TestArenas(t *testing.T) {
	var r Response
	var strs []string
	var datas [][]byte
	for i := range 200 {
		piece := strings.Repeat(string(rune('a'+i%26)), i%7+1)
		strs = append(strs, r.AppendScratch(func(b []byte) []byte { return append(b, piece...) }))
		datas = append(datas, r.AppendData(func(b []byte) []byte { return append(b, piece...) }))
	}
	for i := range 200 {
		want := strings.Repeat(string(rune('a'+i%26)), i%7+1)
		if strs[i] != want || string(datas[i]) != want {
			t.Fatalf("piece %d = %q / %q; want %q", i, strs[i], datas[i], want)
		}
	}
	if s := r.AppendScratch(func(b []byte) []byte { return b }); s != "" {
		t.Errorf("AppendScratch appending nothing = %q; want \"\"", s)
	}
	// A slice from AppendData is capped: appending to it cannot reach
	// what the arena holds next.
	d := r.AppendData(func(b []byte) []byte { return append(b, "xy"...) })
	next := r.AppendData(func(b []byte) []byte { return append(b, "zz"...) })
	_ = append(d, '!')
	if string(next) != "zz" {
		t.Errorf("append to an AppendData slice changed the next piece to %q", next)
	}
}

// TestArenaAllocs: once the arenas have grown, a request's header values
// and body bytes cost no allocation (the file handler's hot path).
func TestArenaAllocs(t *testing.T) {
	var r Response
	size := int64(1024)
	run := func() {
		r.Reset()
		r.Add("ETag", r.AppendScratch(func(b []byte) []byte { return append(b, `"400-1"`...) }))
		r.Set("Content-Type", "text/plain")
		r.SetData(r.AppendData(func(b []byte) []byte { return append(b, "body"...) }))
		r.ContentLength = size
	}
	run()
	if a := testing.AllocsPerRun(100, run); a != 0 {
		t.Errorf("arena use: %v allocs per request; want 0", a)
	}
}

func TestSetGet(t *testing.T) {
	var r Response
	r.Add("X-A", "1")
	r.Set("x-a", "2")
	r.Set("X-B", "3")
	if r.Get("X-A") != "2" || r.Get("X-B") != "3" || r.Get("x-b") != "" || len(r.Header) != 2 {
		t.Errorf("Header after Set = %q; want X-A 2 (name kept), X-B 3, and Get exact-case", r.Header)
	}
	if got := (Segment{Data: []byte("abc"), N: 9}).Len(); got != 3 {
		t.Errorf("Len of a Data segment = %d; want 3", got)
	}
}
