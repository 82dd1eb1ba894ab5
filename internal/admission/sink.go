package admission

import (
	"context"
	"encoding/json"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mlbom/autopilot/internal/notify"
	"github.com/mlbom/autopilot/internal/policy"
	"github.com/mlbom/autopilot/internal/store"
)

// DecisionStore records decisions (implemented by *store.DB).
type DecisionStore interface {
	SaveAdmissions(ctx context.Context, ds []store.Admission) error
}

// Notifier sends findings through the exactly-once ledger (implemented by
// *notify.Notifier).
type Notifier interface {
	Notify(ctx context.Context, b notify.Batch) (*notify.Report, error)
}

// Recorder writes decisions to the store in batches and notifies denials,
// off the request path: Record only queues. When the queue is full (the
// store is down and the cluster is busy) Record waits up to MaxWait, then
// drops the record and logs it, because admission must not stall behind
// bookkeeping.
type Recorder struct {
	store   DecisionStore
	notify  Notifier
	log     *slog.Logger
	maxWait time.Duration
	linger  time.Duration

	q    chan Decision
	done chan struct{}
	// sent: the writer goroutine's memory of delivered denials, per object.
	sent map[string]sentSet
	once sync.Once
	// Dropped counts records lost to a full queue.
	mu      sync.Mutex
	dropped int
}

// RecorderOptions configure a Recorder.
type RecorderOptions struct {
	Store    DecisionStore
	Notifier Notifier // nil: denials are recorded but not notified
	Logger   *slog.Logger
	Queue    int           // 0 means 4096
	MaxWait  time.Duration // 0 means 100 ms
	// Linger is how long the writer waits for more decisions before it
	// writes a batch; 0 means 100 ms. Close writes what is queued at once.
	Linger time.Duration
}

// NewRecorder starts the writer; Close stops it after draining the queue.
func NewRecorder(o RecorderOptions) *Recorder {
	if o.Queue <= 0 {
		o.Queue = 4096
	}
	if o.MaxWait <= 0 {
		o.MaxWait = 100 * time.Millisecond
	}
	if o.Linger <= 0 {
		o.Linger = 100 * time.Millisecond
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	r := &Recorder{store: o.Store, notify: o.Notifier, log: o.Logger, maxWait: o.MaxWait, linger: o.Linger,
		q: make(chan Decision, o.Queue), done: make(chan struct{}), sent: map[string]sentSet{}}
	go r.loop()
	return r
}

// Record queues a decision.
func (r *Recorder) Record(d Decision) {
	select {
	case r.q <- d:
		return
	default:
	}
	t := time.NewTimer(r.maxWait)
	defer t.Stop()
	select {
	case r.q <- d:
	case <-t.C:
		r.mu.Lock()
		r.dropped++
		r.mu.Unlock()
		r.log.Error("admission: decision not recorded (queue full)", "uid", d.UID, "namespace", d.Namespace, "kind", d.Kind, "name", d.Name, "allowed", d.Allowed)
	}
}

// Dropped is how many decisions were lost to a full queue.
func (r *Recorder) Dropped() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.dropped
}

// Close drains the queue and stops the writer.
func (r *Recorder) Close() {
	r.once.Do(func() { close(r.q) })
	<-r.done
}

const batchSize = 200

func (r *Recorder) loop() {
	defer close(r.done)
	batch := make([]Decision, 0, batchSize)
	linger := time.NewTimer(time.Hour)
	linger.Stop()
	for d := range r.q {
		batch = append(batch[:0], d)
		// Take what arrives within the linger, up to a batch: one insert
		// (and one statement prepared) for many decisions. At low rates a
		// row a statement cost more CPU than judging the review.
		linger.Reset(r.linger)
		open := true
	more:
		for len(batch) < batchSize {
			select {
			case d, ok := <-r.q:
				if !ok {
					open = false
					break more
				}
				batch = append(batch, d)
			case <-linger.C:
				break more
			}
		}
		linger.Stop()
		r.write(batch)
		if !open {
			return
		}
	}
}

func (r *Recorder) write(batch []Decision) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rows := make([]store.Admission, 0, len(batch))
	for _, d := range batch {
		rows = append(rows, Row(d))
	}
	if r.store != nil {
		var err error
		for attempt := 0; attempt < 3; attempt++ {
			if err = r.store.SaveAdmissions(ctx, rows); err == nil {
				break
			}
			time.Sleep(time.Duration(attempt+1) * 200 * time.Millisecond)
		}
		if err != nil {
			r.log.Error("admission: record decisions", "error", err, "count", len(rows))
		}
	}
	if r.notify == nil {
		return
	}
	now := time.Now()
	for _, d := range batch {
		if d.Allowed || !d.Enforced {
			continue
		}
		// One ledger scope per object, so a refused Deployment is one
		// message however often its pods are refused, and a later denial
		// with other findings resolves the old ones.
		ref, fs := d.Ref(), denyFindings(d.Findings)
		sig := findingSet(fs)
		if r.delivered(ref, sig, now) {
			continue
		}
		b := notify.Batch{Project: ref, ScanID: "admission/" + d.UID, Verdict: policy.VerdictDeny,
			Findings: fs, Summary: d.Message}
		if _, err := r.notify.Notify(ctx, b); err != nil {
			r.log.Error("admission: notify denial", "error", err, "object", ref)
			continue
		}
		if len(r.sent) >= maxCached {
			clear(r.sent)
		}
		r.sent[ref] = sentSet{sig: sig, at: now}
	}
}

// sentTTL is how long the recorder trusts its memory that an object's
// denial findings were delivered: the ledger would skip them anyway, at the
// cost of a store round trip per finding and denial (a quarter of the CPU
// of a busy webhook whose pods keep being refused). Other replicas, and
// this one after sentTTL, ask the ledger.
const sentTTL = 10 * time.Minute

// sentSet is the finding set last delivered for an object.
type sentSet struct {
	sig string
	at  time.Time
}

// delivered: the same findings were delivered for ref lately, so notifying
// again would change nothing (every key already sent, none to resolve).
func (r *Recorder) delivered(ref, sig string, now time.Time) bool {
	s, ok := r.sent[ref]
	return ok && s.sig == sig && now.Sub(s.at) < sentTTL
}

func findingSet(fs []policy.Finding) string {
	ids := make([]string, len(fs))
	for i, f := range fs {
		ids[i] = f.ID
	}
	sort.Strings(ids)
	return strings.Join(ids, ",")
}

func denyFindings(fs []policy.Finding) []policy.Finding {
	var out []policy.Finding
	for _, f := range fs {
		if f.Effect == policy.VerdictDeny && !f.Waived {
			out = append(out, f)
		}
	}
	return out
}

// Row is the stored form of a decision.
func Row(d Decision) store.Admission {
	findings, _ := json.Marshal(d.Findings)
	models, _ := json.Marshal(d.Models)
	a := store.Admission{UID: d.UID, Namespace: d.Namespace, Kind: d.Kind, Name: d.Name, Operation: d.Operation,
		User: d.User, Allowed: d.Allowed, Enforced: d.Enforced, Message: d.Message, Findings: findings, Models: models, CreatedAt: d.At}
	for _, m := range d.Models {
		if m.Verified {
			a.BOMProject, a.BOMVersion = m.Project, m.Version
			break
		}
	}
	return a
}
