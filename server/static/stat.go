package static

import "time"

// fileKind is the kind of file the handler distinguishes.
type fileKind uint8

const (
	kindOther   fileKind = iota // device, socket, FIFO…: never served
	kindRegular                 // served
	kindDir                     // index, listing or redirect
)

// fileStat is the metadata the handler needs, kept as a value so the hot
// path does not allocate an fs.FileInfo.
type fileStat struct {
	size  int64
	mtime time.Time
	kind  fileKind
}
