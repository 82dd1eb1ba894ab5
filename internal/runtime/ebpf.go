//go:build linux

package runtime

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"github.com/mlbom/autopilot/bpf"
)

type ebpfSource struct {
	a       *Agent
	tr      *bpf.Tracer
	bootOff atomic.Int64 // wall clock minus CLOCK_BOOTTIME, in ns
	stats   atomic.Pointer[bpf.Counters]

	// The kernel folds a process's repeated opens of a file within the
	// agent's window (bpf.Options.FoldWindow) and only counts them;
	// drainFolds turns the counts into events. folds remembers, per kernel
	// entry, the event that opened it and how many repeats were reported.
	mu    sync.Mutex
	folds map[bpf.FoldKey]*kernelFold
}

type kernelFold struct {
	first    Event
	born     uint64 // bpf.Fold.BornNS of the entry reported so far
	reported uint64
}

func newEBPFSource(ctx context.Context, a *Agent) (*ebpfSource, error) {
	f := a.opts.Filters
	s := &ebpfSource{a: a, folds: map[bpf.FoldKey]*kernelFold{}}
	s.syncClock()
	// Addresses given as such are filtered from the start; host names
	// follow when they resolve (run), so a slow or absent DNS does not
	// delay tracing.
	tr, err := bpf.Load(bpf.Options{
		Extensions: f.Extensions(), Programs: f.Programs, AllExec: f.AllExec,
		Endpoints: toBPF(a.endpoints.literal()), RingBufferSize: a.opts.RingBufferSize, ExcludePID: os.Getpid(),
		FoldWindow: a.opts.Window,
	})
	if errors.Is(err, bpf.ErrUnsupported) {
		return nil, fmt.Errorf("%w: %w", ErrNoEBPF, err)
	}
	if err != nil {
		return nil, err
	}
	s.tr = tr
	return s, nil
}

func toBPF(addrs []Address) []bpf.Endpoint {
	out := make([]bpf.Endpoint, len(addrs))
	for i, a := range addrs {
		out[i] = bpf.Endpoint{Addr: a.Addr, Port: a.Port, ID: a.ID}
	}
	return out
}

// syncClock measures the offset between the wall clock and the boot clock
// the kernel stamps events with (redone every minute: NTP moves the wall
// clock, not the boot clock).
func (s *ebpfSource) syncClock() {
	var ts unix.Timespec
	before := time.Now()
	if err := unix.ClockGettime(unix.CLOCK_BOOTTIME, &ts); err != nil {
		return
	}
	s.bootOff.Store(before.UnixNano() - ts.Nano())
}

func (s *ebpfSource) run(ctx context.Context, emit func(Event) bool) error {
	go func() {
		<-ctx.Done()
		// Events already in the ring buffer are read before stopping.
		if err := s.tr.Flush(); err != nil {
			s.tr.Close()
		}
	}()
	// emit must not be called once run returns: housekeeping (which
	// drains the kernel's fold counts) is waited for.
	hctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.housekeeping(hctx, emit)
	}()
	defer wg.Wait()
	defer stop()
	var ev bpf.Event
	for {
		if err := s.tr.Read(&ev); err != nil {
			if errors.Is(err, bpf.ErrFlushed) && ctx.Err() != nil {
				stop()
				wg.Wait()
				s.drainFolds(emit) // the last counts, after the last events
				s.kernelDropped()  // the final counters, for Stats after Close
				s.tr.Close()
				return ctx.Err()
			}
			if errors.Is(err, bpf.ErrFlushed) {
				continue
			}
			if errors.Is(err, bpf.ErrClosed) || ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("read events: %w", err)
		}
		e := s.convert(&ev)
		if ev.Type == bpf.EventOpen && ev.Ino != 0 {
			s.opened(&ev, e)
		}
		emit(e)
	}
}

func (s *ebpfSource) housekeeping(ctx context.Context, emit func(Event) bool) {
	s.updateEndpoints(ctx)
	clock := time.NewTicker(time.Minute)
	defer clock.Stop()
	resolve := time.NewTicker(s.a.opts.ResolveEvery)
	defer resolve.Stop()
	// As often as the agent closes fold windows, so that most counts
	// join the window of the event they repeat.
	folds := time.NewTicker(max(s.a.opts.Window/4, 100*time.Millisecond))
	defer folds.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-clock.C:
			s.syncClock()
		case <-resolve.C:
			s.updateEndpoints(ctx)
		case <-folds.C:
			s.drainFolds(emit)
		}
	}
}

// opened remembers the event that opened a kernel fold entry.
func (s *ebpfSource) opened(ev *bpf.Event, e Event) {
	k := bpf.FoldKey{TGID: ev.TGID, Dev: ev.Dev, Ino: ev.Ino}
	s.mu.Lock()
	defer s.mu.Unlock()
	if f, ok := s.folds[k]; ok {
		f.first = e
		return
	}
	s.folds[k] = &kernelFold{first: e}
}

// drainFolds emits, per process and file, the repeats the kernel counted
// since the last drain: the event that opened the entry with Count set to
// the new repeats and Time to the last one. The agent folds it into that
// event's window like repeats it read itself. Entries the kernel no longer
// has are forgotten; the repeats of an entry the kernel's LRU evicted
// before a drain are lost (it holds 65536 process-file pairs).
func (s *ebpfSource) drainFolds(emit func(Event) bool) { s.drain(s.tr.Folds, emit) }

// drain is drainFolds reading the kernel's entries through read.
func (s *ebpfSource) drain(read func(func(bpf.FoldKey, bpf.Fold)) error, emit func(Event) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	live := make(map[bpf.FoldKey]bool, len(s.folds))
	var out []Event
	err := read(func(k bpf.FoldKey, f bpf.Fold) {
		live[k] = true
		kf, ok := s.folds[k]
		if !ok {
			return // its event is still in the ring buffer: next drain
		}
		if kf.born != f.BornNS {
			kf.born, kf.reported = f.BornNS, 0 // a new entry for this key
		}
		if f.Repeats > kf.reported {
			e := kf.first
			e.Count = int(f.Repeats - kf.reported)
			e.Time = time.Unix(0, int64(f.LastNS)+s.bootOff.Load()).UTC()
			kf.reported = f.Repeats
			out = append(out, e)
		}
	})
	if err != nil {
		s.a.opts.Log.Warn("drain kernel fold counts", "error", err)
		return
	}
	for k := range s.folds {
		if !live[k] {
			delete(s.folds, k)
		}
	}
	for _, e := range out {
		emit(e)
	}
}

func (s *ebpfSource) updateEndpoints(ctx context.Context) {
	if err := s.tr.SetEndpoints(toBPF(s.a.endpoints.resolve(ctx))); err != nil && ctx.Err() == nil {
		s.a.opts.Log.Warn("update endpoint filter", "error", err)
	}
}

func (s *ebpfSource) convert(ev *bpf.Event) Event {
	e := Event{
		Time: time.Unix(0, int64(ev.BootNS)+s.bootOff.Load()).UTC(),
		PID:  int(ev.TGID), UID: int(ev.UID), Comm: ev.Comm, Path: ev.Path,
		Fidelity: FidelityEBPF, Count: 1, cgroupID: ev.CgroupID,
	}
	switch ev.Type {
	case bpf.EventOpen:
		e.Type, e.Flags, e.dirFD, e.dev, e.ino = TypeOpen, int(ev.Flags), int(ev.DirFD), uint64(ev.Dev), ev.Ino
	case bpf.EventExec:
		e.Type, e.PPID, e.Argv = TypeExec, int(ev.PPID), ev.Argv
	case bpf.EventConnect:
		e.Type, e.Addr, e.Host = TypeConnect, ev.Addr.String(), s.a.endpoints.name(ev.Endpoint)
	}
	return e
}

func (s *ebpfSource) kernelDropped() uint64 {
	c, err := s.tr.Counters()
	if err != nil {
		if last := s.stats.Load(); last != nil {
			return last.Dropped()
		}
		return 0
	}
	s.stats.Store(&c)
	return c.Dropped()
}

// kernelFolded is from the counters kernelDropped read last.
func (s *ebpfSource) kernelFolded() uint64 {
	if c := s.stats.Load(); c != nil {
		return c.FoldedOpens
	}
	return 0
}

func (s *ebpfSource) close() error { return s.tr.Close() }
