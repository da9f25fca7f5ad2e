//go:build linux

package static

import (
	"os"
	"runtime"
	"syscall"
	"time"
)

// fstat reads f's metadata with fstat(2) into a value, which unlike
// File.Stat does not allocate. f was opened by us, so Fd does not change
// its blocking mode.
func fstat(f *os.File) (fileStat, error) {
	var st syscall.Stat_t
	var err error
	// A raw call: fstat does no I/O that could block, and an ordinary
	// system call would wake the runtime's sysmon thread when the server
	// was idle (see server/sockconn_linux.go).
	for {
		e := sysFstat(f.Fd(), &st)
		if e != syscall.EINTR {
			if e != 0 {
				err = e
			}
			break
		}
	}
	runtime.KeepAlive(f)
	if err != nil {
		return fileStat{}, &os.PathError{Op: "fstat", Path: f.Name(), Err: err}
	}
	fs := fileStat{
		size:  int64(st.Size),
		mtime: time.Unix(int64(st.Mtim.Sec), int64(st.Mtim.Nsec)), // int32 on 32-bit systems
	}
	switch st.Mode & syscall.S_IFMT {
	case syscall.S_IFREG:
		fs.kind = kindRegular
	case syscall.S_IFDIR:
		fs.kind = kindDir
	}
	return fs, nil
}
