//go:build unix && !solaris && !illumos && !aix

package static

import "syscall"

// mkfifo (fuzz_test.go) makes a named pipe: a path that is neither a file nor a
// directory, which the handler must refuse.
func init() { mkfifo = func(path string) error { return syscall.Mkfifo(path, 0o644) } }
