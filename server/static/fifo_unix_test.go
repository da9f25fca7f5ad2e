//go:build unix && !solaris && !illumos && !aix

package static

import "syscall"

// mkfifo makes a named pipe: a path that is neither a file nor a
// directory, which the handler must refuse.
func mkfifo(path string) error { return syscall.Mkfifo(path, 0o644) }
