package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// describeFileErr words a file-system error for a person: "no such file"
// (or directory), "permission denied", else the system's text.
func describeFileErr(err error, dir bool) string {
	switch {
	case errors.Is(err, fs.ErrNotExist) && dir:
		return "no such directory"
	case errors.Is(err, fs.ErrNotExist):
		return "no such file"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// dirCheck reports a problem with the directory p; with writable, it also
// creates and removes a file in it, which is the only sure test.
func dirCheck(p string, writable bool) error {
	fi, err := os.Stat(p)
	if err != nil {
		return fmt.Errorf("%s: %s", p, describeFileErr(err, true))
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory", p)
	}
	if writable {
		f, err := os.CreateTemp(p, ".ferrox-check-*")
		if err != nil {
			return fmt.Errorf("%s: cannot create files in it: %s", p, describeFileErr(err, true))
		}
		f.Close()
		os.Remove(f.Name())
	}
	return nil
}

// fileCheck reports a problem with the (non-directory) file p.
func fileCheck(p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return fmt.Errorf("%s: %s", p, describeFileErr(err, false))
	}
	if fi.IsDir() {
		return fmt.Errorf("%s is a directory, not a file", p)
	}
	return nil
}

// logFileCheck reports whether a log file can be opened for appending,
// without creating it: an existing file must open for appending (which
// changes nothing), and the directory of a missing one must exist and be
// writable.
func logFileCheck(p string) error {
	fi, err := os.Stat(p)
	switch {
	case err == nil && fi.IsDir():
		return fmt.Errorf("%s is a directory, not a file", p)
	case err == nil:
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			return fmt.Errorf("%s: cannot append to it: %s", p, describeFileErr(err, false))
		}
		return f.Close()
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s: %s", p, describeFileErr(err, false))
	}
	if err := dirCheck(filepath.Dir(p), true); err != nil {
		return fmt.Errorf("cannot create %s: directory %w", p, err)
	}
	return nil
}
