package api

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mlbom/autopilot/internal/auth"
	"github.com/mlbom/autopilot/internal/store"
)

// target fills an operation's path parameters with their documented
// examples (escaped) and adds its required query parameters.
func target(op Operation) string {
	p := op.Path
	for name, ex := range op.Params {
		p = strings.ReplaceAll(p, "{"+name+"}", url.PathEscape(ex))
	}
	if len(op.Required) > 0 {
		q := url.Values{}
		for name, ex := range op.Required {
			q.Set(name, ex)
		}
		p += "?" + q.Encode()
	}
	return p
}

// call sends op with an empty body of its media type, as token (none when
// empty), asking for HTML on dashboard paths.
func call(h http.Handler, op Operation, token string) *httptest.ResponseRecorder {
	var body io.Reader
	switch {
	case strings.HasPrefix(op.Body, "application/json"):
		body = strings.NewReader("{}")
	case op.Body != "":
		body = strings.NewReader("")
	}
	req := httptest.NewRequest(op.Method, target(op), body)
	if op.Body != "" {
		req.Header.Set("Content-Type", op.Body)
	}
	if !strings.HasPrefix(op.Path, "/api/") {
		req.Header.Set("Accept", browserAccept)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestAccessMatrix walks every operation of the OpenAPI document — routes
// added later included — with no credentials and with a token of each role:
// 401 without credentials except on public operations, 403 for every role
// below the documented one, and for the others a status the document lists.
func TestAccessMatrix(t *testing.T) {
	f := newFixture(t)
	ops, err := Operations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ops) < 30 {
		t.Fatalf("only %d operations documented", len(ops))
	}
	for _, op := range ops {
		t.Run(op.Method+" "+op.Path, func(t *testing.T) {
			rec := call(f.raw, op, "")
			switch {
			case op.Role == auth.Public && (rec.Code == 401 || rec.Code == 403 && op.Path != "/signin"):
				t.Errorf("public operation answered %d without credentials", rec.Code)
			case op.Role != auth.Public && rec.Code != http.StatusUnauthorized:
				t.Errorf("no credentials: %d, want 401\n%s", rec.Code, rec.Body)
			case op.Role != auth.Public && rec.Header().Get("WWW-Authenticate") == "":
				t.Error("401 without WWW-Authenticate")
			}
			for _, role := range auth.Roles {
				rec := call(f.raw, op, f.tokens[role])
				if !auth.Allows(role, op.Role) {
					if rec.Code != http.StatusForbidden {
						t.Errorf("%s: %d, want 403 (needs %s)\n%s", role, rec.Code, op.Role, rec.Body)
					}
					continue
				}
				if rec.Code == 401 || (rec.Code == 403 && op.Path != "/signin") {
					t.Errorf("%s: %d, but %s may use it\n%s", role, rec.Code, op.Role, rec.Body)
				}
				if !slices.Contains(op.Codes, rec.Code) {
					t.Errorf("%s: status %d is not documented (%v)\n%s", role, rec.Code, op.Codes, rec.Body)
				}
			}
		})
	}
	// An undocumented path is 401 to strangers too: it tells them nothing.
	rec := httptest.NewRecorder()
	f.raw.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/secret-admin-thing", nil))
	if rec.Code != http.StatusUnauthorized {
		t.Errorf("unknown path without credentials: %d", rec.Code)
	}
}

// TestOpenAPIMatchesRoutes: every documented operation is served, and a
// route without a document entry cannot be registered.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	f := newFixture(t)
	s := newServer(Options{Store: f.db})
	ops, err := Operations()
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range ops {
		if !s.served[op.Method+" "+op.Path] {
			t.Errorf("%s %s is documented but not served", op.Method, op.Path)
		}
		if op.ID == "" {
			t.Errorf("%s %s has no operationId", op.Method, op.Path)
		}
		if op.Role != auth.Public && (!slices.Contains(op.Codes, 401) || !slices.Contains(op.Codes, 403)) {
			t.Errorf("%s %s does not document 401 and 403", op.Method, op.Path)
		}
	}
	if len(s.served) != len(ops) {
		t.Errorf("%d operations served, %d documented", len(s.served), len(ops))
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("registering an undocumented route did not panic")
			}
		}()
		s.route("GET /api/undocumented", func(http.ResponseWriter, *http.Request) error { return nil })
	}()
	// The document is served as it is embedded.
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/openapi.json", nil))
	if rec.Code != 200 || rec.Body.String() != string(openAPIJSON) {
		t.Errorf("/openapi.json: %d", rec.Code)
	}
}

func TestAnonymousViewer(t *testing.T) {
	f := newFixture(t)
	h := New(Options{Store: f.db, Anonymous: auth.Viewer, Runs: f.runs})
	for _, tc := range []struct {
		method, target string
		status         int
	}{
		{"GET", "/api/projects", 200},
		{"GET", "/api/whoami", 200},
		{"POST", "/api/scans", 403},
		{"POST", "/api/approvals", 403},
		{"GET", "/api/tokens", 403},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.target, strings.NewReader("{}")))
		if rec.Code != tc.status {
			t.Errorf("anonymous %s %s: %d, want %d\n%s", tc.method, tc.target, rec.Code, tc.status, rec.Body)
		}
	}
	// Credentials that do not check out are refused even so.
	req := httptest.NewRequest("GET", "/api/projects", nil)
	req.Header.Set("Authorization", "Bearer mlbom_wrong")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 401 {
		t.Errorf("bad token with anonymous access on: %d, want 401", rec.Code)
	}
	defer func() {
		if recover() == nil {
			t.Error("an anonymous operator was accepted")
		}
	}()
	New(Options{Store: f.db, Anonymous: auth.Operator})
}

func TestBearerTokens(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	get := func(header string) int {
		req := httptest.NewRequest("GET", "/api/whoami", nil)
		if header != "" {
			req.Header.Set("Authorization", header)
		}
		rec := httptest.NewRecorder()
		f.raw.ServeHTTP(rec, req)
		return rec.Code
	}
	if c := get("Bearer " + f.tokens[auth.Viewer]); c != 200 {
		t.Fatalf("valid token: %d", c)
	}
	for _, h := range []string{"Basic dXNlcjpwYXNz", "Bearer", "Bearer mlbom_nope", f.tokens[auth.Viewer]} {
		if c := get(h); c != 401 {
			t.Errorf("Authorization %q: %d, want 401", h, c)
		}
	}
	if err := f.db.RevokeToken(ctx, "test-viewer", time.Now()); err != nil {
		t.Fatal(err)
	}
	if c := get("Bearer " + f.tokens[auth.Viewer]); c != 401 {
		t.Errorf("revoked token: %d, want 401", c)
	}
	tok, _ := f.db.GetToken(ctx, "test-admin")
	before := tok.LastUsed
	get("Bearer " + f.tokens[auth.Admin])
	tok, _ = f.db.GetToken(ctx, "test-admin")
	if !tok.LastUsed.After(before) {
		t.Error("last use of the token not recorded")
	}
}

// browser is a cookie-keeping client of the handler, like a real one.
type browser struct {
	t       *testing.T
	h       http.Handler
	cookies map[string]*http.Cookie
	origin  string
}

func newBrowser(t *testing.T, h http.Handler) *browser {
	return &browser{t: t, h: h, cookies: map[string]*http.Cookie{}}
}

func (b *browser) do(method, target string, form url.Values) *http.Response {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, target, body)
	req.Header.Set("Accept", browserAccept)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if b.origin != "" {
		req.Header.Set("Origin", b.origin)
	}
	for _, c := range b.cookies {
		if strings.HasPrefix(req.URL.Path, c.Path) {
			req.AddCookie(c)
		}
	}
	rec := httptest.NewRecorder()
	b.h.ServeHTTP(rec, req)
	resp := rec.Result()
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c
		}
	}
	return resp
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *browser) csrf(resp *http.Response) string {
	b.t.Helper()
	body, _ := io.ReadAll(resp.Body)
	m := csrfField.FindSubmatch(body)
	if m == nil {
		b.t.Fatalf("no CSRF field in the page:\n%s", body)
	}
	return string(m[1])
}

func (b *browser) signIn(token string) {
	b.t.Helper()
	resp := b.do("GET", "/signin?next=/approvals", nil)
	if resp.StatusCode != 200 {
		b.t.Fatalf("sign-in page: %d", resp.StatusCode)
	}
	csrf := b.csrf(resp)
	resp = b.do("POST", "/signin", url.Values{"token": {token}, "csrf": {csrf}, "next": {"/approvals"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/approvals" {
		body, _ := io.ReadAll(resp.Body)
		b.t.Fatalf("sign in: %d to %q\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
}

func TestSessionsAndCSRF(t *testing.T) {
	f := newFixture(t)
	f.runs.pending = []Pending{{WorkflowID: "scan/demo/w", RunID: "r", Project: "demo", Component: "pkg:x", License: "unknown"}}
	b := newBrowser(t, f.raw)

	// Not signed in: the page answers 401 with the sign-in form.
	resp := b.do("GET", "/approvals", nil)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 401 || !strings.Contains(string(body), `action="/signin"`) || !strings.Contains(string(body), `name="next" value="/approvals"`) {
		t.Fatalf("signed out: %d\n%s", resp.StatusCode, body)
	}

	// A sign-in POST without the form's own secret is refused (login CSRF).
	resp = newBrowser(t, f.raw).do("POST", "/signin", url.Values{"token": {f.tokens[auth.Approver]}, "csrf": {"guess"}})
	if resp.StatusCode != 403 || resp.Header.Get("Set-Cookie") != "" && strings.Contains(resp.Header.Get("Set-Cookie"), sessionCookie+"=") {
		t.Errorf("sign-in without the form cookie: %d %q", resp.StatusCode, resp.Header.Get("Set-Cookie"))
	}
	// A wrong token: 401, no session.
	wrong := newBrowser(t, f.raw)
	csrf := wrong.csrf(wrong.do("GET", "/signin", nil))
	resp = wrong.do("POST", "/signin", url.Values{"token": {"mlbom_wrong"}, "csrf": {csrf}})
	if resp.StatusCode != 401 || wrong.cookies[sessionCookie] != nil {
		t.Errorf("wrong token: %d, cookies %v", resp.StatusCode, wrong.cookies)
	}

	b.signIn(f.tokens[auth.Approver])
	c := b.cookies[sessionCookie]
	if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Secure || c.Path != "/" {
		t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Strict, not Secure over plain HTTP", c)
	}
	resp = b.do("GET", "/approvals", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("approvals page: %d", resp.StatusCode)
	}
	token := b.csrf(resp)
	form := url.Values{"workflowId": {"scan/demo/w"}, "component": {"pkg:x"}, "decision": {"approve"}, "reason": {"vetted by legal"}}

	// Without the CSRF token, with a wrong one, and from another site: 403.
	for name, fn := range map[string]func() *http.Response{
		"no token": func() *http.Response { return b.do("POST", "/approvals", form) },
		"wrong token": func() *http.Response {
			v := cloneValues(form)
			v.Set("csrf", "x"+token)
			return b.do("POST", "/approvals", v)
		},
		"other origin": func() *http.Response {
			v := cloneValues(form)
			v.Set("csrf", token)
			b.origin = "https://evil.example"
			defer func() { b.origin = "" }()
			return b.do("POST", "/approvals", v)
		},
		"JSON API without header": func() *http.Response { return b.do("POST", "/api/approvals", nil) },
	} {
		if resp := fn(); resp.StatusCode != 403 {
			t.Errorf("%s: %d, want 403", name, resp.StatusCode)
		}
	}
	if len(f.runs.decided) != 0 {
		t.Fatalf("a refused request was signalled: %+v", f.runs.decided)
	}
	v := cloneValues(form)
	v.Set("csrf", token)
	v.Set("approver", "someone-else") // ignored: the approver is the token's name
	resp = b.do("POST", "/approvals", v)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/approvals" {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("decide: %d %q\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	if len(f.runs.decided) != 1 || f.runs.decided[0].Approver != "test-approver" || f.runs.decided[0].Reason != "vetted by legal" {
		t.Errorf("decided %+v", f.runs.decided)
	}
	// The confirmation shows once, from a cookie the server set, not from
	// anything in the URL.
	page := func() string {
		resp := b.do("GET", "/approvals", nil)
		body, _ := io.ReadAll(resp.Body)
		return string(body)
	}
	if p := page(); !strings.Contains(p, "Signal sent — scan/demo/w: approved pkg:x") {
		t.Error("no confirmation after deciding")
	}
	if p := page(); strings.Contains(p, "Signal sent") {
		t.Error("the confirmation shows twice")
	}

	// Over TLS the cookie is Secure.
	req := httptest.NewRequest("GET", "https://mlbom.example/signin", nil)
	rec := httptest.NewRecorder()
	f.raw.ServeHTTP(rec, req)
	if cs := rec.Result().Cookies(); len(cs) == 0 || !cs[0].Secure {
		t.Errorf("cookie over TLS not Secure: %+v", cs)
	}

	// Sign out ends the session on the server, not only in this browser.
	stolen := *b.cookies[sessionCookie]
	resp = b.do("GET", "/", nil)
	resp = b.do("POST", "/signout", url.Values{"csrf": {b.csrf(resp)}})
	if resp.StatusCode != http.StatusSeeOther || b.cookies[sessionCookie] != nil {
		t.Errorf("sign out: %d, cookie %v", resp.StatusCode, b.cookies[sessionCookie])
	}
	replay := newBrowser(t, f.raw)
	replay.cookies[sessionCookie] = &stolen
	if resp := replay.do("GET", "/api/whoami", nil); resp.StatusCode != 401 {
		t.Errorf("session cookie after sign-out: %d, want 401", resp.StatusCode)
	}
}

func TestSessionEndsWithToken(t *testing.T) {
	f := newFixture(t)
	b := newBrowser(t, f.raw)
	b.signIn(f.tokens[auth.Viewer])
	if resp := b.do("GET", "/api/whoami", nil); resp.StatusCode != 200 {
		t.Fatalf("whoami: %d", resp.StatusCode)
	}
	if err := f.db.RevokeToken(context.Background(), "test-viewer", time.Now()); err != nil {
		t.Fatal(err)
	}
	if resp := b.do("GET", "/api/whoami", nil); resp.StatusCode != 401 {
		t.Errorf("session of a revoked token: %d, want 401", resp.StatusCode)
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"":                     "/",
		"/projects/demo":       "/projects/demo",
		"/search?q=llama":      "/search?q=llama",
		"//evil.example/x":     "/",
		"https://evil.example": "/",
		"/\\evil.example":      "/",
		"javascript:alert(1)":  "/",
		"/ok\r\nSet-Cookie: x": "/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

var _ = store.ErrNotFound
