package runtime

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// openTarget opens the file the process opened, as the process sees it:
// through /proc/PID/root while the process lives (its mount namespace, e.g.
// a container). Symlinks resolve inside that root (RESOLVE_IN_ROOT), so a
// container cannot point the agent at a host file, and O_NONBLOCK keeps a
// FIFO named like a model from blocking the hasher.
func openTarget(proc string, e *Event) (*os.File, error) {
	flags := unix.O_RDONLY | unix.O_CLOEXEC | unix.O_NONBLOCK | unix.O_NOCTTY
	if e.PID > 0 {
		root, err := unix.Open(filepath.Join(proc, strconv.Itoa(e.PID), "root"), unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err == nil {
			defer unix.Close(root)
			fd, err := unix.Openat2(root, strings.TrimPrefix(e.Path, "/"), &unix.OpenHow{
				Flags: uint64(flags), Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS,
			})
			if err == nil {
				return os.NewFile(uintptr(fd), e.Path), nil
			}
			if !errors.Is(err, unix.ENOSYS) {
				return nil, err
			}
		}
	}
	fd, err := unix.Open(e.Path, flags, 0)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), e.Path), nil
}
