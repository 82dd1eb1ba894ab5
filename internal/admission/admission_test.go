package admission

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/mlbom/autopilot/internal/attest"
	"github.com/mlbom/autopilot/internal/keys"
	"github.com/mlbom/autopilot/internal/notify"
	"github.com/mlbom/autopilot/internal/policy"
	"github.com/mlbom/autopilot/internal/store"
)

// fakeNotifier records the batches it is given.
type fakeNotifier struct {
	mu      sync.Mutex
	batches []notify.Batch
}

func (n *fakeNotifier) Notify(_ context.Context, b notify.Batch) (*notify.Report, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.batches = append(n.batches, b)
	return &notify.Report{}, nil
}

// webhook is the webhook served over TLS on loopback, as the API server
// would call it, with a store holding project demo: version 1 signed by the
// trusted key, version 2 unsigned.
type webhook struct {
	url    string
	client *http.Client
	db     *store.DB
	rec    *Recorder
	notif  *fakeNotifier
	logs   *bytes.Buffer
	logMu  *sync.Mutex
	cancel context.CancelFunc
	done   chan error
}

type lockedWriter struct {
	mu  *sync.Mutex
	buf *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

// The Hub commit the test store's Hub scans resolved, and the SHA-256 of the
// demo BOM's model.safetensors.
const (
	hubCommit   = "3f2a9c1e5b7d40a8e6c2b19f0d4e7a6c8b1d2e3f"
	demoWeights = "868b78ab3ffaa6d3a26edd426086bd8380f834ff0c1f4ede6c14fd5a338690cc"
)

// newTestHandler is the handler startWebhook serves: a SQLite store holding
// project demo (version 1 signed by the trusted key, version 2 unsigned),
// the kubernetes policies, a decision cache and a recorder.
func newTestHandler(t testing.TB, enforce bool, logger *slog.Logger, notif func(*store.DB) Notifier) (*Handler, *store.DB, *Recorder) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	bomJSON, err := os.ReadFile("../attest/testdata/demo-bom.json")
	if err != nil {
		t.Fatal(err)
	}
	weights := []store.ComponentRow{{BOMRef: "pkg:generic/models/sentiment/model.safetensors", Kind: "weights",
		Name: "models/sentiment/model.safetensors", SHA256: demoWeights}}
	for _, scan := range []string{"s1", "s2"} {
		if _, _, err := db.SaveVersion(ctx, store.NewVersion{Project: "demo", ScanID: scan, BOM: bomJSON, Components: weights}); err != nil {
			t.Fatal(err)
		}
	}
	k, _ := keys.Generate(keys.ECDSAP256)
	signer, _ := keys.NewSigner(k)
	rec, err := attest.SignVersion("demo", 1, bomJSON, signer)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SaveSignature(ctx, rec); err != nil {
		t.Fatal(err)
	}
	// Hub scans, recorded as the pipeline records them (source as given,
	// the resolved commit, the version made): sentiment-bert signed, whose
	// BOM describes the repository at that commit; unsigned-bert not
	// signed; liar-bert signed, but its BOM is demo's (a store row that
	// points elsewhere than the signed content).
	hubBOM := bytes.Replace(bomJSON, []byte(`"bom-ref": "application:demo"`),
		[]byte(`"bom-ref": "repository:pkg:huggingface/acme-ai/sentiment-bert@`+hubCommit+`", "purl": "pkg:huggingface/acme-ai/sentiment-bert@`+hubCommit+`"`), 1)
	if bytes.Equal(hubBOM, bomJSON) {
		t.Fatal("demo BOM fixture changed: no application:demo metadata component")
	}
	for _, h := range []struct {
		project, source, ref string
		bom                  []byte
		sign                 bool
	}{
		{"sentiment-bert", "hf://acme-ai/sentiment-bert", "", hubBOM, true},
		{"unsigned-bert", "hf://acme-ai/unsigned-bert@v1.0", "", hubBOM, false},
		{"liar-bert", "hf://acme-ai/liar-bert", "main", bomJSON, true},
	} {
		v, _, err := db.SaveVersion(ctx, store.NewVersion{Project: h.project, ScanID: "hub-" + h.project, BOM: h.bom})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.UpsertScan(ctx, store.Scan{ID: "hub-" + h.project, Project: h.project, Source: h.source, Ref: h.ref,
			Commit: hubCommit, Status: "completed", Version: v.Number, StartedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		if h.sign {
			rec, err := attest.SignVersion(h.project, v.Number, h.bom, signer)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.SaveSignature(ctx, rec); err != nil {
				t.Fatal(err)
			}
		}
	}
	engine, err := policy.New(ctx, policy.Options{Families: []string{"kubernetes"}})
	if err != nil {
		t.Fatal(err)
	}
	recorder := NewRecorder(RecorderOptions{Store: db, Notifier: notif(db), Logger: logger})
	models := &SignedBOMs{
		ReadBOM: func(ctx context.Context, project string, version int) (int, []byte, error) {
			v, err := db.GetVersion(ctx, project, version)
			return v.Number, v.BOM, err
		},
		Signatures:      db.ListSignatures,
		ScansBySource:   db.ListScansBySource,
		MatchComponents: db.MatchComponents,
		Trusted:         []attest.Verifier{signer.Public()},
	}
	h := New(Options{Policy: engine, Models: models, Enforce: enforce, Sink: recorder.Record, Logger: logger, CacheTTL: time.Minute})
	return h, db, recorder
}

func startWebhook(t testing.TB, enforce bool) *webhook {
	t.Helper()
	w := &webhook{notif: &fakeNotifier{}, logs: &bytes.Buffer{}, logMu: &sync.Mutex{}, done: make(chan error, 1)}
	logger := slog.New(slog.NewJSONHandler(lockedWriter{w.logMu, w.logs}, nil))
	var h *Handler
	h, w.db, w.rec = newTestHandler(t, enforce, logger, func(*store.DB) Notifier { return w.notif })
	dir := t.TempDir()
	ctx := context.Background()
	certPEM, keyPEM, err := keys.SelfSignedTLS([]string{"mlbom-admission.mlbom.svc", "127.0.0.1"}, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "tls.crt"), certPEM, 0o644)
	os.WriteFile(filepath.Join(dir, "tls.key"), keyPEM, 0o600)
	certs, err := NewCertReloader(filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key"))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(ctx)
	w.cancel = cancel
	go func() { w.done <- Serve(sctx, ln, h, certs) }()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	w.client = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "mlbom-admission.mlbom.svc"}, MaxIdleConnsPerHost: 256}}
	w.url = "https://" + ln.Addr().String() + "/validate"
	t.Cleanup(w.stop)
	return w
}

func (w *webhook) stop() {
	if w.cancel != nil {
		w.cancel()
		<-w.done
		w.cancel = nil
		w.rec.Close()
	}
}

func (w *webhook) post(t testing.TB, body []byte) (int, *admissionv1.AdmissionReview, string) {
	t.Helper()
	resp, err := w.client.Post(w.url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, nil, string(data)
	}
	var rev admissionv1.AdmissionReview
	if err := json.Unmarshal(data, &rev); err != nil {
		t.Fatalf("response is not an AdmissionReview: %v\n%s", err, data)
	}
	return resp.StatusCode, &rev, string(data)
}

func fixture(t testing.TB, name string, edit func(req map[string]any)) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if edit == nil {
		return data
	}
	var doc map[string]any
	json.Unmarshal(data, &doc)
	edit(doc["request"].(map[string]any))
	out, _ := json.Marshal(doc)
	return out
}

func setModel(ref string) func(map[string]any) {
	return func(req map[string]any) {
		md := req["object"].(map[string]any)["metadata"].(map[string]any)
		md["annotations"] = map[string]any{ModelAnnotation: ref}
	}
}

func TestReviews(t *testing.T) {
	w := startWebhook(t, true)
	cases := []struct {
		name        string
		body        []byte
		allowed     bool
		message     []string // substrings of the refusal
		warnings    []string // substrings, one per warning
		recorded    bool
		notified    bool
		bomVersion  int
		uid         string
		decisionFor string
	}{
		{name: "pod with a verified model is allowed", body: fixture(t, "pod-create.json", nil), allowed: true,
			warnings: []string{"model demo@1: signed BOM demo version 1 verified"}, recorded: true, bomVersion: 1,
			uid: "705ab4f5-6393-11e8-b7cc-42010a800002"},
		{name: "pod whose model BOM is not signed is denied", body: fixture(t, "pod-create.json", func(r map[string]any) {
			r["uid"] = "u-unsigned"
			setModel("demo@2")(r)
		}), message: []string{"mlbom denied Pod ml/sentiment-7d9f8", "[admission.model-unverified]", "BOM demo version 2 is not signed"},
			recorded: true, notified: true, uid: "u-unsigned"},
		{name: "pod whose model mlbom does not know is denied", body: fixture(t, "pod-create.json", func(r map[string]any) {
			r["uid"] = "u-unknown"
			setModel("nosuch")(r)
		}), message: []string{"mlbom has no BOM for nosuch"}, recorded: true, notified: true, uid: "u-unknown"},
		{name: "deployment update from an unapproved registry calling an unapproved AI provider is denied",
			body: fixture(t, "deployment-update.json", nil),
			message: []string{"mlbom denied Deployment apps/chat-gateway", "[kubernetes.unapproved-ai-endpoint]", "groq (LLM_URL=api.groq.com)",
				"[kubernetes.unapproved-registry]", "registry.example.net/chat-gateway:2.0.0"},
			recorded: true, notified: true, uid: "0df28fbd-5f5f-11e8-bc74-36e6bb280816"},
		{name: "dry-run cronjob is judged but not recorded", body: fixture(t, "cronjob-create-dryrun.json", nil),
			message:  []string{"[kubernetes.gpu-without-ml-label]"},
			warnings: []string{"[kubernetes.model-volume-without-bom]"}, uid: "3c1e3a4e-7b61-4c1f-9a51-9a1e1f0d2b11"},
		{name: "a kind the webhook does not judge is allowed", body: fixture(t, "configmap-create.json", nil), allowed: true,
			uid: "9f0c2d1e-0000-4000-8000-000000000001"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, rev, raw := w.post(t, c.body)
			if code != http.StatusOK || rev.Response == nil {
				t.Fatalf("status %d: %s", code, raw)
			}
			r := rev.Response
			if rev.APIVersion != "admission.k8s.io/v1" || rev.Kind != "AdmissionReview" || string(r.UID) != c.uid {
				t.Fatalf("response envelope %s/%s uid %s", rev.APIVersion, rev.Kind, r.UID)
			}
			if r.Allowed != c.allowed {
				t.Fatalf("allowed %v, want %v: %s", r.Allowed, c.allowed, raw)
			}
			if !c.allowed {
				if r.Result == nil || r.Result.Code != http.StatusForbidden {
					t.Fatalf("a refusal without a 403 status: %s", raw)
				}
				for _, m := range c.message {
					if !strings.Contains(r.Result.Message, m) {
						t.Errorf("message %q lacks %q", r.Result.Message, m)
					}
				}
			}
			if len(r.Warnings) != len(c.warnings) {
				t.Fatalf("warnings %q, want %d matching %q", r.Warnings, len(c.warnings), c.warnings)
			}
			for i, want := range c.warnings {
				if !strings.Contains(r.Warnings[i], want) {
					t.Errorf("warning %q lacks %q", r.Warnings[i], want)
				}
			}
		})
	}
	w.stop() // drains the recorder

	got, err := w.db.ListAdmissions(context.Background(), store.AdmissionFilter{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	byUID := map[string]store.Admission{}
	for _, a := range got {
		byUID[a.UID] = a
	}
	for _, c := range cases {
		a, ok := byUID[c.uid]
		if ok != c.recorded {
			t.Errorf("%s: recorded %v, want %v", c.name, ok, c.recorded)
			continue
		}
		if ok && (a.Allowed != c.allowed || a.BOMVersion != c.bomVersion || !a.Enforced) {
			t.Errorf("%s: stored %+v", c.name, a)
		}
	}
	if a := byUID["0df28fbd-5f5f-11e8-bc74-36e6bb280816"]; a.User != "alice@example.com" || a.Operation != "UPDATE" || a.Kind != "Deployment" ||
		!strings.Contains(string(a.Findings), "kubernetes.unapproved-registry") {
		t.Errorf("deployment decision: %+v", a)
	}
	w.notif.mu.Lock()
	defer w.notif.mu.Unlock()
	notified := map[string]bool{}
	for _, b := range w.notif.batches {
		notified[strings.TrimPrefix(b.ScanID, "admission/")] = true
		if b.Verdict != policy.VerdictDeny || len(b.Findings) == 0 || !strings.HasPrefix(b.Project, "k8s:") {
			t.Errorf("batch %+v", b)
		}
	}
	for _, c := range cases {
		if notified[c.uid] != c.notified {
			t.Errorf("%s: notified %v, want %v", c.name, notified[c.uid], c.notified)
		}
	}
	w.logMu.Lock()
	logs := w.logs.String()
	w.logMu.Unlock()
	if !strings.Contains(logs, `"msg":"admission: not evaluated","kind":"/ConfigMap"`) {
		t.Errorf("no log line for the ConfigMap:\n%s", logs)
	}
}

// TestModelReferences: Hub and OCI references are admitted only when a
// signed BOM for them verifies, and denied with a reason that says why not.
func TestModelReferences(t *testing.T) {
	w := startWebhook(t, true)
	cases := []struct {
		ref     string
		allowed bool
		want    string // in the verified warning, or in the refusal
	}{
		{"hf://acme-ai/sentiment-bert", true, "model hf://acme-ai/sentiment-bert: commit " + hubCommit + "; signed BOM sentiment-bert version 1 verified"},
		{"hf://acme-ai/sentiment-bert@" + hubCommit, true, "signed BOM sentiment-bert version 1 verified"},
		{"hf://models/Acme-AI/sentiment-bert@" + strings.ToUpper(hubCommit), true, "signed BOM sentiment-bert version 1 verified"},
		{"hf://acme-ai/sentiment-bert@0000000000000000000000000000000000000000", false,
			"mlbom has no BOM from a scan of hf://acme-ai/sentiment-bert@0000000000000000000000000000000000000000"},
		{"hf://acme-ai/sentiment-bert@main", false, "mlbom has no BOM from a scan of hf://acme-ai/sentiment-bert@main"},
		{"hf://datasets/acme-ai/sentiment-bert", false, "mlbom has no BOM from a scan of hf://datasets/acme-ai/sentiment-bert"},
		{"hf://acme-ai/unsigned-bert@v1.0", false, "BOM unsigned-bert version 1 is not signed"},
		{"hf://acme-ai/unsigned-bert@v2.0", false, "mlbom has no BOM from a scan of hf://acme-ai/unsigned-bert@v2.0"},
		{"hf://acme-ai/liar-bert@main", false, `the signed BOM describes "", not pkg:huggingface/acme-ai/liar-bert@` + hubCommit},
		{"hf://acme-ai/../x", false, "malformed Hugging Face source"},
		// demo@2 lists the digest too but is unsigned; demo@1 is signed.
		{"ghcr.io/acme/sentiment@sha256:" + demoWeights, true, "digest of models/sentiment/model.safetensors (pkg:generic/models/sentiment/model.safetensors); signed BOM demo version 1 verified"},
		{"oci://ghcr.io/acme/sentiment:1.4@sha256:" + demoWeights, true, "signed BOM demo version 1 verified"},
		{"ghcr.io/acme/sentiment@sha256:" + strings.Repeat("ab", 32), false, "no BOM in mlbom lists content with sha256:" + strings.Repeat("ab", 32)},
		{"ghcr.io/acme/sentiment:1.4", false, "names no digest; a tag can move to other content, so pin the model by digest (ghcr.io/acme/sentiment@sha256:…)"},
		{"ghcr.io/acme/sentiment@sha256:XYZ", false, "the digest must be sha256: and 64 lower-case hex digits"},
	}
	for i, c := range cases {
		t.Run(c.ref, func(t *testing.T) {
			_, rev, raw := w.post(t, fixture(t, "pod-create.json", func(r map[string]any) {
				r["uid"] = fmt.Sprintf("ref-%d", i)
				setModel(c.ref)(r)
			}))
			r := rev.Response
			if r.Allowed != c.allowed {
				t.Fatalf("allowed %v, want %v: %s", r.Allowed, c.allowed, raw)
			}
			got := strings.Join(r.Warnings, "\n")
			if !c.allowed {
				got = r.Result.Message
				if !strings.Contains(got, "[admission.model-unverified]") {
					t.Errorf("refusal without the finding: %s", got)
				}
			}
			if !strings.Contains(got, c.want) {
				t.Errorf("%s\nlacks %q", got, c.want)
			}
		})
	}
	w.stop()
	got, err := w.db.ListAdmissions(context.Background(), store.AdmissionFilter{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range got {
		if a.UID == "ref-0" && (a.BOMProject != "sentiment-bert" || a.BOMVersion != 1 || !strings.Contains(string(a.Models), `"kind":"hub"`)) {
			t.Errorf("stored %+v models %s", a, a.Models)
		}
		if a.UID == "ref-10" && (a.BOMProject != "demo" || a.BOMVersion != 1 || !strings.Contains(string(a.Models), `"kind":"oci"`)) {
			t.Errorf("stored %+v models %s", a, a.Models)
		}
	}
}

func TestAuditModeOnlyWarns(t *testing.T) {
	w := startWebhook(t, false)
	_, rev, raw := w.post(t, fixture(t, "deployment-update.json", nil))
	r := rev.Response
	if !r.Allowed || r.Result != nil || len(r.Warnings) != 2 || !strings.Contains(r.Warnings[0], "mlbom (audit) would deny: [kubernetes.unapproved-ai-endpoint]") {
		t.Fatalf("audit mode: %s", raw)
	}
	w.stop()
	got, _ := w.db.ListAdmissions(context.Background(), store.AdmissionFilter{})
	if len(got) != 1 || !got[0].Allowed || got[0].Enforced || !strings.Contains(got[0].Message, "audit mode: would deny") {
		t.Fatalf("stored %+v", got)
	}
	if len(w.notif.batches) != 0 {
		t.Fatalf("audit mode notified %d denials", len(w.notif.batches))
	}
}

func TestMalformedReviews(t *testing.T) {
	w := startWebhook(t, true)
	cases := map[string]struct{ body, want string }{
		"not json":       {`{"apiVersion":`, "not JSON of an AdmissionReview"},
		"wrong version":  {`{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"x"}}`, "want admission.k8s.io/v1 AdmissionReview"},
		"no request":     {`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}`, "no request in the review"},
		"no uid":         {`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"kind":{"kind":"Pod"}}}`, "request.uid is empty"},
		"wrong type":     {`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":3}}`, "not JSON of an AdmissionReview"},
		"huge":           {`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x","object":"` + strings.Repeat("a", maxReview) + `"}}`, "larger than"},
		"object not obj": {`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x","kind":{"kind":"Pod"},"operation":"CREATE","object":[1]}}`, ""},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			code, rev, raw := w.post(t, []byte(c.body))
			if c.want == "" {
				// A review we can read whose object is not one: refused, not 400.
				if code != http.StatusOK || rev.Response.Allowed {
					t.Fatalf("status %d %s", code, raw)
				}
				return
			}
			if code != http.StatusBadRequest || !strings.Contains(raw, c.want) {
				t.Fatalf("status %d body %q, want 400 mentioning %q", code, raw, c.want)
			}
		})
	}
	resp, err := w.client.Get(w.url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET /validate: %d", resp.StatusCode)
	}
	resp, err = w.client.Get(strings.Replace(w.url, "/validate", "/healthz", 1))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()
}

func TestParseRef(t *testing.T) {
	for in, want := range map[string]struct {
		project string
		version int
		ok      bool
	}{
		"demo": {"demo", 0, true}, "demo@3": {"demo", 3, true}, "demo@v4": {"demo", 4, true},
		"demo@0": {"", 0, false}, "demo@x": {"", 0, false}, "@3": {"", 0, false}, "": {"", 0, false},
	} {
		p, v, err := ParseRef(in)
		if (err == nil) != want.ok || p != want.project || v != want.version {
			t.Errorf("ParseRef(%q) = %q, %d, %v", in, p, v, err)
		}
	}
}

// FuzzReview: whatever the body, the handler answers 200 with a review for
// the same uid, or 400; it never panics.
func FuzzReview(f *testing.F) {
	for _, name := range []string{"pod-create.json", "deployment-update.json", "cronjob-create-dryrun.json", "configmap-create.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	engine, err := policy.New(context.Background(), policy.Options{Families: []string{"kubernetes"}})
	if err != nil {
		f.Fatal(err)
	}
	h := New(Options{Policy: engine, Enforce: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	f.Fuzz(func(t *testing.T, body []byte) {
		req, _ := http.NewRequest(http.MethodPost, "/validate", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := &recorder{header: http.Header{}}
		h.ServeHTTP(rec, req)
		switch rec.code {
		case http.StatusOK:
			var rev admissionv1.AdmissionReview
			if err := json.Unmarshal(rec.body.Bytes(), &rev); err != nil || rev.Response == nil {
				t.Fatalf("200 without a review: %s", rec.body.Bytes())
			}
		case http.StatusBadRequest:
		default:
			t.Fatalf("status %d", rec.code)
		}
	})
}

type recorder struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.body.Write(b)
}
func (r *recorder) WriteHeader(c int) { r.code = c }

// failingNotifier fails every delivery.
type failingNotifier struct{ n int }

func (f *failingNotifier) Notify(context.Context, notify.Batch) (*notify.Report, error) {
	f.n++
	return nil, errors.New("slack is down")
}

// TestRecorderRemembersDeliveredDenials: an object refused again with the
// same findings is not handed to the notifier again (the ledger would skip
// it); other findings for it are, and so is a denial whose delivery failed.
func TestRecorderRemembersDeliveredDenials(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	deny := func(uid, name string, ids ...string) Decision {
		d := Decision{UID: uid, Namespace: "ml", Kind: "Pod", Name: name, Enforced: true, Message: "denied"}
		for _, id := range ids {
			d.Findings = append(d.Findings, policy.Finding{ID: id, Policy: "p", Effect: policy.VerdictDeny})
		}
		return d
	}
	n := &fakeNotifier{}
	rec := NewRecorder(RecorderOptions{Notifier: n, Logger: quiet})
	for _, d := range []Decision{
		deny("1", "web-*", "a", "b"),
		deny("2", "web-*", "b", "a"), // the same set: remembered
		deny("3", "web-*", "a"),      // another set: delivered
		deny("4", "api-*", "a"),      // another object
		deny("5", "web-*", "a"),      // remembered
	} {
		rec.Record(d)
	}
	rec.Close()
	var uids []string
	for _, b := range n.batches {
		uids = append(uids, strings.TrimPrefix(b.ScanID, "admission/"))
	}
	if strings.Join(uids, ",") != "1,3,4" {
		t.Fatalf("delivered %v, want 1,3,4", uids)
	}

	f := &failingNotifier{}
	rec = NewRecorder(RecorderOptions{Notifier: f, Logger: quiet})
	rec.Record(deny("1", "web-*", "a"))
	rec.Record(deny("2", "web-*", "a"))
	rec.Close()
	if f.n != 2 {
		t.Fatalf("%d attempts after a failed delivery, want 2", f.n)
	}
}

// TestEveryWorkloadKindIsJudged: StatefulSets, DaemonSets and Jobs (made
// from the Deployment fixture: same pod template) are judged like the
// Deployment, and a rule from the user's MLBOM_POLICY_DIR fires at
// admission too.
func TestEveryWorkloadKindIsJudged(t *testing.T) {
	dir := t.TempDir()
	rule := `package mlbom.team

deny contains {"policy": "team.owner-label", "severity": "low", "component": sprintf("k8s:%s/%s/%s", [m.kind, m.metadata.namespace, m.metadata.name]),
	"message": "no team label", "remediation": "label it"} if {
	some m in input.kubernetes
	not m.metadata.labels.team
}
`
	if err := os.WriteFile(filepath.Join(dir, "team.rego"), []byte(rule), 0o644); err != nil {
		t.Fatal(err)
	}
	engine, err := policy.New(context.Background(), policy.Options{ExtraDir: dir, Families: []string{"kubernetes"}})
	if err != nil {
		t.Fatal(err)
	}
	h := New(Options{Policy: engine, Enforce: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	for _, k := range []struct{ group, kind string }{{"apps", "Deployment"}, {"apps", "StatefulSet"}, {"apps", "DaemonSet"}, {"batch", "Job"}} {
		t.Run(k.kind, func(t *testing.T) {
			var rev admissionv1.AdmissionReview
			if err := json.Unmarshal(fixture(t, "deployment-update.json", func(r map[string]any) {
				r["kind"] = map[string]any{"group": k.group, "version": "v1", "kind": k.kind}
				r["object"].(map[string]any)["kind"] = k.kind
			}), &rev); err != nil {
				t.Fatal(err)
			}
			resp, d := h.Review(context.Background(), rev.Request)
			if resp.Allowed || d == nil {
				t.Fatalf("%s allowed: %+v", k.kind, resp)
			}
			for _, want := range []string{"[kubernetes.unapproved-registry]", "[kubernetes.unapproved-ai-endpoint]",
				"[team.owner-label] no team label", "mlbom denied " + k.kind + " apps/chat-gateway"} {
				if !strings.Contains(resp.Result.Message, want) {
					t.Errorf("%s: message %q lacks %q", k.kind, resp.Result.Message, want)
				}
			}
		})
	}
}

// TestDenialsReachTheWebhookOnce: through the real notifier and ledger, a
// Deployment refused three times is one webhook delivery; once it is refused
// for a further reason, that is delivered too. Each recorder is a fresh
// process's memory, so the second and third rely on the ledger.
func TestDenialsReachTheWebhookOnce(t *testing.T) {
	var mu sync.Mutex
	var posts []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		posts = append(posts, string(body))
		mu.Unlock()
	}))
	defer hook.Close()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	engine, err := policy.New(context.Background(), policy.Options{Families: []string{"kubernetes"}})
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n, err := notify.New(notify.Options{WebhookURL: hook.URL}, db)
	if err != nil {
		t.Fatal(err)
	}
	review := func(rec *Recorder, uid string, edit func(map[string]any)) {
		h := New(Options{Policy: engine, Enforce: true, Sink: rec.Record, Logger: quiet})
		req := httptest.NewRequest(http.MethodPost, "/validate", bytes.NewReader(fixture(t, "deployment-update.json", func(r map[string]any) {
			r["uid"] = uid
			if edit != nil {
				edit(r)
			}
		})))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"allowed":false`) {
			t.Fatalf("%s: %d %s", uid, w.Code, w.Body.String())
		}
	}
	rec := NewRecorder(RecorderOptions{Store: db, Notifier: n, Logger: quiet})
	review(rec, "d1", nil)
	review(rec, "d2", nil) // remembered by this recorder
	rec.Close()
	rec = NewRecorder(RecorderOptions{Store: db, Notifier: n, Logger: quiet})
	review(rec, "d3", nil) // a new process: the ledger says it was sent
	// A GPU asked for without the ML-workload label: a new finding.
	review(rec, "d4", func(r map[string]any) {
		spec := r["object"].(map[string]any)["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)
		spec["containers"].([]any)[0].(map[string]any)["resources"] = map[string]any{"limits": map[string]any{"nvidia.com/gpu": "1"}}
	})
	rec.Close()
	mu.Lock()
	defer mu.Unlock()
	if len(posts) != 2 || !strings.Contains(posts[0], "kubernetes.unapproved-ai-endpoint") || !strings.Contains(posts[1], "kubernetes.gpu-without-ml-label") ||
		!strings.Contains(posts[1], `"scanId":"admission/d4"`) {
		t.Fatalf("%d webhook deliveries, want 2 (the denial, then the new finding):\n%s", len(posts), strings.Join(posts, "\n---\n"))
	}
}

// countingStore counts the batches it is asked to save.
type countingStore struct {
	mu      sync.Mutex
	batches []int
}

func (c *countingStore) SaveAdmissions(_ context.Context, as []store.Admission) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.batches = append(c.batches, len(as))
	return nil
}

// TestRecorderBatchesWithinLinger: decisions arriving within the linger are
// one insert, and Close writes them without waiting the linger out.
func TestRecorderBatchesWithinLinger(t *testing.T) {
	cs := &countingStore{}
	rec := NewRecorder(RecorderOptions{Store: cs, Linger: time.Hour, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	for i := range 5 {
		rec.Record(Decision{UID: fmt.Sprint(i), Allowed: true})
	}
	rec.Close() // returns well before the hour: the queue is closed
	if fmt.Sprint(cs.batches) != "[5]" {
		t.Fatalf("batches %v, want one of 5", cs.batches)
	}
}

// FuzzParseReviewReadsAsBefore: decoding the object once, into the map the
// policies read, gives what decoding the review with a raw object and the
// object from its raw bytes gave: the same errors, request and object.
func FuzzParseReviewReadsAsBefore(f *testing.F) {
	for _, name := range []string{"pod-create.json", "deployment-update.json", "cronjob-create-dryrun.json", "configmap-create.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	head := `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x",`
	for _, tail := range []string{`"object":{"a":1e400}}}`, `"object":{"m":{"n":"a","n":"b"}},"Object":[1]}}`,
		`"object":null}}`, `"object":"s"}}`, `"Object":{"a":"\ud800"}}}`, `"object":{}, "oldObject":{"a":1e400}}}`} {
		f.Add([]byte(head + tail))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		doc, obj, objErr, err := parseReview(body)

		var before admissionv1.AdmissionReview
		berr := json.Unmarshal(body, &before)
		if berr == nil && (before.APIVersion != "admission.k8s.io/v1" || before.Kind != "AdmissionReview" || before.Request == nil || before.Request.UID == "") {
			berr = errors.New("not a v1 review with a uid")
		}
		if (err == nil) != (berr == nil) {
			t.Fatalf("%q: error %v, before %v", body, err, berr)
		}
		if err != nil {
			return
		}
		var bobj map[string]any
		if json.Unmarshal(before.Request.Object.Raw, &bobj) != nil {
			bobj = nil
		}
		// One reading differs on purpose: an object key repeated with null
		// last is null to encoding/json (the last value wins), while
		// RawExtension ignored the null and kept the object before it. Now
		// such a review is refused ("missing or null"); the API server never
		// sends repeated keys.
		laterNull := obj == nil && bobj != nil && objErr != nil && strings.Contains(objErr.Error(), "missing or null") && bytes.Contains(body, []byte("null"))
		if (obj == nil) != (objErr != nil) || !reflect.DeepEqual(obj, bobj) && !laterNull {
			t.Fatalf("%q: object %v (%v), before %v", body, obj, objErr, bobj)
		}
		req := doc.Request.AdmissionRequest
		req.Object, before.Request.Object = runtime.RawExtension{}, runtime.RawExtension{}
		if !reflect.DeepEqual(req, *before.Request) || doc.TypeMeta != before.TypeMeta {
			t.Fatalf("%q: request %+v, before %+v", body, req, *before.Request)
		}
	})
}
