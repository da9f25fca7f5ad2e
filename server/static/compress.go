package static

import (
	"bytes"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// On-the-fly compression (gzip and zstd, RFC 9110 §8.4.1, RFC 8878). A
// file of a compressible type whose size lies in [MinSize, MaxSize] is
// compressed whole, in memory, the first time a client that accepts the
// coding asks for it; the result is kept in a byte-bounded cache keyed by
// the file's name, size, modification time and the coding (compcache.go).
// Because the encoded representation exists in full before the head is
// written, its Content-Length, HEAD, Range and 304 answers are exact, as
// for any file; ranges apply to the encoded bytes, as for a precompressed
// sibling (RFC 9110 §14.1.2: a range is over the selected representation,
// which ETag and Content-Encoding name).

// Compression limits the configuration layer enforces (see config).
const (
	// MaxCompressSize is the largest MaxSize accepted: 8 MiB, the zstd
	// window a client has to support for the "zstd" content coding
	// (RFC 9659 §3); the whole-file encoder emits one frame whose window
	// is the file size, so a larger file could be refused by browsers.
	// It also bounds the memory one compression holds (input plus
	// output).
	MaxCompressSize = 8 << 20
	// DefaultGzipLevel and DefaultZstdLevel are the levels used when none
	// is configured: gzip's own default and zstd's. With the cache the
	// cost is paid once per file version, so a middle level is worth it.
	DefaultGzipLevel = 6
	DefaultZstdLevel = 3
	// DefaultCompressMin is the least size compressed on the fly: below
	// ~1 KiB the coding's framing (18 bytes for gzip, ~13 for zstd) and the
	// CPU outweigh the saving (Caddy uses 512, Cloudflare and Akamai about
	// 1 KiB; nginx's gzip_min_length 20 is a lower bar).
	DefaultCompressMin = 1024
	// DefaultCompressMax is the largest size compressed on the fly by
	// default: 4 MiB covers nearly every HTML, CSS, JS and JSON file,
	// while the whole-file encoding of a bigger one would hold its bytes
	// twice in memory and delay its first byte by tens of milliseconds.
	// Bigger files go out as they are, or from a precompressed sibling.
	DefaultCompressMax = 4 << 20
	// DefaultCompressCache is the default byte budget of the cache of
	// encoded files.
	DefaultCompressCache = 32 << 20
)

// DefaultCompressTypes are the media types compressed on the fly by
// default: text, scripts, JSON and XML (with their +json/+xml variants),
// SVG, WebAssembly and the uncompressed font and icon formats; the same
// families as Caddy's encode defaults and the common nginx gzip_types
// lists. Images, audio, video, woff/woff2 and archives are compressed
// already.
var DefaultCompressTypes = []string{
	"text/*",
	"application/javascript",
	"application/json",
	"application/*+json",
	"application/xml",
	"application/*+xml",
	"image/svg+xml",
	"application/wasm",
	"font/ttf",
	"font/otf",
	"application/vnd.ms-fontobject",
	"image/vnd.microsoft.icon",
	"image/bmp",
}

// CompressConfig configures on-the-fly compression. The zero value is
// off; fields are taken as given (config validates them).
type CompressConfig struct {
	// On enables compression on the fly.
	On bool
	// GzipLevel is the gzip level, 1-9; ZstdLevel the zstd level, 1-22
	// (mapped to the encoder's four speeds: 1-2 fastest, 3-5 default,
	// 6-9 better, 10-22 best).
	GzipLevel, ZstdLevel int
	// Types are media type patterns (ValidTypePattern): "type/subtype",
	// "type/*" or "type/*+suffix", matched case-insensitively against
	// the Content-Type without parameters.
	Types []string
	// MinSize and MaxSize bound the sizes of files compressed on the fly
	// (MaxSize at most MaxCompressSize).
	MinSize, MaxSize int64
	// CacheBytes is the byte budget of the cache of encoded files; 0
	// compresses on every request (into pooled buffers).
	CacheBytes int64
}

// ValidTypePattern reports whether p is a media type pattern
// CompressConfig.Types accepts: "type/subtype", "type/*" or
// "type/*+suffix", each part a token (RFC 9110 §8.3.1).
func ValidTypePattern(p string) bool {
	t, sub, ok := strings.Cut(p, "/")
	if !ok || !isToken(t) || t == "*" {
		return false
	}
	if sub == "*" {
		return true
	}
	if rest, ok := strings.CutPrefix(sub, "*+"); ok {
		return isToken(rest)
	}
	return isToken(sub) && !strings.Contains(sub, "*")
}

func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// typeMatch reports whether the Content-Type ctype (parameters ignored)
// matches one of the patterns.
func typeMatch(patterns []string, ctype string) bool {
	mt, _, _ := strings.Cut(ctype, ";")
	mt = strings.TrimSpace(mt)
	t, sub, ok := strings.Cut(mt, "/")
	if !ok {
		return false
	}
	for _, p := range patterns {
		pt, psub, _ := strings.Cut(p, "/")
		if !strings.EqualFold(pt, t) {
			continue
		}
		switch {
		case psub == "*":
			return true
		case strings.HasPrefix(psub, "*+"):
			suf := psub[1:]
			if len(sub) > len(suf) && strings.EqualFold(sub[len(sub)-len(suf):], suf) {
				return true
			}
		case strings.EqualFold(psub, sub):
			return true
		}
	}
	return false
}

// otfCoding is a coding produced on the fly.
type otfCoding uint8

const (
	otfZstd otfCoding = iota
	otfGzip
)

func (c otfCoding) name() string {
	if c == otfZstd {
		return "zstd"
	}
	return "gzip"
}

// compressor holds the configuration and the pooled encoders.
type compressor struct {
	on               bool
	types            []string
	min, max         int64
	gzipLvl, zstdLvl int
	// tags are the ETag suffixes per coding; they carry the level and
	// the compression library's version (codingTag), so neither a
	// configuration change nor an upgrade can give other bytes under the
	// same strong tag (RFC 9110 §8.8.3: a strong tag names one byte
	// sequence).
	tags [2]string

	gz   sync.Pool // *gzip.Writer at gzipLvl
	zs   *zstd.Encoder
	bufs sync.Pool // *[]byte, input and uncached output buffers
	// slots bounds the encodings in progress, and so the memory and CPU
	// they take (input and output, about 2*MaxSize each): a request that
	// finds none free is answered with the identity at once rather than
	// wait (load shedding; the response still has Vary, so caches keep
	// the codings apart). With the cache this happens only when many
	// distinct files are first asked for at the same moment.
	slots chan struct{}

	cache compCache
}

// newCompressor builds the encoders for cfg; it fails only on a level
// the libraries refuse (config validates them first).
func newCompressor(cfg CompressConfig) (*compressor, error) {
	c := &compressor{on: cfg.On}
	if !cfg.On {
		return c, nil
	}
	c.types = cfg.Types
	c.min, c.max = cfg.MinSize, min(cfg.MaxSize, MaxCompressSize)
	c.gzipLvl, c.zstdLvl = cfg.GzipLevel, cfg.ZstdLevel
	if _, err := gzip.NewWriterLevel(nil, c.gzipLvl); err != nil || c.gzipLvl < 1 {
		return nil, fmt.Errorf("static: gzip level %d: want 1-9", c.gzipLvl)
	}
	if c.zstdLvl < 1 || c.zstdLvl > 22 {
		return nil, fmt.Errorf("static: zstd level %d: want 1-22", c.zstdLvl)
	}
	// Memory: each pooled zstd encoder keeps about twice its window once
	// it has encoded a file longer than a block (measured: ~17 MB at an
	// 8 MiB window, ~9 MB with the lower-memory option), so at most
	// maxZstdEncoders are kept, with that option: ~36 MB at worst. The
	// window is fixed (the bytes, hence the strong ETag, must not depend
	// on max_size): 8 MiB, the most RFC 9659 §3 allows a "zstd" content
	// coding, so any file up to MaxCompressSize is one single-segment
	// frame.
	zs, err := zstd.NewWriter(nil,
		zstd.WithEncoderLevel(zstd.EncoderLevelFromZstd(c.zstdLvl)),
		zstd.WithEncoderConcurrency(min(runtime.GOMAXPROCS(0), maxZstdEncoders)),
		zstd.WithLowerEncoderMem(true),
		zstd.WithWindowSize(MaxCompressSize))
	if err != nil {
		return nil, fmt.Errorf("static: zstd encoder: %w", err)
	}
	c.zs = zs
	lib := compressLibVersion()
	c.tags = [2]string{codingTag("zstd", c.zstdLvl, lib), codingTag("gzip", c.gzipLvl, lib)}
	c.gz.New = func() any {
		w, _ := gzip.NewWriterLevel(nil, c.gzipLvl)
		return w
	}
	c.cache.budget = max(cfg.CacheBytes, 0)
	c.slots = make(chan struct{}, max(4, 2*runtime.GOMAXPROCS(0)))
	return c, nil
}

// applies reports whether a file of this type and size is compressed on
// the fly.
func (c *compressor) applies(ctype string, size int64) bool {
	return c.on && size >= c.min && size <= c.max && typeMatch(c.types, ctype)
}

// encode appends the coding of src to dst.
func (c *compressor) encode(dst, src []byte, coding otfCoding) ([]byte, error) {
	if coding == otfZstd {
		return c.zs.EncodeAll(src, dst), nil
	}
	w := c.gz.Get().(*gzip.Writer)
	defer c.gz.Put(w)
	buf := bytes.NewBuffer(dst)
	w.Reset(buf)
	if _, err := w.Write(src); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// maxZstdEncoders bounds the zstd encoders kept (and so the concurrent
// zstd encodings; with the cache they are rare).
const maxZstdEncoders = 4

// maxPooledBuf: buffers above this size are not kept in the pool, so a
// rare big file does not pin its memory.
const maxPooledBuf = 1 << 20

func (c *compressor) getBuf(n int) *[]byte {
	if p, ok := c.bufs.Get().(*[]byte); ok && cap(*p) >= n {
		*p = (*p)[:0]
		return p
	}
	b := make([]byte, 0, max(n, 4096))
	return &b
}

func (c *compressor) putBuf(p *[]byte) {
	if cap(*p) <= maxPooledBuf {
		c.bufs.Put(p)
	}
}

// pooledBody gives an uncached encoded body back to the pool once the
// response has been written (wire.Response.Keep).
type pooledBody struct {
	c *compressor
	p *[]byte
}

func (b *pooledBody) Close() error {
	b.c.putBuf(b.p)
	return nil
}

// errChanged: the file changed while it was read.
var errChanged = errors.New("static: file changed while compressing")

// errBusy: every encoding slot is taken.
var errBusy = errors.New("static: every encoding slot is busy")

// compressFile reads the regular file f (size and mtime as in fi, read
// positionally, so it may be a shared one) and encodes it. It fails when
// the file cannot be read whole or changed meanwhile.
func (c *compressor) compressFile(dst []byte, f *os.File, fi fileStat, coding otfCoding) ([]byte, error) {
	select {
	case c.slots <- struct{}{}:
		defer func() { <-c.slots }()
	default:
		return nil, errBusy
	}
	in := c.getBuf(int(fi.size))
	defer c.putBuf(in)
	src := (*in)[:fi.size]
	if n, err := f.ReadAt(src, 0); n != len(src) {
		if err == nil {
			err = errChanged
		}
		return nil, err
	}
	out, err := c.encode(dst, src, coding)
	if err != nil {
		return nil, err
	}
	if now, err := fstat(f); err != nil || now.size != fi.size || !now.mtime.Equal(fi.mtime) {
		return nil, errChanged
	}
	return out, nil
}

// encoded returns the encoding of f (named name) with coding: from the
// cache, or made now. release, when not nil, must be registered with the
// response (the bytes live in a pooled buffer until then). An encoding
// that is not smaller than the file (random or already compressed bytes
// under a text type: gzip's framing then adds some 20 bytes) comes back
// empty, and the cache keeps that answer, so that the file goes out as
// it is.
func (c *compressor) encoded(f *os.File, fi fileStat, name string, coding otfCoding) (data []byte, release *pooledBody, err error) {
	if c.cache.budget == 0 {
		p := c.getBuf(int(fi.size/2) + 64)
		out, err := c.compressFile(*p, f, fi, coding)
		if err != nil || int64(len(out)) >= fi.size {
			c.putBuf(p)
			return nil, nil, err
		}
		*p = out
		return out, &pooledBody{c, p}, nil
	}
	k := compKey{name: name, size: fi.size, mtime: fi.mtime.UnixNano(), coding: coding}
	data, err = c.cache.get(k, func() ([]byte, error) {
		p := c.getBuf(int(fi.size/2) + 64)
		defer c.putBuf(p)
		out, err := c.compressFile(*p, f, fi, coding)
		if err != nil {
			return nil, err
		}
		*p = out[:0]
		if int64(len(out)) >= fi.size {
			return []byte{}, nil // no gain: the empty answer is kept
		}
		// An exact-size copy: the cache's budget counts these bytes.
		return bytes.Clone(out), nil
	})
	return data, nil, err
}

// compressLib is the module whose encoders make the compressed bytes.
const compressLib = "github.com/klauspost/compress"

// compressLibVersion is the version and checksum of compressLib built
// into the binary, as the module system recorded them (a replaced
// module: its replacement's), or "" when the binary carries none (a test
// binary does not).
var compressLibVersion = sync.OnceValue(func() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, m := range bi.Deps {
		if m.Path != compressLib {
			continue
		}
		if m.Replace != nil {
			m = m.Replace
		}
		return m.Version + m.Sum
	}
	return ""
})

// codingTag is the ETag suffix of a content coding: its name, its level
// and 32 bits of an FNV-1a hash of the library version, in base 36.
// Another level or another release of the encoder may give other bytes
// for the same file, and a strong tag names one byte sequence (RFC 9110
// §8.8.3), so each gets a tag of its own; the hash keeps the tag short
// and within etagc whatever the version string holds.
func codingTag(name string, level int, lib string) string {
	h := fnv.New32a()
	h.Write([]byte(lib))
	return name + strconv.Itoa(level) + "." + strconv.FormatUint(uint64(h.Sum32()), 36)
}
