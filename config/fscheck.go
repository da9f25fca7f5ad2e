package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
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

// servedFile is the one check of a configuration path that names a file
// to serve (files.routes, files.spa_fallback, files.error_pages): it must
// be relative, stay inside the served directory, and name a regular file
// when opened through root (an os.Root of serve_dir, shown as dir in
// messages), which is how the static handler opens it. A symlink inside
// the directory is followed only while it stays inside; one leading out
// is refused here just as the handler would refuse it. Absolute paths
// are refused: everything served is read through the root, so no
// setting can make the server read a file outside it (an error page
// "/etc/hostname" would otherwise be sent to every client).
func servedFile(root *os.Root, dir, file string) error {
	native := filepath.FromSlash(file)
	switch {
	case filepath.IsAbs(native) || strings.HasPrefix(file, "/"):
		return fmt.Errorf("%q must be a relative path inside paths.serve_dir (absolute paths are refused: nothing outside it is served)", file)
	case !filepath.IsLocal(native):
		return fmt.Errorf("%q must be a relative path inside paths.serve_dir", file)
	}
	fi, err := root.Stat(native)
	switch {
	case isEscape(err):
		return fmt.Errorf("%q leads outside paths.serve_dir (%s) through a symbolic link; files outside it are never served", file, dir)
	case err != nil:
		return fmt.Errorf("%s: %s", filepath.Join(dir, native), describeFileErr(err, false))
	case fi.IsDir():
		return fmt.Errorf("%s is a directory, not a file", filepath.Join(dir, native))
	case !fi.Mode().IsRegular():
		return fmt.Errorf("%s is not a regular file", filepath.Join(dir, native))
	}
	return nil
}

// isEscape recognises os.Root's refusal of a path that leaves the root
// ("path escapes from parent"), which has no exported sentinel.
func isEscape(err error) bool {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return err != nil && err.Error() == "path escapes from parent"
}
