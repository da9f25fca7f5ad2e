//go:build !linux

package static

import "os"

func fstat(f *os.File) (fileStat, error) {
	fi, err := f.Stat()
	if err != nil {
		return fileStat{}, err
	}
	fs := fileStat{size: fi.Size(), mtime: fi.ModTime()}
	switch {
	case fi.Mode().IsRegular():
		fs.kind = kindRegular
	case fi.IsDir():
		fs.kind = kindDir
	}
	return fs, nil
}
