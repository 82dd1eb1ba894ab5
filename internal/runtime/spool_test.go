package runtime

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// flaky is a Sender that fails while down.
type flaky struct {
	mu   sync.Mutex
	down bool
	got  []string
}

func (f *flaky) Send(_ context.Context, b Batch) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return errors.New("connection refused")
	}
	f.got = append(f.got, b.ID)
	return nil
}

func (f *flaky) set(down bool) { f.mu.Lock(); f.down = down; f.mu.Unlock() }
func (f *flaky) ids() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.got...)
}

// TestSpoolKeepsBatchesAcrossOutageAndRestart: batches accepted while the
// receiver is down are all delivered, in order, once it is back, also when
// the spool was closed (agent restart) in between.
func TestSpoolKeepsBatchesAcrossOutageAndRestart(t *testing.T) {
	dir := t.TempDir()
	recv := &flaky{down: true}
	sp, err := OpenSpool(dir, recv, SpoolOptions{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { sp.Forward(ctx); close(done) }()
	var want []string
	for i := 0; i < 5; i++ {
		b := Batch{ID: fmt.Sprintf("n/a/%d", i), Events: []Event{{Type: TypeOpen, Path: "/m.gguf"}}}
		if err := sp.Send(ctx, b); err != nil {
			t.Fatal(err)
		}
		want = append(want, b.ID)
	}
	time.Sleep(200 * time.Millisecond)
	cancel() // the agent stops while the receiver is still down
	<-done
	if n := sp.Pending(); n != 5 {
		t.Fatalf("%d batches spooled, want 5", n)
	}

	recv.set(false)
	sp2, err := OpenSpool(dir, recv, SpoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b := Batch{ID: "n/b/1"}
	if err := sp2.Send(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	want = append(want, b.ID)
	if err := sp2.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := recv.ids(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("delivered %v, want %v in order", got, want)
	}
	if n := sp2.Pending(); n != 0 {
		t.Errorf("%d batches left after delivery", n)
	}
}

func TestSpoolBoundedAndCorruptFilesSetAside(t *testing.T) {
	dir := t.TempDir()
	recv := &flaky{down: true}
	sp, err := OpenSpool(dir, recv, SpoolOptions{MaxBytes: 1200})
	if err != nil {
		t.Fatal(err)
	}
	big := Batch{ID: "x", Events: []Event{{Type: TypeOpen, Path: "/a/very/long/path/to/a/model.safetensors"}}}
	var full bool
	for i := 0; i < 10; i++ {
		if err := sp.Send(context.Background(), big); errors.Is(err, ErrSpoolFull) {
			full = true
			break
		}
	}
	if !full {
		t.Error("spool grew past its limit")
	}
	if err := os.WriteFile(filepath.Join(dir, "00000000000000000000-000000.json"), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	recv.set(false)
	if err := sp.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "00000000000000000000-000000.json.corrupt")); err != nil {
		t.Errorf("corrupt batch not set aside: %v", err)
	}
	if len(recv.ids()) == 0 || sp.Pending() != 0 {
		t.Errorf("delivered %v, pending %d", recv.ids(), sp.Pending())
	}
}
