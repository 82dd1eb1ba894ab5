package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// ErrSpoolFull: the spool holds its maximum and refuses the batch (the
// agent counts it in Stats.SpoolDropped).
var ErrSpoolFull = errors.New("spool full")

// Sender delivers a batch somewhere (a Temporal signal). An error means it
// may not have arrived; the spool sends it again later, so the receiver
// must ignore a batch ID it has seen.
type Sender interface {
	Send(ctx context.Context, b Batch) error
}

// Spool is a Sink that writes every batch to a directory (fsync'd, renamed
// into place) before accepting it, and forwards the oldest batch to a
// Sender until it is acknowledged, then deletes it. A batch in the spool
// survives a dead server, an agent crash and a restart: a new Spool on the
// same directory sends what the last one left, in order.
type Spool struct {
	dir      string
	maxBytes int64
	sender   Sender
	log      *slog.Logger
	timeout  time.Duration

	mu    sync.Mutex
	bytes int64
	kick  chan struct{}
	seq   uint64
	sent  uint64
	fails uint64
	last  error
}

// SpoolOptions configure a Spool.
type SpoolOptions struct {
	// MaxBytes bounds the spool on disk; default 256 MiB.
	MaxBytes int64
	// Timeout of one send; default 10s.
	Timeout time.Duration
	Log     *slog.Logger
}

// OpenSpool opens (creating) the spool directory and counts what it holds.
func OpenSpool(dir string, sender Sender, opts SpoolOptions) (*Spool, error) {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = 256 << 20
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create spool %s: %w", dir, err)
	}
	s := &Spool{dir: dir, maxBytes: opts.MaxBytes, sender: sender, log: opts.Log, timeout: opts.Timeout, kick: make(chan struct{}, 1)}
	names, err := s.list()
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if fi, err := os.Stat(filepath.Join(dir, n)); err == nil {
			s.bytes += fi.Size()
		}
	}
	// Leftovers of a crash between write and rename are incomplete.
	tmps, _ := filepath.Glob(filepath.Join(dir, "*.tmp"))
	for _, t := range tmps {
		os.Remove(t)
	}
	if len(names) > 0 {
		s.log.Info("spool holds batches from before; sending them first", "batches", len(names), "dir", dir)
	}
	return s, nil
}

// Pending is how many batches wait in the spool.
func (s *Spool) Pending() int {
	names, _ := s.list()
	return len(names)
}

func (s *Spool) list() ([]string, error) {
	ents, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("read spool %s: %w", s.dir, err)
	}
	var out []string
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".json") {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out) // names start with a fixed-width time: oldest first
	return out, nil
}

// Send makes b durable and returns; the forwarder sends it.
func (s *Spool) Send(_ context.Context, b Batch) error {
	data, err := json.Marshal(b)
	if err != nil {
		return fmt.Errorf("encode batch: %w", err)
	}
	s.mu.Lock()
	if s.bytes+int64(len(data)) > s.maxBytes {
		s.mu.Unlock()
		return ErrSpoolFull
	}
	s.seq++
	name := fmt.Sprintf("%020d-%06d.json", time.Now().UnixNano(), s.seq%1000000)
	s.bytes += int64(len(data))
	s.mu.Unlock()
	if err := writeDurable(s.dir, name, data); err != nil {
		s.mu.Lock()
		s.bytes -= int64(len(data))
		s.mu.Unlock()
		return err
	}
	select {
	case s.kick <- struct{}{}:
	default:
	}
	return nil
}

func writeDurable(dir, name string, data []byte) error {
	tmp := filepath.Join(dir, name+".tmp")
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("spool: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("spool: %w", err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("spool: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // the rename itself is durable
		d.Close()
	}
	return nil
}

// Forward sends spooled batches, oldest first, until ctx is done, retrying
// with backoff while the sender fails. drain, when true, returns once the
// spool is empty (for a final flush).
func (s *Spool) Forward(ctx context.Context) {
	backoff := time.Second
	for ctx.Err() == nil {
		n, err := s.sendOldest(ctx)
		switch {
		case err != nil:
			s.mu.Lock()
			s.fails++
			first := s.last == nil
			s.last = err
			s.mu.Unlock()
			if first {
				s.log.Warn("cannot deliver runtime events; keeping them in the spool and retrying", "error", err, "dir", s.dir)
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			case <-s.kick:
			}
			backoff = min(backoff*2, 30*time.Second)
		case n == 0:
			select {
			case <-ctx.Done():
				return
			case <-s.kick:
			case <-time.After(5 * time.Second):
			}
		default:
			s.mu.Lock()
			if s.last != nil {
				s.log.Info("delivering runtime events again", "after_failures", s.fails)
			}
			s.last = nil
			s.mu.Unlock()
			backoff = time.Second
		}
	}
}

// Flush tries to send everything spooled now; what fails stays for later.
func (s *Spool) Flush(ctx context.Context) error {
	for {
		n, err := s.sendOldest(ctx)
		if err != nil || n == 0 {
			return err
		}
	}
}

// sendOldest sends the oldest batch; it returns how many it sent (0 when
// the spool is empty).
func (s *Spool) sendOldest(ctx context.Context) (int, error) {
	names, err := s.list()
	if err != nil || len(names) == 0 {
		return 0, err
	}
	path := filepath.Join(s.dir, names[0])
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("read spooled batch: %w", err)
	}
	var b Batch
	if err := json.Unmarshal(data, &b); err != nil {
		// Cannot be sent, ever: set it aside instead of blocking the rest.
		s.log.Error("spooled batch is corrupt; moved aside", "file", path, "error", err)
		_ = os.Rename(path, path+".corrupt")
		s.release(int64(len(data)))
		return 1, nil
	}
	sctx, cancel := context.WithTimeout(ctx, s.timeout)
	err = s.sender.Send(sctx, b)
	cancel()
	if err != nil {
		return 0, err
	}
	if err := os.Remove(path); err != nil {
		return 0, fmt.Errorf("remove sent batch: %w", err)
	}
	s.release(int64(len(data)))
	s.mu.Lock()
	s.sent++
	s.mu.Unlock()
	return 1, nil
}

func (s *Spool) release(n int64) {
	s.mu.Lock()
	s.bytes -= n
	s.mu.Unlock()
}
