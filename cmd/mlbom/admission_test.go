package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
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

	sctx, cancel := context.WithCancel(ctx)
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(sctx, []string{"admission", "--addr", "127.0.0.1:0", "--tls-cert", filepath.Join(dir, "webhook.crt"), "--tls-key", filepath.Join(dir, "webhook.key")}, &stdout, &stderr)
	}()
	var url string
	re := regexp.MustCompile(`https://\S+/validate`)
	for i := 0; i < 200 && url == ""; i++ {
		url = re.FindString(stderr.String())
		time.Sleep(20 * time.Millisecond)
	}
	require.NotEmpty(t, url, stderr.String())

	caPEM, _ := os.ReadFile(filepath.Join(dir, "webhook.crt"))
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "mlbom-admission.mlbom.svc"}}}
	body, err := os.ReadFile("../../internal/admission/testdata/pod-create.json")
	require.NoError(t, err)
	resp, err := client.Post(url, "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, string(data))
	var rev struct {
		Response struct {
			Allowed  bool     `json:"allowed"`
			Warnings []string `json:"warnings"`
		} `json:"response"`
	}
	require.NoError(t, json.Unmarshal(data, &rev))
	require.True(t, rev.Response.Allowed, string(data))
	require.Contains(t, strings.Join(rev.Response.Warnings, "\n"), "signed BOM demo version 1 verified")

	cancel()
	require.Equal(t, 0, <-done, stderr.String())
	db := openTestStore(t)
	list, err := db.ListAdmissions(ctx, store.AdmissionFilter{})
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.True(t, list[0].Allowed)
	require.Equal(t, "demo", list[0].BOMProject)
}

func openTestStore(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), os.Getenv("MLBOM_DB"))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}
