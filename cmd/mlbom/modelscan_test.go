//go:build unix

package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// osSystemPickle is pickle protocol 2 for os.system("id").
var osSystemPickle = []byte("\x80\x02cos\nsystem\n(X\x02\x00\x00\x00idtR.")

// `mlbom modelscan` on a Hugging Face cache snapshot (all symlinks) scans
// the files the links point to, and a named pipe among the paths neither
// hangs nor stops the rest (issue 11).
func TestModelscanFollowsSnapshotLinksAndSkipsFIFO(t *testing.T) {
	dir := t.TempDir()
	repo := filepath.Join(dir, "models--org--tiny")
	if err := os.MkdirAll(filepath.Join(repo, "blobs"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, "blobs", "5f1e"), osSystemPickle, 0o644); err != nil {
		t.Fatal(err)
	}
	snap := filepath.Join(repo, "snapshots", "abc123")
	if err := os.MkdirAll(snap, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../blobs/5f1e", filepath.Join(snap, "pytorch_model.bin")); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "pipe.pkl")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	var out, errOut bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- run(context.Background(), []string{"modelscan", snap, fifo}, &out, &errOut) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("mlbom modelscan hung on a named pipe")
	}
	got := out.String()
	if !strings.Contains(got, "malicious") || !strings.Contains(got, "pytorch_model.bin") {
		t.Fatalf("snapshot link not scanned:\n%s\n%s", got, errOut.String())
	}
	if !strings.Contains(got, "pipe.pkl") || !strings.Contains(got, "named pipe") {
		t.Fatalf("named pipe not reported:\n%s", got)
	}
}
