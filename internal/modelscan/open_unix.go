//go:build unix

package modelscan

import (
	"os"
	"syscall"
)

// openNoBlock opens path without blocking: opening a named pipe for reading
// waits for a writer, which a scanner must never do. The file type is
// checked on the open descriptor afterwards, so a swap between a check and
// the open cannot make the scanner hang.
func openNoBlock(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
