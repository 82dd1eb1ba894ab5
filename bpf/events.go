//go:build linux

package bpf

import (
	"bytes"
	"errors"
	"net/netip"
	"unsafe"
)

// EventType says which hook produced an event (enum event_type in tracer.c).
type EventType uint16

// Event types.
const (
	EventOpen    EventType = 1
	EventExec    EventType = 2
	EventConnect EventType = 3
)

func (t EventType) String() string {
	switch t {
	case EventOpen:
		return "open"
	case EventExec:
		return "exec"
	case EventConnect:
		return "connect"
	}
	return "unknown"
}

// rawHeader mirrors the fixed part of struct event in tracer.c, byte for
// byte; TestLayoutMatchesBTF checks it against the compiled object.
type rawHeader struct {
	TsBootNs uint64
	CgroupID uint64
	Ino      uint64
	Dev      uint32
	Pid      uint32
	Tgid     uint32
	Ppid     uint32
	Uid      uint32
	Flags    int32
	Dfd      int32
	Type     uint16
	Family   uint16
	Port     uint16
	Len      uint16
	ArgvOff  uint16
	Pad      uint16
	Endpoint uint32
	Addr     [16]byte
	Comm     [16]byte
	Reserved uint32
}

// ExtKey mirrors struct ext_key.
type ExtKey struct{ Ext [16]byte }

// NameKey mirrors struct name_key.
type NameKey struct{ Name [32]byte }

// EndpointKey mirrors struct endpoint_key.
type EndpointKey struct {
	Family uint16
	Port   uint16
	Addr   [16]byte
}

const headerSize = int(unsafe.Sizeof(rawHeader{}))

// Event is one decoded event.
type Event struct {
	Type EventType
	// BootNS is CLOCK_BOOTTIME in nanoseconds when the hook ran.
	BootNS   uint64
	CgroupID uint64
	// PID is the thread, TGID the process (what ps calls the PID).
	PID, TGID, PPID, UID uint32
	Comm                 string
	// Open: the path as the caller passed it (relative to DirFD when not
	// absolute), the open(2) flags, and the opened file's device and inode.
	Path  string
	Flags int32
	DirFD int32
	Dev   uint32
	Ino   uint64
	// Exec: Path is the program (a script's interpreter), Argv its head.
	Argv []string
	// Connect: the peer and the ID of the endpoint entry it matched.
	Addr     netip.AddrPort
	Endpoint uint32
}

var errShort = errors.New("short sample")

// decode fills ev from one ring buffer sample.
func decode(raw []byte, ev *Event) error {
	if len(raw) < headerSize {
		return errShort
	}
	var h rawHeader
	// The sample is little-endian like the host (bpfel is only loaded on
	// little-endian machines); a copy keeps alignment questions away.
	h = *(*rawHeader)(unsafe.Pointer(&raw[0]))
	data := raw[headerSize:]
	if int(h.Len) > len(data) {
		return errShort
	}
	data = data[:h.Len]
	*ev = Event{
		Type: EventType(h.Type), BootNS: h.TsBootNs, CgroupID: h.CgroupID,
		PID: h.Pid, TGID: h.Tgid, PPID: h.Ppid, UID: h.Uid,
		Comm: cstring(h.Comm[:]), Flags: h.Flags, DirFD: h.Dfd, Dev: h.Dev, Ino: h.Ino, Endpoint: h.Endpoint,
	}
	switch ev.Type {
	case EventOpen:
		ev.Path = string(data)
	case EventExec:
		off := int(h.ArgvOff)
		if off > len(data) || off == 0 {
			off = len(data)
		}
		ev.Path = cstring(data[:off])
		ev.Argv = splitArgv(data[off:])
	case EventConnect:
		var a netip.Addr
		if h.Family == 2 {
			a = netip.AddrFrom4([4]byte(h.Addr[:4]))
		} else {
			a = netip.AddrFrom16(h.Addr)
		}
		ev.Addr = netip.AddrPortFrom(a, h.Port)
	}
	return nil
}

func cstring(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// splitArgv splits the NUL-separated argument area; the last argument may
// be cut short by the kernel side's limit.
func splitArgv(b []byte) []string {
	b = bytes.TrimRight(b, "\x00")
	if len(b) == 0 {
		return nil
	}
	parts := bytes.Split(b, []byte{0})
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = string(p)
	}
	return out
}
