package workflows

import (
	"fmt"
	"sort"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/mlbom/autopilot/activities"
	"github.com/mlbom/autopilot/internal/runtime"
)

// Names of the tracer workflow users script against.
const (
	TracerWorkflowName  = "TracerWorkflow"
	RuntimeEventsSignal = "runtime-events"
	ObservedQuery       = "observed"
	// TracerIDPrefix + host name is the workflow ID of a node's tracer.
	TracerIDPrefix = "tracer/"
)

// Tracer defaults.
const (
	DefaultFlushEvery = time.Minute
	// A new artifact is persisted, judged and notified this soon, not at
	// the next periodic flush.
	newArtifactDelay = 5 * time.Second
	// Continue as new well before Temporal's history limits (50k events,
	// 50 MB), even if the server does not suggest it first.
	maxHistoryEvents = 10000
	// State bounds: artifacts kept in the workflow (the store keeps all),
	// and batch IDs remembered to drop a batch delivered twice.
	maxArtifacts   = 5000
	maxSeenBatches = 512
)

// maxBatchesPerRun continues as new after this many signals in one run: a
// bound that does not depend on the server's history accounting (a var so
// tests can lower it).
var maxBatchesPerRun = 4000

// TracerInput starts (or continues) a node's tracer workflow:
//
//	{"node":"gpu-7","flushEvery":"1m"}
type TracerInput struct {
	Node string `json:"node"`
	// FlushEvery is how often changed observations are persisted, judged
	// and notified (a Go duration; default 1m). New artifacts go sooner.
	FlushEvery string `json:"flushEvery,omitempty"`
	// State is carried across continue-as-new.
	State *TracerState `json:"state,omitempty"`
}

// TracerState is what the workflow knows; the observed query returns it.
type TracerState struct {
	Node string `json:"node"`
	// Epoch names this chain of runs (its first run); store rows are keyed
	// by it, so counts carried across continue-as-new stay absolute.
	Epoch     string                  `json:"epoch"`
	Artifacts []runtime.Artifact      `json:"artifacts"` // sorted by key
	Batches   int64                   `json:"batches"`
	Events    int64                   `json:"events"`
	Duplicate int64                   `json:"duplicateBatches"`
	Agents    []AgentStats            `json:"agents,omitempty"`
	SeenIDs   []string                `json:"seenBatchIds,omitempty"` // oldest first
	LastFlush time.Time               `json:"lastFlush,omitempty"`
	Verdict   string                  `json:"verdict,omitempty"`
	Findings  int                     `json:"findings"`
	Notify    activities.NotifyResult `json:"notify"`
	Runs      int                     `json:"runs"` // continue-as-new count
}

// AgentStats are the latest counters of one agent instance.
type AgentStats struct {
	Agent  string        `json:"agent"`
	Source string        `json:"source"`
	Last   time.Time     `json:"last"`
	Stats  runtime.Stats `json:"stats"`
}

// tracer is the running state with an index into Artifacts.
type tracer struct {
	st    *TracerState
	index map[string]int
	seen  map[string]bool
}

func newTracer(st *TracerState) *tracer {
	t := &tracer{st: st, index: map[string]int{}, seen: map[string]bool{}}
	for i, a := range st.Artifacts {
		t.index[a.Key] = i
	}
	for _, id := range st.SeenIDs {
		t.seen[id] = true
	}
	return t
}

// merge folds a batch in; it reports whether a new artifact appeared.
func (t *tracer) merge(b runtime.Batch) bool {
	if b.ID != "" {
		if t.seen[b.ID] {
			t.st.Duplicate++
			return false
		}
		t.seen[b.ID] = true
		t.st.SeenIDs = append(t.st.SeenIDs, b.ID)
		if len(t.st.SeenIDs) > maxSeenBatches {
			delete(t.seen, t.st.SeenIDs[0])
			t.st.SeenIDs = t.st.SeenIDs[1:]
		}
	}
	t.st.Batches++
	t.st.Events += int64(len(b.Events))
	t.agent(b)
	added := false
	for i := range b.Events {
		e := &b.Events[i]
		key := e.Key()
		if i, ok := t.index[key]; ok {
			t.st.Artifacts[i].Merge(e, b.Project)
			continue
		}
		var a runtime.Artifact
		a.Merge(e, b.Project)
		t.insert(a)
		added = true
	}
	t.evict()
	return added
}

func (t *tracer) agent(b runtime.Batch) {
	s := AgentStats{Agent: b.Agent, Source: b.Source, Last: b.Sent, Stats: b.Stats}
	for i := range t.st.Agents {
		if t.st.Agents[i].Agent == b.Agent {
			t.st.Agents[i] = s
			return
		}
	}
	t.st.Agents = append(t.st.Agents, s)
	if len(t.st.Agents) > 16 { // agent restarts: keep the latest few
		t.st.Agents = t.st.Agents[1:]
	}
}

// insert keeps Artifacts sorted by key.
func (t *tracer) insert(a runtime.Artifact) {
	arts := t.st.Artifacts
	i := sort.Search(len(arts), func(i int) bool { return arts[i].Key >= a.Key })
	arts = append(arts, runtime.Artifact{})
	copy(arts[i+1:], arts[i:])
	arts[i] = a
	t.st.Artifacts = arts
	t.reindex(i)
}

func (t *tracer) reindex(from int) {
	for j := from; j < len(t.st.Artifacts); j++ {
		t.index[t.st.Artifacts[j].Key] = j
	}
}

// evict drops the least recently seen persisted artifacts beyond
// maxArtifacts (the store has them).
func (t *tracer) evict() {
	for len(t.st.Artifacts) > maxArtifacts {
		victim := -1
		for i, a := range t.st.Artifacts {
			if !a.Dirty && (victim < 0 || a.LastSeen.Before(t.st.Artifacts[victim].LastSeen)) {
				victim = i
			}
		}
		if victim < 0 {
			return // everything waits to be persisted; the next flush frees room
		}
		delete(t.index, t.st.Artifacts[victim].Key)
		t.st.Artifacts = append(t.st.Artifacts[:victim], t.st.Artifacts[victim+1:]...)
		t.reindex(victim)
	}
}

func (t *tracer) dirty() []runtime.Artifact {
	var out []runtime.Artifact
	for _, a := range t.st.Artifacts {
		if a.Dirty {
			out = append(out, a)
		}
	}
	return out
}

// TracerWorkflow is a node's long-running tracer: it receives runtime-events
// signals from the agent (mlbom trace), aggregates them per artifact, and
// periodically and on new artifacts persists them (RecordRuntime), judges
// them (EvaluateRuntime) and notifies (NotifyRuntime). It continues as new
// when the server suggests it or its history grows, carrying its state.
func TracerWorkflow(ctx workflow.Context, in TracerInput) error {
	if in.Node == "" {
		return temporal.NewNonRetryableApplicationError("input needs a node: {\"node\":\"HOSTNAME\"}", activities.ErrTypeInvalidInput, nil)
	}
	flushEvery := DefaultFlushEvery
	if in.FlushEvery != "" {
		d, err := time.ParseDuration(in.FlushEvery)
		if err != nil || d < time.Second {
			return temporal.NewNonRetryableApplicationError(fmt.Sprintf("flushEvery %q: want a duration of at least 1s", in.FlushEvery), activities.ErrTypeInvalidInput, nil)
		}
		flushEvery = d
	}
	info := workflow.GetInfo(ctx)
	st := in.State
	if st == nil {
		st = &TracerState{Node: in.Node, Epoch: info.WorkflowExecution.ID + "/" + info.WorkflowExecution.RunID}
	}
	t := newTracer(st)
	if err := workflow.SetQueryHandler(ctx, ObservedQuery, func() (*TracerState, error) { return st, nil }); err != nil {
		return err
	}
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Minute,
		HeartbeatTimeout:    5 * activities.HeartbeatInterval,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
	})
	ch := workflow.GetSignalChannel(ctx, RuntimeEventsSignal)
	batchesThisRun := 0

	var periodic, soon workflow.Future
	periodicFired, soonFired := false, false
	for {
		if periodic == nil {
			periodic = workflow.NewTimer(ctx, flushEvery)
		}
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(ch, func(c workflow.ReceiveChannel, _ bool) {
			var b runtime.Batch
			c.Receive(ctx, &b)
			batchesThisRun++
			if t.merge(b) && soon == nil {
				soon = workflow.NewTimer(ctx, newArtifactDelay)
			}
		})
		sel.AddFuture(periodic, func(workflow.Future) { periodicFired = true })
		if soon != nil {
			sel.AddFuture(soon, func(workflow.Future) { soonFired = true })
		}
		sel.Select(ctx)
		if ctx.Err() != nil {
			// Cancelled (temporal workflow cancel): write what changed,
			// then stop.
			dctx, _ := workflow.NewDisconnectedContext(ctx)
			if err := flush(dctx, t); err != nil {
				return err
			}
			return ctx.Err()
		}
		if periodicFired || soonFired {
			if periodicFired {
				periodic, periodicFired = nil, false
			}
			if soonFired {
				soon, soonFired = nil, false
			}
			if err := flush(ctx, t); err != nil {
				return err
			}
		}
		if info := workflow.GetInfo(ctx); info.GetContinueAsNewSuggested() || info.GetCurrentHistoryLength() > maxHistoryEvents || batchesThisRun >= maxBatchesPerRun {
			// Take every signal already delivered into the state first: a
			// signal left in this run would be lost with it.
			for {
				var b runtime.Batch
				if !ch.ReceiveAsync(&b) {
					break
				}
				t.merge(b)
			}
			if err := flush(ctx, t); err != nil {
				return err
			}
			st.Runs++
			return workflow.NewContinueAsNewError(ctx, TracerWorkflowName, TracerInput{Node: in.Node, FlushEvery: in.FlushEvery, State: st})
		}
	}
}

// flush persists what changed, judges the node's observations and
// notifies; a flush with nothing changed does nothing.
func flush(ctx workflow.Context, t *tracer) error {
	changed := t.dirty()
	if len(changed) == 0 {
		return nil
	}
	var a *activities.Activities // names the activities; the worker runs them
	var rec activities.RecordRuntimeResult
	if err := workflow.ExecuteActivity(ctx, a.RecordRuntime, activities.RecordRuntimeRequest{
		Node: t.st.Node, Epoch: t.st.Epoch, Artifacts: changed,
	}).Get(ctx, &rec); err != nil {
		return err
	}
	for _, r := range rec.Artifacts {
		if i, ok := t.index[r.Key]; ok {
			t.st.Artifacts[i].Tier = r.Tier
		}
	}
	for _, c := range changed {
		if i, ok := t.index[c.Key]; ok && t.st.Artifacts[i].Count == c.Count && t.st.Artifacts[i].LastSeen.Equal(c.LastSeen) {
			t.st.Artifacts[i].Dirty = false
		}
	}
	var pol activities.RuntimePolicyResult
	if err := workflow.ExecuteActivity(ctx, a.EvaluateRuntime, activities.EvaluateRuntimeRequest{Node: t.st.Node}).Get(ctx, &pol); err != nil {
		return err
	}
	t.st.Verdict, t.st.Findings = pol.Verdict, pol.Findings
	info := workflow.GetInfo(ctx)
	if err := workflow.ExecuteActivity(ctx, a.NotifyRuntime, activities.NotifyRuntimeRequest{
		Node: t.st.Node, RunID: info.WorkflowExecution.RunID, DecisionRef: pol.DecisionRef,
	}).Get(ctx, &t.st.Notify); err != nil {
		return err
	}
	t.st.LastFlush = workflow.Now(ctx)
	return nil
}
