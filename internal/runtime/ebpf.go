//go:build linux

package runtime

import (
	"context"
	"errors"
	"fmt"
	"os"
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
}

func newEBPFSource(ctx context.Context, a *Agent) (*ebpfSource, error) {
	f := a.opts.Filters
	s := &ebpfSource{a: a}
	s.syncClock()
	// Addresses given as such are filtered from the start; host names
	// follow when they resolve (run), so a slow or absent DNS does not
	// delay tracing.
	tr, err := bpf.Load(bpf.Options{
		Extensions: f.Extensions(), Programs: f.Programs, AllExec: f.AllExec,
		Endpoints: toBPF(a.endpoints.literal()), RingBufferSize: a.opts.RingBufferSize, ExcludePID: os.Getpid(),
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
	go s.housekeeping(ctx)
	var ev bpf.Event
	for {
		if err := s.tr.Read(&ev); err != nil {
			if errors.Is(err, bpf.ErrFlushed) && ctx.Err() != nil {
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
		emit(s.convert(&ev))
	}
}

func (s *ebpfSource) housekeeping(ctx context.Context) {
	s.updateEndpoints(ctx)
	clock := time.NewTicker(time.Minute)
	defer clock.Stop()
	resolve := time.NewTicker(s.a.opts.ResolveEvery)
	defer resolve.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-clock.C:
			s.syncClock()
		case <-resolve.C:
			s.updateEndpoints(ctx)
		}
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

func (s *ebpfSource) close() error { return s.tr.Close() }
