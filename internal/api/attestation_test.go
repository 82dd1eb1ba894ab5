package api

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/mlbom/autopilot/internal/attest"
	"github.com/mlbom/autopilot/internal/keys"
)

func TestAttestationEndpoint(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if resp := f.get(t, http.MethodGet, "/api/projects/demo/attestation"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unsigned version: %d", resp.StatusCode)
	}
	k, _ := keys.Generate(keys.ECDSAP256)
	s, _ := keys.NewSigner(k)
	rec, err := attest.SignVersion("demo", 1, f.v1, s)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.SaveSignature(ctx, rec); err != nil {
		t.Fatal(err)
	}
	resp := f.get(t, http.MethodGet, "/api/projects/demo/attestation?version=1")
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != MediaTypeAttestation ||
		resp.Header.Get("X-Mlbom-Version") != "1" || resp.Header.Get("X-Mlbom-Covers-Served") != "true" ||
		resp.Header.Get("X-Mlbom-Key-Id") != s.KeyID() {
		t.Fatalf("%d %v %s", resp.StatusCode, resp.Header, body)
	}
	v, err := attest.VerifyBOM(body, s.Public())
	if err != nil {
		t.Fatal(err)
	}
	if string(v.BOM) == "" {
		t.Fatal("empty BOM")
	}
	// Latest (version 2) is not signed.
	if resp := f.get(t, http.MethodGet, "/api/projects/demo/attestation"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("latest unsigned: %d", resp.StatusCode)
	}
	// A signature of another document is served but flagged.
	rec.Version = 2
	if err := f.db.SaveSignature(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if resp := f.get(t, http.MethodGet, "/api/projects/demo/attestation"); resp.Header.Get("X-Mlbom-Covers-Served") != "false" {
		t.Fatalf("stale signature: %v", resp.Header)
	}
	if resp := f.get(t, http.MethodGet, "/api/projects/demo/attestation?version=x"); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad version: %d", resp.StatusCode)
	}
}
