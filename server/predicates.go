package server

import "github.com/ferrox/ferrox/parser"

// The writer's byte checks, delegating to the parser's oracle-tested
// predicates (parser/predicates.go) rather than copying its tables.

func validToken(s string) bool      { return parser.ValidToken(s) }
func validFieldValue(s string) bool { return parser.ValidFieldValue(s) }
func asciiEqualFold(a, b string) bool {
	return parser.EqualFold(a, b)
}
