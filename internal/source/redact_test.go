package source

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestGitTokenNeverInErrors(t *testing.T) {
	const token = "ghp_SECRETsecretSECRETsecret1234567890ab"
	var mu sync.Mutex
	var sawAuth []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		sawAuth = append(sawAuth, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
		http.Error(w, "denied for "+r.URL.String(), http.StatusUnauthorized)
	}))
	defer srv.Close()
	tests := []struct {
		name, src, token string
	}{
		{"token option over http is never sent", srv.URL + "/acme/app.git", token},
		{"credentials in the URL", strings.Replace(srv.URL, "http://", "http://bob:"+token+"@", 1) + "/acme/app.git", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_, err := Open(ctx, Spec{Source: tc.src, WorkDir: t.TempDir()}, Options{GitToken: tc.token})
			if err == nil {
				t.Fatal("no error")
			}
			if strings.Contains(err.Error(), token) {
				t.Errorf("token in error: %v", err)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("auth failure not ErrInvalid: %v", err)
			}
		})
	}
	// Over plain http the option token must not have been offered at all.
	mu.Lock()
	defer mu.Unlock()
	if len(sawAuth) == 0 || sawAuth[0] != "" {
		t.Errorf("first request carried Authorization %q", sawAuth)
	}
}

func TestNewGitRemoteAuth(t *testing.T) {
	tests := []struct {
		src, token string
		wantURL    string
		wantAuths  int // methods tried in order
		anonFirst  bool
	}{
		{"https://github.com/acme/private.git", "tok12345", "https://github.com/acme/private.git", 1, false},
		{"https://gitlab.example.com/acme/app.git", "tok12345", "https://gitlab.example.com/acme/app.git", 2, true},
		{"http://insecure.example.com/acme/app.git", "tok12345", "http://insecure.example.com/acme/app.git", 1, true},
		{"https://alice:pw123456@example.com/x.git", "", "https://example.com/x.git", 1, false},
		{"git@github.com:acme/app.git", "tok12345", "git@github.com:acme/app.git", 1, true},
	}
	for _, tc := range tests {
		r, err := newGitRemote(tc.src, tc.token)
		if err != nil {
			t.Fatalf("%s: %v", tc.src, err)
		}
		if r.url != tc.wantURL || len(r.auths) != tc.wantAuths || (r.auths[0] == nil) != tc.anonFirst {
			t.Errorf("%s: url %s, %d auths, anon first %v", tc.src, r.url, len(r.auths), r.auths[0] == nil)
		}
	}
}

func TestRepoBaseName(t *testing.T) {
	tests := map[string]string{
		"https://github.com/acme/app.git":    "app",
		"https://github.com/acme/app/":       "app",
		"git@github.com:acme/ml-service.git": "ml-service",
		"file:///srv/repos/origin-repo":      "origin-repo",
		"ssh://git@host:22/team/proj.git":    "proj",
		"https://host/":                      "host",
	}
	for in, want := range tests {
		if got := repoBaseName(in); got != want {
			t.Errorf("repoBaseName(%q) = %q, want %q", in, got, want)
		}
	}
}
