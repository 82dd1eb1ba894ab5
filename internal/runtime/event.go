package runtime

import (
	"errors"
	"time"
)

// ErrNoEBPF wraps the reasons the eBPF source cannot run here (not Linux,
// no BTF, not allowed to load programs); the agent then polls /proc.
var ErrNoEBPF = errors.New("eBPF tracing unavailable")

// Event types, as `mlbom trace --stdout` prints them.
const (
	TypeOpen    = "open"
	TypeExec    = "exec"
	TypeConnect = "connect"
)

// Fidelity says how an event was observed.
const (
	// FidelityEBPF: seen by a kernel hook as it happened.
	FidelityEBPF = "ebpf"
	// FidelityProc: found by polling /proc; short-lived opens, processes
	// and connections between two polls are missed, so this is lower
	// fidelity.
	FidelityProc = "proc"
)

// Event is one runtime fact. Its JSON is the --stdout line format and part
// of the runtime-events signal payload.
type Event struct {
	Type string    `json:"type"` // open, exec, connect
	Time time.Time `json:"time"`
	// PID is the process (thread group) ID; PPID is set for exec.
	PID  int    `json:"pid"`
	PPID int    `json:"ppid,omitempty"`
	UID  int    `json:"uid"`
	Comm string `json:"comm"`
	// Path: the opened file (open) or the program that runs (exec),
	// absolute in the process's mount namespace when it could be resolved.
	Path string `json:"path,omitempty"`
	// Unresolved: Path is relative and the process was gone before its
	// working directory could be read.
	Unresolved bool `json:"unresolved,omitempty"`
	// Flags are the open(2) flags.
	Flags int `json:"flags,omitempty"`
	// Argv is the head of an exec's arguments, secrets redacted.
	Argv []string `json:"argv,omitempty"`
	// Addr is the peer of a connect (ip:port); Host the configured endpoint
	// name it matched (api.openai.com).
	Addr string `json:"addr,omitempty"`
	Host string `json:"host,omitempty"`
	// Cgroup is the cgroup v2 path of the process (or its numeric ID when
	// the path could not be found); Container and PodUID are parsed from it.
	Cgroup    string `json:"cgroup"`
	Container string `json:"container,omitempty"`
	PodUID    string `json:"podUid,omitempty"`
	// Pod is namespace/name, when the agent may read pods (in Kubernetes).
	Pod string `json:"pod,omitempty"`
	// SHA256 and Size of an opened model file, hashed once per
	// device+inode+size+mtime.
	SHA256 string `json:"sha256,omitempty"`
	Size   int64  `json:"size,omitempty"`
	// HashError says why a model file could not be hashed.
	HashError string `json:"hashError,omitempty"`
	// Count is how many times this happened: the first occurrence is sent
	// at once with count 1, repeats within the window follow as one event
	// carrying their count.
	Count    int    `json:"count"`
	Fidelity string `json:"fidelity"`
	// Node is the host name of the agent.
	Node string `json:"node,omitempty"`

	// Kernel identity of an opened file, for de-duplication and the hash
	// cache; not part of the JSON.
	dev uint64
	ino uint64
	// dirFD is the directory a relative open was relative to (-100: cwd).
	dirFD int
	// cgroupID from the kernel.
	cgroupID uint64
	// model: the path has a model-file extension (hashed); dataset files
	// are reported but not hashed.
	model bool
}

// Key identifies the artifact an event is about: the same key from two
// events means the same file, program or endpoint.
func (e *Event) Key() string {
	switch e.Type {
	case TypeConnect:
		if e.Host != "" {
			return TypeConnect + ":" + e.Host
		}
		return TypeConnect + ":" + e.Addr
	default:
		return e.Type + ":" + e.Path
	}
}

// Stats count what the agent saw and what it had to let go. Drops are
// counted, never silent.
type Stats struct {
	// Events read from the source (kernel events after in-kernel filtering).
	Received uint64 `json:"received"`
	// Sent: events handed to the sink (after folding repeats).
	Sent uint64 `json:"sent"`
	// Folded: repeats merged into an earlier event's count.
	Folded uint64 `json:"folded"`
	// KernelFolded: repeats the kernel counted instead of sending them
	// (their counts reach the sink all the same, drained from the kernel).
	KernelFolded uint64 `json:"kernelFolded"`
	// KernelDropped: the ring buffer was full.
	KernelDropped uint64 `json:"kernelDropped"`
	// QueueDropped: the bounded queue between reader and processing was full.
	QueueDropped uint64 `json:"queueDropped"`
	// HashSkipped: model files sent without a hash because the hash queue
	// was full.
	HashSkipped uint64 `json:"hashSkipped"`
	// SpoolDropped: batches refused because the spool reached its size limit.
	SpoolDropped uint64 `json:"spoolDropped"`
}

// Dropped is every event lost on the way.
func (s Stats) Dropped() uint64 { return s.KernelDropped + s.QueueDropped }

// Batch is what the agent sends at a time: the payload of one
// runtime-events signal.
type Batch struct {
	// ID is unique per batch (agent instance and sequence number), so a
	// batch delivered twice after a lost acknowledgement is counted once.
	ID     string    `json:"id"`
	Node   string    `json:"node"`
	Agent  string    `json:"agent"` // agent instance, new at every start
	Seq    uint64    `json:"seq"`
	Sent   time.Time `json:"sent"`
	Source string    `json:"source"` // ebpf or proc
	// Project attributes every event to a project when the agent was
	// started for one (mlbom trace --project).
	Project string  `json:"project,omitempty"`
	Events  []Event `json:"events"`
	// Stats are the agent's counters when the batch was cut.
	Stats Stats `json:"stats"`
}
