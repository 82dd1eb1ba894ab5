package runtime

import (
	"sort"
	"time"
)

// Artifact aggregates every event about one file, program or endpoint: the
// state the TracerWorkflow keeps and persists. Merge is deterministic (no
// map iteration, no clock), so workflow code may call it.
type Artifact struct {
	Key       string    `json:"key"`  // Event.Key
	Type      string    `json:"type"` // open, exec, connect
	Path      string    `json:"path,omitempty"`
	Host      string    `json:"host,omitempty"`
	Addrs     []string  `json:"addrs,omitempty"`
	SHA256    string    `json:"sha256,omitempty"`
	FirstSeen time.Time `json:"firstSeen"`
	LastSeen  time.Time `json:"lastSeen"`
	Count     int64     `json:"count"`
	// The last process seen using it.
	PID  int    `json:"pid,omitempty"`
	Comm string `json:"comm,omitempty"`
	// Who used it, each list sorted and bounded by MaxListed.
	Processes  []string `json:"processes,omitempty"`
	Containers []string `json:"containers,omitempty"`
	Pods       []string `json:"pods,omitempty"`
	Nodes      []string `json:"nodes,omitempty"`
	// Projects the agent attributed it to (mlbom trace --project).
	Projects []string `json:"projects,omitempty"`
	// Fidelity is the best seen: ebpf beats proc.
	Fidelity string `json:"fidelity"`
	// Tier is observed or verified, once persisted.
	Tier string `json:"tier,omitempty"`
	// Dirty: changed since it was last persisted.
	Dirty bool `json:"dirty,omitempty"`
}

// MaxListed bounds each list of an Artifact, so state stays small however
// many processes use a file.
const MaxListed = 16

// Merge folds e into a (a new artifact when a.Key is empty) and reports
// whether anything a reader would care about changed.
func (a *Artifact) Merge(e *Event, project string) bool {
	changed := false
	if a.Key == "" {
		*a = Artifact{Key: e.Key(), Type: e.Type, FirstSeen: e.Time, LastSeen: e.Time}
		switch e.Type {
		case TypeConnect:
			a.Host = e.Host
		default:
			a.Path = e.Path
		}
		changed = true
	}
	n := int64(e.Count)
	if n < 1 {
		n = 1
	}
	a.Count += n
	if e.Time.Before(a.FirstSeen) {
		a.FirstSeen = e.Time
	}
	if e.Time.After(a.LastSeen) {
		a.LastSeen = e.Time
		a.PID, a.Comm = e.PID, e.Comm
		changed = true
	} else if a.PID == 0 {
		a.PID, a.Comm = e.PID, e.Comm
	}
	if e.SHA256 != "" && e.SHA256 != a.SHA256 {
		a.SHA256 = e.SHA256 // the file changed: the newest content counts
		changed = true
	}
	if a.Fidelity != FidelityEBPF && e.Fidelity != "" && e.Fidelity != a.Fidelity {
		a.Fidelity = e.Fidelity
		changed = true
	}
	for _, add := range []struct {
		list *[]string
		v    string
	}{
		{&a.Processes, e.Comm}, {&a.Containers, e.Container}, {&a.Pods, e.PodUID}, {&a.Nodes, e.Node},
		{&a.Projects, project}, {&a.Addrs, e.Addr},
	} {
		if insertSorted(add.list, add.v) {
			changed = true
		}
	}
	a.Dirty = true
	return changed
}

// insertSorted adds v to a sorted bounded list; it reports whether it did.
func insertSorted(list *[]string, v string) bool {
	if v == "" || len(*list) >= MaxListed {
		return false
	}
	i := sort.SearchStrings(*list, v)
	if i < len(*list) && (*list)[i] == v {
		return false
	}
	*list = append(*list, "")
	copy((*list)[i+1:], (*list)[i:])
	(*list)[i] = v
	return true
}
