// Package admission is a Kubernetes ValidatingAdmissionWebhook: it judges
// Pods and the workloads that make them (Deployments, StatefulSets,
// DaemonSets, Jobs, CronJobs) with the same Rego policies a scan applies to
// manifests found in repositories (the kubernetes family and a user's
// MLBOM_POLICY_DIR), and admits a workload that names a model only when a
// signed BOM for that model verifies (verify-before-run).
//
// Protocol: admission.k8s.io/v1 AdmissionReview in, AdmissionReview out,
// with the request's uid. A deny finding refuses the object (allowed:
// false, HTTP-403 status whose message lists the findings); a warn finding
// becomes a warning kubectl shows. In audit mode (Enforce false) nothing is
// refused: deny findings become warnings too. Kinds other than the six are
// admitted without evaluation (and logged), as are DELETE and CONNECT.
//
// Every decision is recorded (asynchronously, so the store never sits on
// the request path) and denials go to the notification channels through the
// exactly-once ledger, keyed per object: a Deployment whose pods are refused
// a hundred times is one message. Dry-run requests are judged but neither
// recorded nor notified (sideEffects: NoneOnDryRun).
//
// Model references (ModelAnnotation) are mlbom projects (PROJECT or
// PROJECT@VERSION), Hugging Face Hub repositories (hf://ORG/NAME[@REVISION],
// the project a scan of that repository made) or OCI artifacts by digest
// ([oci://]REGISTRY/REPO[:TAG]@sha256:DIGEST, a signed BOM listing that
// content); see SignedBOMs.
//
// Limits: a review body is at most 3 MiB (the API server's own limit for an
// object is 1.5 MiB). An OCI digest verifies only when it is the SHA-256 of
// a file a signed BOM lists (a model blob); an image manifest's digest is
// nothing mlbom scanned and does not verify, nor does a tag without a digest.
// A Hub branch or tag is what its newest scan found; pin a commit to bind
// the reference to the signed BOM alone.
package admission

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/mlbom/autopilot/internal/policy"
)

// ModelAnnotation names the model(s) a workload runs, comma-separated: mlbom
// projects, each optionally @VERSION (default: the latest version), Hub
// references (hf://ORG/NAME[@REVISION]) or OCI references by digest
// (REGISTRY/REPO@sha256:DIGEST); see ParseModelRef.
const ModelAnnotation = "mlbom.dev/model"

// Policy names of the findings the webhook itself raises.
const (
	PolicyModelUnverified = "admission.model-unverified"
)

// maxReview bounds a request body.
const maxReview = 3 << 20

// kinds the webhook evaluates, by group/kind.
var kinds = map[string]bool{
	"/Pod": true, "apps/Deployment": true, "apps/StatefulSet": true, "apps/DaemonSet": true,
	"batch/Job": true, "batch/CronJob": true,
}

// Evaluator evaluates the policies (implemented by *policy.Engine).
type Evaluator interface {
	Evaluate(ctx context.Context, in policy.Input) (*policy.Decision, error)
}

// Models checks model references (verify-before-run).
type Models interface {
	// Verify says whether a signed BOM for ref verifies; the result names
	// the BOM version. A lookup failure is an error (the object is refused
	// in enforce mode: a model nobody can vouch for does not run).
	Verify(ctx context.Context, ref string) (ModelResult, error)
}

// ModelResult is the outcome for one model reference.
type ModelResult struct {
	Ref      string `json:"ref"`
	Kind     string `json:"kind,omitempty"` // project, hub or oci (RefProject...)
	Project  string `json:"project"`
	Version  int    `json:"version,omitempty"`
	Verified bool   `json:"verified"`
	KeyID    string `json:"keyId,omitempty"`
	Reason   string `json:"reason,omitempty"` // why not, or what verified
}

// Decision is one admission decision, as recorded.
type Decision struct {
	UID       string           `json:"uid"`
	Namespace string           `json:"namespace"`
	Kind      string           `json:"kind"`
	Name      string           `json:"name"`
	Operation string           `json:"operation"`
	User      string           `json:"user"`
	Allowed   bool             `json:"allowed"`
	Enforced  bool             `json:"enforced"` // false: audit mode, nothing is refused
	DryRun    bool             `json:"dryRun,omitempty"`
	Models    []ModelResult    `json:"models,omitempty"`
	Findings  []policy.Finding `json:"findings,omitempty"`
	Message   string           `json:"message,omitempty"`
	At        time.Time        `json:"at"`
}

// Ref is the component reference the kubernetes policies give the object.
func (d *Decision) Ref() string {
	ns := d.Namespace
	if ns == "" {
		ns = "default"
	}
	return fmt.Sprintf("k8s:%s/%s/%s", d.Kind, ns, d.Name)
}

// Options configure a Handler.
type Options struct {
	Policy Evaluator
	// Models verifies ModelAnnotation references; nil refuses (in enforce
	// mode) every workload that names a model, since nothing can vouch for it.
	Models Models
	// Enforce refuses objects with deny findings; false is audit mode.
	Enforce bool
	// Sink receives every decision that is not a dry run; nil drops them.
	Sink func(Decision)
	// Timeout bounds one evaluation (the API server's own timeout is at
	// most 30 s, 10 s by default); 0 means 5 s.
	Timeout time.Duration
	// CacheTTL, when positive, remembers the findings for an object's
	// content (name, uid, owner and status aside) this long: pods made from
	// one template are judged once. Leave it 0 when user policies judge
	// object names. Model verification has its own cache (SignedBOMs.TTL).
	CacheTTL time.Duration
	Logger   *slog.Logger
	Now      func() time.Time
}

// Handler serves AdmissionReviews at any path (the webhook configuration
// names /validate).
type Handler struct {
	o     Options
	cache *evalCache
}

// New returns the webhook handler.
func New(o Options) *Handler {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	h := &Handler{o: o}
	if o.CacheTTL > 0 {
		h.cache = &evalCache{ttl: o.CacheTTL}
	}
	return h
}

// ServeHTTP answers one AdmissionReview.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST an admission.k8s.io/v1 AdmissionReview", http.StatusMethodNotAllowed)
		return
	}
	review, obj, objErr, err := readReview(r)
	if err != nil {
		h.o.Logger.Warn("admission: malformed review", "error", err, "remote", r.RemoteAddr)
		http.Error(w, "malformed AdmissionReview: "+err.Error(), http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.o.Timeout)
	defer cancel()
	resp, dec := h.review(ctx, &review.Request.AdmissionRequest, obj, objErr)
	if h.o.Sink != nil && dec != nil && !dec.DryRun {
		h.o.Sink(*dec)
	}
	out := admissionv1.AdmissionReview{TypeMeta: review.TypeMeta, Response: resp}
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(out); err != nil {
		h.o.Logger.Warn("admission: write response", "error", err)
	}
}

// reviewDoc is an AdmissionReview whose object is decoded once, straight
// into the generic form the policies read, instead of kept as raw bytes and
// parsed a second time: the object is most of a review's bytes.
type reviewDoc struct {
	metav1.TypeMeta `json:",inline"`
	Request         *requestDoc `json:"request,omitempty"`
}

type requestDoc struct {
	admissionv1.AdmissionRequest
	// Object shadows AdmissionRequest.Object (a shallower field of one JSON
	// name wins), which stays empty. Any JSON value decodes; one that is not
	// an object is refused in Review, not as a malformed review.
	Object any `json:"object,omitempty"`
}

// readReview decodes the review, and its object apart: the object as a map,
// or why it is not one.
func readReview(r *http.Request) (*reviewDoc, map[string]any, error, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return nil, nil, nil, fmt.Errorf("content type %q, want application/json", ct)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxReview+1))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("read body: %w", err)
	}
	if len(body) > maxReview {
		return nil, nil, nil, fmt.Errorf("body larger than %d bytes", maxReview)
	}
	return parseReview(body)
}

// parseReview decodes a review body (see reviewDoc). A review whose object
// alone cannot be decoded into a map (a number out of float64's range,
// say) is still a review: it is read as an AdmissionReview with a raw
// object and answered with a refusal, not a 400, which failurePolicy
// Ignore would turn into admission.
func parseReview(body []byte) (*reviewDoc, map[string]any, error, error) {
	var rev reviewDoc
	var objErr error
	if err := json.Unmarshal(body, &rev); err != nil {
		var raw admissionv1.AdmissionReview
		if rerr := json.Unmarshal(body, &raw); rerr != nil {
			return nil, nil, nil, fmt.Errorf("not JSON of an AdmissionReview: %v", rerr)
		}
		rev = reviewDoc{TypeMeta: raw.TypeMeta}
		if raw.Request != nil {
			rev.Request = &requestDoc{AdmissionRequest: *raw.Request}
			rev.Request.AdmissionRequest.Object = runtime.RawExtension{}
		}
		objErr = fmt.Errorf("object: %v", err)
	}
	if rev.APIVersion != "admission.k8s.io/v1" || rev.Kind != "AdmissionReview" {
		return nil, nil, nil, fmt.Errorf("apiVersion %q kind %q, want admission.k8s.io/v1 AdmissionReview", rev.APIVersion, rev.Kind)
	}
	if rev.Request == nil {
		return nil, nil, nil, errors.New("no request in the review")
	}
	if rev.Request.UID == "" {
		return nil, nil, nil, errors.New("request.uid is empty")
	}
	if objErr != nil {
		return &rev, nil, objErr, nil
	}
	obj, _ := rev.Request.Object.(map[string]any)
	if obj == nil {
		objErr = fmt.Errorf("object is %s", jsonKind(rev.Request.Object))
	}
	return &rev, obj, objErr, nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "missing or null"
	case []any:
		return "an array"
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("%T", v)
}

// Review judges one request. The decision is nil for requests that are not
// judged (unknown kinds, deletions).
func (h *Handler) Review(ctx context.Context, req *admissionv1.AdmissionRequest) (*admissionv1.AdmissionResponse, *Decision) {
	var obj map[string]any
	err := json.Unmarshal(req.Object.Raw, &obj)
	if err == nil && obj == nil {
		err = errors.New("object is missing or null")
	}
	return h.review(ctx, req, obj, err)
}

// review judges req, whose object is already decoded (obj), or could not be
// (objErr).
func (h *Handler) review(ctx context.Context, req *admissionv1.AdmissionRequest, obj map[string]any, objErr error) (*admissionv1.AdmissionResponse, *Decision) {
	resp := &admissionv1.AdmissionResponse{UID: req.UID, Allowed: true}
	gk := req.Kind.Group + "/" + req.Kind.Kind
	if !kinds[gk] || req.Operation == admissionv1.Delete || req.Operation == admissionv1.Connect {
		h.o.Logger.Info("admission: not evaluated", "kind", gk, "operation", req.Operation, "namespace", req.Namespace, "name", req.Name)
		return resp, nil
	}
	dec := &Decision{
		UID: string(req.UID), Namespace: req.Namespace, Kind: req.Kind.Kind, Name: req.Name,
		Operation: string(req.Operation), User: req.UserInfo.Username, Allowed: true, Enforced: h.o.Enforce,
		DryRun: req.DryRun != nil && *req.DryRun, At: h.o.Now().UTC(),
	}
	if objErr != nil || obj == nil {
		// The API server always sends the object for CREATE and UPDATE.
		dec.Message = "object is not a JSON object"
		return h.refuse(resp, dec, "mlbom cannot read the object: "+errString(objErr))
	}
	if dec.Name == "" {
		dec.Name = nestedString(obj, "metadata", "name")
		if dec.Name == "" {
			dec.Name = nestedString(obj, "metadata", "generateName") + "*"
		}
	}
	// The object as the kubernetes policies see it in a repository: namespace
	// filled in, since an object applied with -n carries it only in the request.
	if md, ok := obj["metadata"].(map[string]any); ok && req.Namespace != "" {
		if _, has := md["namespace"]; !has {
			md["namespace"] = req.Namespace
		}
	}
	findings, err := h.evaluate(ctx, gk, string(req.Operation), dec, obj)
	if err != nil {
		h.o.Logger.Error("admission: policy evaluation failed", "error", err, "kind", gk, "namespace", req.Namespace, "name", dec.Name)
		dec.Message = "policy evaluation failed: " + err.Error()
		// failurePolicy decides for an erroring webhook; an answer we give
		// must be one: refuse in enforce mode, warn in audit mode.
		return h.refuse(resp, dec, "mlbom could not evaluate its policies: "+err.Error())
	}
	dec.Findings = append(dec.Findings, findings...)
	for _, ref := range modelRefs(obj) {
		mr := ModelResult{Ref: ref}
		if h.o.Models == nil {
			mr.Reason = "no signed-BOM verification is configured (MLBOM_TRUSTED_KEYS)"
		} else if got, err := h.o.Models.Verify(ctx, ref); err != nil {
			mr.Reason = err.Error()
		} else {
			mr = got
		}
		dec.Models = append(dec.Models, mr)
		if !mr.Verified {
			dec.Findings = append(dec.Findings, h.modelFinding(dec, mr))
		}
	}
	sort.SliceStable(dec.Findings, func(i, j int) bool { return dec.Findings[i].Policy < dec.Findings[j].Policy })

	var denies, warns []string
	for _, f := range dec.Findings {
		if f.Waived {
			continue
		}
		line := fmt.Sprintf("[%s] %s", f.Policy, f.Message)
		if f.Effect == policy.VerdictDeny {
			denies = append(denies, line)
		} else {
			warns = append(warns, line)
		}
	}
	for _, m := range dec.Models {
		if m.Verified {
			// The reason says what a Hub or OCI reference resolved to.
			why := cmp.Or(m.Reason, fmt.Sprintf("signed BOM %s version %d verified", m.Project, m.Version))
			warns = append(warns, fmt.Sprintf("model %s: %s", m.Ref, why))
		}
	}
	if len(denies) > 0 && h.o.Enforce {
		dec.Allowed = false
		dec.Message = fmt.Sprintf("mlbom denied %s %s/%s: %s", dec.Kind, dec.Namespace, dec.Name, strings.Join(denies, "; "))
		resp.Allowed = false
		resp.Result = &metav1.Status{Status: metav1.StatusFailure, Code: http.StatusForbidden, Reason: metav1.StatusReasonForbidden,
			Message: truncate(dec.Message, 4096)}
	} else if len(denies) > 0 {
		dec.Message = "audit mode: would deny: " + strings.Join(denies, "; ")
		for _, d := range denies {
			resp.Warnings = append(resp.Warnings, truncate("mlbom (audit) would deny: "+d, 512))
		}
	}
	for _, w := range warns {
		resp.Warnings = append(resp.Warnings, truncate("mlbom: "+w, 512))
	}
	return resp, dec
}

// evaluate runs the policies on the object, or takes the findings of the
// same content from the cache.
func (h *Handler) evaluate(ctx context.Context, gk, op string, dec *Decision, obj map[string]any) ([]policy.Finding, error) {
	project := "k8s/" + dec.Namespace
	input := policy.Input{Project: project, BOM: map[string]any{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": []any{}}}
	if h.cache == nil {
		input.Kubernetes = []any{obj}
		pd, err := h.o.Policy.Evaluate(ctx, input)
		if err != nil {
			return nil, err
		}
		return pd.Findings, nil
	}
	key := templateKey(project, gk, op, h.o.Enforce, obj)
	if fs, hit := h.cache.get(key, h.o.Now()); hit {
		return named(fs, project, dec.Name), nil
	}
	// The shared evaluation outlives a caller that gives up (its own
	// deadline still bounds it), so the others waiting on it get an answer.
	ch := h.cache.flight.DoChan(string(key[:]), func() (any, error) {
		if fs, hit := h.cache.get(key, h.o.Now()); hit {
			return fs, nil // a flight that ended just before this one began
		}
		ectx, cancel := context.WithTimeout(context.WithoutCancel(ctx), h.o.Timeout)
		defer cancel()
		input.Kubernetes = []any{normalized(obj)}
		pd, err := h.o.Policy.Evaluate(ectx, input)
		if err != nil {
			return nil, err
		}
		h.cache.put(key, pd.Findings, h.o.Now())
		return pd.Findings, nil
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return named(r.Val.([]policy.Finding), project, dec.Name), nil
	case <-ctx.Done():
		return nil, fmt.Errorf("evaluate policies: %w", ctx.Err())
	}
}

func (h *Handler) refuse(resp *admissionv1.AdmissionResponse, dec *Decision, msg string) (*admissionv1.AdmissionResponse, *Decision) {
	if h.o.Enforce {
		dec.Allowed = false
		resp.Allowed = false
		resp.Result = &metav1.Status{Status: metav1.StatusFailure, Code: http.StatusForbidden, Reason: metav1.StatusReasonForbidden, Message: truncate(msg, 4096)}
	} else {
		resp.Warnings = append(resp.Warnings, truncate("mlbom (audit): "+msg, 512))
	}
	return resp, dec
}

func (h *Handler) modelFinding(dec *Decision, mr ModelResult) policy.Finding {
	f := policy.Finding{
		Policy: PolicyModelUnverified, Severity: "high", Component: dec.Ref(), Effect: policy.VerdictDeny,
		Message:     fmt.Sprintf("%s %s runs model %s, but %s", dec.Kind, dec.Name, mr.Ref, mr.Reason),
		Remediation: "Scan the model's repository and sign its BOM (MLBOM_SIGNING_KEY or mlbom sign --project), with a key in MLBOM_TRUSTED_KEYS.",
	}
	f.ID = policy.FindingID("k8s/"+dec.Namespace, f.Policy, f.Component+"#"+mr.Ref, "")
	return f
}

// modelRefs reads ModelAnnotation from the object and from its pod
// template(s).
func modelRefs(obj map[string]any) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range [][]string{
		{"metadata", "annotations"},
		{"spec", "template", "metadata", "annotations"},
		{"spec", "jobTemplate", "spec", "template", "metadata", "annotations"},
	} {
		v := nestedString(obj, append(p, ModelAnnotation)...)
		for _, r := range strings.Split(v, ",") {
			if r = strings.TrimSpace(r); r != "" && !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	return out
}

func nestedString(m map[string]any, path ...string) string {
	var cur any = m
	for _, k := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return ""
		}
		cur = mm[k]
	}
	s, _ := cur.(string)
	return s
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}

func errString(err error) string {
	if err == nil {
		return "not an object"
	}
	return err.Error()
}
