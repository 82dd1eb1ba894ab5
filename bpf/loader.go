//go:build linux

package bpf

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/ringbuf"
	"github.com/cilium/ebpf/rlimit"
	"golang.org/x/sys/unix"
)

// ErrUnsupported wraps every reason the programs cannot run here (no BTF,
// not root, a kernel without BPF trampolines). Callers fall back to polling
// /proc on it.
var ErrUnsupported = errors.New("eBPF tracing unavailable")

// BTFPath is where the kernel exposes its own type information. CO-RE needs
// it to relocate the programs' field accesses.
const BTFPath = "/sys/kernel/btf/vmlinux"

// Limits of the kernel-side filters (tracer.c).
const (
	MaxExtension = 15 // bytes of a file extension, without the dot
	MaxProgram   = 31 // bytes of a program basename
	MaxEndpoints = 4096
)

// Options configure the filters. Everything not listed stays in the kernel.
type Options struct {
	// Extensions of model and dataset files, with or without the leading
	// dot, matched case-insensitively against the last one of a path.
	Extensions []string
	// Programs are basenames of ML runtimes ("python", "torchrun"). A name
	// also matches with a version suffix: "python" matches python3.11.
	Programs []string
	// AllExec reports every program execution, not only Programs.
	AllExec bool
	// Endpoints are the addresses whose outbound TCP connections are
	// reported.
	Endpoints []Endpoint
	// RingBufferSize in bytes (a power of two, at least a page); 0 means
	// 16 MiB, room for ~90k typical events while user space catches up.
	RingBufferSize int
	// ExcludePID is a process whose events are not reported: the agent
	// itself, which opens model files to hash them.
	ExcludePID int
	// FoldWindow, when positive, sends a process's open of a file once per
	// window and only counts the repeats in the kernel; Folds drains them.
	FoldWindow time.Duration
}

// Endpoint is one address of an AI endpoint; Port 0 means any port. ID comes
// back in connect events so the agent can name the host it resolved.
type Endpoint struct {
	Addr netip.Addr
	Port uint16
	ID   uint32
}

// Tracer is the loaded and attached programs and their ring buffer.
type Tracer struct {
	objs   tracerObjects
	links  []link.Link
	rd     *ringbuf.Reader
	rec    ringbuf.Record
	mu     sync.Mutex // guards map access against Close
	closed bool
}

// Check reports whether the programs can run here, with a reason naming
// what is missing, without loading anything.
func Check() error {
	if _, err := os.Stat(BTFPath); err != nil {
		return fmt.Errorf("%w: the kernel exposes no BTF at %s (build it with CONFIG_DEBUG_INFO_BTF=y); without it the programs cannot be relocated (CO-RE)", ErrUnsupported, BTFPath)
	}
	return nil
}

// Load loads and attaches the programs. Errors the host cannot fix by
// retrying wrap ErrUnsupported and say what is missing.
func Load(opts Options) (*Tracer, error) {
	if err := Check(); err != nil {
		return nil, err
	}
	if err := rlimit.RemoveMemlock(); err != nil {
		return nil, fmt.Errorf("%w: raise the locked-memory limit: %v (run as root, or with CAP_SYS_RESOURCE on kernels before 5.11)", ErrUnsupported, err)
	}
	if err := ensureTracefs(); err != nil {
		return nil, err
	}
	spec, err := loadTracer()
	if err != nil {
		return nil, err
	}
	if opts.RingBufferSize > 0 {
		if opts.RingBufferSize&(opts.RingBufferSize-1) != 0 || opts.RingBufferSize < os.Getpagesize() {
			return nil, fmt.Errorf("ring buffer size %d: want a power of two of at least %d", opts.RingBufferSize, os.Getpagesize())
		}
		spec.Maps[tracerMapEvents].MaxEntries = uint32(opts.RingBufferSize)
	}
	if opts.ExcludePID > 0 {
		if err := spec.Variables[tracerVarSelfTgid].Set(uint32(opts.ExcludePID)); err != nil {
			return nil, err
		}
	}
	if opts.FoldWindow > 0 {
		if err := spec.Variables[tracerVarFoldNs].Set(uint64(opts.FoldWindow)); err != nil {
			return nil, err
		}
	}
	if err := spec.Variables[tracerVarAllExec].Set(opts.AllExec); err != nil {
		return nil, err
	}
	tails, err := extTails(opts.Extensions)
	if err != nil {
		return nil, err
	}
	if err := spec.Variables[tracerVarExtTail].Set(tails); err != nil {
		return nil, err
	}
	t := &Tracer{}
	if err := spec.LoadAndAssign(&t.objs, nil); err != nil {
		return nil, loadError(err)
	}
	if err := t.fill(opts); err != nil {
		t.Close()
		return nil, err
	}
	if err := t.attach(); err != nil {
		t.Close()
		return nil, err
	}
	if t.rd, err = ringbuf.NewReader(t.objs.Events); err != nil {
		t.Close()
		return nil, fmt.Errorf("open ring buffer: %w", err)
	}
	return t, nil
}

func (t *Tracer) attach() error {
	p := &t.objs.tracerPrograms
	for _, tp := range []struct {
		name     string
		prog     *ebpf.Program
		optional bool // open(2) and creat(2) exist on x86-64 only
	}{
		{"sys_exit_openat", p.ExitOpenat, false},
		{"sys_exit_openat2", p.ExitOpenat2, true}, // Linux >= 5.6
		{"sys_exit_open", p.ExitOpenLegacy, true},
		{"sys_exit_creat", p.ExitCreat, true},
	} {
		l, err := link.Tracepoint("syscalls", tp.name, tp.prog, nil)
		if err != nil {
			if tp.optional && errors.Is(err, os.ErrNotExist) {
				continue
			}
			return fmt.Errorf("%w: attach tracepoint syscalls/%s: %v (the kernel needs CONFIG_FTRACE_SYSCALLS and a mounted tracefs)", ErrUnsupported, tp.name, err)
		}
		t.links = append(t.links, l)
	}
	for _, tp := range []struct {
		name string
		prog *ebpf.Program
	}{
		{"sched_process_exec", p.TraceExec},
		{"inet_sock_set_state", p.TraceConnect},
	} {
		l, err := link.AttachTracing(link.TracingOptions{Program: tp.prog})
		if err != nil {
			return fmt.Errorf("%w: attach tp_btf/%s: %v", ErrUnsupported, tp.name, err)
		}
		t.links = append(t.links, l)
	}
	return nil
}

func loadError(err error) error {
	var ve *ebpf.VerifierError
	switch {
	case errors.Is(err, unix.EPERM), errors.Is(err, os.ErrPermission):
		return fmt.Errorf("%w: the kernel refused to load the programs (they need root, or CAP_BPF and CAP_PERFMON): %v", ErrUnsupported, err)
	case errors.As(err, &ve):
		// The last lines of the verifier log say which instruction failed.
		return fmt.Errorf("%w: the kernel's verifier rejected the programs: %+v", ErrUnsupported, ve)
	case strings.Contains(err.Error(), "relocat") || strings.Contains(err.Error(), "BTF"):
		return fmt.Errorf("%w: CO-RE relocation against the kernel's BTF failed (a field the programs read is missing in this kernel): %v", ErrUnsupported, err)
	}
	return fmt.Errorf("%w: load programs: %v", ErrUnsupported, err)
}

// TracefsPath is where the syscall tracepoints are looked up.
const TracefsPath = "/sys/kernel/tracing"

// ensureTracefs mounts tracefs when nothing is mounted at TracefsPath (a
// container's fresh /sys often lacks it): attaching a tracepoint needs its
// ID from there.
func ensureTracefs() error {
	var st unix.Statfs_t
	if err := unix.Statfs(TracefsPath, &st); err == nil && st.Type == unix.TRACEFS_MAGIC {
		return nil
	}
	if err := unix.Mount("tracefs", TracefsPath, "tracefs", 0, ""); err != nil && !errors.Is(err, unix.EBUSY) {
		// debugfs's older location still works for cilium/ebpf.
		var dst unix.Statfs_t
		if unix.Statfs("/sys/kernel/debug/tracing", &dst) == nil && dst.Type == unix.TRACEFS_MAGIC {
			return nil
		}
		return fmt.Errorf("%w: tracefs is not mounted at %s and mounting it failed: %v (mount it, or give the agent CAP_SYS_ADMIN)", ErrUnsupported, TracefsPath, err)
	}
	return nil
}

func (t *Tracer) fill(opts Options) error {
	one := uint8(1)
	for _, ext := range opts.Extensions {
		k, err := extKey(ext)
		if err != nil {
			return err
		}
		if err := t.objs.OpenExts.Put(k, one); err != nil {
			return fmt.Errorf("extension %q: %w", ext, err)
		}
	}
	for _, name := range opts.Programs {
		k, err := nameKey(name)
		if err != nil {
			return err
		}
		if err := t.objs.ExecNames.Put(k, one); err != nil {
			return fmt.Errorf("program %q: %w", name, err)
		}
	}
	return t.SetEndpoints(opts.Endpoints)
}

// SetEndpoints replaces the endpoint filter (after DNS answers changed).
func (t *Tracer) SetEndpoints(eps []Endpoint) error {
	if len(eps) > MaxEndpoints {
		return fmt.Errorf("%d endpoints: at most %d", len(eps), MaxEndpoints)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return ErrClosed
	}
	want := map[EndpointKey]uint32{}
	for _, ep := range eps {
		want[endpointKey(ep.Addr, ep.Port)] = ep.ID
	}
	var (
		k     EndpointKey
		v     uint32
		stale []EndpointKey
	)
	it := t.objs.Endpoints.Iterate()
	for it.Next(&k, &v) {
		if _, ok := want[k]; !ok {
			stale = append(stale, k)
		}
	}
	if err := it.Err(); err != nil {
		return fmt.Errorf("read endpoints: %w", err)
	}
	for _, k := range stale {
		if err := t.objs.Endpoints.Delete(k); err != nil && !errors.Is(err, ebpf.ErrKeyNotExist) {
			return fmt.Errorf("delete endpoint: %w", err)
		}
	}
	for k, id := range want {
		if err := t.objs.Endpoints.Put(k, id); err != nil {
			return fmt.Errorf("endpoint %v: %w", k, err)
		}
	}
	return nil
}

// extTails is the kernel's prefilter: one bit per pair of last two
// characters of ".ext", lower-cased.
func extTails(exts []string) ([1024]uint64, error) {
	var bits [1024]uint64
	for _, ext := range exts {
		k, err := extKey(ext)
		if err != nil {
			return bits, err
		}
		s := "." + strings.TrimRight(string(k.Ext[:]), "\x00")
		tail := uint32(s[len(s)-2])<<8 | uint32(s[len(s)-1])
		bits[tail>>6] |= 1 << (tail & 63)
	}
	return bits, nil
}

func extKey(ext string) (ExtKey, error) {
	var k ExtKey
	ext = strings.ToLower(strings.TrimPrefix(ext, "."))
	if ext == "" || len(ext) > MaxExtension || strings.ContainsAny(ext, "/.\x00") {
		return k, fmt.Errorf("extension %q: want 1 to %d characters after one dot", ext, MaxExtension)
	}
	copy(k.Ext[:], ext)
	return k, nil
}

func nameKey(name string) (NameKey, error) {
	var k NameKey
	if name == "" || len(name) > MaxProgram || strings.ContainsAny(name, "/\x00") {
		return k, fmt.Errorf("program %q: want a basename of 1 to %d characters", name, MaxProgram)
	}
	copy(k.Name[:], name)
	return k, nil
}

func endpointKey(a netip.Addr, port uint16) EndpointKey {
	k := EndpointKey{Port: port}
	a = a.Unmap()
	if a.Is4() {
		k.Family = unix.AF_INET
		b := a.As4()
		copy(k.Addr[:], b[:])
	} else {
		k.Family = unix.AF_INET6
		k.Addr = a.As16()
	}
	return k
}

// Counters are what the kernel side counted since Load.
type Counters struct {
	Opens, Execs, Connects                      uint64 // events submitted
	DroppedOpens, DroppedExecs, DroppedConnects uint64 // ring buffer full
	FoldedOpens                                 uint64 // repeats counted in the folds map
}

// Dropped is the sum of the drop counters.
func (c Counters) Dropped() uint64 { return c.DroppedOpens + c.DroppedExecs + c.DroppedConnects }

// Counters sums the per-CPU counters (ErrClosed after Close).
func (t *Tracer) Counters() (Counters, error) {
	var out Counters
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return out, ErrClosed
	}
	dst := []*uint64{&out.Opens, &out.Execs, &out.Connects, &out.DroppedOpens, &out.DroppedExecs, &out.DroppedConnects, &out.FoldedOpens}
	for i, p := range dst {
		var per []uint64
		if err := t.objs.Counters.Lookup(uint32(i), &per); err != nil {
			return out, fmt.Errorf("read counters: %w", err)
		}
		for _, v := range per {
			*p += v
		}
	}
	return out, nil
}

// FoldKey is a process and a file whose repeated opens the kernel counts
// (struct fold_key).
type FoldKey struct {
	TGID uint32
	Dev  uint32
	Ino  uint64
}

// Fold is the kernel's count for one FoldKey (struct fold). Repeats only
// grows while the entry lives; a new entry (after the map evicted the old
// one) has another BornNS.
type Fold struct {
	UntilNS, BornNS, LastNS uint64
	Repeats                 uint64
}

// Folds calls fn for every entry of the kernel's fold counts. It reads
// them in batches (one syscall per 256 entries rather than two per entry);
// where the kernel cannot batch (or a hash bucket outgrows a batch) it
// starts over one entry at a time, so fn may see an entry twice and must
// not count on it being new.
func (t *Tracer) Folds(fn func(FoldKey, Fold)) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return ErrClosed
	}
	var (
		cursor ebpf.MapBatchCursor
		keys   = make([]FoldKey, 256)
		vals   = make([]Fold, 256)
	)
	for {
		n, err := t.objs.Folds.BatchLookup(&cursor, keys, vals, nil)
		for i := range n {
			fn(keys[i], vals[i])
		}
		if errors.Is(err, ebpf.ErrKeyNotExist) {
			return nil
		}
		if err != nil {
			break
		}
	}
	var (
		k FoldKey
		v Fold
	)
	it := t.objs.Folds.Iterate()
	for it.Next(&k, &v) {
		fn(k, v)
	}
	if err := it.Err(); err != nil {
		return fmt.Errorf("read folds: %w", err)
	}
	return nil
}

// ErrClosed is returned by Read after Close.
var ErrClosed = ringbuf.ErrClosed

// ErrFlushed is returned by Read once it has returned every event that
// was in the ring buffer when Flush was called.
var ErrFlushed = ringbuf.ErrFlushed

// Flush makes a blocked or later Read return the events already in the
// ring buffer and then ErrFlushed, so a reader can stop without losing
// them.
func (t *Tracer) Flush() error { return t.rd.Flush() }

// Read blocks until an event arrives and decodes it into ev. Not safe for
// concurrent use; Close from another goroutine ends it with ErrClosed.
func (t *Tracer) Read(ev *Event) error {
	for {
		if err := t.rd.ReadInto(&t.rec); err != nil {
			if errors.Is(err, ringbuf.ErrFlushed) {
				return ErrFlushed
			}
			return err
		}
		if err := decode(t.rec.RawSample, ev); err != nil {
			// A malformed sample cannot come from our program; skip it
			// rather than stop tracing.
			continue
		}
		return nil
	}
}

// Pending is how many bytes wait in the ring buffer.
func (t *Tracer) Pending() int { return t.rd.AvailableBytes() }

// Close detaches the programs and frees the maps; a blocked Read returns.
func (t *Tracer) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil
	}
	t.closed = true
	var errs []error
	if t.rd != nil {
		errs = append(errs, t.rd.Close())
	}
	for _, l := range t.links {
		errs = append(errs, l.Close())
	}
	errs = append(errs, t.objs.Close())
	return errors.Join(errs...)
}
