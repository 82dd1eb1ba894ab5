package runtime

import (
	"bufio"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

var (
	// A 64-hex container ID as runtimes name their cgroups:
	// docker-<id>.scope, cri-containerd-<id>.scope, crio-<id>.scope,
	// libpod-<id>.scope, or a plain /docker/<id> or /kubepods/.../<id>.
	containerRe = regexp.MustCompile(`(?:^|[/-])([0-9a-f]{64})(?:\.scope)?(?:/|$)`)
	// A pod UID: kubepods-burstable-pod<uid with underscores>.slice (systemd
	// driver) or /kubepods/burstable/pod<uid>/ (cgroupfs driver).
	podRe = regexp.MustCompile(`pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})`)
)

// ContainerID and PodUID parse what a cgroup path tells about its process;
// empty when it is not in a container or pod.
func ContainerID(cgroupPath string) string {
	m := containerRe.FindAllStringSubmatch(cgroupPath, -1)
	if len(m) == 0 {
		return ""
	}
	return m[len(m)-1][1] // the innermost
}

// PodUID returns the Kubernetes pod UID in a cgroup path, with dashes.
func PodUID(cgroupPath string) string {
	m := podRe.FindStringSubmatch(cgroupPath)
	if m == nil {
		return ""
	}
	return strings.ReplaceAll(m[1], "_", "-")
}

// cgroups maps cgroup v2 IDs (the inode number of the cgroup's directory)
// to paths, from the process's /proc/PID/cgroup when it is still there,
// else from a walk of the cgroup tree, done at most once a second.
type cgroups struct {
	root     string // /sys/fs/cgroup
	proc     string // /proc
	mu       sync.Mutex
	byID     map[uint64]string
	lastWalk time.Time
}

const maxCgroupCache = 1 << 14

func newCgroups(proc string) *cgroups {
	return &cgroups{root: "/sys/fs/cgroup", proc: proc, byID: map[uint64]string{}}
}

// path returns the cgroup path of id (seen in process pid), or "".
func (c *cgroups) path(id uint64, pid int) string {
	if id == 0 {
		return c.fromProc(pid)
	}
	c.mu.Lock()
	p, ok := c.byID[id]
	c.mu.Unlock()
	if ok {
		return p
	}
	if p = c.fromProc(pid); p != "" && c.idOf(p) == id {
		c.remember(id, p)
		return p
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.lastWalk) < time.Second {
		return ""
	}
	c.lastWalk = time.Now()
	if len(c.byID) > maxCgroupCache {
		c.byID = map[uint64]string{}
	}
	_ = filepath.WalkDir(c.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if info, err := d.Info(); err == nil {
			if st, ok := info.Sys().(*syscall.Stat_t); ok {
				rel := strings.TrimPrefix(p, c.root)
				if rel == "" {
					rel = "/"
				}
				c.byID[st.Ino] = rel
			}
		}
		return nil
	})
	return c.byID[id]
}

func (c *cgroups) remember(id uint64, p string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.byID) > maxCgroupCache {
		c.byID = map[uint64]string{}
	}
	c.byID[id] = p
}

func (c *cgroups) idOf(p string) uint64 {
	var st syscall.Stat_t
	if err := syscall.Stat(filepath.Join(c.root, p), &st); err != nil {
		return 0
	}
	return st.Ino
}

// fromProc reads the unified (v2) line "0::/path" of /proc/PID/cgroup.
func (c *cgroups) fromProc(pid int) string {
	if pid <= 0 {
		return ""
	}
	f, err := os.Open(filepath.Join(c.proc, strconv.Itoa(pid), "cgroup"))
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "0::"); ok {
			return rest
		}
	}
	return ""
}
