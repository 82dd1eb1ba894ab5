package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mlbom/autopilot/internal/store"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestAdmissionCommand: `mlbom admission` with a pair from `mlbom keygen
// --tls` serves reviews over TLS: a scanned, signed project admits a pod
// that names it, and the decision shows in the store.
func TestAdmissionCommand(t *testing.T) {
	ctx := context.Background()
	dir := localEnv(t)
	e := &e2e{t: t}
	key := filepath.Join(dir, "signer")
	_, _, code := e.mlbom(ctx, "keygen", "-o", key)
	require.Equal(t, 0, code)
	t.Setenv("MLBOM_SIGNING_KEY", key)
	out, errOut, code := e.mlbom(ctx, "scan", makeRepo(t), "--local", "--project", "demo")
	require.Equal(t, 0, code, out+errOut)
	t.Setenv("MLBOM_SIGNING_KEY", "")
	t.Setenv("MLBOM_TRUSTED_KEYS", key+".pub")
	_, _, code = e.mlbom(ctx, "keygen", "--tls", "-o", filepath.Join(dir, "webhook"), "--host", "mlbom-admission.mlbom.svc")
	require.Equal(t, 0, code)

	w := startAdmission(t, dir)
	body, err := os.ReadFile("../../internal/admission/testdata/pod-create.json")
	require.NoError(t, err)
	allowed, warnings, _ := w.review(t, body)
	require.True(t, allowed)
	require.Contains(t, warnings, "signed BOM demo version 1 verified")

	w.stop(t)
	db := openTestStore(t)
	list, err := db.ListAdmissions(ctx, store.AdmissionFilter{})
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.True(t, list[0].Allowed)
	require.Equal(t, "demo", list[0].BOMProject)
}

// admissionServer is `mlbom admission` running in the test's environment.
type admissionServer struct {
	url    string
	client *http.Client
	cancel context.CancelFunc
	done   chan int
	stderr *syncBuffer
}

// startAdmission runs `mlbom admission` with the pair in dir/webhook.crt and
// dir/webhook.key on a loopback port.
func startAdmission(t *testing.T, dir string) *admissionServer {
	sctx, cancel := context.WithCancel(context.Background())
	w := &admissionServer{cancel: cancel, done: make(chan int, 1), stderr: &syncBuffer{}}
	var stdout syncBuffer
	go func() {
		w.done <- run(sctx, []string{"admission", "--addr", "127.0.0.1:0", "--tls-cert", filepath.Join(dir, "webhook.crt"), "--tls-key", filepath.Join(dir, "webhook.key")}, &stdout, w.stderr)
	}()
	re := regexp.MustCompile(`https://\S+/validate`)
	for i := 0; i < 200 && w.url == ""; i++ {
		w.url = re.FindString(w.stderr.String())
		time.Sleep(20 * time.Millisecond)
	}
	require.NotEmpty(t, w.url, w.stderr.String())
	caPEM, _ := os.ReadFile(filepath.Join(dir, "webhook.crt"))
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	w.client = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "mlbom-admission.mlbom.svc"}}}
	t.Cleanup(func() { w.stop(t) })
	return w
}

// review posts one AdmissionReview: allowed, the warnings and the refusal
// message.
func (w *admissionServer) review(t *testing.T, body []byte) (bool, string, string) {
	resp, err := w.client.Post(w.url, "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, string(data))
	var rev struct {
		Response struct {
			Allowed  bool     `json:"allowed"`
			Warnings []string `json:"warnings"`
			Status   struct {
				Message string `json:"message"`
			} `json:"status"`
		} `json:"response"`
	}
	require.NoError(t, json.Unmarshal(data, &rev))
	return rev.Response.Allowed, strings.Join(rev.Response.Warnings, "\n"), rev.Response.Status.Message
}

func (w *admissionServer) stop(t *testing.T) {
	if w.cancel != nil {
		w.cancel()
		w.cancel = nil
		require.Equal(t, 0, <-w.done, w.stderr.String())
	}
}

// TestAdmissionHubAndOCIReferences: a Hub repository scanned with the
// signing key set (through the recorded Hub) admits pods that name it by
// hf:// reference, at its commit or without a revision, and by the OCI
// digest of its weights; a revision nobody scanned, another repository, a
// tag without a digest and a digest no BOM lists are refused, each saying
// why, and the decisions name the BOM version.
func TestAdmissionHubAndOCIReferences(t *testing.T) {
	ctx := context.Background()
	dir := localEnv(t)
	t.Setenv("MLBOM_HF_ENDPOINT", serveHub(t).URL)
	e := &e2e{t: t}
	key := filepath.Join(dir, "signer")
	_, _, code := e.mlbom(ctx, "keygen", "-o", key)
	require.Equal(t, 0, code)
	t.Setenv("MLBOM_SIGNING_KEY", key)
	out, errOut, code := e.mlbom(ctx, "scan", "hf://acme-ai/sentiment-bert", "--local")
	require.Equal(t, 0, code, out+errOut)
	t.Setenv("MLBOM_SIGNING_KEY", "")
	t.Setenv("MLBOM_TRUSTED_KEYS", key+".pub")
	_, _, code = e.mlbom(ctx, "keygen", "--tls", "-o", filepath.Join(dir, "webhook"), "--host", "mlbom-admission.mlbom.svc")
	require.Equal(t, 0, code)
	w := startAdmission(t, dir)

	const commit = "3f2a9c1e5b7d40a8e6c2b19f0d4e7a6c8b1d2e3f"
	const weights = "a7c3e9f1b2d4c6e8f0a1b3c5d7e9f1a2b4c6d8e0f2a4b6c8d0e2f4a6b8c0d2e4" // model.safetensors per the Hub's LFS metadata
	fixture, err := os.ReadFile("../../internal/admission/testdata/pod-create.json")
	require.NoError(t, err)
	for i, c := range []struct {
		ref, want string
		allowed   bool
	}{
		{"hf://acme-ai/sentiment-bert@" + commit, "commit " + commit + "; signed BOM acme-ai-sentiment-bert version 1 verified", true},
		{"hf://acme-ai/sentiment-bert", "signed BOM acme-ai-sentiment-bert version 1 verified", true},
		{"ghcr.io/acme/sentiment-bert@sha256:" + weights, "digest of model.safetensors", true},
		{"hf://acme-ai/sentiment-bert@" + strings.Repeat("1", 40), "mlbom has no BOM from a scan of hf://acme-ai/sentiment-bert@" + strings.Repeat("1", 40), false},
		{"hf://acme-ai/tiny-random-bert", "mlbom has no BOM from a scan of hf://acme-ai/tiny-random-bert", false},
		{"ghcr.io/acme/sentiment-bert:1.0", "pin the model by digest", false},
		{"ghcr.io/acme/sentiment-bert@sha256:" + strings.Repeat("0", 64), "no BOM in mlbom lists content with sha256:", false},
	} {
		body := bytes.Replace(fixture, []byte(`"mlbom.dev/model": "demo@1"`), []byte(`"mlbom.dev/model": "`+c.ref+`"`), 1)
		body = bytes.Replace(body, []byte("705ab4f5-6393-11e8-b7cc-42010a800002"), []byte(fmt.Sprintf("hub-oci-%d", i)), 1)
		allowed, warnings, message := w.review(t, body)
		require.Equal(t, c.allowed, allowed, c.ref+": "+warnings+message)
		require.Contains(t, warnings+message, c.want, c.ref)
	}
	w.stop(t)
	list, err := openTestStore(t).ListAdmissions(ctx, store.AdmissionFilter{})
	require.NoError(t, err)
	require.Len(t, list, 7)
	for _, a := range list {
		if a.Allowed {
			require.Equal(t, "acme-ai-sentiment-bert", a.BOMProject, a.UID)
			require.Equal(t, 1, a.BOMVersion, a.UID)
		}
	}
}

func openTestStore(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), os.Getenv("MLBOM_DB"))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}
