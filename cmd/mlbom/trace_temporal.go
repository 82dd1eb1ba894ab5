package main

import (
	"context"

	"github.com/mlbom/autopilot/internal/config"
	"github.com/mlbom/autopilot/internal/runtime"
)

func traceToTemporal(ctx context.Context, cfg *config.Config, opts runtime.Options, tf *traceFlags) error {
	return withCode(exitUsage, "sending to Temporal is not wired yet: use --stdout")
}
