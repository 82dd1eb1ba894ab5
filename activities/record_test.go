package activities

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mlbom/autopilot/internal/store"
)

// ScanRow replaced store.Scan in the RecordScan payload: the JSON must stay
// what running workflows already send.
func TestScanRowPayloadShape(t *testing.T) {
	at := time.Date(2026, 11, 23, 12, 35, 47, 0, time.UTC)
	row := ScanRow{ID: "s/1", RunID: "r", Project: "p", Source: "file:///x", Ref: "main", Commit: "abc",
		Status: "completed", Verdict: "pass", Version: 2, StartedAt: at, EndedAt: at.Add(time.Minute)}
	old := store.Scan{ID: "s/1", RunID: "r", Project: "p", Source: "file:///x", Ref: "main", Commit: "abc",
		Status: "completed", Verdict: "pass", Version: 2, StartedAt: at, EndedAt: at.Add(time.Minute)}
	a, err := json.Marshal(row)
	require.NoError(t, err)
	b, err := json.Marshal(old)
	require.NoError(t, err)
	require.JSONEq(t, string(b), string(a))

	var back ScanRow
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, row, back)
}
