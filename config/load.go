package config

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v4"
)

// ConfigError is a configuration problem with its position in the file.
// Error() renders "file:line:col: message" (line and col are 1-based; 0
// when unknown, then omitted; without a file, as for a problem with a
// command-line flag, just the message).
type ConfigError struct {
	File      string
	Line, Col int
	Msg       string
}

func (e *ConfigError) Error() string {
	if e.File == "" {
		return e.Msg
	}
	if e.Line == 0 {
		return e.File + ": " + e.Msg
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// Load reads, decodes and validates a YAML config file. It reports every
// problem it finds at once: YAML syntax errors (then nothing else), keys
// and values that do not decode, and, for what did decode, everything
// Validate finds. The error is a join of *ConfigError values in file
// order, each pointing at the offending key or value.
func Load(file string) (Config, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return Config{}, &ConfigError{File: file, Msg: describeFileErr(err, false)}
	}
	return LoadBytes(file, b, nil)
}

// LoadBytes is Load of the bytes b named file, with the command-line
// overrides o (nil for none) applied before validation. Errors about a key
// an override set name the flag instead of a place in the file.
func LoadBytes(file string, b []byte, o *Overrides) (Config, error) {
	c, doc, err := Parse(file, b)
	if doc == nil {
		return c, err // a YAML syntax error: the tree is unusable
	}
	errs := joined(err)
	var flags map[string]string
	if o != nil {
		var oerr error
		if flags, oerr = o.Apply(&c); oerr != nil {
			errs = append(errs, oerr)
		}
	}
	failed := doc.failed
	for _, e := range joined(c.Validate()) {
		var fe *FieldError
		if errors.As(e, &fe) && failed.covers(fe.Path) {
			continue // the value did not decode; that error says enough
		}
		errs = append(errs, positionError(file, doc.root, flags, e))
	}
	sortErrors(errs)
	return c, errors.Join(errs...)
}

// Document is a parsed config file: its YAML tree, to place validation
// errors with, and the keys whose values did not decode.
type Document struct {
	root   *yaml.Node
	failed pathSet
}

// Parse decodes YAML bytes into a Config without semantic validation. It
// keeps going past keys and values that do not decode, so that what did
// decode can still be validated; the error joins one *ConfigError per
// problem. The returned Document is nil only for a YAML syntax error.
func Parse(file string, b []byte) (Config, *Document, error) {
	var c Config
	var root yaml.Node
	if err := yaml.Load(b, &root, yaml.WithUniqueKeys()); err != nil {
		if isNoDocuments(err) {
			return c, &Document{root: &root}, nil // empty or comment-only file: all defaults
		}
		return c, nil, yamlError(file, b, err)
	}
	doc := &Document{root: &root, failed: pathSet{}}
	if root.Kind == 0 || len(root.Content) == 0 {
		return c, doc, nil // empty file: all defaults
	}
	d := decoder{file: file, failed: doc.failed}
	d.decode(root.Content[0], reflect.ValueOf(&c).Elem(), "", "")
	return c, doc, errors.Join(d.errs...)
}

// joined flattens an errors.Join (or a single error, or nil).
func joined(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// sortErrors puts positioned errors in file order and the rest after
// them, each group keeping its order.
func sortErrors(errs []error) {
	pos := func(e error) (int, int) {
		var ce *ConfigError
		if errors.As(e, &ce) && ce.Line > 0 {
			return ce.Line, ce.Col
		}
		return math.MaxInt, 0
	}
	slices.SortStableFunc(errs, func(a, b error) int {
		la, ca := pos(a)
		lb, cb := pos(b)
		if la != lb {
			return cmp.Compare(la, lb)
		}
		return cmp.Compare(ca, cb)
	})
}

// isNoDocuments reports the YAML module's "no documents in stream": the
// input holds nothing but whitespace, comments or document markers.
func isNoDocuments(err error) bool {
	var les *yaml.LoadErrors
	return errors.As(err, &les) && len(les.Errors) == 1 &&
		strings.HasSuffix(les.Errors[0].Message, "no documents in stream")
}

// yamlError converts the YAML module's errors into ConfigErrors. Every one
// gets a position: the module's own mark, else one derived from the input
// b (reader errors carry only a byte offset; the document-count errors
// carry none).
func yamlError(file string, b []byte, err error) error {
	var les *yaml.LoadErrors
	if errors.As(err, &les) && len(les.Errors) > 0 {
		errs := make([]error, 0, len(les.Errors))
		for _, le := range les.Errors {
			errs = append(errs, loadErr(file, b, le))
		}
		return errors.Join(errs...)
	}
	var le *yaml.LoadError
	if errors.As(err, &le) {
		return loadErr(file, b, le)
	}
	return &ConfigError{File: file, Line: 1, Col: 1, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
}

// offsetPos turns a byte offset of b into a 1-based line and column.
func offsetPos(b []byte, off int) (line, col int) {
	off = min(max(off, 0), len(b))
	line = 1 + strings.Count(string(b[:off]), "\n")
	return line, off - strings.LastIndexByte(string(b[:off]), '\n')
}

// secondDocument returns the byte offset of the marker that starts a
// second YAML document (a line "---" or "..." after some content), or 0.
func secondDocument(b []byte) int {
	content := false
	for off := 0; off < len(b); {
		end := len(b)
		if i := strings.IndexByte(string(b[off:]), '\n'); i >= 0 {
			end = off + i
		}
		l := strings.TrimRight(string(b[off:end]), " \t\r")
		marker := strings.HasPrefix(l, "---") || strings.HasPrefix(l, "...")
		if marker && content {
			return off
		}
		if !marker && strings.TrimSpace(l) != "" && !strings.HasPrefix(strings.TrimSpace(l), "#") {
			content = true
		}
		off = end + 1
	}
	return 0
}

func loadErr(file string, b []byte, le *yaml.LoadError) error {
	msg := le.Message
	if le.ContextMsg != "" {
		msg = le.ContextMsg + ": " + msg
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	line, col := le.Mark.Line, le.Mark.Column
	if line == 0 {
		off := le.Mark.Index
		if off == 0 && strings.Contains(msg, "found multiple") {
			off = secondDocument(b)
		}
		line, col = offsetPos(b, off)
	}
	return &ConfigError{File: file, Line: line, Col: col, Msg: msg}
}

// positionError places a validation error (a *FieldError) at the key it
// names in the document root. A key set by a command-line flag (flags maps
// key paths to flag names) is reported with the flag; a key the file does
// not mention is reported with the file name only.
func positionError(file string, root *yaml.Node, flags map[string]string, err error) error {
	var fe *FieldError
	if !errors.As(err, &fe) {
		return &ConfigError{File: file, Msg: err.Error()}
	}
	if flag, ok := flags[fe.Path]; ok {
		return &ConfigError{Msg: flag + ": " + fe.Msg}
	}
	line, col := keyPos(root, fe.Path)
	if fe.Off > 0 {
		line, col = valueOffsetPos(root, fe.Path, fe.Off-1, line, col)
	}
	return &ConfigError{File: file, Line: line, Col: col, Msg: fe.Error()}
}

// keyPos finds the key node for a dotted path ("limits.max_body_bytes",
// "files.index.2"), falling back to the deepest existing ancestor.
func keyPos(root *yaml.Node, path string) (line, col int) {
	if root == nil {
		return 0, 0
	}
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	parts := strings.Split(path, ".")
	for i := 0; i < len(parts); i++ {
		switch n.Kind {
		case yaml.MappingNode:
			var next *yaml.Node
			// Map keys such as header names may contain dots: try the
			// longest remaining suffix first.
			for j := len(parts); j > i && next == nil; j-- {
				key := strings.Join(parts[i:j], ".")
				for k := 0; k+1 < len(n.Content); k += 2 {
					if n.Content[k].Value == key {
						line, col = n.Content[k].Line, n.Content[k].Column
						next = n.Content[k+1]
						i = j - 1
						break
					}
				}
			}
			if next == nil {
				return line, col
			}
			n = next
		case yaml.SequenceNode:
			var idx int
			if _, err := fmt.Sscanf(parts[i], "%d", &idx); err != nil || idx < 0 || idx >= len(n.Content) {
				return line, col
			}
			n = n.Content[idx]
			line, col = n.Line, n.Column
		default:
			return line, col
		}
	}
	return line, col
}
