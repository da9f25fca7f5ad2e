package main

import (
	"runtime"
	"runtime/debug"
	"strings"
)

// versionText is what `ferrox version` prints: "ferrox VERSION [(TIME)]
// GOVERSION OS/ARCH". VERSION is ldflags (main.version, set by
// `make build`) when it is set; otherwise it comes from the build info
// the Go toolchain embeds: the main module's version (a tag such as
// v1.2.0 for `go install …@v1.2.0`, or the pseudo-version `go build`
// derives from the checkout), else the VCS revision (12 hex digits,
// "-dirty" when the tree had uncommitted changes) with its commit time,
// else "dev". bi may be nil (no build info); goos and goarch are the
// running binary's (runtime.GOOS, runtime.GOARCH).
func versionText(ldflags string, bi *debug.BuildInfo, goos, goarch string) string {
	v, when := ldflags, ""
	goVersion := runtime.Version()
	if bi != nil {
		if bi.GoVersion != "" {
			goVersion = bi.GoVersion
		}
		settings := map[string]string{}
		for _, s := range bi.Settings {
			settings[s.Key] = s.Value
		}
		if v == "" || v == "dev" {
			switch rev := settings["vcs.revision"]; {
			case bi.Main.Version != "" && bi.Main.Version != "(devel)":
				v = bi.Main.Version
			case rev != "":
				v = rev[:min(12, len(rev))]
				if settings["vcs.modified"] == "true" {
					v += "-dirty"
				}
			}
			when = settings["vcs.time"]
		}
	}
	if v == "" {
		v = "dev"
	}
	var b strings.Builder
	b.WriteString("ferrox ")
	b.WriteString(v)
	if when != "" {
		b.WriteString(" (" + when + ")")
	}
	b.WriteString(" " + goVersion + " " + goos + "/" + goarch)
	return b.String()
}

// buildInfo is the running binary's build info, nil when it has none.
func buildInfo() *debug.BuildInfo {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return nil
	}
	return bi
}
