package reports

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ferrox/ferrox/conformance"
)

// WriteFile renders rep into a temporary file beside p and renames it into
// place, so p is either the old file or the complete new one (a failed
// render leaves no half page). Errors name p.
func WriteFile(p string, rep Reporter) error {
	if err := writeTemp(p, rep); err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	return nil
}

func writeTemp(p string, rep Reporter) error {
	tmp, err := os.CreateTemp(filepath.Dir(p), "."+filepath.Base(p)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := rep(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), p)
}

// FindConformJSON resolves path to one JSON conformance report: path
// itself when it is a file, else the one *.json or *.json.gz inside the
// directory.
func FindConformJSON(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if !st.IsDir() {
		return path, nil
	}
	var matches []string
	for _, pattern := range []string{"*.json", "*.json.gz"} {
		m, err := filepath.Glob(filepath.Join(path, pattern))
		if err != nil {
			return "", err
		}
		matches = append(matches, m...)
	}
	if len(matches) != 1 {
		return "", fmt.Errorf("%s: want exactly one *.json or *.json.gz report, found %d", path, len(matches))
	}
	return matches[0], nil
}

// ReadConformJSONFile reads a JSON conformance report file, gunzipping a
// *.gz one on the way.
func ReadConformJSONFile(path string) (*conformance.Run, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = bufio.NewReader(f)
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		r = zr
	}
	return ReadConformJSON(r)
}
