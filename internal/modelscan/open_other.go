//go:build !unix

package modelscan

import "os"

// openNoBlock opens path; the caller checks the type before any read.
func openNoBlock(path string) (*os.File, error) {
	// Where O_NONBLOCK does not exist, look first: a check-then-open race
	// remains, but named pipes are not reached through ordinary paths there.
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, &os.PathError{Op: "open", Path: path, Err: errNotRegular}
	}
	return os.Open(path)
}
