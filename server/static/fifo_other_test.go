//go:build !unix || solaris || illumos || aix

package static

import "os"

// mkfifo stands in for a named pipe where syscall has no Mkfifo: an empty
// directory keeps the tree's shape (the fifo cases then see a directory).
func mkfifo(path string) error { return os.Mkdir(path, 0o755) }
