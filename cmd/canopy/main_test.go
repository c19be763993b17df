package main

import (
	"bytes"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionTextSaysWhatGoRecorded(t *testing.T) {
	goLine := runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + "\n"
	cases := []struct {
		name string
		bi   *debug.BuildInfo
		ok   bool
		want string
	}{
		{"no build info", nil, false, "canopy (devel)\ncommit unknown\n"},
		{"no VCS", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, true, "canopy (devel)\ncommit unknown\n"},
		{"clean", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}, Settings: []debug.BuildSetting{
			{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"}, {Key: "vcs.modified", Value: "false"}}},
			true, "canopy v1.2.3\ncommit 0123456789abcdef0123456789abcdef01234567\n"},
		{"modified", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20260101000000-0123456789ab+dirty"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"}, {Key: "vcs.modified", Value: "true"}}},
			true, "canopy v0.0.0-20260101000000-0123456789ab+dirty\ncommit 0123456789abcdef0123456789abcdef01234567 (modified)\n"},
	}
	for _, c := range cases {
		if got := versionText(c.bi, c.ok); got != c.want+goLine {
			t.Errorf("%s: got\n%q\nwant\n%q", c.name, got, c.want+goLine)
		}
	}
}

func TestStoreDescriptionNamesTheStoreAndHidesPasswords(t *testing.T) {
	t.Setenv("CANOPY_KEK", "")
	abs, _ := filepath.Abs("rel-data")
	if got, want := (&storeFlags{data: "rel-data"}).describe(), "SQLite database in data directory "+abs; got != want {
		t.Errorf("SQLite: %q; want %q", got, want)
	}
	got := (&storeFlags{data: "/srv/canopy", db: "postgres://canopy:hunter2@db.example:5432/canopy?sslmode=require&password=hunter3"}).describe()
	if strings.Contains(got, "hunter") || !strings.Contains(got, "postgres://canopy:xxxxx@db.example:5432/canopy") ||
		!strings.Contains(got, "key-encryption key from /srv/canopy/kek") {
		t.Errorf("PostgreSQL: %q", got)
	}
	t.Setenv("CANOPY_KEK", "c2VjcmV0")
	if got := (&storeFlags{data: "/srv/canopy", db: "postgres://db.example/canopy"}).describe(); !strings.Contains(got, "key-encryption key from $CANOPY_KEK") {
		t.Errorf("PostgreSQL with $CANOPY_KEK: %q", got)
	}
}

func TestWrongCommandLinesExitWithStatus2(t *testing.T) {
	for _, args := range [][]string{{"serv"}, {"account", "crate"}, {"serve", "--bogus"}, {"version", "extra"}, {"--bogus"}} {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 2 || stdout.Len() != 0 || !strings.HasPrefix(stderr.String(), "canopy: ") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", args, code, stdout.String(), stderr.String())
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"account", "create", "--output", "xml"}, &stdout, &stderr); code != 1 {
		t.Errorf("a refused command exits %d; want 1 (stderr %q)", code, stderr.String())
	}
}
