package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mlbom/autopilot/internal/source/gittest"
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
		r, err := newGitRemote(tc.src, Options{GitToken: tc.token})
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

func TestSplitCredentials(t *testing.T) {
	const pw = "p@ss/w0rd-secret"
	tests := []struct {
		src, clean string
		cred       *Credentials
		err        bool
	}{
		{"https://alice:p%40ss%2Fw0rd-secret@git.example.com/acme/app.git", "https://git.example.com/acme/app.git", &Credentials{"git.example.com", "alice", pw}, false},
		{"https://ghp_tokenAsUserName0123456789abcdefABCD@github.com/acme/app.git", "https://github.com/acme/app.git", &Credentials{"github.com", "ghp_tokenAsUserName0123456789abcdefABCD", ""}, false},
		{"http://bob:hunter22@127.0.0.1:8080/x.git", "http://127.0.0.1:8080/x.git", &Credentials{"127.0.0.1:8080", "bob", "hunter22"}, false},
		{"ssh://git@github.com/acme/app.git", "ssh://git@github.com/acme/app.git", nil, false},
		{"ssh://deploy:hunter22@host/x.git", "ssh://deploy@host/x.git", &Credentials{"host", "deploy", "hunter22"}, false},
		{"https://github.com/acme/app.git", "https://github.com/acme/app.git", nil, false},
		{"git@github.com:acme/app.git", "git@github.com:acme/app.git", nil, false},
		{"/srv/repo", "/srv/repo", nil, false},
		{"hf://acme/model", "hf://acme/model", nil, false},
		{"https://alice:" + pw + "@git.example.com/x.git", "", nil, true}, // unencoded '/' in the password
	}
	for _, tc := range tests {
		clean, cred, err := SplitCredentials(tc.src)
		if tc.err {
			if err == nil || !errors.Is(err, ErrInvalid) {
				t.Errorf("%s: err %v, want ErrInvalid", tc.src, err)
			} else if strings.Contains(err.Error(), "w0rd") {
				t.Errorf("%s: password in error %q", tc.src, err)
			}
			continue
		}
		if err != nil || clean != tc.clean || (cred == nil) != (tc.cred == nil) || (cred != nil && *cred != *tc.cred) {
			t.Errorf("%s: got %q %#v %v, want %q %#v", tc.src, clean, cred, err, tc.clean, tc.cred)
		}
		if cred != nil && (strings.Contains(fmt.Sprint(cred), cred.Password) && cred.Password != "" || strings.Contains(fmt.Sprintf("%#v", cred), "hunter22")) {
			t.Errorf("Credentials print their password: %v", cred)
		}
	}
}

// A private repository over HTTP: credentials taken out of the URL are used
// from memory for that host only, and appear in no error.
func TestURLCredentialsCloneInMemory(t *testing.T) {
	repo := makeTestRepo(t)
	const user, pass = "alice", "Sup3r-s3cret-pass"
	srv := gittest.Serve(t, filepath.Dir(repo.dir), user, pass)
	clean := srv.RepoURL(filepath.Base(repo.dir))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	host := strings.TrimPrefix(srv.URL, "http://")
	tree, err := Open(ctx, Spec{Source: clean, WorkDir: t.TempDir()}, Options{URLCredentials: &Credentials{Host: host, Username: user, Password: pass}})
	if err != nil {
		t.Fatalf("clone with in-memory credentials: %v", err)
	}
	defer tree.Close()
	if tree.URL != clean || tree.Commit == "" {
		t.Errorf("tree URL %s commit %s", tree.URL, tree.Commit)
	}
	workDir := t.TempDir()
	// Wrong password: access denied, password never repeated.
	_, err = Open(ctx, Spec{Source: clean, WorkDir: workDir}, Options{URLCredentials: &Credentials{Host: host, Username: user, Password: "Wr0ng-" + pass}})
	if err == nil || !errors.Is(err, ErrInvalid) || strings.Contains(err.Error(), pass) {
		t.Errorf("wrong password: %v", err)
	}
	// Credentials for another host are not offered.
	_, err = Open(ctx, Spec{Source: clean, WorkDir: workDir}, Options{URLCredentials: &Credentials{Host: "elsewhere.example.com", Username: user, Password: pass}})
	if err == nil || !errors.Is(err, ErrInvalid) {
		t.Errorf("credentials for another host were used: %v", err)
	}
	// Nothing under the work dir holds the password (the clone's config
	// names the clean URL).
	filepath.WalkDir(workDir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if data, _ := os.ReadFile(p); bytes.Contains(data, []byte(pass)) {
				t.Errorf("password written to %s", p)
			}
		}
		return nil
	})
}
