package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/mlbom/autopilot/internal/metrics"
)

// Sink receives batches. A nil error means the batch is accepted (printed,
// or durable in the spool); the agent never retries a batch itself.
type Sink interface {
	Send(ctx context.Context, b Batch) error
}

// Source names.
const (
	SourceAuto = "auto" // eBPF, else /proc polling
	SourceEBPF = "ebpf"
	SourceProc = "proc"
)

// Options configure the agent.
type Options struct {
	Node    string // host name reported with every event
	Project string // attribute every event to this project (optional)
	Filters Filters
	// Source: auto, ebpf or proc.
	Source string
	// Window folds repeats of the same event (same process, same file,
	// program or endpoint) into one count; default 10s.
	Window time.Duration
	// QueueSize bounds the events waiting between the reader and the
	// processing; beyond it events are dropped and counted. Default 65536.
	QueueSize int
	// BatchSize and BatchInterval: a batch is cut at this many events or
	// this long after its first event. Defaults 512 and 2s.
	BatchSize     int
	BatchInterval time.Duration
	// Hash model files when first opened (default on; NoHash turns it off).
	NoHash bool
	// HashQueue bounds model files waiting to be hashed; default 1024.
	HashQueue int
	// PollInterval of the /proc fallback; default 2s.
	PollInterval time.Duration
	// RingBufferSize of the eBPF source in bytes; 0: the loader's default.
	RingBufferSize int
	// ResolveEvery re-resolves endpoint host names; default 5m.
	ResolveEvery time.Duration
	// Proc is the proc file system; default /proc.
	Proc string
	Log  *slog.Logger
	// Pods names pods by UID (nil: UIDs only).
	Pods *Pods
	// Metrics counts events by kind and drops by reason (nil: none).
	Metrics *metrics.Metrics
	// Ready, when set, is called once the source runs, with its name.
	Ready func(source string)
}

func (o *Options) defaults() {
	if o.Window <= 0 {
		o.Window = 10 * time.Second
	}
	if o.QueueSize <= 0 {
		o.QueueSize = 1 << 16
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 512
	}
	if o.BatchInterval <= 0 {
		o.BatchInterval = 2 * time.Second
	}
	if o.HashQueue <= 0 {
		o.HashQueue = 1024
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 2 * time.Second
	}
	if o.ResolveEvery <= 0 {
		o.ResolveEvery = 5 * time.Minute
	}
	if o.Proc == "" {
		o.Proc = "/proc"
	}
	if o.Node == "" {
		o.Node, _ = os.Hostname()
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Source == "" {
		o.Source = SourceAuto
	}
}

// source produces raw events; emit returns false when the queue is full.
type source interface {
	run(ctx context.Context, emit func(Event) bool) error
	kernelDropped() uint64
	kernelFolded() uint64
	close() error
}

// Agent is a running tracer.
type Agent struct {
	opts      Options
	id        string
	src       source
	srcName   string
	endpoints *endpointTable
	cgroups   *cgroups
	hashes    *hashCache

	received, sent, folded, queueDropped, hashSkipped, spoolDropped atomic.Uint64
	seq                                                             atomic.Uint64
	kernelReported                                                  uint64 // kernel drops already counted in Metrics
}

// Stats are the counters so far.
func (a *Agent) Stats() Stats {
	s := Stats{
		Received: a.received.Load(), Sent: a.sent.Load(), Folded: a.folded.Load(),
		QueueDropped: a.queueDropped.Load(), HashSkipped: a.hashSkipped.Load(), SpoolDropped: a.spoolDropped.Load(),
	}
	if a.src != nil {
		s.KernelDropped = a.src.kernelDropped()
		s.KernelFolded = a.src.kernelFolded()
	}
	return s
}

// Source is the name of the source in use (ebpf or proc).
func (a *Agent) Source() string { return a.srcName }

// New prepares an agent: it loads the eBPF programs (or, with Source auto,
// falls back to /proc polling and logs why).
func New(ctx context.Context, opts Options) (*Agent, error) {
	opts.defaults()
	a := &Agent{opts: opts, id: uuid.NewString()[:8], cgroups: newCgroups(opts.Proc), hashes: newHashCache()}
	a.endpoints = newEndpointTable(opts.Filters.Endpoints, opts.Log)
	switch opts.Source {
	case SourceEBPF, SourceAuto:
		src, err := newEBPFSource(ctx, a)
		if err == nil {
			a.src, a.srcName = src, SourceEBPF
			break
		}
		if opts.Source == SourceEBPF || !errors.Is(err, ErrNoEBPF) {
			return nil, err
		}
		opts.Log.Warn("eBPF tracing unavailable; polling /proc instead (lower fidelity: short-lived opens and connections are missed)", "reason", err)
		fallthrough
	case SourceProc:
		a.src, a.srcName = newProcSource(a), SourceProc
	default:
		return nil, fmt.Errorf("source %q: want auto, ebpf or proc", opts.Source)
	}
	return a, nil
}

// Run traces until ctx is done, sending batches to sink, then flushes what
// it holds and returns.
func (a *Agent) Run(ctx context.Context, sink Sink) error {
	defer a.src.close()
	queue := make(chan Event, a.opts.QueueSize)
	out := make(chan Event, 4096)

	srcCtx, stopSrc := context.WithCancel(ctx)
	defer stopSrc()
	var srcErr error
	srcDone := make(chan struct{})
	go func() {
		defer close(srcDone)
		defer close(queue)
		srcErr = a.src.run(srcCtx, func(e Event) bool {
			a.received.Add(1)
			select {
			case queue <- e:
				return true
			default:
				a.queueDropped.Add(1)
				a.opts.Metrics.TracerDropped("queue_full", 1)
				return false
			}
		})
	}()
	if a.opts.Ready != nil {
		a.opts.Ready(a.srcName)
	}

	var hashWG sync.WaitGroup
	var hashJobs chan Event
	if !a.opts.NoHash {
		hashJobs = make(chan Event, a.opts.HashQueue)
		hashWG.Add(1)
		go func() {
			defer hashWG.Done()
			for e := range hashJobs {
				a.hash(&e)
				out <- e
			}
		}()
	}
	procDone := make(chan struct{})
	go func() {
		defer close(procDone)
		a.process(queue, out, hashJobs)
		if hashJobs != nil {
			close(hashJobs)
			hashWG.Wait()
		}
		close(out)
	}()
	err := a.batch(ctx, out, sink)
	<-srcDone
	<-procDone
	if err != nil {
		return err
	}
	if srcErr != nil && !errors.Is(srcErr, context.Canceled) {
		return srcErr
	}
	return nil
}

// process makes events useful and folds repeats, until queue closes.
func (a *Agent) process(queue <-chan Event, out chan<- Event, hashJobs chan<- Event) {
	folds := newFolder(a.opts.Window)
	tick := time.NewTicker(a.opts.Window / 4)
	defer tick.Stop()
	forward := func(e Event) {
		// A window's repeats (count > 1) are not hashed again: the first
		// event of the window went to the hasher and carries the hash.
		if hashJobs != nil && e.Type == TypeOpen && e.model && e.SHA256 == "" {
			sum, size, ok := a.hashes.lookupPath(a.opts.Proc, &e)
			switch {
			case ok:
				e.SHA256, e.Size = sum, size
			case e.Count <= 1:
				select {
				case hashJobs <- e:
					return
				default:
					a.hashSkipped.Add(1)
				}
			}
		}
		out <- e
	}
	for {
		select {
		case e, ok := <-queue:
			if !ok {
				for _, f := range folds.flush(time.Time{}) {
					forward(f)
				}
				return
			}
			if folds.repeat(&e) {
				a.folded.Add(1)
				continue
			}
			a.enrich(&e)
			folds.first(e)
			forward(e)
		case now := <-tick.C:
			for _, f := range folds.flush(now) {
				forward(f)
			}
		}
	}
}

// enrich resolves the path, the cgroup and redacts argv.
func (a *Agent) enrich(e *Event) {
	e.Node = a.opts.Node
	if e.Count == 0 {
		e.Count = 1
	}
	if e.Path != "" {
		if filepath.IsAbs(e.Path) {
			e.Path = filepath.Clean(e.Path)
		} else {
			a.resolvePath(e)
		}
	}
	if e.Type == TypeOpen {
		e.model = a.opts.Filters.isModel(e.Path)
	}
	if p := a.cgroups.path(e.cgroupID, e.PID); p != "" {
		e.Cgroup = p
		e.Container = ContainerID(p)
		e.PodUID = PodUID(p)
		e.Pod = a.opts.Pods.Name(context.Background(), e.PodUID)
	} else if e.cgroupID != 0 {
		e.Cgroup = strconv.FormatUint(e.cgroupID, 10)
	}
	if len(e.Argv) > 0 {
		e.Argv = redactArgv(e.Argv)
	}
}

// resolvePath makes a relative path absolute through the process's working
// directory (or the directory descriptor it opened relative to).
func (a *Agent) resolvePath(e *Event) {
	link := filepath.Join(a.opts.Proc, strconv.Itoa(e.PID), "cwd")
	if e.dirFD >= 0 && e.Type == TypeOpen {
		link = filepath.Join(a.opts.Proc, strconv.Itoa(e.PID), "fd", strconv.Itoa(e.dirFD))
	}
	dir, err := os.Readlink(link)
	if err != nil || !filepath.IsAbs(dir) {
		e.Unresolved = true
		return
	}
	e.Path = filepath.Join(dir, e.Path)
}

// batch cuts batches and hands them to the sink until out closes.
func (a *Agent) batch(ctx context.Context, out <-chan Event, sink Sink) error {
	var pending []Event
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	send := func() error {
		if len(pending) == 0 {
			return nil
		}
		seq := a.seq.Add(1)
		b := Batch{
			ID: fmt.Sprintf("%s/%s/%d", a.opts.Node, a.id, seq), Node: a.opts.Node, Agent: a.id, Seq: seq,
			Sent: time.Now().UTC(), Source: a.srcName, Project: a.opts.Project, Events: pending, Stats: a.Stats(),
		}
		pending = nil
		a.countMetrics(b)
		// The sink gets its own context: the last batch is still written
		// after ctx is cancelled at shutdown.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if err := sink.Send(sctx, b); err != nil {
			if errors.Is(err, ErrSpoolFull) {
				a.spoolDropped.Add(1)
				a.opts.Metrics.TracerDropped("spool_full", len(b.Events))
				a.opts.Log.Warn("spool full: batch dropped", "batch", b.ID, "events", len(b.Events))
				return nil
			}
			return fmt.Errorf("send batch %s: %w", b.ID, err)
		}
		return nil
	}
	for {
		select {
		case e, ok := <-out:
			if !ok {
				return send()
			}
			if len(pending) == 0 {
				timer.Reset(a.opts.BatchInterval)
			}
			a.sent.Add(1)
			pending = append(pending, e)
			if len(pending) >= a.opts.BatchSize {
				timer.Stop()
				if err := send(); err != nil {
					return err
				}
			}
		case <-timer.C:
			if err := send(); err != nil {
				return err
			}
		}
	}
}

// countMetrics reports a batch's events by kind and the kernel drops since
// the last batch.
func (a *Agent) countMetrics(b Batch) {
	m := a.opts.Metrics
	if m == nil {
		return
	}
	var paths, bins, eps int
	for _, e := range b.Events {
		switch e.Type {
		case TypeOpen:
			paths += e.Count
		case TypeExec:
			bins += e.Count
		case TypeConnect:
			eps += e.Count
		}
	}
	m.TracerEvents("path", paths)
	m.TracerEvents("binary", bins)
	m.TracerEvents("endpoint", eps)
	if k := b.Stats.KernelDropped; k > a.kernelReported {
		m.TracerDropped("ringbuf_full", int(k-a.kernelReported))
		a.kernelReported = k
	}
}

// folder remembers, per process and artifact, the first event of a window
// and how many repeats followed.
type folder struct {
	window time.Duration
	open   map[foldKey]*fold
}

type foldKey struct {
	typ      string
	pid      int
	dev, ino uint64
	text     string // path or address when there is no inode
}

type fold struct {
	first   Event
	repeats int
	last    time.Time
	until   time.Time
}

const maxFolds = 1 << 16

func newFolder(window time.Duration) *folder {
	return &folder{window: window, open: map[foldKey]*fold{}}
}

func keyOf(e *Event) foldKey {
	k := foldKey{typ: e.Type, pid: e.PID}
	switch {
	case e.Type == TypeOpen && e.ino != 0:
		k.dev, k.ino = e.dev, e.ino
	case e.Type == TypeConnect:
		k.text = e.Addr
	default:
		k.text = e.Path
	}
	return k
}

// repeat folds e into an open window and reports whether it did.
func (f *folder) repeat(e *Event) bool {
	w, ok := f.open[keyOf(e)]
	if !ok || e.Time.After(w.until) {
		return false
	}
	w.repeats += max(e.Count, 1)
	if e.Time.After(w.last) {
		w.last = e.Time
	}
	return true
}

// first opens a window for e (already enriched).
func (f *folder) first(e Event) {
	if len(f.open) >= maxFolds {
		return // no window: repeats are sent as they come, nothing is lost
	}
	f.open[keyOf(&e)] = &fold{first: e, last: e.Time, until: e.Time.Add(f.window)}
}

// flush closes windows that ended before now (all with a zero now) and
// returns one event per window that had repeats, carrying their count.
func (f *folder) flush(now time.Time) []Event {
	var out []Event
	for k, w := range f.open {
		if !now.IsZero() && now.Before(w.until) {
			continue
		}
		delete(f.open, k)
		if w.repeats > 0 {
			e := w.first
			e.Count, e.Time = w.repeats, w.last
			out = append(out, e)
		}
	}
	return out
}
