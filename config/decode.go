package config

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v4"
)

// removed are keys that once existed, with what to do instead.
var removed = map[string]string{
	"listing.show_dotfiles": "this key was removed: listings show dot entries exactly when files.dotfiles is true",
}

// pathSet holds dotted key paths.
type pathSet map[string]bool

// covers reports whether path or one of its ancestors (up to the root,
// "") is in s.
func (s pathSet) covers(path string) bool {
	for p := path; ; {
		if s[p] {
			return true
		}
		i := strings.LastIndexByte(p, '.')
		if i < 0 {
			return s[""]
		}
		p = p[:i]
	}
}

// duplicate reports a key seen before in the same mapping (YAML requires
// keys to be unique; the module's tree does not check).
func (d *decoder) duplicate(seen map[string]int, k *yaml.Node, key string) bool {
	if first, ok := seen[k.Value]; ok {
		d.fail(k, key, "given twice (first at line %d)", first)
		return true
	}
	seen[k.Value] = k.Line
	return false
}

// decoder fills a Config from a YAML node tree, walking the struct by its
// yaml tags, and collects one *ConfigError per key or value that does not
// fit instead of stopping at the first. Recursion follows the Go types,
// which are finite, so aliases cannot make it loop.
type decoder struct {
	file   string
	errs   []error
	failed pathSet
}

func (d *decoder) fail(n *yaml.Node, path, format string, a ...any) {
	msg := fmt.Sprintf(format, a...)
	if path != "" {
		msg = path + ": " + msg
	}
	d.errs = append(d.errs, &ConfigError{File: d.file, Line: n.Line, Col: n.Column, Msg: msg})
	d.failed[path] = true
}

var durationType = reflect.TypeFor[time.Duration]()

// decode stores n into v; path is the dotted key path, want the field's
// "want" tag (how to describe a number it expects).
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path, want string) {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return // "key:" with nothing after it: the default
	}
	switch {
	case v.Kind() == reflect.Pointer:
		e := reflect.New(v.Type().Elem())
		if d.decode(n, e.Elem(), path, want); !d.failed[path] {
			v.Set(e)
		}
	case v.Type() == durationType:
		d.duration(n, v, path)
	case v.Kind() == reflect.Struct:
		d.section(n, v, path)
	case v.Kind() == reflect.Map:
		d.mapping(n, v, path)
	case v.Kind() == reflect.Slice:
		d.list(n, v, path)
	case v.Kind() == reflect.Bool:
		var b bool
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
			d.fail(n, path, "want true or false, got %s", describe(n))
			return
		}
		v.SetBool(b)
	case v.Kind() == reflect.Int || v.Kind() == reflect.Int64:
		d.integer(n, v, path, want)
	case v.Kind() == reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.fail(n, path, "want a text value, got %s", describe(n))
			return
		}
		v.SetString(n.Value)
	default:
		// A Config field of a type added without a decoder here;
		// TestLoadEveryKey catches it.
		d.fail(n, path, "internal error: no decoder for %s", v.Type())
	}
}

func (d *decoder) duration(n *yaml.Node, v reflect.Value, path string) {
	const want = "want a duration such as 10s or 500ms"
	switch {
	case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!int" && n.Value == "0":
		v.SetInt(0)
	case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!int":
		d.fail(n, path, "%s, got %s (a number needs a unit)", want, n.Value)
	case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str":
		dur, err := time.ParseDuration(n.Value)
		if err != nil {
			d.fail(n, path, "%s, got %q", want, n.Value)
			return
		}
		v.SetInt(int64(dur))
	default:
		d.fail(n, path, "%s, got %s", want, describe(n))
	}
}

func (d *decoder) integer(n *yaml.Node, v reflect.Value, path, want string) {
	if want == "" {
		want = "a whole number"
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
		d.fail(n, path, "want %s, got %s", want, describe(n))
		return
	}
	var i int64
	if err := n.Decode(&i); err != nil || v.OverflowInt(i) {
		d.fail(n, path, "want %s, got %s, which is too large", want, n.Value)
		return
	}
	v.SetInt(i)
}

// section decodes a mapping into the struct v, field by yaml tag.
func (d *decoder) section(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		what := "a section of keys"
		if path == "" {
			what = "a mapping of sections (server:, paths:, ...)"
		}
		d.fail(n, path, "want %s, got %s", what, describe(n))
		return
	}
	t := v.Type()
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		key := join(path, k.Value)
		if d.duplicate(seen, k, key) {
			continue
		}
		f, ok := fieldByTag(t, k.Value)
		if !ok {
			d.unknown(k, t, path, key)
			continue
		}
		d.decode(val, v.FieldByIndex(f.Index), key, f.Tag.Get("want"))
	}
}

// unknown reports a key the struct t does not have, with a suggestion.
func (d *decoder) unknown(k *yaml.Node, t reflect.Type, path, key string) {
	if msg, ok := removed[key]; ok {
		d.fail(k, key, "%s", msg)
		return
	}
	msg := fmt.Sprintf("unknown key %q", k.Value)
	if s := suggest(k.Value, t, path); s != "" {
		msg += fmt.Sprintf("; did you mean %s?", s)
	}
	d.errs = append(d.errs, &ConfigError{File: d.file, Line: k.Line, Col: k.Column, Msg: msg})
}

func (d *decoder) mapping(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "want a mapping such as %s, got %s", mapExample(path), describe(n))
		return
	}
	m := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
	intKeys := v.Type().Key().Kind() == reflect.Int
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		key := join(path, k.Value)
		if d.duplicate(seen, k, key) {
			continue
		}
		kv := reflect.New(v.Type().Key()).Elem()
		if intKeys {
			st, err := strconv.Atoi(k.Value)
			if err != nil || k.Kind != yaml.ScalarNode {
				d.fail(k, key, "want a status code such as 404 as the key, got %s", describe(k))
				continue
			}
			kv.SetInt(int64(st))
		} else {
			if k.Kind != yaml.ScalarNode {
				d.fail(k, path, "want a text key, got %s", describe(k))
				continue
			}
			kv.SetString(k.Value)
		}
		ev := reflect.New(v.Type().Elem()).Elem()
		if d.decode(val, ev, key, ""); !d.failed[key] {
			m.SetMapIndex(kv, ev)
		}
	}
	v.Set(m)
}

func (d *decoder) list(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.SequenceNode {
		d.fail(n, path, "want a list such as [index.html], got %s", describe(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, e := range n.Content {
		d.decode(e, s.Index(i), join(path, strconv.Itoa(i)), "")
	}
	v.Set(s)
}

func mapExample(path string) string {
	switch path {
	case "files.error_pages":
		return "{404: 404.html}"
	case "files.routes":
		return "{/about: about.html}"
	}
	return "{X-Name: value}"
}

// describe says what a node is, for "got ..." in messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a section of keys"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.ShortTag() == "!!str" {
			return strconv.Quote(n.Value)
		}
		return n.Value
	}
	return "nothing usable"
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func fieldByTag(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.IsExported() && yamlName(f) == key {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func yamlName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	return name
}

// suggest finds the known key closest to an unknown one: a sibling at
// edit distance at most 2 (1 for short keys), else a key of that name in
// another section (a key written at the wrong level).
func suggest(key string, t reflect.Type, path string) string {
	best, bestD := "", 3
	if len(key) <= 4 {
		bestD = 2
	}
	for i := 0; i < t.NumField(); i++ {
		name := yamlName(t.Field(i))
		if name == "" || name == "-" {
			continue
		}
		if dist := editDistance(key, name); dist < bestD {
			best, bestD = join(path, name), dist
		}
	}
	if best != "" {
		return best
	}
	root := reflect.TypeFor[Config]()
	for i := 0; i < root.NumField(); i++ {
		sec := root.Field(i)
		if sec.Type.Kind() != reflect.Struct || !sec.IsExported() {
			continue
		}
		if f, ok := fieldByTag(sec.Type, key); ok {
			if p := join(yamlName(sec), yamlName(f)); p != join(path, key) {
				return p
			}
		}
	}
	return ""
}

// editDistance is the optimal-string-alignment distance of two short
// ASCII keys: insertions, deletions, substitutions and swaps of adjacent
// bytes ("prot" → "port") cost 1 each.
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
