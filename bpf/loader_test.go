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
	"strconv"
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
	model := os.Getenv("MLBOM_BPF_OPEN")
	// A failed open loads nothing and is not reported.
	if f, err := os.Open(model + ".missing.gguf"); err == nil {
		f.Close()
	}
	repeat, _ := strconv.Atoi(os.Getenv("MLBOM_BPF_REPEAT"))
	for i := 0; i < max(repeat, 1); i++ {
		f, err := os.Open(model)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		f.Close()
	}
	// openat2 relative to a directory descriptor: the path, the directory
	// and the flags come from the syscall's other argument registers.
	dir, err := unix.Open(filepath.Dir(model), unix.O_DIRECTORY|unix.O_RDONLY, 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fd, err := unix.Openat2(dir, filepath.Base(model), &unix.OpenHow{Flags: unix.O_RDONLY | unix.O_NOFOLLOW | unix.O_CLOEXEC})
	if err != nil {
		fmt.Fprintln(os.Stderr, "openat2:", err)
		os.Exit(2)
	}
	unix.Close(fd)
	fmt.Println(dir)
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

	pid, dirfd, events := runChild(t, tr, model, ln.Addr().String(), runtime, 1)
	got := map[EventType]Event{}
	var opens []Event
	for _, ev := range events {
		got[ev.Type] = ev
		if ev.Type == EventOpen {
			opens = append(opens, ev)
		}
	}
	// os.Open(model) and openat2(dir, base); not the failed open.
	if len(opens) != 2 {
		t.Fatalf("opens from pid %d = %+v, want the model opened by path and by openat2", pid, opens)
	}
	open, rel := opens[0], opens[1]
	if open.Path != model || open.DirFD != unix.AT_FDCWD || open.Comm != "mlbom-child" || open.Dev == 0 || open.Ino == 0 {
		t.Errorf("open = %+v, want %s from the working directory by mlbom-child, with the file's device and inode", open, model)
	}
	var st unix.Stat_t
	if err := unix.Stat(model, &st); err == nil && open.Ino != st.Ino {
		t.Errorf("open inode %d, file has %d", open.Ino, st.Ino)
	}
	if open.Flags&unix.O_ACCMODE != unix.O_RDONLY || open.BootNS == 0 || open.CgroupID == 0 {
		t.Errorf("open = %+v, want a read-only open with a time and a cgroup", open)
	}
	if rel.Path != filepath.Base(model) || rel.DirFD != int32(dirfd) || rel.Flags&unix.O_NOFOLLOW == 0 || rel.Ino != open.Ino {
		t.Errorf("openat2 = %+v, want %s relative to fd %d with O_NOFOLLOW", rel, filepath.Base(model), dirfd)
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
	if c.Opens == 0 || c.Execs == 0 || c.Connects == 0 || c.Dropped() != 0 || c.FoldedOpens != 0 {
		t.Errorf("counters = %+v", c)
	}
}

// TestFoldRepeats: with a fold window, a process's repeated opens of one
// file reach user space once; the kernel counts the rest, and Folds
// reports them.
func TestFoldRepeats(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "weights.gguf")
	if err := os.WriteFile(model, []byte("GGUF"), 0o644); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	tr := requireEBPF(t, Options{Extensions: []string{"gguf"}, Programs: []string{"true"}, ExcludePID: os.Getpid(), FoldWindow: time.Minute})
	pid, _, events := runChild(t, tr, model, ln.Addr().String(), "/bin/true", 5)
	var opens int
	for _, ev := range events {
		if ev.Type == EventOpen {
			opens++
		}
	}
	var st unix.Stat_t
	if err := unix.Stat(model, &st); err != nil {
		t.Fatal(err)
	}
	var repeats uint64
	if err := tr.Folds(func(k FoldKey, f Fold) {
		if k.TGID == pid && k.Ino == st.Ino {
			repeats = f.Repeats
			if f.LastNS < f.BornNS || f.UntilNS != f.BornNS+uint64(time.Minute) {
				t.Errorf("fold = %+v, want last >= born and a one-minute window", f)
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	// Six opens of the file (five by path, one by openat2): one sent, five
	// counted.
	if opens != 1 || repeats != 5 {
		t.Errorf("%d open events and %d repeats from pid %d, want 1 and 5", opens, repeats, pid)
	}
	c, err := tr.Counters()
	if err != nil {
		t.Fatal(err)
	}
	if c.FoldedOpens < 5 {
		t.Errorf("counters = %+v, want at least 5 folded opens", c)
	}
}

// runChild runs the traced child (opening model repeat times, connecting to
// addr, exec'ing prog) and returns its pid, the directory descriptor it
// used for openat2, and its events up to its exec.
func runChild(t *testing.T, tr *Tracer, model, addr, prog string, repeat int) (uint32, int, []Event) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "MLBOM_BPF_CHILD=1", "MLBOM_BPF_OPEN="+model,
		"MLBOM_BPF_CONNECT="+addr, "MLBOM_BPF_EXEC="+prog, "MLBOM_BPF_REPEAT="+strconv.Itoa(repeat))
	cmd.Stderr = os.Stderr
	// The parent (this test) is excluded, so its own opens are never seen.
	if f, err := os.Open(model); err == nil {
		f.Close()
	}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("child: %v", err)
	}
	dirfd, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("child printed %q, want its directory descriptor", out)
	}
	pid := uint32(cmd.Process.Pid)
	var events []Event
	// The exec is the child's last event: the ones before it were reserved
	// in the ring buffer earlier.
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
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
		if ev.Type == EventOpen && !strings.HasSuffix(ev.Path, filepath.Base(model)) {
			t.Errorf("unexpected open %q (only %s matches the filter)", ev.Path, model)
		}
		events = append(events, ev)
		if ev.Type == EventExec {
			return pid, dirfd, events
		}
	}
	t.Fatalf("no exec event from pid %d; got %+v", pid, events)
	return 0, 0, nil
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

// TestFoldsReadsEveryEntry: Folds returns every entry of the map once,
// across batches.
func TestFoldsReadsEveryEntry(t *testing.T) {
	tr := requireEBPF(t, Options{Extensions: []string{"gguf"}, FoldWindow: time.Second})
	const n = 1000
	for i := range n {
		if err := tr.objs.Folds.Put(FoldKey{TGID: uint32(i + 1), Dev: 1, Ino: uint64(i)}, Fold{Repeats: uint64(i)}); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[uint32]int{}
	if err := tr.Folds(func(k FoldKey, f Fold) {
		if f.Repeats != k.Ino {
			t.Errorf("entry %+v = %+v", k, f)
		}
		seen[k.TGID]++
	}); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if seen[uint32(i+1)] != 1 {
			t.Fatalf("entry %d seen %d times; %d entries seen", i+1, seen[uint32(i+1)], len(seen))
		}
	}
}
