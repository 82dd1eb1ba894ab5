package workflows

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/mlbom/autopilot/activities"
	"github.com/mlbom/autopilot/internal/runtime"
)

type tracerCalls struct {
	records  []activities.RecordRuntimeRequest
	evals    int
	notifies int
}

func newTracerEnv(t *testing.T) (*testsuite.TestWorkflowEnvironment, *tracerCalls) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(TracerWorkflow, workflow.RegisterOptions{Name: TracerWorkflowName})
	var a *activities.Activities
	calls := &tracerCalls{}
	env.OnActivity(a.RecordRuntime, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.RecordRuntimeRequest) (*activities.RecordRuntimeResult, error) {
			calls.records = append(calls.records, req)
			out := &activities.RecordRuntimeResult{}
			for _, art := range req.Artifacts {
				tier := "observed"
				if art.SHA256 != "" {
					tier = "verified"
				}
				out.Artifacts = append(out.Artifacts, activities.ArtifactTier{Key: art.Key, Tier: tier})
			}
			return out, nil
		})
	env.OnActivity(a.EvaluateRuntime, mock.Anything, mock.Anything).Return(
		func(_ context.Context, _ activities.EvaluateRuntimeRequest) (*activities.RuntimePolicyResult, error) {
			calls.evals++
			return &activities.RuntimePolicyResult{Verdict: "deny", Findings: 1, DecisionRef: "dec"}, nil
		})
	env.OnActivity(a.NotifyRuntime, mock.Anything, mock.Anything).Return(
		func(_ context.Context, _ activities.NotifyRuntimeRequest) (*activities.NotifyResult, error) {
			calls.notifies++
			return &activities.NotifyResult{Sent: 1}, nil
		})
	return env, calls
}

var t0 = time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)

func batch(id string, evs ...runtime.Event) runtime.Batch {
	return runtime.Batch{ID: id, Node: "gpu-1", Agent: "a1", Source: "ebpf", Events: evs, Stats: runtime.Stats{Received: uint64(len(evs))}}
}

func open(path, comm string, at time.Duration) runtime.Event {
	return runtime.Event{Type: runtime.TypeOpen, Path: path, Comm: comm, PID: 42, Time: t0.Add(at), Count: 1, Fidelity: "ebpf", Node: "gpu-1"}
}

func TestTracerAggregatesFlushesAndAnswersQuery(t *testing.T) {
	env, calls := newTracerEnv(t)
	var view *TracerState
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(RuntimeEventsSignal, batch("b1", open("/m/bert.safetensors", "python3", 0), open("/m/bert.safetensors", "python3", time.Second)))
		e := open("/m/bert.safetensors", "torchrun", 2*time.Second)
		e.SHA256, e.Container = "aa", "c1"
		env.SignalWorkflow(RuntimeEventsSignal, batch("b2", e, runtime.Event{Type: runtime.TypeConnect, Host: "api.openai.com", Addr: "1.2.3.4:443", Comm: "python3", Time: t0, Count: 1}))
		env.SignalWorkflow(RuntimeEventsSignal, batch("b2", e)) // delivered twice: counted once
	}, time.Second)
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(ObservedQuery)
		if err != nil {
			t.Fatal(err)
		}
		if err := v.Get(&view); err != nil {
			t.Fatal(err)
		}
		env.CancelWorkflow()
	}, 2*time.Minute)
	env.ExecuteWorkflow(TracerWorkflowName, TracerInput{Node: "gpu-1"})
	if err := env.GetWorkflowError(); !temporal.IsCanceledError(err) {
		t.Fatalf("workflow ended with %v, want canceled by the test", err)
	}
	if view == nil || len(view.Artifacts) != 2 {
		t.Fatalf("observed = %+v, want 2 artifacts", view)
	}
	conn, file := view.Artifacts[0], view.Artifacts[1]
	if file.Key != "open:/m/bert.safetensors" || file.Count != 3 || file.SHA256 != "aa" || file.Tier != "verified" || file.Dirty ||
		fmt.Sprint(file.Processes) != "[python3 torchrun]" || fmt.Sprint(file.Containers) != "[c1]" {
		t.Errorf("file artifact = %+v", file)
	}
	if conn.Key != "connect:api.openai.com" || conn.Tier != "observed" {
		t.Errorf("connect artifact = %+v", conn)
	}
	if view.Batches != 2 || view.Duplicate != 1 || view.Events != 4 || view.Verdict != "deny" || view.Notify.Sent != 1 || view.Epoch == "" {
		t.Errorf("state = %+v", view)
	}
	// The new artifacts are flushed within seconds, not at the next minute;
	// a periodic flush with nothing new runs no activity.
	if len(calls.records) != 1 || len(calls.records[0].Artifacts) != 2 || calls.evals != 1 || calls.notifies != 1 {
		t.Errorf("activities: %d records (%+v), %d evaluations, %d notifications; want one flush of 2 artifacts", len(calls.records), calls.records, calls.evals, calls.notifies)
	}
}

func TestTracerContinuesAsNewWithState(t *testing.T) {
	old := maxBatchesPerRun
	maxBatchesPerRun = 3
	defer func() { maxBatchesPerRun = old }()
	env, calls := newTracerEnv(t)
	env.RegisterDelayedCallback(func() {
		for i := 0; i < 3; i++ {
			env.SignalWorkflow(RuntimeEventsSignal, batch(fmt.Sprintf("b%d", i), open(fmt.Sprintf("/m/%d.gguf", i), "llama-server", time.Duration(i)*time.Second)))
		}
	}, time.Second)
	env.ExecuteWorkflow(TracerWorkflowName, TracerInput{Node: "gpu-1", FlushEvery: "30s"})
	var can *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("workflow ended with %v, want continue-as-new", err)
	}
	var next TracerInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	st := next.State
	if next.Node != "gpu-1" || next.FlushEvery != "30s" || st == nil || st.Runs != 1 || st.Batches != 3 || len(st.Artifacts) != 3 || len(st.SeenIDs) != 3 {
		t.Fatalf("carried input = %+v state %+v; want all 3 batches and artifacts", next, st)
	}
	for _, a := range st.Artifacts {
		if a.Dirty {
			t.Errorf("%s carried unpersisted: the last flush before continuing must write it", a.Key)
		}
	}
	if n := len(calls.records); n == 0 {
		t.Error("nothing persisted before continuing as new")
	}

	// The next run starts from the carried state and keeps the epoch.
	env2, _ := newTracerEnv(t)
	var view *TracerState
	env2.RegisterDelayedCallback(func() {
		env2.SignalWorkflow(RuntimeEventsSignal, batch("b1", open("/m/1.gguf", "llama-server", time.Hour))) // seen before: ignored
	}, time.Second)
	env2.RegisterDelayedCallback(func() {
		v, _ := env2.QueryWorkflow(ObservedQuery)
		_ = v.Get(&view)
		env2.CancelWorkflow()
	}, 2*time.Second)
	env2.ExecuteWorkflow(TracerWorkflowName, next)
	if view == nil || view.Epoch != st.Epoch || view.Batches != 3 || view.Duplicate != 1 || len(view.Artifacts) != 3 {
		t.Errorf("after continue-as-new: %+v", view)
	}
}

func TestTracerRejectsBadInput(t *testing.T) {
	for _, in := range []TracerInput{{}, {Node: "n", FlushEvery: "soon"}, {Node: "n", FlushEvery: "10ms"}} {
		env, _ := newTracerEnv(t)
		env.ExecuteWorkflow(TracerWorkflowName, in)
		var appErr *temporal.ApplicationError
		if err := env.GetWorkflowError(); !errors.As(err, &appErr) || appErr.Type() != activities.ErrTypeInvalidInput {
			t.Errorf("input %+v: %v, want a non-retryable InvalidInput error", in, err)
		}
	}
}
