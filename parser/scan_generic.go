//go:build !amd64 || purego

package parser

func fieldLine(b []byte) (nameEnd, valueStart, valueEnd, next int) {
	return fieldLineGeneric(b)
}

func targetScan(b []byte) int { return targetScanGeneric(b) }
