package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mlbom/autopilot/activities"
)

// The names derived from method values are the names the worker registers
// and the recorded histories hold; renaming a method would break replay.
func TestActivityNamesMatchHistories(t *testing.T) {
	var a *activities.Activities
	got := []string{
		activityName(a.Scan), activityName(a.RecordScan), activityName(a.Normalize), activityName(a.Embed),
		activityName(a.BuildBOM), activityName(a.Diff), activityName(a.EvaluatePolicy),
		activityName(a.RecordApprovals), activityName(a.Notify),
		// TracerWorkflow's
		activityName(a.RecordRuntime), activityName(a.EvaluateRuntime), activityName(a.NotifyRuntime),
	}
	require.Equal(t, []string{"Scan", "RecordScan", "Normalize", "Embed", "BuildBOM", "Diff", "EvaluatePolicy", "RecordApprovals", "Notify",
		"RecordRuntime", "EvaluateRuntime", "NotifyRuntime"}, got)

	// Every activity type a history names is one of them.
	files, err := filepath.Glob("testdata/replay/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	known := map[string]bool{}
	for _, n := range got {
		known[n] = true
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		var h struct {
			Events []struct {
				Scheduled *struct {
					ActivityType struct{ Name string } `json:"activityType"`
				} `json:"activityTaskScheduledEventAttributes"`
			} `json:"events"`
		}
		require.NoError(t, json.Unmarshal(data, &h))
		n := 0
		for _, e := range h.Events {
			if e.Scheduled != nil {
				require.True(t, known[e.Scheduled.ActivityType.Name], "%s schedules unknown activity %q", f, e.Scheduled.ActivityType.Name)
				n++
			}
		}
		require.NotZero(t, n, f)
	}
}

type roundTrip struct {
	Kept    string    `json:"kept"`
	Dropped string    `json:"-"`
	At      time.Time `json:"at"`
}

// The local runner hands results forward through JSON, as a Temporal payload
// would, so a field the payload cannot carry is lost in both modes alike.
func TestLocalStepRoundTripsThroughJSON(t *testing.T) {
	x := &localExecutor{ctx: context.Background(), opts: LocalOptions{sleep: func(context.Context, time.Duration) error { return nil }}}
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("X", 3600))
	fn := func(_ context.Context, in string) (*roundTrip, error) {
		return &roundTrip{Kept: in, Dropped: "secret", At: at}, nil
	}
	got, err := call(x, fn, "hello")
	require.NoError(t, err)
	require.Equal(t, "hello", got.Kept)
	require.Empty(t, got.Dropped)
	require.True(t, at.Equal(got.At))

	boom := errors.New("boom")
	_, err = call(x, func(context.Context, string) (*roundTrip, error) { return nil, boom }, "x")
	require.ErrorIs(t, err, boom)

	var seen string
	require.NoError(t, do(x, func(_ context.Context, in string) error { seen = in; return nil }, "done"))
	require.Equal(t, "done", seen)
}
