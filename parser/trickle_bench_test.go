package parser

import (
	"strings"
	"testing"
)

// BenchmarkParseTrickle feeds a large head one byte per call, as a
// slowloris client would; the cost per byte must stay small (no
// quadratic rescans of the whole head).
func BenchmarkParseTrickle(b *testing.B) {
	heads := map[string]string{
		"fields16k": "GET / HTTP/1.1\r\nHost: h\r\n" + strings.Repeat("X-Field: "+strings.Repeat("v", 150)+"\r\n", 99) + "\r\n",
		"target8k":  "GET /" + strings.Repeat("a", 8000) + " HTTP/1.1\r\nHost: h\r\n\r\n",
		"value16k":  "GET / HTTP/1.1\r\nHost: h\r\nX: " + strings.Repeat("v", 16000) + "\r\n\r\n",
	}
	for name, h := range heads {
		in := []byte(h)
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				var p Parser
				var req Request
				for k := 1; k <= len(in); k++ {
					_, err := p.Parse(in[:k], &req)
					if k < len(in) && err != ErrNeedMore || k == len(in) && err != nil {
						b.Fatalf("Parse(prefix %d) = %v", k, err)
					}
				}
			}
		})
	}
}
