package policy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/topdown"
	"github.com/open-policy-agent/opa/v1/util"

	"github.com/mlbom/autopilot/policies"
)

// ErrPolicy marks errors in the policies themselves (syntax, compile, or a
// rule producing a malformed finding). Retrying cannot fix them: the caller
// should fail the scan as non-retryable and show the message, which names
// the file and line.
var ErrPolicy = errors.New("policy error")

// Namespace is the package prefix the engine evaluates: every package under
// data.mlbom that defines deny or warn rules contributes findings.
const Namespace = "mlbom"

// maxDataFile bounds a data file read from a user's policy directory.
const maxDataFile = 16 << 20

// Options configure an Engine.
type Options struct {
	// Builtin is the tree of shipped policies; nil means policies.FS.
	Builtin fs.FS
	// ExtraDir is a user's own policy directory (MLBOM_POLICY_DIR), merged
	// over the built-in one: its modules are added and its data overrides
	// built-in values key by key (arrays and scalars replace).
	ExtraDir string
	// Now is the clock approvals expire by; nil means time.Now.
	Now func() time.Time
	// Families, when set, limits the built-in rules evaluated to these
	// packages (e.g. "kubernetes" for mlbom.kubernetes and its
	// sub-packages); every rule from ExtraDir is still evaluated. The
	// admission webhook judges single objects and needs no BOM policies.
	Families []string
}

// Engine evaluates the policies. It is safe for concurrent use: the query is
// prepared once in New and only evaluated afterwards.
type Engine struct {
	query rego.PreparedEvalQuery
	rules []ruleRef // binding i of the query is rules[i]
	// indexProps are the properties input.bom_index inverts
	// (data.mlbom.config.index.props).
	indexProps []string
	// noIndex leaves input.bom_index out so lib.rego computes it (tests).
	noIndex bool
	now     func() time.Time
	modules []string
}

// ruleRef is one deny or warn rule set of one package.
type ruleRef struct {
	pkg    string // e.g. mlbom.license
	effect string // deny or warn
}

// New loads, compiles and prepares the policies. A broken policy yields an
// error wrapping ErrPolicy that names the file and line.
func New(ctx context.Context, opts Options) (*Engine, error) {
	builtin := opts.Builtin
	if builtin == nil {
		builtin = policies.FS
	}
	modules := map[string]*ast.Module{}
	data := map[string]any{}
	if err := loadTree(builtin, "policies", modules, data); err != nil {
		return nil, err
	}
	builtinModules := make(map[string]bool, len(modules))
	for name := range modules {
		builtinModules[name] = true
	}
	if opts.ExtraDir != "" {
		if _, err := os.Stat(opts.ExtraDir); err != nil {
			// A missing or unreadable directory is configuration: retrying
			// will not fix it either.
			return nil, fmt.Errorf("%w: policy directory %s: %v", ErrPolicy, opts.ExtraDir, err)
		}
		if err := loadTree(os.DirFS(opts.ExtraDir), opts.ExtraDir, modules, data); err != nil {
			return nil, err
		}
	}

	compiler := ast.NewCompiler()
	compiler.Compile(modules)
	if compiler.Failed() {
		return nil, fmt.Errorf("%w: compile: %v", ErrPolicy, compiler.Errors)
	}

	rules := findingRules(compiler, keepRule(opts.Families, builtinModules))
	var body []string
	for i, r := range rules {
		body = append(body, fmt.Sprintf("r%d := data.%s.%s", i, r.pkg, r.effect))
	}
	if len(body) == 0 {
		body = []string{"true"}
	}
	store := inmem.NewFromObject(data)
	r := rego.New(
		rego.Query(strings.Join(body, "; ")),
		rego.Compiler(compiler),
		rego.Store(store),
		rego.StrictBuiltinErrors(false),
	)
	pq, err := r.PrepareForEval(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: prepare query: %v", ErrPolicy, err)
	}
	names := make([]string, 0, len(modules))
	for n := range modules {
		names = append(names, n)
	}
	sort.Strings(names)
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &Engine{query: pq, rules: rules, now: now, modules: names, indexProps: indexProps(data)}, nil
}

// Modules lists the loaded policy files, for logs and `mlbom policies`.
func (e *Engine) Modules() []string { return e.modules }

// findingRules lists the deny and warn rules of packages under data.mlbom,
// sorted so the query (and the order of findings before sorting) is stable.
func findingRules(c *ast.Compiler, keep func(file, pkg string) bool) []ruleRef {
	seen := map[ruleRef]bool{}
	for file, m := range c.Modules {
		pkg := strings.TrimPrefix(m.Package.Path.String(), "data.")
		if pkg != Namespace && !strings.HasPrefix(pkg, Namespace+".") || !keep(file, pkg) {
			continue
		}
		for _, rule := range m.Rules {
			name := rule.Head.Ref().String()
			if name == "deny" || name == "warn" {
				seen[ruleRef{pkg: pkg, effect: name}] = true
			}
		}
	}
	out := make([]ruleRef, 0, len(seen))
	for r := range seen {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].pkg != out[j].pkg {
			return out[i].pkg < out[j].pkg
		}
		return out[i].effect < out[j].effect
	})
	return out
}

// keepRule applies Options.Families: built-in modules of other families
// are left out, ExtraDir's never are.
func keepRule(families []string, builtin map[string]bool) func(file, pkg string) bool {
	if len(families) == 0 {
		return func(string, string) bool { return true }
	}
	return func(file, pkg string) bool {
		if !builtin[file] {
			return true
		}
		for _, f := range families {
			p := Namespace + "." + f
			if pkg == p || strings.HasPrefix(pkg, p+".") {
				return true
			}
		}
		return false
	}
}

// loadTree parses the .rego modules (skipping *_test.rego) and merges the
// data files (.json, .yaml, .yml) of fsys. As with `opa test`, a data file is
// placed at the path of its directory. label prefixes file names in errors.
func loadTree(fsys fs.FS, label string, modules map[string]*ast.Module, data map[string]any) error {
	return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("load policies %s: %w", path.Join(label, p), err)
		}
		if d.IsDir() {
			if p != "." && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
				return fs.SkipDir
			}
			return nil
		}
		name := filepath.ToSlash(filepath.Join(label, p))
		switch ext := path.Ext(p); {
		case ext == ".rego" && !strings.HasSuffix(p, "_test.rego"):
			src, err := fs.ReadFile(fsys, p)
			if err != nil {
				return fmt.Errorf("read policy %s: %w", name, err)
			}
			m, err := ast.ParseModuleWithOpts(name, string(src), ast.ParserOptions{RegoVersion: ast.RegoV1})
			if err != nil {
				return fmt.Errorf("%w: parse: %v", ErrPolicy, err)
			}
			if _, dup := modules[name]; dup {
				return fmt.Errorf("%w: %s loaded twice", ErrPolicy, name)
			}
			modules[name] = m
		case ext == ".json" || ext == ".yaml" || ext == ".yml":
			info, err := d.Info()
			if err != nil {
				return fmt.Errorf("stat %s: %w", name, err)
			}
			if info.Size() > maxDataFile {
				return fmt.Errorf("%w: data file %s is larger than %d bytes", ErrPolicy, name, maxDataFile)
			}
			bs, err := fs.ReadFile(fsys, p)
			if err != nil {
				return fmt.Errorf("read data %s: %w", name, err)
			}
			var doc any
			if err := util.Unmarshal(bs, &doc); err != nil {
				return fmt.Errorf("%w: data file %s: %v", ErrPolicy, name, err)
			}
			if doc == nil {
				return nil // an empty YAML file
			}
			obj, ok := doc.(map[string]any)
			if !ok {
				return fmt.Errorf("%w: data file %s: top level must be an object", ErrPolicy, name)
			}
			target := data
			if dir := path.Dir(p); dir != "." {
				for _, seg := range strings.Split(dir, "/") {
					next, ok := target[seg].(map[string]any)
					if !ok {
						next = map[string]any{}
						target[seg] = next
					}
					target = next
				}
			}
			mergeInto(target, obj)
		}
		return nil
	})
}

// mergeInto merges src into dst: objects merge recursively, anything else in
// src replaces dst, so a user's list replaces the built-in list.
func mergeInto(dst, src map[string]any) {
	for k, v := range src {
		if sv, ok := v.(map[string]any); ok {
			if dv, ok := dst[k].(map[string]any); ok {
				mergeInto(dv, sv)
				continue
			}
		}
		dst[k] = v
	}
}

// Evaluate runs every policy over one input and returns the decision.
func (e *Engine) Evaluate(ctx context.Context, in Input) (*Decision, error) {
	value, err := e.inputValue(in)
	if err != nil {
		return nil, fmt.Errorf("policy input: %w", err)
	}
	rs, err := e.query.Eval(ctx, rego.EvalParsedInput(value))
	if err != nil {
		var te *topdown.Error
		if ctx.Err() == nil && errors.As(err, &te) && te.Code != topdown.CancelErr {
			// A rule that fails at evaluation (conflicting values, a
			// builtin error) fails the same way on every retry.
			return nil, fmt.Errorf("%w: evaluate: %v", ErrPolicy, err)
		}
		return nil, fmt.Errorf("evaluate policies: %w", err)
	}
	if err := ctx.Err(); err != nil {
		// OPA notices cancellation asynchronously, so a short evaluation may
		// finish regardless; the caller gave up on it either way.
		return nil, fmt.Errorf("evaluate policies: %w", err)
	}
	byID := map[string]*Finding{}
	if len(rs) > 0 {
		for i, r := range e.rules {
			items, ok := rs[0].Bindings[fmt.Sprintf("r%d", i)].([]any)
			if !ok {
				if v := rs[0].Bindings[fmt.Sprintf("r%d", i)]; v != nil {
					return nil, fmt.Errorf("%w: data.%s.%s is %T, want a set of findings", ErrPolicy, r.pkg, r.effect, v)
				}
				continue
			}
			for _, item := range items {
				f, err := toFinding(item, r)
				if err != nil {
					return nil, err
				}
				f.ID = FindingID(in.Project, f.Policy, f.Component, f.License)
				add(byID, f)
			}
		}
	}
	d := &Decision{Verdict: VerdictPass, Findings: make([]Finding, 0, len(byID))}
	now := e.now()
	for _, f := range byID {
		if f.ExceptionEligible && covered(in.Approvals, *f, now) {
			f.Waived = true
		}
		d.Findings = append(d.Findings, *f)
	}
	sortFindings(d.Findings)
	for _, f := range d.Findings {
		if f.Waived {
			continue
		}
		if f.Effect == VerdictDeny {
			d.Verdict = VerdictDeny
		} else if f.Effect == VerdictWarn && d.Verdict == VerdictPass {
			d.Verdict = VerdictWarn
		}
	}
	return d, nil
}

// inputValue converts the input to an OPA value directly, without the JSON
// round trip rego.EvalInput does for structs, and adds input.bom_index.
func (e *Engine) inputValue(in Input) (ast.Value, error) {
	approvals := make([]any, 0, len(in.Approvals))
	for _, a := range in.Approvals {
		approvals = append(approvals, map[string]any{
			"component": a.Component, "license": a.License, "decision": a.Decision,
			"approver": a.Approver, "expires": a.Expires,
		})
	}
	doc := map[string]any{"project": in.Project, "approvals": approvals}
	for key, v := range map[string]any{"bom": in.BOM, "diff": in.Diff, "runtime": in.Runtime} {
		if v == nil {
			continue
		}
		g, err := generic(v)
		if err != nil {
			return nil, fmt.Errorf("decode %s: %w", key, err)
		}
		doc[key] = g
	}
	if bom, ok := doc["bom"].(map[string]any); ok && !e.noIndex {
		doc["bom_index"] = bomIndex(bom, e.indexProps)
	}
	if in.Kubernetes != nil {
		doc["kubernetes"] = in.Kubernetes
	}
	// Lazy: a part of the input is converted to an OPA value only when a
	// policy reads it. With the index present the built-in policies never
	// read input.bom.components, the largest part of the input.
	return ast.LazyObject(doc), nil
}

// indexProps reads data.mlbom.config.index.props.
func indexProps(data map[string]any) []string {
	var out []string
	cur := any(data)
	for _, k := range []string{"mlbom", "config", "index", "props"} {
		m, _ := cur.(map[string]any)
		cur = m[k]
	}
	list, _ := cur.([]any)
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// generic returns v as decoded JSON (maps, slices, strings, numbers): raw
// JSON is decoded, typed values (structs) are round-tripped through JSON.
func generic(v any) (any, error) {
	var raw []byte
	switch x := v.(type) {
	case map[string]any, []any:
		return v, nil
	case []byte:
		raw = x
	case json.RawMessage:
		raw = x
	case string:
		raw = []byte(x)
	default:
		bs, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		raw = bs
	}
	var out any
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, err
	}
	return out, nil
}

func toFinding(item any, r ruleRef) (*Finding, error) {
	m, ok := item.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: data.%s.%s: a finding must be an object, got %T", ErrPolicy, r.pkg, r.effect, item)
	}
	field := func(name string) (string, error) {
		switch v := m[name].(type) {
		case nil:
			return "", nil
		case string:
			return v, nil
		default:
			return "", fmt.Errorf("%w: data.%s.%s: field %q of a finding must be a string, got %T", ErrPolicy, r.pkg, r.effect, name, v)
		}
	}
	var f Finding
	var err error
	for _, x := range []struct {
		name string
		dst  *string
	}{
		{"policy", &f.Policy}, {"severity", &f.Severity}, {"component", &f.Component},
		{"message", &f.Message}, {"remediation", &f.Remediation}, {"license", &f.License},
		{"license_reason", &f.LicenseReason},
	} {
		if *x.dst, err = field(x.name); err != nil {
			return nil, err
		}
	}
	eligible, _ := m["exception_eligible"].(bool)
	f.ExceptionEligible = eligible
	f.Effect = r.effect
	if f.Policy == "" {
		f.Policy = strings.TrimPrefix(r.pkg, Namespace+".") + "." + r.effect
	}
	f.Severity = strings.ToLower(f.Severity)
	if f.Severity == "" {
		f.Severity = "medium"
	}
	if f.Message == "" {
		f.Message = f.Policy
	}
	return &f, nil
}

// add records f, merging it with a finding of the same identity: the
// stronger effect and severity win and distinct messages are kept.
func add(byID map[string]*Finding, f *Finding) {
	old, ok := byID[f.ID]
	if !ok {
		byID[f.ID] = f
		return
	}
	if f.Effect == VerdictDeny {
		old.Effect = VerdictDeny
	}
	if severityRank(f.Severity) < severityRank(old.Severity) {
		old.Severity = f.Severity
	}
	if f.Message != old.Message && !strings.Contains(old.Message, f.Message) {
		old.Message += "; " + f.Message
	}
	if old.Remediation == "" {
		old.Remediation = f.Remediation
	}
	old.ExceptionEligible = old.ExceptionEligible && f.ExceptionEligible
}

// FindingID is the stable identity of a finding: the same violation in a
// later scan of the same project has the same ID.
func FindingID(project, policy, component, license string) string {
	h := sha256.Sum256([]byte(project + "\x00" + policy + "\x00" + component + "\x00" + license))
	return hex.EncodeToString(h[:12])
}

// covered reports whether an approval waives f: an approve decision for its
// component, for its license (or any license when the approval names none),
// that has not expired. An unparseable expiry waives nothing.
func covered(approvals []Approval, f Finding, now time.Time) bool {
	for _, a := range approvals {
		if !strings.EqualFold(a.Decision, "approve") && !strings.EqualFold(a.Decision, "approved") {
			continue
		}
		if a.Component != f.Component {
			continue
		}
		if a.License != "" && !strings.EqualFold(a.License, f.License) {
			continue
		}
		if a.Expires != "" {
			t, err := time.Parse(time.RFC3339, a.Expires)
			if err != nil || !now.Before(t) {
				continue
			}
		}
		return true
	}
	return false
}

var severities = map[string]int{"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}

func severityRank(s string) int {
	if r, ok := severities[s]; ok {
		return r
	}
	return len(severities)
}

// sortFindings orders deny before warn, then by severity, policy, component.
func sortFindings(fs []Finding) {
	sort.Slice(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Effect != b.Effect {
			return a.Effect == VerdictDeny
		}
		if ra, rb := severityRank(a.Severity), severityRank(b.Severity); ra != rb {
			return ra < rb
		}
		if a.Policy != b.Policy {
			return a.Policy < b.Policy
		}
		if a.Component != b.Component {
			return a.Component < b.Component
		}
		return a.License < b.License
	})
}

// PendingExceptions are the findings a person could approve and nobody has:
// exception-eligible, not waived, and denying. The scan waits on these.
func (d *Decision) PendingExceptions() []Finding {
	var out []Finding
	for _, f := range d.Findings {
		if f.ExceptionEligible && !f.Waived && f.Effect == VerdictDeny {
			out = append(out, f)
		}
	}
	return out
}

var verdictRank = map[string]int{VerdictPass: 0, VerdictWarn: 1, VerdictDeny: 2}

// Compare reports whether verdict is at or above failOn ("warn" or "deny"),
// the test behind `mlbom scan --fail-on`. An empty or unknown failOn never
// fails; use ValidFailOn to reject bad flags early.
func Compare(verdict, failOn string) bool {
	threshold, ok := verdictRank[strings.ToLower(failOn)]
	if !ok || threshold == 0 {
		return false
	}
	return verdictRank[strings.ToLower(verdict)] >= threshold
}

// ValidFailOn reports whether s is an accepted --fail-on value ("" = never).
func ValidFailOn(s string) bool {
	switch strings.ToLower(s) {
	case "", "none", VerdictWarn, VerdictDeny:
		return true
	}
	return false
}

// Data returns the merged policy data (the built-in data.json with a user's
// MLBOM_POLICY_DIR data over it), for programs that must act on the same
// lists the policies read: the runtime tracer fills its kernel filters from
// data.mlbom.config.runtime.
func Data(opts Options) (map[string]any, error) {
	builtin := opts.Builtin
	if builtin == nil {
		builtin = policies.FS
	}
	modules := map[string]*ast.Module{}
	data := map[string]any{}
	if err := loadTree(builtin, "policies", modules, data); err != nil {
		return nil, err
	}
	if opts.ExtraDir != "" {
		if _, err := os.Stat(opts.ExtraDir); err != nil {
			return nil, fmt.Errorf("%w: policy directory %s: %v", ErrPolicy, opts.ExtraDir, err)
		}
		if err := loadTree(os.DirFS(opts.ExtraDir), opts.ExtraDir, modules, data); err != nil {
			return nil, err
		}
	}
	return data, nil
}
