package parser

import (
	"syscall"
	"testing"
)

// TestScanPageEnd places inputs right before an unmapped page: a
// read past the end of the slice would fault.
func TestScanPageEnd(t *testing.T) {
	ps := syscall.Getpagesize()
	mem, err := syscall.Mmap(-1, 0, 2*ps, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Skip("mmap:", err)
	}
	defer syscall.Munmap(mem)
	if err := syscall.Mprotect(mem[ps:], syscall.PROT_NONE); err != nil {
		t.Skip("mprotect:", err)
	}
	page := mem[:ps]
	for _, s := range []string{"", "a", "Host:", "Host: example.com", "Accept-Language: en-US,en;q=0.5", "X-Long-Name-Without-Colon-At-All", "Accept:  text/html  \r\n", "X: \r\n", "A:b\r\n\r\n"} {
		for cut := 0; cut <= len(s); cut++ {
			b := page[ps-cut:]
			copy(b, s[:cut])
			checkFieldLine(t, b)
			checkTargetScan(t, b)
		}
	}
}
