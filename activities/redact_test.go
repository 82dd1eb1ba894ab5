package activities

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	failurepb "go.temporal.io/api/failure/v1"
	"go.temporal.io/sdk/temporal"

	"github.com/mlbom/autopilot/internal/notify"
	"github.com/mlbom/autopilot/internal/source"
)

// failureText is everything Temporal would write into the history for err:
// the message and type of every failure in its cause chain.
func failureText(err error) string {
	var b strings.Builder
	for f := temporal.GetDefaultFailureConverter().ErrorToFailure(err); f != nil; f = f.GetCause() {
		b.WriteString(f.GetMessage())
		b.WriteString("\n")
		if ai, ok := f.GetFailureInfo().(*failurepb.Failure_ApplicationFailureInfo); ok {
			b.WriteString(ai.ApplicationFailureInfo.GetType())
			b.WriteString("\n")
		}
	}
	return b.String()
}

// Errors leave an activity masked, cause chain included, and keep their
// retryability.
func TestClassifyMasksTheWholeFailureChain(t *testing.T) {
	const pass = "Sup3r-s3cret-pass"
	const hook = "https://hooks.slack.com/services/T0000/B0000/AbCdEfGhIjKlMnOp"
	tests := []struct {
		name         string
		err          error
		nonRetryable bool
		errType      string
	}{
		{"url error with credentials", fmt.Errorf("open: %w", &url.Error{Op: "Get", URL: "https://bob:" + pass + "@git.example.com/x.git/info/refs", Err: errors.New("EOF")}), false, ErrTypeTransient},
		{"invalid source", fmt.Errorf("open https://bob:%s@git.example.com/x.git: %w", pass, source.ErrInvalid), true, ErrTypeInvalidSource},
		{"slack webhook", fmt.Errorf("notify: %w", notify.ErrPermanent), true, ErrTypeNotifyConfig},
		{"slack webhook transient", &url.Error{Op: "Post", URL: hook, Err: errors.New("connection refused")}, false, ErrTypeTransient},
		{"token", fmt.Errorf("denied for ghp_R4nd0mT0kenValue000000000000000000AB: %w", context.DeadlineExceeded), false, ErrTypeTransient},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := classify("scan", tc.err)
			text := failureText(err)
			for _, s := range []string{pass, "AbCdEfGhIjKlMnOp", "ghp_R4nd0m"} {
				require.NotContains(t, text, s)
			}
			var appErr *temporal.ApplicationError
			require.True(t, errors.As(err, &appErr))
			require.Equal(t, tc.nonRetryable, appErr.NonRetryable())
			require.Equal(t, tc.errType, appErr.Type())
			require.True(t, errors.Is(err, tc.err) || errors.Is(err, errors.Unwrap(tc.err)) || strings.Contains(err.Error(), "scan:"))
		})
	}
	// Cancellation is still recognised through the masked cause.
	require.True(t, errors.Is(classify("scan", fmt.Errorf("x: %w", context.Canceled)), context.Canceled))
}
