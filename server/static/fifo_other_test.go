//go:build !unix || solaris || illumos || aix

package static

import "os"

// mkfifo (fuzz_test.go) stands in for a named pipe where syscall has no Mkfifo: an empty
// directory keeps the tree's shape (the fifo cases then see a directory).
func init() { mkfifo = func(path string) error { return os.Mkdir(path, 0o755) } }
