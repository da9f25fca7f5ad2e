// Command fuzzseeds writes libFuzzer seed corpora for native Go fuzz
// targets built with go-118-fuzz-build (make fuzz-libfuzzer, and
// .clusterfuzzlite/build.sh), and turns a libFuzzer input back into a
// go test input.
//
//	go run ./scripts/fuzzseeds -out DIR parser:FuzzParse fuzz:FuzzConnection ...
//	go run ./scripts/fuzzseeds -decode crash-123 fuzz:FuzzConnection > fuzz/testdata/fuzz/FuzzConnection/crash-123
//
// The second form is how a crash ClusterFuzzLite or make fuzz-libfuzzer
// found becomes a regression input of `go test` (which then reports the
// failure with the property's own message).
//
// For each DIR:Target it writes DIR/<out>/<Target>/<hash> files from two
// sources: every corpus case (its raw bytes, and its case-file text), and
// the target's committed inputs under DIR/testdata/fuzz/<Target>/ (Go's
// "go test fuzz v1" files). A libFuzzer binary built by go-118-fuzz-build
// does not take the fuzz arguments as they are: its testing shim draws
// them from the input with go-fuzz-headers (a []byte or string is a
// 4-byte big-endian length, then the bytes; an int64 is 8 bytes and a
// byte-order byte; a byte is one byte), so each seed is encoded that way
// for the target's argument types, read from the target's f.Fuzz
// function literal (a target whose f.Fuzz argument is not a literal,
// such as rapid.MakeFuzz(prop), takes one []byte). Corpus bytes fill the
// first []byte or string argument; the others are zero.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ferrox/ferrox/corpus"
)

func main() {
	out := flag.String("out", "out/libfuzzer/seeds", "directory to write <Target>/ seed directories into")
	decodeFile := flag.String("decode", "", "instead: print this libFuzzer input (a crash file) as a go test fuzz v1 file for the one DIR:Target given")
	flag.Parse()
	if *decodeFile != "" {
		os.Exit(decodeMain(*decodeFile, flag.Args()))
	}
	cases, err := corpus.All()
	if err != nil {
		fmt.Fprintf(os.Stderr, "fuzzseeds: corpus: %v\n", err)
		os.Exit(1)
	}
	status := 0
	for _, spec := range flag.Args() {
		dir, target, ok := strings.Cut(spec, ":")
		if !ok {
			fmt.Fprintf(os.Stderr, "fuzzseeds: %q: want DIR:Target\n", spec)
			os.Exit(2)
		}
		n, err := writeSeeds(cases, dir, target, filepath.Join(*out, target))
		if err != nil {
			fmt.Fprintf(os.Stderr, "fuzzseeds: %s: %v\n", spec, err)
			status = 1
			continue
		}
		fmt.Printf("%s %s %d\n", dir, target, n)
	}
	os.Exit(status)
}

// writeSeeds writes the seeds of dir's target into dst and returns how
// many distinct ones it wrote.
func writeSeeds(cases []corpus.Case, dir, target, dst string) (int, error) {
	types, err := argTypes(dir, target)
	if err != nil {
		return 0, err
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return 0, err
	}
	seen := map[string]bool{}
	put := func(vals []any) error {
		b, ok := encode(types, vals)
		if !ok {
			return nil // e.g. an empty last []byte, which the shim cannot draw
		}
		sum := sha256.Sum256(b)
		name := hex.EncodeToString(sum[:8])
		if seen[name] {
			return nil
		}
		seen[name] = true
		return os.WriteFile(filepath.Join(dst, name), b, 0o644)
	}
	first := -1
	for i, t := range types {
		if t == "[]byte" || t == "string" {
			first = i
			break
		}
	}
	if first >= 0 {
		for _, c := range cases {
			for _, v := range [][]byte{c.Raw, corpus.Format(c)} {
				vals := make([]any, len(types))
				vals[first] = v
				if err := put(vals); err != nil {
					return 0, err
				}
			}
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "testdata", "fuzz", target, "*"))
	for _, f := range files {
		vals, err := readGoCorpusFile(f)
		if err != nil {
			return 0, err
		}
		if len(vals) != len(types) {
			return 0, fmt.Errorf("%s: %d values; the target takes %d", f, len(vals), len(types))
		}
		if err := put(vals); err != nil {
			return 0, err
		}
	}
	return len(seen), nil
}

// argTypes returns the types of target's fuzz arguments (after the
// *testing.T), read from dir's test files.
func argTypes(dir, target string) ([]string, error) {
	files, _ := filepath.Glob(filepath.Join(dir, "*_test.go"))
	fset := token.NewFileSet()
	for _, fn := range files {
		f, err := parser.ParseFile(fset, fn, nil, 0)
		if err != nil {
			return nil, err
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv != nil || fd.Name.Name != target || fd.Body == nil {
				continue
			}
			var types []string
			found := false
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || found {
					return !found
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "Fuzz" || len(call.Args) != 1 {
					return true
				}
				found = true
				lit, ok := call.Args[0].(*ast.FuncLit)
				if !ok {
					types = []string{"[]byte"} // rapid.MakeFuzz(prop) and the like
					return false
				}
				for i, p := range lit.Type.Params.List {
					var b bytes.Buffer
					printExpr(&b, p.Type)
					n := len(p.Names)
					if n == 0 {
						n = 1
					}
					for range n {
						if i > 0 {
							types = append(types, b.String())
						}
					}
				}
				return false
			})
			if !found {
				return nil, fmt.Errorf("%s: no f.Fuzz call in %s", fn, target)
			}
			return types, nil
		}
	}
	return nil, fmt.Errorf("no func %s in %s/*_test.go", target, dir)
}

func printExpr(b *bytes.Buffer, e ast.Expr) {
	switch e := e.(type) {
	case *ast.Ident:
		b.WriteString(e.Name)
	case *ast.ArrayType:
		b.WriteString("[]")
		printExpr(b, e.Elt)
	case *ast.SelectorExpr:
		printExpr(b, e.X)
		b.WriteString("." + e.Sel.Name)
	case *ast.StarExpr:
		b.WriteString("*")
		printExpr(b, e.X)
	default:
		fmt.Fprintf(b, "%T", e)
	}
}

// encode lays vals out as go-fuzz-headers draws them for types; nil
// stands for the zero value. It reports false for what the shim cannot
// draw (an empty []byte or string in last place, an unknown type).
func encode(types []string, vals []any) ([]byte, bool) {
	var b []byte
	for i, t := range types {
		last := i == len(types)-1
		v := vals[i]
		switch t {
		case "[]byte", "[]uint8", "string":
			var s []byte
			switch v := v.(type) {
			case []byte:
				s = v
			case string:
				s = []byte(v)
			}
			if len(s) == 0 && last {
				return nil, false
			}
			b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
			b = append(b, s...)
		case "byte", "uint8", "int8", "bool":
			b = append(b, byte(toUint(v)))
		case "int32", "uint32", "rune":
			b = binary.BigEndian.AppendUint32(b, uint32(toUint(v)))
		case "int16", "uint16":
			b = binary.BigEndian.AppendUint16(b, uint16(toUint(v)))
			b = append(b, 1) // odd: big-endian
		case "int", "int64", "uint", "uint64":
			b = binary.BigEndian.AppendUint64(b, toUint(v))
			b = append(b, 1) // odd: big-endian
		default:
			return nil, false
		}
	}
	return b, true
}

func toUint(v any) uint64 {
	switch v := v.(type) {
	case int64:
		return uint64(v)
	case uint64:
		return v
	case bool:
		if v {
			return 0 // go-fuzz-headers: an even byte is true
		}
		return 1
	}
	return 0
}

// readGoCorpusFile reads a "go test fuzz v1" file: one Go expression per
// value, such as []byte("..."), string("..."), byte('x'), int64(-3).
func readGoCorpusFile(path string) ([]any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) == 0 || lines[0] != "go test fuzz v1" {
		return nil, fmt.Errorf("%s:1: not a go test fuzz v1 file", path)
	}
	var vals []any
	for i, l := range lines[1:] {
		v, err := goValue(l)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, i+2, err)
		}
		vals = append(vals, v)
	}
	return vals, nil
}

func goValue(line string) (any, error) {
	e, err := parser.ParseExpr(line)
	if err != nil {
		return nil, err
	}
	call, ok := e.(*ast.CallExpr)
	if !ok || len(call.Args) != 1 {
		return nil, fmt.Errorf("%q: want T(literal)", line)
	}
	var typ bytes.Buffer
	printExpr(&typ, call.Fun)
	arg := call.Args[0]
	neg := false
	if u, ok := arg.(*ast.UnaryExpr); ok && u.Op == token.SUB {
		neg, arg = true, u.X
	}
	lit, ok := arg.(*ast.BasicLit)
	if !ok {
		if id, ok := arg.(*ast.Ident); ok && typ.String() == "bool" {
			return id.Name == "true", nil
		}
		return nil, fmt.Errorf("%q: want a literal", line)
	}
	switch lit.Kind {
	case token.STRING:
		s, err := strconv.Unquote(lit.Value)
		if err != nil {
			return nil, err
		}
		if typ.String() == "string" {
			return s, nil
		}
		return []byte(s), nil
	case token.CHAR:
		r, _, _, err := strconv.UnquoteChar(strings.Trim(lit.Value, "'"), '\'')
		return int64(r), err
	case token.INT:
		n, err := strconv.ParseInt(lit.Value, 0, 64)
		if err != nil {
			u, uerr := strconv.ParseUint(lit.Value, 0, 64)
			return u, uerr
		}
		if neg {
			n = -n
		}
		return n, nil
	}
	return nil, fmt.Errorf("%q: unsupported literal", line)
}

// decodeMain prints file, a libFuzzer input of the one target in args, as
// a "go test fuzz v1" file.
func decodeMain(file string, args []string) int {
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "fuzzseeds: -decode takes one DIR:Target")
		return 2
	}
	dir, target, ok := strings.Cut(args[0], ":")
	if !ok {
		fmt.Fprintf(os.Stderr, "fuzzseeds: %q: want DIR:Target\n", args[0])
		return 2
	}
	types, err := argTypes(dir, target)
	if err != nil {
		fmt.Fprintf(os.Stderr, "fuzzseeds: %v\n", err)
		return 1
	}
	data, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintf(os.Stderr, "fuzzseeds: %v\n", err)
		return 1
	}
	text, err := decode(types, data)
	if err != nil {
		fmt.Fprintf(os.Stderr, "fuzzseeds: %s: %v\n", file, err)
		return 1
	}
	os.Stdout.WriteString(text)
	return 0
}

// decode draws types from data as go-fuzz-headers does in the libFuzzer
// build (the inverse of encode) and formats them as a "go test fuzz v1"
// file.
func decode(types []string, data []byte) (string, error) {
	pos := 0
	left := func() int { return len(data) - pos }
	take := func(n int) ([]byte, error) {
		if pos >= len(data) || left() < n {
			return nil, fmt.Errorf("input too short for the arguments %v", types)
		}
		b := data[pos : pos+n]
		pos += n
		return b, nil
	}
	// u64 reads n bytes and, for 2 and 8, the byte-order byte (even:
	// little-endian).
	u64 := func(n int) (uint64, error) {
		b, err := take(n)
		if err != nil {
			return 0, err
		}
		little := false
		if n == 2 || n == 8 {
			o, err := take(1)
			if err != nil {
				return 0, err
			}
			little = o[0]%2 == 0
		}
		var v uint64
		for i := range n {
			if little {
				v |= uint64(b[i]) << (8 * i)
			} else {
				v = v<<8 | uint64(b[i])
			}
		}
		return v, nil
	}
	var out strings.Builder
	out.WriteString("go test fuzz v1\n")
	for _, t := range types {
		switch t {
		case "[]byte", "[]uint8", "string":
			lb, err := take(4)
			if err != nil {
				return "", err
			}
			n := int(binary.BigEndian.Uint32(lb))
			if t == "string" {
				if pos >= len(data) || n > left() {
					return "", fmt.Errorf("input too short for a string of %d bytes", n)
				}
			} else {
				if n == 0 {
					n = 30
				}
				if left() <= 0 {
					return "", fmt.Errorf("input too short for the arguments %v", types)
				}
				if n != left() {
					n %= left()
				}
			}
			v := data[pos : pos+n]
			pos += n
			if t == "string" {
				fmt.Fprintf(&out, "string(%s)\n", strconv.Quote(string(v)))
			} else {
				fmt.Fprintf(&out, "[]byte(%s)\n", strconv.Quote(string(v)))
			}
		case "byte", "uint8":
			v, err := u64(1)
			if err != nil {
				return "", err
			}
			fmt.Fprintf(&out, "byte(%s)\n", strconv.QuoteRune(rune(v)))
		case "int8":
			v, err := u64(1)
			if err != nil {
				return "", err
			}
			fmt.Fprintf(&out, "int8(%d)\n", int8(v))
		case "bool":
			v, err := u64(1)
			if err != nil {
				return "", err
			}
			fmt.Fprintf(&out, "bool(%v)\n", v%2 == 0)
		case "int16", "uint16":
			v, err := u64(2)
			if err != nil {
				return "", err
			}
			if t == "int16" {
				fmt.Fprintf(&out, "int16(%d)\n", int16(v))
			} else {
				fmt.Fprintf(&out, "uint16(%d)\n", uint16(v))
			}
		case "int32", "uint32", "rune":
			v, err := u64(4)
			if err != nil {
				return "", err
			}
			if t == "uint32" {
				fmt.Fprintf(&out, "uint32(%d)\n", uint32(v))
			} else {
				fmt.Fprintf(&out, "%s(%d)\n", t, int32(v))
			}
		case "int", "int64", "uint", "uint64":
			v, err := u64(8)
			if err != nil {
				return "", err
			}
			switch t {
			case "int", "int64":
				fmt.Fprintf(&out, "%s(%d)\n", t, int64(v))
			default:
				fmt.Fprintf(&out, "%s(%d)\n", t, v)
			}
		default:
			return "", fmt.Errorf("argument type %s: not supported", t)
		}
	}
	return out.String(), nil
}
