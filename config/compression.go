package config

import (
	"slices"
	"strconv"

	"github.com/ferrox/ferrox/server/static"
)

// CompressionConfig controls gzip and zstd on the fly (RFC 9110 §8.4):
// files of the listed types whose size lies in [min_size, max_size] are
// encoded whole for clients that accept a coding, once per file version,
// and kept in a byte-bounded memory cache; every response of such a file
// carries Vary: Accept-Encoding and each coding has its own ETag.
// Precompressed siblings (files.precompressed) win over an on-the-fly
// coding of equal weight. For numbers, 0 (or absent) means the default.
type CompressionConfig struct {
	Enabled   *bool `yaml:"enabled"`                             // default true
	GzipLevel int   `yaml:"gzip_level" want:"a gzip level 1-9"`  // default 6
	ZstdLevel int   `yaml:"zstd_level" want:"a zstd level 1-22"` // default 3
	// Types are media type patterns: type/subtype, type/* or
	// type/*+suffix; default text/*, JavaScript, JSON, XML, SVG, wasm,
	// ttf/otf/eot fonts, icons and BMP (static.DefaultCompressTypes).
	Types   []string `yaml:"types"`
	MinSize int64    `yaml:"min_size" want:"a whole number of bytes"` // smallest file encoded; default 1024
	MaxSize int64    `yaml:"max_size" want:"a whole number of bytes"` // largest file encoded; default 4194304, at most 8388608
	// CacheBytes is the memory budget of encoded files; default (absent)
	// 33554432; 0 encodes on every request.
	CacheBytes *int64 `yaml:"cache_bytes" want:"a whole number of bytes"`
}

// CompressionOn reports whether compression on the fly is enabled.
func (c *Config) CompressionOn() bool { return on(c.Compression.Enabled) }

// CompressConfig resolves the compression section for the file handler.
func (c *Config) CompressConfig() static.CompressConfig {
	z := c.Compression
	if !c.CompressionOn() {
		return static.CompressConfig{}
	}
	cache := int64(static.DefaultCompressCache)
	if z.CacheBytes != nil {
		cache = *z.CacheBytes
	}
	types := z.Types
	if len(types) == 0 {
		types = slices.Clone(static.DefaultCompressTypes)
	}
	return static.CompressConfig{
		On:         true,
		GzipLevel:  or(z.GzipLevel, static.DefaultGzipLevel),
		ZstdLevel:  or(z.ZstdLevel, static.DefaultZstdLevel),
		Types:      types,
		MinSize:    or(z.MinSize, static.DefaultCompressMin),
		MaxSize:    or(z.MaxSize, static.DefaultCompressMax),
		CacheBytes: cache,
	}
}

func (c *Config) validateCompression(p *problems) {
	z := c.Compression
	if v := z.GzipLevel; v < 0 || v > 9 {
		p.add("compression.gzip_level", "must be 1-9, or 0 for the default (%d); got %d", static.DefaultGzipLevel, v)
	}
	if v := z.ZstdLevel; v < 0 || v > 22 {
		p.add("compression.zstd_level", "must be 1-22, or 0 for the default (%d); got %d", static.DefaultZstdLevel, v)
	}
	for i, t := range z.Types {
		if !static.ValidTypePattern(t) {
			p.add("compression.types."+strconv.Itoa(i), "%q is not a media type pattern (type/subtype, type/* or type/*+suffix, without parameters)", t)
		}
	}
	if v := z.MinSize; v < 0 {
		p.add("compression.min_size", "must be >= 0 (0 means the default, %d); got %d", static.DefaultCompressMin, v)
	}
	if v := z.MaxSize; v < 0 || v > static.MaxCompressSize {
		p.add("compression.max_size", "must be 0-%d (8 MiB, the largest zstd window browsers accept; 0 means the default, %d); got %d",
			static.MaxCompressSize, static.DefaultCompressMax, v)
	}
	if lo, hi := or(z.MinSize, static.DefaultCompressMin), or(z.MaxSize, static.DefaultCompressMax); z.MaxSize != 0 && lo > hi {
		p.add("compression.max_size", "%d is below compression.min_size (%d)", hi, lo)
	}
	if v := z.CacheBytes; v != nil && *v < 0 {
		p.add("compression.cache_bytes", "must be >= 0 (0 turns the cache off); got %d", *v)
	}
}
