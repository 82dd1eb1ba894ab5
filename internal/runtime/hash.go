package runtime

import (
	"crypto/sha256"

	"encoding/hex"
	"fmt"
	"io"
	"os"
	"sync"
	"syscall"
)

// fileKey identifies a file's content without reading it: a file that kept
// its device, inode, size and modification time is taken to have kept its
// bytes (the same assumption make and rsync rely on).
type fileKey struct {
	dev, ino uint64
	size     int64
	mtimeNS  int64
}

type hashCache struct {
	mu   sync.Mutex
	sums map[fileKey]string
}

const maxHashCache = 1 << 16

// hashBuffers are the read buffers of hashFile: a fresh megabyte per file
// showed up as a sixth of the agent's CPU (allocation, zeroing, GC) when
// many distinct small model files were opened.
var hashBuffers = sync.Pool{New: func() any { b := make([]byte, 1<<20); return &b }}

func newHashCache() *hashCache { return &hashCache{sums: map[fileKey]string{}} }

func (c *hashCache) get(k fileKey) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.sums[k]
	return s, ok
}

func (c *hashCache) put(k fileKey, sum string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.sums) >= maxHashCache {
		c.sums = map[fileKey]string{}
	}
	c.sums[k] = sum
}

func keyOfInfo(fi os.FileInfo) (fileKey, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileKey{}, false
	}
	return fileKey{dev: uint64(st.Dev), ino: st.Ino, size: fi.Size(), mtimeNS: fi.ModTime().UnixNano()}, true
}

// lookupPath answers from the cache without reading the file.
func (c *hashCache) lookupPath(proc string, e *Event) (string, int64, bool) {
	if e.Unresolved {
		return "", 0, false
	}
	f, err := openTarget(proc, e)
	if err != nil {
		return "", 0, false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", 0, false
	}
	k, ok := keyOfInfo(fi)
	if !ok {
		return "", 0, false
	}
	sum, ok := c.get(k)
	return sum, fi.Size(), ok
}

// hash fills e.SHA256 (or e.HashError), through the cache.
func (a *Agent) hash(e *Event) {
	if e.Unresolved {
		e.HashError = "relative path of a process that exited"
		return
	}
	f, err := openTarget(a.opts.Proc, e)
	if err != nil {
		e.HashError = "open: " + err.Error()
		return
	}
	defer f.Close()
	sum, size, err := a.hashes.hashFile(f)
	if err != nil {
		e.HashError = err.Error()
		return
	}
	e.SHA256, e.Size = sum, size
}

func (c *hashCache) hashFile(f *os.File) (string, int64, error) {
	fi, err := f.Stat()
	if err != nil {
		return "", 0, fmt.Errorf("stat: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return "", 0, fmt.Errorf("not a regular file")
	}
	k, ok := keyOfInfo(fi)
	if ok {
		if sum, hit := c.get(k); hit {
			return sum, fi.Size(), nil
		}
	}
	h := sha256.New()
	buf := hashBuffers.Get().(*[]byte)
	defer hashBuffers.Put(buf)
	if _, err := io.CopyBuffer(h, f, *buf); err != nil {
		return "", 0, fmt.Errorf("read: %w", err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	// A file written while it was hashed gets no cache entry: its key
	// changed, and the next open hashes it again.
	if fi2, err := f.Stat(); err == nil {
		if k2, ok2 := keyOfInfo(fi2); ok && ok2 && k2 == k {
			c.put(k, sum)
		}
	}
	return sum, fi.Size(), nil
}
