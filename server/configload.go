package server

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"go.yaml.in/yaml/v4"
)

// ConfigError is a configuration problem with its position in the file.
// Error() renders "file:line:col: message" (line and col are 1-based; 0
// when unknown, then omitted).
type ConfigError struct {
	File      string
	Line, Col int
	Msg       string
}

func (e *ConfigError) Error() string {
	if e.Line == 0 {
		return e.File + ": " + e.Msg
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// LoadConfig reads and validates a YAML config file. Unknown and
// duplicate keys are errors. Every error is a *ConfigError (or a join of
// them) pointing at the offending key.
func LoadConfig(file string) (Config, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return Config{}, &ConfigError{File: file, Msg: errors.Unwrap(err).Error()}
	}
	c, root, err := ParseConfig(file, b)
	if err != nil {
		return c, err
	}
	if err := c.Validate(); err != nil {
		return c, PositionError(file, root, err)
	}
	return c, nil
}

// ParseConfig decodes YAML bytes into a Config without semantic
// validation. It also returns the document node, so that validation errors
// can be placed with PositionError.
func ParseConfig(file string, b []byte) (Config, *yaml.Node, error) {
	var c Config
	var root yaml.Node
	if err := yaml.Load(b, &root, yaml.WithUniqueKeys()); err != nil {
		if isNoDocuments(err) {
			return c, &root, nil // empty or comment-only file: all defaults
		}
		return c, nil, yamlError(file, b, err)
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return c, &root, nil // empty file: all defaults
	}
	if err := root.Load(&c, yaml.WithKnownFields(), yaml.WithUniqueKeys()); err != nil {
		return c, &root, yamlError(file, b, err)
	}
	return c, &root, nil
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
	// "field x not found in type server.ServerConfig" → "unknown key "x"".
	if rest, ok := strings.CutPrefix(msg, "field "); ok {
		if name, _, ok := strings.Cut(rest, " not found in type "); ok {
			msg = fmt.Sprintf("unknown key %q", name)
		}
	}
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

// PositionError places a validation error (a *FieldError) at the key it
// names in the document root (as returned by ParseConfig). Without a
// position it still names the file.
func PositionError(file string, root *yaml.Node, err error) error {
	var fe *FieldError
	if !errors.As(err, &fe) {
		return &ConfigError{File: file, Msg: err.Error()}
	}
	line, col := keyPos(root, fe.Path)
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
