package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestOpenSQLitePaths(t *testing.T) {
	dir := t.TempDir()
	wd, _ := os.Getwd()
	t.Cleanup(func() { os.Chdir(wd) })
	os.Chdir(dir)
	for _, loc := range []string{"sqlite:.mlbom/mlbom.db", "sqlite:" + filepath.Join(dir, "with space", "x.db"), "sqlite::memory:"} {
		d, err := Open(context.Background(), loc)
		if err != nil {
			t.Errorf("Open(%q): %v", loc, err)
			continue
		}
		if _, err := d.PutBlob(context.Background(), []byte("x")); err != nil {
			t.Errorf("%s: %v", loc, err)
		}
		d.Close()
	}
	if _, err := os.Stat(filepath.Join(dir, ".mlbom", "mlbom.db")); err != nil {
		t.Errorf("relative path: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "with space", "x.db")); err != nil {
		t.Errorf("path with a space: %v", err)
	}
}

// A password with '@', '/' or ':' in MLBOM_DB, written without
// percent-encoding, must not show up (whole or in part) in any error.
func TestOpenErrorsHidePasswords(t *testing.T) {
	const pw = "Pa55@w0rd/x:y"
	parts := []string{pw, "Pa55", "w0rd", "x:y"}
	for _, loc := range []string{
		"mysql://root:" + pw + "@127.0.0.1:1/mlbom",
		"mysql://root:" + pw + "@127.0.0.1:1",
		"mysql://root:Pa55@w0rd@127.0.0.1:1/mlbom?timeout=1s",
		"mysql://root:Pa55:w0rd@127.0.0.1:1/mlbom?timeout=1s",
		"mysql://root:Pa55%40w0rd@127.0.0.1:1/mlbom?timeout=1s",
		"bogus//root:" + pw,
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := Open(ctx, loc)
		cancel()
		if err == nil {
			t.Errorf("Open(%s) succeeded", loc)
			continue
		}
		for _, p := range parts {
			if strings.Contains(err.Error(), p) {
				t.Errorf("error for a password with special characters shows %q: %v", p, err)
			}
		}
	}
}
