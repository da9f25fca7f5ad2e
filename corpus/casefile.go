package corpus

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
)

// Header keys in their canonical order (FORMAT.md describes each).
var headerKeys = []string{
	"id", "section", "level", "requirement", "checks", "expect",
	"chain", "canary", "mode", "pace-ms", "half-close", "check", "fixture",
}

// KnownChecks are the response check names a case may list in "check"; the
// conformance runner implements each of them.
var KnownChecks = []string{
	"allow-header",          // a 405 carries Allow (RFC 9110 15.5.6)
	"content-length",        // responses are length-delimited (RFC 9112 6.3)
	"date",                  // Date present as IMF-fixdate (RFC 9110 6.6.1)
	"head-no-body",          // a HEAD response has no content (RFC 9110 9.3.2)
	"location-not-external", // a redirect never leaves the host (open redirect)
	"no-chunked-to-10",      // no chunked coding toward HTTP/1.0 (RFC 9112 6.1)
	"no-crlf-injection",     // no CR/LF from input in response fields (RFC 9112 11.1)
	"no-raw-markup",         // names are escaped in generated HTML
	"no-trace-echo",         // TRACE is not reflected
}

// separator ends the header and starts the raw bytes.
const separator = "---"

// posError formats "path:line:col: message".
func posError(file string, line, col int, format string, args ...any) error {
	return fmt.Errorf("%s:%d:%d: %s", file, line, col, fmt.Sprintf(format, args...))
}

// Parse reads one case file. path is the file's path (its stem must equal
// the id; its directory names the group). Errors read "path:line:col: msg".
func Parse(file string, text []byte) (Case, error) {
	c := Case{File: file, Mode: SendWhole}
	s := string(text)
	seen := map[string]bool{}
	off, line := 0, 0
	body := -1
	for off < len(s) {
		line++
		end := strings.IndexByte(s[off:], '\n')
		if end < 0 {
			return c, posError(file, line, 1, "header line without line break (missing %q before the raw bytes?)", separator)
		}
		l := s[off : off+end]
		next := off + end + 1
		if l == separator {
			body = next
			line++
			break
		}
		key, val, ok := strings.Cut(l, ":")
		if !ok {
			return c, posError(file, line, 1, "want \"key: value\" or %q", separator)
		}
		if !knownKey(key) {
			return c, posError(file, line, 1, "unknown key %q", key)
		}
		if seen[key] {
			return c, posError(file, line, 1, "duplicate key %q", key)
		}
		seen[key] = true
		trimmed := strings.TrimLeft(val, " ")
		vcol := len(key) + 1 + (len(val) - len(trimmed)) + 1
		val = strings.TrimRight(trimmed, " ")
		for i := 0; i < len(val); i++ {
			if val[i] < 0x20 || val[i] > 0x7e {
				return c, posError(file, line, vcol+i, "byte 0x%02x in a header value (printable ASCII only)", val[i])
			}
		}
		if val == "" {
			return c, posError(file, line, vcol, "empty value for %q", key)
		}
		if err := c.set(key, val); err != nil {
			return c, posError(file, line, vcol, "%s: %v", key, err)
		}
		off = next
	}
	if body < 0 {
		return c, posError(file, line+1, 1, "missing %q line before the raw bytes", separator)
	}
	for _, k := range []string{"id", "section", "level", "requirement", "checks", "expect"} {
		if !seen[k] {
			return c, posError(file, 1, 1, "missing key %q", k)
		}
	}
	if !seen["chain"] {
		c.Chain = DefaultChain(c.Expect)
	}
	stem := strings.TrimSuffix(path.Base(file), ".case")
	if c.ID != stem {
		return c, posError(file, 1, 1, "id %q differs from the file name %q", c.ID, stem)
	}
	c.Group = path.Base(path.Dir(file))
	if c.Mode == SendPaced && c.PaceMS <= 0 {
		return c, posError(file, 1, 1, "mode paced needs pace-ms")
	}
	if c.Mode != SendPaced && seen["pace-ms"] {
		return c, posError(file, 1, 1, "pace-ms is only for mode paced")
	}
	raw, err := Decode(s[body:])
	if err != nil {
		var se *SyntaxError
		at := body
		msg := err.Error()
		if errors.As(err, &se) {
			at += se.Offset
			msg = se.Msg
		}
		l, col := lineCol(s, at)
		return c, posError(file, l, col, "%s", msg)
	}
	if len(raw) == 0 {
		return c, posError(file, line, 1, "no raw bytes after %q", separator)
	}
	c.Raw = raw
	return c, nil
}

func knownKey(k string) bool {
	for _, h := range headerKeys {
		if h == k {
			return true
		}
	}
	return false
}

// lineCol turns a byte offset of s into a 1-based line and column.
func lineCol(s string, off int) (int, int) {
	if off > len(s) {
		off = len(s)
	}
	line := 1 + strings.Count(s[:off], "\n")
	col := off - strings.LastIndexByte(s[:off], '\n')
	return line, col
}

func yesNo(v string) (bool, error) {
	switch v {
	case "yes":
		return true, nil
	case "no":
		return false, nil
	}
	return false, fmt.Errorf("want yes or no, got %q", v)
}

// set stores one header value.
func (c *Case) set(key, val string) error {
	var err error
	switch key {
	case "id":
		if !validID(val) {
			return fmt.Errorf("%q is not a slug [a-z0-9-]", val)
		}
		c.ID = val
	case "section":
		c.Section = val
	case "level":
		switch l := Level(val); l {
		case MUST, SHOULD, MAY, Safety, Policy:
			c.Level = l
		default:
			return fmt.Errorf("unknown level %q (MUST, SHOULD, MAY, safety, policy)", val)
		}
	case "requirement":
		if !validID(strings.ReplaceAll(val, ".", "-")) {
			return fmt.Errorf("%q is not a requirement id", val)
		}
		c.Requirement = val
	case "checks":
		c.Checks = val
	case "expect":
		c.Expect, err = ParseExpect(val)
	case "chain":
		c.Chain, err = ParseChain(val)
	case "canary":
		c.Canary, err = yesNo(val)
	case "half-close":
		c.HalfClose, err = yesNo(val)
	case "fixture":
		var needs bool
		needs, err = yesNo(val)
		c.FixtureFree = !needs
	case "mode":
		switch m := Mode(val); m {
		case SendWhole, SendSplit, SendPaced:
			c.Mode = m
		default:
			return fmt.Errorf("unknown mode %q (whole, split, paced)", val)
		}
	case "pace-ms":
		n, perr := strconv.Atoi(val)
		if perr != nil || n < 1 || n > 60000 || val[0] == '0' {
			return fmt.Errorf("want milliseconds 1..60000, got %q", val)
		}
		c.PaceMS = n
	case "check":
		for _, name := range strings.Split(val, ",") {
			name = strings.TrimSpace(name)
			if !knownCheck(name) {
				return fmt.Errorf("unknown check %q (known: %s)", name, strings.Join(KnownChecks, ", "))
			}
			for _, prev := range c.Check {
				if prev == name {
					return fmt.Errorf("check %q listed twice", name)
				}
			}
			c.Check = append(c.Check, name)
		}
	}
	return err
}

func knownCheck(name string) bool {
	for _, k := range KnownChecks {
		if k == name {
			return true
		}
	}
	return false
}

// validID: a non-empty slug of lowercase letters, digits and inner hyphens.
func validID(s string) bool {
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// Format writes c as a case file in canonical form: keys in a fixed order,
// defaults (chain equal to DefaultChain(c.Expect) or empty, canary no, mode
// whole, half-close no, no checks, fixture yes) left out, the raw bytes in Encode's
// notation, a final line break.
func Format(c Case) []byte {
	var sb strings.Builder
	kv := func(k, v string) {
		sb.WriteString(k)
		sb.WriteString(": ")
		sb.WriteString(v)
		sb.WriteByte('\n')
	}
	kv("id", c.ID)
	kv("section", c.Section)
	kv("level", string(c.Level))
	kv("requirement", c.Requirement)
	kv("checks", c.Checks)
	kv("expect", FormatExpect(c.Expect))
	if len(c.Chain) > 0 && !slices.Equal(c.Chain, DefaultChain(c.Expect)) {
		kv("chain", FormatChain(c.Chain))
	}
	if c.Canary {
		kv("canary", "yes")
	}
	if c.Mode != "" && c.Mode != SendWhole {
		kv("mode", string(c.Mode))
	}
	if c.Mode == SendPaced {
		kv("pace-ms", strconv.Itoa(c.PaceMS))
	}
	if c.HalfClose {
		kv("half-close", "yes")
	}
	if len(c.Check) > 0 {
		kv("check", strings.Join(c.Check, ", "))
	}
	if c.FixtureFree {
		kv("fixture", "no")
	}
	sb.WriteString(separator)
	sb.WriteByte('\n')
	enc := Encode(c.Raw)
	sb.WriteString(enc)
	if !strings.HasSuffix(enc, "\n") {
		sb.WriteByte('\n')
	}
	return []byte(sb.String())
}
