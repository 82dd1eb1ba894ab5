// Package detecttest runs one detector alone over an in-memory tree, for the
// table tests beside each detector.
package detecttest

import (
	"context"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/mlbom/autopilot/internal/discover/detect"
)

// Run gives every file of fsys that d wants to d, as the walk would (text
// files whole; binary is true to hand d the files unread), and returns the
// merged report.
func Run(t testing.TB, d detect.Detector, fsys fstest.MapFS, binary bool) *detect.Report {
	t.Helper()
	var paths []string
	for p := range fsys {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	all := &detect.Report{}
	for _, p := range paths {
		st, err := fs.Stat(fsys, p)
		if err != nil || !st.Mode().IsRegular() {
			continue
		}
		var data []byte
		if !binary {
			data = fsys[p].Data
			if data == nil {
				data = []byte{}
			}
		}
		f := detect.NewFile(fsys, p, st.Size(), data)
		if !d.Wants(f) {
			continue
		}
		r := &detect.Report{}
		d.Detect(context.Background(), f, r)
		all.Sightings = append(all.Sightings, r.Sightings...)
		all.Warnings = append(all.Warnings, r.Warnings...)
		all.Skips = append(all.Skips, r.Skips...)
		all.Dirs = append(all.Dirs, r.Dirs...)
		all.DataFiles = append(all.DataFiles, r.DataFiles...)
		all.Constants = append(all.Constants, r.Constants...)
		all.Pending = append(all.Pending, r.Pending...)
	}
	return all
}

// Lines formats the sightings of r as "kind name path:line detector",
// sorted, for comparing with a table's expectations.
func Lines(r *detect.Report) []string {
	out := make([]string, 0, len(r.Sightings))
	for _, s := range r.Sightings {
		out = append(out, fmt.Sprintf("%s %s %s:%d %s", s.Kind, s.Name, s.Path, s.Line, s.Detector))
	}
	sort.Strings(out)
	return out
}

// Check runs d over each case's files and compares the sightings with
// want (in Lines' format, any order).
func Check(t *testing.T, d detect.Detector, cases []Case) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for p, data := range c.Files {
				fsys[p] = &fstest.MapFile{Data: []byte(data)}
			}
			got := Lines(Run(t, d, fsys, c.Binary))
			want := append([]string(nil), c.Want...)
			sort.Strings(want)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("sightings:\n  got  %s\n  want %s", strings.Join(got, "\n       "), strings.Join(want, "\n       "))
			}
		})
	}
}

// Case is one row of a detector's table.
type Case struct {
	Name  string
	Files map[string]string
	// Binary hands the files over unread, as the walk does for files not
	// read as text.
	Binary bool
	Want   []string
}
