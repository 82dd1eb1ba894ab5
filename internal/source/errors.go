package source

import (
	"fmt"

	"github.com/mlbom/autopilot/internal/redact"
)

// invalidf builds a non-retryable error: errors.Is(err, ErrInvalid) holds.
func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// invalidWrap marks cause as non-retryable while keeping it inspectable.
func invalidWrap(cause error, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %w", ErrInvalid, fmt.Sprintf(format, args...), cause)
}

// redactErr masks secrets a library may have echoed into an error message
// (a URL with credentials, a token in a header dump); errors.Is still works.
func redactErr(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	return redact.Error(err, secrets...)
}
