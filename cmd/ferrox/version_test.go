package main

import (
	"bytes"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionText(t *testing.T) {
	vcs := func(kv ...string) []debug.BuildSetting {
		var out []debug.BuildSetting
		for i := 0; i+1 < len(kv); i += 2 {
			out = append(out, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return out
	}
	const rev = "e1ab5b2c3d4e5f60718293a4b5c6d7e8f9012345"
	for _, c := range []struct {
		id      string
		ldflags string
		bi      *debug.BuildInfo
		want    string
	}{
		{"ldflags-wins", "v1.4.0-3-gabc", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v9.9.9"}, Settings: vcs("vcs.revision", rev)},
			"ferrox v1.4.0-3-gabc go1.26.0 linux/amd64"},
		{"go-install-tag", "dev", &debug.BuildInfo{GoVersion: "go1.26.1", Main: debug.Module{Path: "github.com/ferrox/ferrox", Version: "v1.2.0"}},
			"ferrox v1.2.0 go1.26.1 linux/amd64"},
		{"go-build-pseudo-version", "dev", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v0.0.0-20261205053706-e1ab5b2c3d4e+dirty"},
			Settings: vcs("vcs", "git", "vcs.revision", rev, "vcs.time", "2026-12-05T05:37:06Z", "vcs.modified", "true")},
			"ferrox v0.0.0-20261205053706-e1ab5b2c3d4e+dirty (2026-12-05T05:37:06Z) go1.26.0 linux/amd64"},
		{"devel-revision-dirty", "dev", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"},
			Settings: vcs("vcs.revision", rev, "vcs.time", "2026-12-05T05:37:06Z", "vcs.modified", "true")},
			"ferrox e1ab5b2c3d4e-dirty (2026-12-05T05:37:06Z) go1.26.0 linux/amd64"},
		{"devel-revision-clean", "", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"},
			Settings: vcs("vcs.revision", rev, "vcs.modified", "false")},
			"ferrox e1ab5b2c3d4e go1.26.0 linux/amd64"},
		{"short-revision", "dev", &debug.BuildInfo{GoVersion: "go1.26.0", Settings: vcs("vcs.revision", "abc")},
			"ferrox abc go1.26.0 linux/amd64"},
		{"no-vcs", "dev", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}},
			"ferrox dev go1.26.0 linux/amd64"},
		{"no-build-info", "dev", nil, "ferrox dev " + runtime.Version() + " linux/amd64"},
	} {
		t.Run(c.id, func(t *testing.T) {
			if got := versionText(c.ldflags, c.bi, "linux", "amd64"); got != c.want {
				t.Errorf("versionText(%q, …) = %q; want %q", c.ldflags, got, c.want)
			}
		})
	}
}

// TestRunVersion: the command prints one line naming this binary's Go
// version and platform.
func TestRunVersion(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"version"}, &out, &errb); code != 0 || errb.Len() != 0 {
		t.Fatalf("run(version) = %d, stderr %q", code, errb.String())
	}
	line := out.String()
	want := runtime.GOOS + "/" + runtime.GOARCH + "\n"
	if !strings.HasPrefix(line, "ferrox ") || !strings.HasSuffix(line, want) || strings.Count(line, "\n") != 1 {
		t.Errorf("run(version) printed %q; want one line \"ferrox … %s\"", line, want)
	}
}
