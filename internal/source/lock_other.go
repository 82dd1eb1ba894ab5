//go:build !unix

package source

import (
	"context"
	"sync"
)

var dirLocks sync.Map // dir → *sync.Mutex; in-process only where flock is unavailable

func lockDir(ctx context.Context, dir string) (func(), error) {
	m, _ := dirLocks.LoadOrStore(dir, &sync.Mutex{})
	mu := m.(*sync.Mutex)
	mu.Lock()
	return mu.Unlock, nil
}
