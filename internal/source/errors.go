package source

import (
	"errors"
	"fmt"
	"strings"
)

// invalidf builds a non-retryable error: errors.Is(err, ErrInvalid) holds.
func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// invalidWrap marks cause as non-retryable while keeping it inspectable.
func invalidWrap(cause error, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %w", ErrInvalid, fmt.Sprintf(format, args...), cause)
}

// redactedError hides secrets that a library may have echoed into an error
// message (a URL with credentials, a token in a header dump). Unwrap keeps
// errors.Is working for callers.
type redactedError struct {
	err     error
	secrets []string
}

func (e *redactedError) Error() string { return redactString(e.err.Error(), e.secrets) }
func (e *redactedError) Unwrap() error { return e.err }

func redact(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	var keep []string
	for _, s := range secrets {
		if s != "" {
			keep = append(keep, s)
		}
	}
	if len(keep) == 0 {
		return err
	}
	var re *redactedError
	if errors.As(err, &re) {
		re.secrets = append(re.secrets, keep...)
		return err
	}
	return &redactedError{err: err, secrets: keep}
}

func redactString(s string, secrets []string) string {
	for _, sec := range secrets {
		if len(sec) >= 4 { // replacing one- to three-character "secrets" would shred messages
			s = strings.ReplaceAll(s, sec, "***")
		}
	}
	return s
}
