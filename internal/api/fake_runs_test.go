package api

import (
	"context"
	"fmt"
	"sync"

	"github.com/mlbom/autopilot/internal/store"
)

// fakeRuns stands in for Temporal: it records what was asked and answers
// from its fields.
type fakeRuns struct {
	mu        sync.Mutex
	started   []ScanRequest
	decided   []Decision
	created   []NewSchedule
	deleted   []string
	progress  map[string]Progress
	pending   []Pending
	schedules []Schedule
	healthErr error
	startErr  error
	decideErr error
}

var _ Runs = (*fakeRuns)(nil)

func (f *fakeRuns) StartScan(_ context.Context, r ScanRequest) (StartedScan, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.startErr != nil {
		return StartedScan{}, f.startErr
	}
	f.started = append(f.started, r)
	id := r.ID
	if id == "" {
		id = fmt.Sprintf("scan/%s/2026010%dT000000Z", cmpOr(r.Project, "p"), len(f.started))
	}
	return StartedScan{WorkflowID: id, RunID: "run-x", Project: cmpOr(r.Project, "p")}, nil
}

func (f *fakeRuns) Progress(_ context.Context, id, _ string) (Progress, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.progress[id]
	if !ok {
		return Progress{}, fmt.Errorf("workflow %s: %w", id, store.ErrNotFound)
	}
	return p, nil
}

func (f *fakeRuns) Pending(_ context.Context, project string) ([]Pending, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Pending
	for _, p := range f.pending {
		if project == "" || p.Project == project {
			out = append(out, p)
		}
	}
	return out, nil
}

func (f *fakeRuns) Decide(_ context.Context, d Decision) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.decideErr != nil {
		return f.decideErr
	}
	f.decided = append(f.decided, d)
	return nil
}

func (f *fakeRuns) Schedules(context.Context) ([]Schedule, error) { return f.schedules, nil }

func (f *fakeRuns) CreateSchedule(_ context.Context, s NewSchedule) (Schedule, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.created = append(f.created, s)
	return Schedule{ID: "mlbom-scan-" + s.Project, Project: s.Project, Spec: "cron " + s.Cron}, nil
}

func (f *fakeRuns) DeleteSchedule(_ context.Context, project string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deleted = append(f.deleted, project)
	return nil
}

func (f *fakeRuns) Health(context.Context) error { return f.healthErr }
