package activities

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/mlbom/autopilot/internal/notify"
	"github.com/mlbom/autopilot/internal/policy"
	"github.com/mlbom/autopilot/internal/runtime"
	"github.com/mlbom/autopilot/internal/store"
)

// RuntimeStore is what the tracer's activities need of the store
// (implemented by *store.DB).
type RuntimeStore interface {
	UpsertObservations(ctx context.Context, obs []store.Observation) error
	QueryObservations(ctx context.Context, q store.ObservationQuery) ([]store.Observation, error)
	MatchComponents(ctx context.Context, hashes, basenames []string) ([]store.ComponentMatch, error)
}

// RuntimeWindow is how far back observations count: for judging a node, and
// for merging into a project's next scan.
const RuntimeWindow = 30 * 24 * time.Hour

// RecordRuntimeRequest carries the artifacts that changed since the last
// flush of a node's tracer.
type RecordRuntimeRequest struct {
	Node      string             `json:"node"`
	Epoch     string             `json:"epoch"`
	Artifacts []runtime.Artifact `json:"artifacts"`
}

// RecordRuntimeResult says what each artifact turned out to be.
type RecordRuntimeResult struct {
	Artifacts []ArtifactTier `json:"artifacts"`
	Rows      int            `json:"rows"`
}

// ArtifactTier is the confidence tier of an artifact and the projects it
// was attributed to.
type ArtifactTier struct {
	Key      string   `json:"key"`
	Tier     string   `json:"tier"`
	Projects []string `json:"projects,omitempty"`
}

// RecordRuntime persists a node's artifacts into runtime_observations, one
// row per project each is attributed to: the project the agent named, and
// every project whose stored BOM has the file (same SHA-256: verified; a
// component path that is a suffix of the opened path: observed). Upserts
// keyed by node, epoch, project and artifact make a retry harmless.
func (a *Activities) RecordRuntime(ctx context.Context, req RecordRuntimeRequest) (*RecordRuntimeResult, error) {
	rs, err := a.runtimeStore()
	if err != nil {
		return nil, classify("record runtime", err)
	}
	if req.Node == "" || req.Epoch == "" {
		return nil, classify("record runtime", invalid("node and epoch are required"))
	}
	matches, err := matchArtifacts(ctx, rs, req.Artifacts)
	if err != nil {
		return nil, classify("record runtime", err)
	}
	out := &RecordRuntimeResult{}
	var rows []store.Observation
	for _, art := range req.Artifacts {
		tier, projects := attribute(art, matches)
		out.Artifacts = append(out.Artifacts, ArtifactTier{Key: art.Key, Tier: tier, Projects: projects})
		if len(projects) == 0 {
			projects = []string{""} // unattributed: still on record for the node
		}
		for _, p := range projects {
			rows = append(rows, observationRow(req, art, p, tier))
		}
	}
	if err := rs.UpsertObservations(ctx, rows); err != nil {
		return nil, classify("record runtime", err)
	}
	out.Rows = len(rows)
	return out, nil
}

func (a *Activities) runtimeStore() (RuntimeStore, error) {
	rs, ok := a.Store.(RuntimeStore)
	if !ok {
		return nil, invalid("the store keeps no runtime observations")
	}
	return rs, nil
}

func observationRow(req RecordRuntimeRequest, art runtime.Artifact, project, tier string) store.Observation {
	kind, value := store.ObservedPath, art.Path
	switch art.Type {
	case runtime.TypeExec:
		kind = store.ObservedBinary
	case runtime.TypeConnect:
		kind, value = store.ObservedEndpoint, art.Host
		if value == "" && len(art.Addrs) > 0 {
			value = art.Addrs[0]
		}
	}
	return store.Observation{
		Project: project, Kind: kind, Value: value, PID: art.PID, Comm: art.Comm,
		SeenAt: art.LastSeen, FirstSeen: art.FirstSeen, Count: art.Count,
		Node: req.Node, Epoch: req.Epoch, SHA256: art.SHA256, Tier: tier, Fidelity: art.Fidelity,
		Detail: store.ObservationDetail{Processes: art.Processes, Containers: art.Containers, Pods: art.Pods, Addrs: art.Addrs},
	}
}

// matchArtifacts looks up stored components that opened files may be.
func matchArtifacts(ctx context.Context, rs RuntimeStore, arts []runtime.Artifact) ([]store.ComponentMatch, error) {
	var hashes, bases []string
	seen := map[string]bool{}
	for _, art := range arts {
		if art.Type != runtime.TypeOpen {
			continue
		}
		if h := strings.ToLower(art.SHA256); h != "" && !seen["h"+h] {
			seen["h"+h] = true
			hashes = append(hashes, h)
		}
		if b := path.Base(art.Path); b != "" && b != "/" && !seen["b"+b] {
			seen["b"+b] = true
			bases = append(bases, b)
		}
	}
	ms, err := rs.MatchComponents(ctx, hashes, bases)
	if err != nil {
		return nil, fmt.Errorf("match components: %w", err)
	}
	return ms, nil
}

// attribute says how sure we are what an artifact is, and whose it is.
func attribute(art runtime.Artifact, ms []store.ComponentMatch) (string, []string) {
	tier := store.TierObserved
	projects := map[string]bool{}
	for _, p := range art.Projects {
		projects[p] = true
	}
	if art.Type == runtime.TypeOpen {
		for _, m := range ms {
			switch {
			case art.SHA256 != "" && strings.EqualFold(m.SHA256, art.SHA256):
				tier = store.TierVerified
				projects[m.Project] = true
			case pathSuffix(art.Path, m.Name):
				projects[m.Project] = true
			}
		}
	}
	out := make([]string, 0, len(projects))
	for p := range projects {
		out = append(out, p)
	}
	sort.Strings(out)
	return tier, out
}

// pathSuffix: name (a repository-relative path) ends full at a slash of p:
// /srv/app/models/bert/x.safetensors has models/bert/x.safetensors.
func pathSuffix(p, name string) bool {
	name = strings.TrimPrefix(name, "/")
	if name == "" {
		return false
	}
	return p == name || strings.HasSuffix(p, "/"+name)
}

// EvaluateRuntimeRequest names the node whose observations to judge.
type EvaluateRuntimeRequest struct {
	Node string `json:"node"`
}

// RuntimePolicyResult is the runtime verdict of a node; the decision is a
// blob.
type RuntimePolicyResult struct {
	Verdict     string         `json:"verdict"`
	Findings    int            `json:"findings"`
	BySeverity  map[string]int `json:"bySeverity,omitempty"`
	DecisionRef string         `json:"decisionRef"`
	Observed    int            `json:"observed"`
}

// RuntimeProject is the project name runtime findings of a node are filed
// under (notification ledger, finding identities).
func RuntimeProject(node string) string { return "runtime/" + node }

// EvaluateRuntime evaluates the runtime policies (policies/runtime.rego)
// over everything the node observed within RuntimeWindow, against the
// stored components those files may be. Only runtime.* findings count: the
// stand-in BOM made of matched components is not a BOM to judge.
func (a *Activities) EvaluateRuntime(ctx context.Context, req EvaluateRuntimeRequest) (*RuntimePolicyResult, error) {
	rs, err := a.runtimeStore()
	if err != nil {
		return nil, classify("evaluate runtime", err)
	}
	if a.Policy == nil {
		return nil, classify("evaluate runtime", invalid("no policy engine configured"))
	}
	obs, err := rs.QueryObservations(ctx, store.ObservationQuery{Node: req.Node, Since: a.now().Add(-RuntimeWindow), Limit: 10000})
	if err != nil {
		return nil, classify("evaluate runtime", err)
	}
	arts := make([]runtime.Artifact, 0, len(obs))
	var inputs []any
	seen := map[string]bool{}
	for _, o := range obs {
		key := o.Kind + "\x00" + o.Value
		if seen[key] {
			continue // one row per project: judge the artifact once
		}
		seen[key] = true
		switch o.Kind {
		case store.ObservedPath:
			arts = append(arts, runtime.Artifact{Type: runtime.TypeOpen, Path: o.Value, SHA256: o.SHA256})
			in := map[string]any{"type": "file", "path": o.Value, "process": o.Comm, "pid": o.PID, "tier": o.Tier}
			if o.SHA256 != "" {
				in["sha256"] = o.SHA256
			}
			inputs = append(inputs, in)
		case store.ObservedEndpoint:
			inputs = append(inputs, map[string]any{"type": "connect", "host": o.Value, "process": o.Comm, "pid": o.PID, "addrs": o.Detail.Addrs})
		case store.ObservedBinary:
			inputs = append(inputs, map[string]any{"type": "exec", "path": o.Value, "process": o.Comm, "pid": o.PID})
		}
	}
	matches, err := matchArtifacts(ctx, rs, arts)
	if err != nil {
		return nil, classify("evaluate runtime", err)
	}
	dec, err := a.Policy.Evaluate(ctx, policy.Input{
		Project: RuntimeProject(req.Node),
		BOM:     knownComponents(matches),
		Runtime: map[string]any{"observations": inputs},
	})
	if err != nil {
		return nil, classify("evaluate runtime", err)
	}
	kept := policy.Decision{Verdict: policy.VerdictPass, Findings: []policy.Finding{}}
	out := &RuntimePolicyResult{BySeverity: map[string]int{}, Observed: len(inputs)}
	for _, f := range dec.Findings {
		if !strings.HasPrefix(f.Policy, "runtime.") || f.Waived {
			continue
		}
		kept.Findings = append(kept.Findings, f)
		out.Findings++
		out.BySeverity[f.Severity]++
		switch {
		case f.Effect == policy.VerdictDeny:
			kept.Verdict = policy.VerdictDeny
		case f.Effect == policy.VerdictWarn && kept.Verdict == policy.VerdictPass:
			kept.Verdict = policy.VerdictWarn
		}
	}
	out.Verdict = kept.Verdict
	if out.DecisionRef, err = a.putJSON(ctx, kept); err != nil {
		return nil, classify("evaluate runtime", err)
	}
	return out, nil
}

// knownComponents is a stand-in CycloneDX document of the stored components
// observed files may be, so runtime.rego's index (hashes, paths) sees them.
func knownComponents(ms []store.ComponentMatch) map[string]any {
	comps := make([]any, 0, len(ms))
	for _, m := range ms {
		c := map[string]any{
			"bom-ref": m.Project + ":" + m.BOMRef, "type": "file", "name": m.Name,
			"properties": []any{map[string]any{"name": "mlbom:asset.kind", "value": m.Kind}},
		}
		if m.SHA256 != "" {
			c["hashes"] = []any{map[string]any{"alg": "SHA-256", "content": m.SHA256}}
		}
		comps = append(comps, c)
	}
	return map[string]any{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": comps}
}

// NotifyRuntimeRequest names the runtime decision to announce.
type NotifyRuntimeRequest struct {
	Node        string `json:"node"`
	RunID       string `json:"runId,omitempty"`
	DecisionRef string `json:"decisionRef"`
}

// NotifyRuntime sends the node's open runtime findings through the same
// exactly-once path as scans: the ledger skips what was sent before and
// resolves what is gone.
func (a *Activities) NotifyRuntime(ctx context.Context, req NotifyRuntimeRequest) (*NotifyResult, error) {
	var dec policy.Decision
	if err := a.getJSON(ctx, req.DecisionRef, &dec); err != nil {
		return nil, classify("notify runtime", err)
	}
	if a.Notifier == nil {
		return &NotifyResult{}, nil
	}
	rep, err := a.Notifier.Notify(ctx, notify.Batch{
		Project: RuntimeProject(req.Node), ScanID: "tracer/" + req.Node + "/" + req.RunID, RunID: req.RunID,
		Verdict: dec.Verdict, Findings: dec.Findings,
		Summary: fmt.Sprintf("runtime tracer on %s", req.Node),
	})
	if err != nil {
		return nil, classify("notify runtime", fmt.Errorf("notify %s: %w", RuntimeProject(req.Node), err))
	}
	return notifyResult(rep), nil
}
