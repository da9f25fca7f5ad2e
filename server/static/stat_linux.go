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
	for {
		err = syscall.Fstat(int(f.Fd()), &st)
		if err != syscall.EINTR {
			break
		}
	}
	runtime.KeepAlive(f)
	if err != nil {
		return fileStat{}, &os.PathError{Op: "fstat", Path: f.Name(), Err: err}
	}
	fs := fileStat{
		size:  st.Size,
		mtime: time.Unix(st.Mtim.Sec, st.Mtim.Nsec),
	}
	switch st.Mode & syscall.S_IFMT {
	case syscall.S_IFREG:
		fs.kind = kindRegular
	case syscall.S_IFDIR:
		fs.kind = kindDir
	}
	return fs, nil
}
