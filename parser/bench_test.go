package parser

import (
	"bufio"
	"bytes"
	"net/http"
	"testing"
)

// BenchmarkParse and BenchmarkNetHTTPReadRequest run over the same request
// files so the two can be compared as a ratio in one run (make bench).

func BenchmarkParse(b *testing.B) {
	for _, rf := range loadRequests(b) {
		b.Run(rf.name, func(b *testing.B) {
			var p Parser
			var req Request
			b.SetBytes(int64(len(rf.data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.Parse(rf.data, &req); err != nil {
					b.Fatalf("Parse(%s) = %v", rf.name, err)
				}
			}
		})
	}
}

func BenchmarkNetHTTPReadRequest(b *testing.B) {
	for _, rf := range loadRequests(b) {
		b.Run(rf.name, func(b *testing.B) {
			rd := bytes.NewReader(rf.data)
			br := bufio.NewReader(rd)
			b.SetBytes(int64(len(rf.data)))
			b.ReportAllocs()
			for b.Loop() {
				rd.Reset(rf.data)
				br.Reset(rd)
				if _, err := http.ReadRequest(br); err != nil {
					b.Fatalf("ReadRequest(%s) = %v", rf.name, err)
				}
			}
		})
	}
}
