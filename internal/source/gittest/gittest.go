// Package gittest serves git repositories over smart HTTP for tests, with
// git's own git-http-backend behind optional basic auth: a real server, so
// clone, fetch and authentication go through the same code paths as
// against a hosted forge.
package gittest

import (
	"crypto/subtle"
	"encoding/pem"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// Server serves every repository under Root at URL + "/" + its directory name.
type Server struct {
	*httptest.Server
	Root string

	mu    sync.Mutex
	auths []string // Authorization headers seen, in order
}

// Serve starts a server for the repositories under root. With user set,
// every request must carry those basic-auth credentials. It skips the test
// when git-http-backend is not installed.
func Serve(t testing.TB, root, user, pass string) *Server {
	t.Helper()
	return serve(t, root, user, pass, false)
}

// ServeTLS is Serve over https with a self-signed certificate (see CertFile).
func ServeTLS(t testing.TB, root, user, pass string) *Server {
	t.Helper()
	return serve(t, root, user, pass, true)
}

func serve(t testing.TB, root, user, pass string, useTLS bool) *Server {
	t.Helper()
	backend := backendPath()
	if backend == "" {
		t.Skip("git-http-backend not installed (apt-get install git)")
	}
	s := &Server{Root: root}
	h := &cgi.Handler{
		Path: backend,
		Env:  []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1", "HOME=" + root},
	}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.auths = append(s.auths, r.Header.Get("Authorization"))
		s.mu.Unlock()
		if user != "" {
			u, p, ok := r.BasicAuth()
			if !ok || subtle.ConstantTimeCompare([]byte(u), []byte(user)) != 1 || subtle.ConstantTimeCompare([]byte(p), []byte(pass)) != 1 {
				w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
				http.Error(w, "authentication required", http.StatusUnauthorized)
				return
			}
		}
		h.ServeHTTP(w, r)
	})
	if useTLS {
		s.Server = httptest.NewTLSServer(handler)
	} else {
		s.Server = httptest.NewServer(handler)
	}
	t.Cleanup(s.Close)
	return s
}

// CertFile writes the server's certificate as PEM into dir and returns its
// path, for SSL_CERT_FILE in a process that must trust the server.
func (s *Server) CertFile(t testing.TB, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "gittest-cert.pem")
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw})
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// URL of the repository in directory name under Root.
func (s *Server) RepoURL(name string) string { return s.Server.URL + "/" + name }

// Authorizations returns the Authorization headers received so far.
func (s *Server) Authorizations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.auths...)
}

func backendPath() string {
	if p, err := exec.LookPath("git-http-backend"); err == nil {
		return p
	}
	out, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		return ""
	}
	p := filepath.Join(string(trimNL(out)), "git-http-backend")
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

func trimNL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}
