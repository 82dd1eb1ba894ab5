package workers_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/mlbom/autopilot/workers"
	"github.com/mlbom/autopilot/workers/devserver"
	"github.com/mlbom/autopilot/workflows"
)

// TestEnsureSearchAttributes: on a server that has never seen mlbom, the
// worker registers the search attributes its workflows set; doing it again
// is harmless.
func TestEnsureSearchAttributes(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal dev server")
	}
	srv := devserver.StartPlain(t)
	c, err := client.Dial(client.Options{HostPort: srv.Address, Logger: quietLogger{}})
	require.NoError(t, err)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	list := func() map[string]enumspb.IndexedValueType {
		resp, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: "default"})
		require.NoError(t, err)
		return resp.GetCustomAttributes()
	}
	require.NotContains(t, list(), workflows.SearchAttributeProject)
	require.NoError(t, workers.EnsureSearchAttributes(ctx, c, "default"))
	require.NoError(t, workers.EnsureSearchAttributes(ctx, c, "default"))
	got := list()
	require.Equal(t, enumspb.INDEXED_VALUE_TYPE_KEYWORD, got[workflows.SearchAttributeProject])
	require.Equal(t, enumspb.INDEXED_VALUE_TYPE_KEYWORD, got[workflows.SearchAttributeVerdict])
}
