package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlbom/autopilot/internal/api"
	"github.com/mlbom/autopilot/internal/store"
)

func TestTokenCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "mlbom.db")
	t.Setenv("MLBOM_HOME", dir)
	t.Setenv("MLBOM_DB", "sqlite:"+db)
	ctx := context.Background()
	mlbom := func(args ...string) (string, string, int) {
		var out, errOut bytes.Buffer
		code := run(ctx, args, &out, &errOut)
		return out.String(), errOut.String(), code
	}
	out, errOut, code := mlbom("token", "create", "--role", "approver", "--name", "dana")
	secret := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(secret, "mlbom_") || strings.Count(out, "\n") != 1 || !strings.Contains(errOut, "shown this once") {
		t.Fatalf("create: %d %q %q", code, out, errOut)
	}
	if _, errOut, code := mlbom("token", "create", "--role", "viewer", "--name", "dana"); code == 0 || !strings.Contains(errOut, "never reused") {
		t.Errorf("a taken name: %d %q", code, errOut)
	}
	for _, bad := range [][]string{
		{"token", "create", "--role", "root", "--name", "x"},
		{"token", "create", "--role", "viewer", "--name", "has space"},
		{"token", "create", "--role", "viewer", "--name", "x", "--expires", "yesterday"},
		{"token", "frobnicate"},
	} {
		if _, _, code := mlbom(bad...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", bad, code, exitUsage)
		}
	}
	if _, _, code := mlbom("token", "create", "--role", "viewer", "--name", "ci", "--expires", "2160h"); code != 0 {
		t.Fatal("create with expiry")
	}
	out, _, _ = mlbom("token", "list")
	if !strings.Contains(out, "dana") || !strings.Contains(out, "approver") || !strings.Contains(out, "expires ") || strings.Contains(out, secret) {
		t.Errorf("list:\n%s", out)
	}

	// The printed token signs in to the API as dana, the approver.
	st, err := store.Open(ctx, "sqlite:"+db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h := api.New(api.Options{Store: st})
	req := httptest.NewRequest(http.MethodGet, "/api/whoami", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"name":"dana","role":"approver"`) {
		t.Errorf("whoami: %d %s", rec.Code, rec.Body)
	}

	if out, _, code := mlbom("token", "revoke", "dana"); code != 0 || !strings.Contains(out, "revoked") {
		t.Errorf("revoke: %d %q", code, out)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 401 {
		t.Errorf("revoked token: %d", rec.Code)
	}
	if _, _, code := mlbom("token", "revoke", "nobody"); code != exitError {
		t.Errorf("revoke unknown: exit %d", code)
	}
	out, _, _ = mlbom("token", "list")
	if !strings.Contains(out, "revoked ") {
		t.Errorf("list after revoke:\n%s", out)
	}
}
