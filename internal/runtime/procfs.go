package runtime

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// procSource polls /proc where eBPF cannot run (not root, no BTF, a kernel
// without the tracepoints). It sees files held open or mapped, processes
// alive and connections established at the moment of a poll: anything
// shorter-lived between two polls is missed, so its events are marked
// FidelityProc.
type procSource struct {
	a *Agent
	// What the previous poll saw, so only new facts become events.
	pids  map[int]bool
	files map[procFile]bool
	conns map[procConn]bool
	addrs map[netip.AddrPort]uint32 // endpoint address -> ID (port 0: any)
}

type procFile struct {
	pid  int
	path string
}

type procConn struct {
	pid  int
	addr netip.AddrPort
}

func newProcSource(a *Agent) *procSource {
	return &procSource{a: a, pids: map[int]bool{}, files: map[procFile]bool{}, conns: map[procConn]bool{}}
}

func (s *procSource) kernelDropped() uint64 { return 0 }
func (s *procSource) kernelFolded() uint64  { return 0 }
func (s *procSource) close() error          { return nil }

func (s *procSource) run(ctx context.Context, emit func(Event) bool) error {
	s.resolve(ctx)
	tick := time.NewTicker(s.a.opts.PollInterval)
	defer tick.Stop()
	resolve := time.NewTicker(s.a.opts.ResolveEvery)
	defer resolve.Stop()
	first := true
	for {
		s.poll(emit, first)
		first = false
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-resolve.C:
			s.resolve(ctx)
		case <-tick.C:
		}
	}
}

func (s *procSource) resolve(ctx context.Context) {
	s.addrs = map[netip.AddrPort]uint32{}
	for _, a := range s.a.endpoints.resolve(ctx) {
		s.addrs[netip.AddrPortFrom(a.Addr, a.Port)] = a.ID
	}
}

// poll walks /proc once. On the first poll, processes already running are
// reported too (exec events for runtimes that started before the agent).
func (s *procSource) poll(emit func(Event) bool, first bool) {
	proc := s.a.opts.Proc
	ents, err := os.ReadDir(proc)
	if err != nil {
		return
	}
	now := time.Now().UTC()
	self := os.Getpid()
	pids := map[int]bool{}
	files := map[procFile]bool{}
	sockets := map[uint64][]int{} // socket inode -> the processes holding it
	netns := map[string][]int{}   // network namespace -> a few pids in it
	for _, de := range ents {
		pid, err := strconv.Atoi(de.Name())
		if err != nil || pid == self {
			continue
		}
		pids[pid] = true
		dir := filepath.Join(proc, de.Name())
		comm := readTrim(filepath.Join(dir, "comm"))
		base := Event{PID: pid, Comm: comm, Time: now, Fidelity: FidelityProc, Count: 1}
		if !s.pids[pid] {
			if exe, err := os.Readlink(filepath.Join(dir, "exe")); err == nil && s.matchProgram(exe) {
				e := base
				e.Type, e.Path = TypeExec, strings.TrimSuffix(exe, " (deleted)")
				e.PPID = ppidOf(dir)
				e.Argv = cmdline(filepath.Join(dir, "cmdline"))
				emit(e)
			}
		}
		report := func(path string) {
			if !s.a.opts.Filters.isTraced(path) {
				return
			}
			k := procFile{pid, path}
			if files[k] {
				return
			}
			files[k] = true
			if !s.files[k] {
				e := base
				e.Type, e.Path = TypeOpen, path
				emit(e)
			}
		}
		fds, _ := os.ReadDir(filepath.Join(dir, "fd"))
		for _, fd := range fds {
			link, err := os.Readlink(filepath.Join(dir, "fd", fd.Name()))
			if err != nil {
				continue
			}
			if ino, ok := strings.CutPrefix(link, "socket:["); ok {
				if n, err := strconv.ParseUint(strings.TrimSuffix(ino, "]"), 10, 64); err == nil {
					sockets[n] = append(sockets[n], pid)
				}
				continue
			}
			if strings.HasPrefix(link, "/") {
				report(link)
			}
		}
		// Memory-mapped files: safetensors and GGUF are usually mmap'd and
		// the descriptor closed.
		if f, err := os.Open(filepath.Join(dir, "maps")); err == nil {
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				line := sc.Text()
				if i := strings.IndexByte(line, '/'); i >= 0 {
					report(line[i:])
				}
			}
			f.Close()
		}
		if ns, err := os.Readlink(filepath.Join(dir, "ns", "net")); err == nil && len(netns[ns]) < 3 && len(fds) > 0 {
			netns[ns] = append(netns[ns], pid) // a process with descriptors: not a kernel thread
		}
	}
	conns := map[procConn]bool{}
	if len(s.addrs) > 0 {
		for _, pids := range netns {
			for _, c := range connections(proc, pids) {
				id, ok := s.addrs[c.remote]
				if !ok {
					id, ok = s.addrs[netip.AddrPortFrom(c.remote.Addr(), 0)]
				}
				if !ok {
					continue
				}
				for _, owner := range sockets[c.inode] {
					k := procConn{owner, c.remote}
					conns[k] = true
					if !s.conns[k] {
						emit(Event{
							Type: TypeConnect, PID: owner, Comm: readTrim(filepath.Join(proc, strconv.Itoa(owner), "comm")),
							Time: now, Addr: c.remote.String(), Host: s.a.endpoints.name(id), Fidelity: FidelityProc, Count: 1,
						})
					}
				}
			}
		}
	}
	s.pids, s.files, s.conns = pids, files, conns
}

func (s *procSource) matchProgram(exe string) bool {
	if s.a.opts.Filters.AllExec {
		return true
	}
	name := filepath.Base(strings.TrimSuffix(exe, " (deleted)"))
	stripped := strings.TrimRight(name, "0123456789.")
	for _, p := range s.a.opts.Filters.Programs {
		if p == name || (stripped != "" && p == stripped) {
			return true
		}
	}
	return false
}

// connections reads the TCP tables of a network namespace through the
// first of its processes that can still be read.
func connections(proc string, pids []int) []tcpEntry {
	for _, pid := range pids {
		dir := filepath.Join(proc, strconv.Itoa(pid), "net")
		v4, err4 := os.ReadFile(filepath.Join(dir, "tcp"))
		v6, err6 := os.ReadFile(filepath.Join(dir, "tcp6"))
		if err4 != nil && err6 != nil {
			continue
		}
		return append(parseTCP(v4), parseTCP(v6)...)
	}
	return nil
}

type tcpEntry struct {
	remote netip.AddrPort
	inode  uint64
}

// parseTCP parses /proc/net/tcp{,6}: connections being set up (SYN_SENT)
// or established, with their socket inode.
func parseTCP(data []byte) []tcpEntry {
	if len(data) == 0 {
		return nil
	}
	var out []tcpEntry
	lines := bytes.Split(data, []byte{'\n'})
	for _, l := range lines[1:] {
		f := strings.Fields(string(l))
		if len(f) < 10 || (f[3] != "01" && f[3] != "02") {
			continue
		}
		ap, ok := parseHexAddr(f[2])
		if !ok {
			continue
		}
		ino, err := strconv.ParseUint(f[9], 10, 64)
		if err != nil || ino == 0 {
			continue
		}
		out = append(out, tcpEntry{remote: ap, inode: ino})
	}
	return out
}

// parseHexAddr reads "0100007F:1F90" (IPv4) or the 32-hex-digit IPv6 form;
// the kernel prints each 32-bit word in host (little-endian) order.
func parseHexAddr(s string) (netip.AddrPort, bool) {
	h, p, ok := strings.Cut(s, ":")
	if !ok {
		return netip.AddrPort{}, false
	}
	port, err := strconv.ParseUint(p, 16, 16)
	if err != nil {
		return netip.AddrPort{}, false
	}
	raw, err := hex.DecodeString(h)
	if err != nil || (len(raw) != 4 && len(raw) != 16) {
		return netip.AddrPort{}, false
	}
	for i := 0; i+4 <= len(raw); i += 4 {
		raw[i], raw[i+1], raw[i+2], raw[i+3] = raw[i+3], raw[i+2], raw[i+1], raw[i]
	}
	var a netip.Addr
	if len(raw) == 4 {
		a = netip.AddrFrom4([4]byte(raw))
	} else {
		a = netip.AddrFrom16([16]byte(raw)).Unmap()
	}
	return netip.AddrPortFrom(a, uint16(port)), true
}

func readTrim(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

func ppidOf(dir string) int {
	b, err := os.ReadFile(filepath.Join(dir, "stat"))
	if err != nil {
		return 0
	}
	// pid (comm) state ppid ...; comm may hold spaces and parentheses.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 2 {
		return 0
	}
	n, _ := strconv.Atoi(f[1])
	return n
}

// cmdline reads the head of a process's arguments (as much as the eBPF
// source keeps).
func cmdline(path string) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	buf := make([]byte, 255)
	n, _ := f.Read(buf)
	b := bytes.TrimRight(buf[:n], "\x00")
	if len(b) == 0 {
		return nil
	}
	return strings.Split(string(b), "\x00")
}
