package workers

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/mlbom/autopilot/internal/api"
	"github.com/mlbom/autopilot/internal/config"
)

// Scans and schedules started through the API never put credentials into a
// workflow input: the request is refused before Temporal is asked.
func TestRunsRefuseCredentialsInSource(t *testing.T) {
	const pass = "Sup3r-s3cret-pass"
	r := &Runs{cfg: &config.Config{}} // no client: reaching Temporal would panic
	src := "https://alice:" + pass + "@git.example.com/acme/app.git"
	_, err := r.StartScan(context.Background(), api.ScanRequest{Source: src, Project: "p"})
	if !errors.Is(err, api.ErrBadRequest) || strings.Contains(err.Error(), pass) || !strings.Contains(err.Error(), "MLBOM_GIT_TOKEN") {
		t.Errorf("StartScan: %v", err)
	}
	_, err = r.CreateSchedule(context.Background(), api.NewSchedule{Source: src + "?token=" + pass, Project: "p"})
	if !errors.Is(err, api.ErrBadRequest) || strings.Contains(err.Error(), pass) {
		t.Errorf("CreateSchedule: %v", err)
	}
}
