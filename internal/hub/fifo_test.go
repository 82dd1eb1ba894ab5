package hub

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A named pipe where the Hub lists an LFS file (a reused checkout changed
// on disk) is not opened: comparing the tree's files with the Hub returns
// at once instead of waiting for a writer that never comes.
func TestCheckFilesSkipsNamedPipe(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "model.safetensors"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	pub := &Files{Repo: "org/m", Type: "model", Revision: strings.Repeat("a", 40),
		LFS: map[string]string{"model.safetensors": strings.Repeat("b", 64)}}
	done := make(chan int, 1)
	go func() {
		added, _ := CheckFiles(context.Background(), os.DirFS(dir), nil, pub)
		done <- len(added)
	}()
	select {
	case n := <-done:
		if n != 0 {
			t.Errorf("a named pipe became %d weight findings", n)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("CheckFiles opened a named pipe and hangs")
	}
}
