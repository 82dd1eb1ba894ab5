package workflows

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/mlbom/autopilot/activities"
)

// LocalOptions tune a scan run without a Temporal server.
type LocalOptions struct {
	ScanID   string
	Progress func(Progress)
	// Decide answers pending license exceptions; nil leaves them undecided
	// (they count as rejected, as after a timeout).
	Decide func(pending []activities.Exception) []activities.ApprovalDecision
}

// RunLocal runs the same steps as ScanWorkflow in-process, calling the very
// same activity methods, without durability: for CI pipelines and quick looks.
func RunLocal(ctx context.Context, acts *activities.Activities, in ScanInput, opts LocalOptions) (*ScanSummary, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	x := &localExecutor{ctx: ctx, opts: opts}
	scanID := opts.ScanID
	if scanID == "" {
		scanID = fmt.Sprintf("local/%s/%s", in.Project, time.Now().UTC().Format("20060102T150405.000000000Z"))
	}
	return pipeline(x, acts, scanID, "", "", in, 0)
}

type localExecutor struct {
	ctx  context.Context
	opts LocalOptions
}

// exec is the one place a step runs in-process.
func (x *localExecutor) exec(name string, _, _, out any, local func(context.Context) (any, error)) error {
	res, err := local(x.ctx)
	if err != nil {
		return err
	}
	if out == nil || res == nil {
		return nil
	}
	// Round-trip through JSON exactly as a Temporal payload would, so both
	// modes see the same values.
	data, err := json.Marshal(res)
	if err != nil {
		return fmt.Errorf("%s: encode result: %w", name, err)
	}
	return json.Unmarshal(data, out)
}

func (x *localExecutor) now() time.Time { return time.Now().UTC() }

// version: nothing in-process predates the current code.
func (x *localExecutor) version(_ string, max int) int { return max }

func (x *localExecutor) progress(p Progress) {
	if x.opts.Progress != nil {
		x.opts.Progress(p)
	}
}

func (x *localExecutor) awaitExceptions(pending []activities.Exception, _ time.Duration) ([]activities.ApprovalDecision, error) {
	if x.opts.Decide == nil {
		return nil, nil
	}
	return x.opts.Decide(pending), nil
}
