package mime

import "testing"

func TestTypeByExtensionPins(t *testing.T) {
	pins := []struct{ ext, want string }{
		{"html", "text/html; charset=utf-8"},
		{"htm", "text/html; charset=utf-8"},
		{"css", "text/css; charset=utf-8"},
		{"js", "text/javascript; charset=utf-8"},
		{"mjs", "text/javascript; charset=utf-8"},
		{"json", "application/json; charset=utf-8"},
		{"webmanifest", "application/manifest+json; charset=utf-8"},
		{"txt", "text/plain; charset=utf-8"},
		{"md", "text/markdown; charset=utf-8"},
		{"csv", "text/csv; charset=utf-8"},
		{"xml", "application/xml"},
		{"xhtml", "application/xhtml+xml"},
		{"svg", "image/svg+xml; charset=utf-8"},
		{"png", "image/png"},
		{"jpg", "image/jpeg"},
		{"jpeg", "image/jpeg"},
		{"gif", "image/gif"},
		{"webp", "image/webp"},
		{"avif", "image/avif"},
		{"ico", "image/vnd.microsoft.icon"},
		{"bmp", "image/bmp"},
		{"tif", "image/tiff"},
		{"tiff", "image/tiff"},
		{"woff", "font/woff"},
		{"woff2", "font/woff2"},
		{"ttf", "font/ttf"},
		{"otf", "font/otf"},
		{"wasm", "application/wasm"},
		{"pdf", "application/pdf"},
		{"zip", "application/zip"},
		{"gz", "application/gzip"},
		{"tar", "application/x-tar"},
		{"mp3", "audio/mpeg"},
		{"ogg", "audio/ogg"},
		{"oga", "audio/ogg"},
		{"opus", "audio/ogg"},
		{"m4a", "audio/mp4"},
		{"flac", "audio/flac"},
		{"wav", "audio/x-wav"},
		{"mp4", "video/mp4"},
		{"m4v", "video/mp4"},
		{"webm", "video/webm"},
		{"ogv", "video/ogg"},
		{"mpd", "application/dash+xml"},
		{"rss", "application/x-rss+xml"},
		{"atom", "application/atom+xml"},
		{"epub", "application/epub+zip"},
		{"ics", "text/calendar; charset=utf-8"},
		{"rtf", "application/rtf"},
		{"doc", "application/msword"},
		{"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{"sh", "application/x-sh"},
	}
	for _, p := range pins {
		if got := TypeByExtension(p.ext); got != p.want {
			t.Errorf("TypeByExtension(%q) = %q; want %q", p.ext, got, p.want)
		}
	}
	if n := len(types); n < 150 {
		t.Errorf("len(types) = %d; want >= 150", n)
	}
}

func TestTypeByExtensionForms(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"dot", ".html", "text/html; charset=utf-8"},
		{"upper", "HTML", "text/html; charset=utf-8"},
		{"mixed-dot", ".Js", "text/javascript; charset=utf-8"},
		{"empty", "", ""},
		{"dot-only", ".", ""},
		{"unknown", "nosuchext", ""},
		{"too-long", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := TypeByExtension(c.in); got != c.want {
				t.Errorf("TypeByExtension(%q) = %q; want %q", c.in, got, c.want)
			}
		})
	}
}

func TestForName(t *testing.T) {
	cases := []struct{ in, want string }{
		{"index.html", "text/html; charset=utf-8"},
		{"/a/b/app.MJS", "text/javascript; charset=utf-8"},
		{"archive.tar.gz", "application/gzip"},
		{"README", Default},
		{"dir.d/file", Default},
		{"x.unknownext", Default},
		{".bashrc", Default},
	}
	for _, c := range cases {
		if got := ForName(c.in); got != c.want {
			t.Errorf("ForName(%q) = %q; want %q", c.in, got, c.want)
		}
	}
}

func TestNoAlloc(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { _ = ForName("/static/App.JS") }); n != 0 {
		t.Errorf("ForName allocs = %v; want 0", n)
	}
}
