package config

import (
	"testing"

	"github.com/ferrox/ferrox/server/static"
	"github.com/google/go-cmp/cmp"
)

// TestCompressionKeys: every compression key loads and reaches the file
// handler; absent keys take the defaults; enabled: false turns it off.
func TestCompressionKeys(t *testing.T) {
	site := testSite(t)
	cases := []struct {
		id, text string
		want     static.CompressConfig
	}{
		{"defaults", "paths:\n  serve_dir: SITE\n", static.CompressConfig{
			On: true, GzipLevel: 6, ZstdLevel: 3, Types: static.DefaultCompressTypes,
			MinSize: 1024, MaxSize: 4 << 20, CacheBytes: 32 << 20}},
		{"every-key", `paths:
  serve_dir: SITE
compression:
  enabled: true
  gzip_level: 1
  zstd_level: 19
  types: [text/html, application/*+json]
  min_size: 100
  max_size: 200000
  cache_bytes: 0
`, static.CompressConfig{On: true, GzipLevel: 1, ZstdLevel: 19, Types: []string{"text/html", "application/*+json"},
			MinSize: 100, MaxSize: 200000, CacheBytes: 0}},
		{"off", "paths:\n  serve_dir: SITE\ncompression:\n  enabled: false\n  gzip_level: 9\n", static.CompressConfig{}},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			cfg, err := Load(writeConfig(t, site, c.text))
			if err != nil {
				t.Fatalf("Load = %v; want nil", err)
			}
			if diff := cmp.Diff(c.want, cfg.StaticConfig().Compress); diff != "" {
				t.Errorf("StaticConfig().Compress (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCompressionErrors: every bad compression value is reported with
// its file:line:col, all at once.
func TestCompressionErrors(t *testing.T) {
	site := testSite(t)
	text := `paths:
  serve_dir: SITE
compression:
  enabled: yes please
  gzip_level: 10
  zstd_level: -1
  types: [text/*, "text/html; charset=utf-8", "*/*"]
  min_size: 5000
  max_size: 4000
  cache_bytes: -5
`
	p := writeConfig(t, site, text)
	_, err := Load(p)
	want := []string{
		`F:4:12: compression.enabled: want true or false, got "yes please"`,
		`F:5:3: compression.gzip_level: must be 1-9, or 0 for the default (6); got 10`,
		`F:6:3: compression.zstd_level: must be 1-22, or 0 for the default (3); got -1`,
		`F:7:19: compression.types.1: "text/html; charset=utf-8" is not a media type pattern (type/subtype, type/* or type/*+suffix, without parameters)`,
		`F:7:47: compression.types.2: "*/*" is not a media type pattern (type/subtype, type/* or type/*+suffix, without parameters)`,
		`F:9:3: compression.max_size: 4000 is below compression.min_size (5000)`,
		`F:10:3: compression.cache_bytes: must be >= 0 (0 turns the cache off); got -5`,
	}
	if diff := cmp.Diff(want, lines(err, p)); diff != "" {
		t.Errorf("Load errors (-want +got):\n%s", diff)
	}
	p = writeConfig(t, site, "paths:\n  serve_dir: SITE\ncompression:\n  max_size: 9000000\n  min_sise: 1\n")
	_, err = Load(p)
	want = []string{
		`F:4:3: compression.max_size: must be 0-8388608 (8 MiB, the largest zstd window browsers accept; 0 means the default, 4194304); got 9000000`,
		`F:5:3: unknown key "min_sise"; did you mean compression.min_size?`,
	}
	if diff := cmp.Diff(want, lines(err, p)); diff != "" {
		t.Errorf("Load errors (-want +got):\n%s", diff)
	}
}
