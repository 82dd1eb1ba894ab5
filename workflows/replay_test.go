package workflows_test

import (
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"

	"github.com/mlbom/autopilot/workers"
)

// TestReplayHistories replays every history exported from a real run
// (`temporal workflow show --output json`) against the current workflow code:
// a change that would break running workflows fails here. Regenerate with
// MLBOM_UPDATE_REPLAY=1 go test ./cmd/mlbom -run TestE2EScanThroughTemporal
// only when adding a history; never to paper over a failure.
// scan-timeout-v1.json was recorded with the code before the
// "record-timeouts" change and replays through its workflow.GetVersion
// guard; scan-timeout-v2.json (MLBOM_UPDATE_REPLAY=1 go test ./cmd/mlbom
// -run TestE2EDecisionsInTheirVersion) takes the new path.
func TestReplayHistories(t *testing.T) {
	files, err := filepath.Glob("testdata/replay/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no replay histories in testdata/replay")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			workers.RegisterWorkflows(r)
			if err := r.ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
				t.Fatalf("replay %s: %v", f, err)
			}
		})
	}
}
