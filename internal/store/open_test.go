package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
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
