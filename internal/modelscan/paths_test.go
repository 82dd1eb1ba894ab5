//go:build unix

package modelscan

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"syscall"
	"testing"
	"time"
)

func write(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func link(t *testing.T, target, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, path); err != nil {
		t.Fatal(err)
	}
}

// A Hugging Face cache snapshot is all relative symlinks into blobs/.
func TestExpandHuggingFaceSnapshot(t *testing.T) {
	dir := t.TempDir()
	repo := filepath.Join(dir, "hub", "models--org--tiny")
	write(t, filepath.Join(repo, "blobs", "aaa"), osSystem())
	write(t, filepath.Join(repo, "blobs", "bbb"), []byte(`{"architectures":["LlamaForCausalLM"]}`))
	snap := filepath.Join(repo, "snapshots", "0123abcd")
	link(t, "../../blobs/aaa", filepath.Join(snap, "pytorch_model.bin"))
	link(t, "../../blobs/bbb", filepath.Join(snap, "config.json"))
	link(t, "../../../../outside", filepath.Join(snap, "escape.bin"))
	write(t, filepath.Join(dir, "outside"), osSystem())
	link(t, "..", filepath.Join(snap, "loop")) // a directory link: never followed

	files, problems, skipped := Expand(context.Background(), []string{snap})
	sort.Strings(files)
	want := []string{filepath.Join(snap, "config.json"), filepath.Join(snap, "pytorch_model.bin")}
	if len(problems) != 0 || len(files) != 2 || files[0] != want[0] || files[1] != want[1] {
		t.Fatalf("files %v problems %+v skipped %+v", files, problems, skipped)
	}
	if len(skipped) != 2 {
		t.Fatalf("want the escaping link and the directory link skipped, got %+v", skipped)
	}
	r := ScanPath(context.Background(), filepath.Join(snap, "pytorch_model.bin"), DefaultOptions())
	if r.Status != StatusMalicious {
		t.Fatalf("scan through the link: %s %+v", r.Status, r.Findings)
	}

	// Named explicitly, a link is followed wherever it leads.
	files, problems, _ = Expand(context.Background(), []string{filepath.Join(snap, "escape.bin")})
	if len(files) != 1 || len(problems) != 0 {
		t.Fatalf("explicit link: files %v problems %+v", files, problems)
	}
}

func TestExpandDedupesLinkAndTarget(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.pkl"), osSystem())
	link(t, "a.pkl", filepath.Join(dir, "b.pkl"))
	files, _, _ := Expand(context.Background(), []string{dir})
	if len(files) != 1 {
		t.Fatalf("files %v", files)
	}
}

// A named pipe given as a file, or met in a directory, is never opened.
func TestExpandAndScanFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "model.pkl")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		files, problems, _ := Expand(context.Background(), []string{fifo})
		if len(files) != 0 || len(problems) != 1 || problems[0].Status != StatusError {
			t.Errorf("explicit fifo: files %v problems %+v", files, problems)
		}
		files, problems, skipped := Expand(context.Background(), []string{dir})
		if len(files) != 0 || len(problems) != 0 || len(skipped) != 1 {
			t.Errorf("fifo in a directory: files %v problems %+v skipped %+v", files, problems, skipped)
		}
		if r := ScanPath(context.Background(), fifo, DefaultOptions()); r.Status != StatusError {
			t.Errorf("ScanPath on a fifo: %+v", r)
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("hung on a named pipe")
	}
}
