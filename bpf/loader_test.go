//go:build linux

package bpf

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The test binary doubles as the traced child: with MLBOM_BPF_CHILD set it
// names itself, opens a model file, connects to the listener and execs the
// "runtime", so the events it causes have a known pid and comm.
func TestMain(m *testing.M) {
	if os.Getenv("MLBOM_BPF_CHILD") == "1" {
		child()
		return
	}
	os.Exit(m.Run())
}

func child() {
	_ = unix.Prctl(unix.PR_SET_NAME, uintptr(unsafeBytePtr("mlbom-child")), 0, 0, 0)
	f, err := os.Open(os.Getenv("MLBOM_BPF_OPEN"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	f.Close()
	c, err := net.Dial("tcp", os.Getenv("MLBOM_BPF_CONNECT"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	c.Close()
	prog := os.Getenv("MLBOM_BPF_EXEC")
	err = syscall.Exec(prog, []string{prog, "--serve", "model.safetensors"}, []string{"PATH=/usr/bin:/bin"})
	fmt.Fprintln(os.Stderr, err)
	os.Exit(4)
}

// requireEBPF loads the tracer or skips with the reason; MLBOM_REQUIRE_EBPF=1
// (CI) turns the skip into a failure.
func requireEBPF(t *testing.T, opts Options) *Tracer {
	t.Helper()
	tr, err := Load(opts)
	if err != nil {
		if errors.Is(err, ErrUnsupported) && os.Getenv("MLBOM_REQUIRE_EBPF") != "1" {
			t.Skipf("skipping: %v (MLBOM_REQUIRE_EBPF=1 makes this a failure)", err)
		}
		t.Fatalf("load: %v", err)
	}
	t.Cleanup(func() { tr.Close() })
	return tr
}

func TestTraceChild(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "Model.SafeTensors") // case-insensitive match
	if err := os.WriteFile(model, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "config.json")
	if err := os.WriteFile(other, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The "runtime": a copy of true(1) named like a versioned interpreter,
	// which must match the configured name "python".
	runtime := filepath.Join(dir, "python3.11")
	copyFile(t, "/bin/true", runtime)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	lport := uint16(ln.Addr().(*net.TCPAddr).Port)

	tr := requireEBPF(t, Options{
		Extensions: []string{".safetensors", "gguf"},
		Programs:   []string{"python", "torchrun"},
		Endpoints:  []Endpoint{{Addr: netip.MustParseAddr("127.0.0.1"), Port: lport, ID: 7}},
		ExcludePID: os.Getpid(),
	})

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "MLBOM_BPF_CHILD=1", "MLBOM_BPF_OPEN="+model,
		"MLBOM_BPF_CONNECT="+ln.Addr().String(), "MLBOM_BPF_EXEC="+runtime)
	cmd.Stderr = os.Stderr
	// The parent (this test) is excluded, so its own opens are never seen.
	if f, err := os.Open(model); err == nil {
		f.Close()
	}
	if err := cmd.Run(); err != nil {
		t.Fatalf("child: %v", err)
	}
	pid := uint32(cmd.Process.Pid)

	got := map[EventType]Event{}
	deadline := time.Now().Add(30 * time.Second)
	for len(got) < 3 && time.Now().Before(deadline) {
		tr.rd.SetDeadline(time.Now().Add(500 * time.Millisecond))
		var ev Event
		if err := tr.Read(&ev); err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				continue
			}
			t.Fatal(err)
		}
		if ev.TGID != pid {
			continue // another process on the machine
		}
		if ev.Type == EventOpen && ev.Path != model {
			t.Errorf("unexpected open %q (only %s matches the filter)", ev.Path, model)
			continue
		}
		got[ev.Type] = ev
	}
	open, ok := got[EventOpen]
	if !ok {
		t.Fatalf("no open event from pid %d; got %+v", pid, got)
	}
	if open.Comm != "mlbom-child" || open.Dev == 0 || open.Ino == 0 {
		t.Errorf("open = %+v, want comm mlbom-child and the file's device and inode", open)
	}
	var st unix.Stat_t
	if err := unix.Stat(model, &st); err == nil && open.Ino != st.Ino {
		t.Errorf("open inode %d, file has %d", open.Ino, st.Ino)
	}
	if open.Flags&unix.O_ACCMODE != unix.O_RDONLY || open.BootNS == 0 || open.CgroupID == 0 {
		t.Errorf("open = %+v, want a read-only open with a time and a cgroup", open)
	}
	conn, ok := got[EventConnect]
	if !ok {
		t.Fatalf("no connect event from pid %d", pid)
	}
	if conn.Addr.String() != ln.Addr().String() || conn.Endpoint != 7 || conn.Comm != "mlbom-child" {
		t.Errorf("connect = %+v, want %s endpoint 7 by mlbom-child", conn, ln.Addr())
	}
	ex, ok := got[EventExec]
	if !ok {
		t.Fatalf("no exec event from pid %d", pid)
	}
	if ex.Path != runtime || ex.Comm != "python3.11" || ex.PPID != uint32(os.Getpid()) {
		t.Errorf("exec = %+v, want %s run as python3.11 by parent %d", ex, runtime, os.Getpid())
	}
	if strings.Join(ex.Argv, " ") != runtime+" --serve model.safetensors" {
		t.Errorf("argv = %q", ex.Argv)
	}
	c, err := tr.Counters()
	if err != nil {
		t.Fatal(err)
	}
	if c.Opens == 0 || c.Execs == 0 || c.Connects == 0 || c.Dropped() != 0 {
		t.Errorf("counters = %+v", c)
	}
}

func TestOptionsRejected(t *testing.T) {
	for _, ext := range []string{"", ".", "a/b", ".tar.gz", strings.Repeat("x", 16)} {
		if _, err := extKey(ext); err == nil {
			t.Errorf("extension %q accepted", ext)
		}
	}
	for _, name := range []string{"", "bin/python", strings.Repeat("p", 32)} {
		if _, err := nameKey(name); err == nil {
			t.Errorf("program %q accepted", name)
		}
	}
	k := endpointKey(netip.MustParseAddr("::ffff:10.1.2.3"), 443)
	if k.Family != unix.AF_INET || k.Addr[0] != 10 || k.Addr[4] != 0 {
		t.Errorf("mapped address key = %+v, want the IPv4 form", k)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Skipf("no %s: %v", from, err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
