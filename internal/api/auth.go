package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mlbom/autopilot/internal/auth"
	"github.com/mlbom/autopilot/internal/store"
)

// Authentication: a request acts as the token in its Authorization header
// (Bearer), else as the session its cookie names, else — only when the
// server was started with MLBOM_HTTP_ANONYMOUS=viewer — as an anonymous
// viewer. A bearer token that does not check out is 401 even when anonymous
// access is on: a client that sent credentials wants to know they failed.
//
// CSRF: a session cookie is ambient, so every unsafe request (POST, DELETE)
// it authenticates must also carry the session's CSRF token (form field
// "csrf" or header X-CSRF-Token) and, when the browser sends one, an Origin
// of this site. SameSite=Strict keeps the cookie off cross-site requests in
// the first place; the token covers browsers and proxies that do not. Bearer
// requests are not ambient and need neither.

// Cookie names and lifetimes.
const (
	sessionCookie   = "mlbom_session"
	signinCookie    = "mlbom_signin" // the sign-in form's CSRF secret
	sessionLifetime = 12 * time.Hour
	signinLifetime  = 15 * time.Minute
	touchEvery      = time.Minute
	maxFormBytes    = 64 << 10
)

// identity is who a request acts as.
type identity struct {
	Name string `json:"name"`
	Role string `json:"role"`
	Via  string `json:"via"` // token, session, anonymous
	csrf string
	// sessionHash identifies the session for sign-out.
	sessionHash string
}

type identityKey struct{}

func identityOf(ctx context.Context) identity {
	id, _ := ctx.Value(identityKey{}).(identity)
	return id
}

// Errors of authentication and authorization, in the error table.
var (
	errUnauthenticated = errors.New("unauthenticated")
	errForbidden       = errors.New("forbidden")
	errCSRF            = errors.New("csrf check failed")
)

// guard wraps h with authentication, the role check and, for sessions, the
// CSRF check. role is auth.Public for the few routes anyone may use.
func (s *server) guard(role string, h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r, err := s.authorize(w, r, role)
		if err == nil {
			err = h(w, r)
		}
		if err != nil {
			s.fail(w, r, err)
		}
	}
}

// authorize identifies the request and checks it may use a route that
// needs role; the request it returns carries the identity in its context.
func (s *server) authorize(w http.ResponseWriter, r *http.Request, role string) (*http.Request, error) {
	id, err := s.identify(w, r)
	if err != nil {
		return r, err
	}
	r = r.WithContext(context.WithValue(r.Context(), identityKey{}, id))
	if role == auth.Public {
		return r, nil
	}
	if id.Role == "" {
		return r, fmt.Errorf("%w: sign in, or send Authorization: Bearer <token> (tokens come from `mlbom token create`)", errUnauthenticated)
	}
	if !auth.Allows(id.Role, role) {
		return r, fmt.Errorf("%w: %s %s needs the %s role; %s has %s", errForbidden, r.Method, r.URL.Path, role, id.Name, id.Role)
	}
	if id.Via == "session" && !safeMethod(r.Method) {
		if err := s.checkCSRF(r, id.csrf); err != nil {
			return r, err
		}
	}
	return r, nil
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// identify finds who the request acts as; a zero identity means nobody.
func (s *server) identify(w http.ResponseWriter, r *http.Request) (identity, error) {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, secret, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
			return identity{}, fmt.Errorf("%w: Authorization must be \"Bearer <token>\"", errUnauthenticated)
		}
		t, err := s.db.TokenByHash(ctx, auth.Hash(strings.TrimSpace(secret)))
		if errors.Is(err, store.ErrNotFound) || (err == nil && !t.Active(s.now())) {
			return identity{}, fmt.Errorf("%w: the token is unknown, revoked or expired", errUnauthenticated)
		}
		if err != nil {
			return identity{}, fmt.Errorf("%w: check token: %w", errStoreDown, err)
		}
		s.touch(ctx, t.Name)
		return identity{Name: t.Name, Role: t.Role, Via: "token"}, nil
	}
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		hash := auth.Hash(c.Value)
		sess, t, err := s.db.SessionByHash(ctx, hash, s.now())
		switch {
		case err == nil:
			s.touch(ctx, t.Name)
			return identity{Name: t.Name, Role: t.Role, Via: "session", csrf: sess.CSRF, sessionHash: hash}, nil
		case errors.Is(err, store.ErrNotFound):
			// Expired or signed out elsewhere: forget the cookie and go on
			// as a request without one.
			http.SetCookie(w, s.cookie(r, sessionCookie, "", "/", -1))
		default:
			return identity{}, fmt.Errorf("%w: check session: %w", errStoreDown, err)
		}
	}
	if s.anonymous != "" {
		return identity{Name: "anonymous", Role: s.anonymous, Via: "anonymous"}, nil
	}
	return identity{}, nil
}

// touch records a token's use, at most once a minute per token.
func (s *server) touch(ctx context.Context, name string) {
	now := s.now()
	s.touchMu.Lock()
	last, ok := s.touched[name]
	due := !ok || now.Sub(last) >= touchEvery
	if due {
		s.touched[name] = now
	}
	s.touchMu.Unlock()
	if due {
		if err := s.db.TouchToken(ctx, name, now); err != nil {
			s.log.WarnContext(ctx, "record token use", "token", name, "err", err)
		}
	}
}

// checkCSRF demands the session's CSRF token and a same-site Origin.
func (s *server) checkCSRF(r *http.Request, want string) error {
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		u, err := url.Parse(o)
		if err != nil || u.Host != r.Host {
			return fmt.Errorf("%w: request from another site (Origin %s)", errCSRF, o)
		}
	}
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		r.Body = http.MaxBytesReader(nil, r.Body, maxFormBytes)
		got = r.PostFormValue("csrf")
	}
	if want == "" || !auth.Equal(got, want) {
		return fmt.Errorf("%w: the form is stale or came from elsewhere; reload the page and try again", errCSRF)
	}
	return nil
}

// cookie makes a cookie with the attributes every mlbom cookie has.
// maxAge < 0 deletes it.
func (s *server) cookie(r *http.Request, name, value, path string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: name, Value: value, Path: path, MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
	}
}

type signinData struct {
	CSRF, Next, Message string
	Info                bool // the message is a hint, not an error
}

// signinPage shows the token form, with a fresh CSRF secret in a cookie
// scoped to /signin and in the form: the POST must carry both (login CSRF).
func (s *server) signinPage(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r, "next")
	if err != nil {
		return err
	}
	return s.renderSignin(w, r, http.StatusOK, safeNext(q.Get("next")), "")
}

func (s *server) renderSignin(w http.ResponseWriter, r *http.Request, status int, next, msg string) error {
	secret := auth.NewSecret("")
	http.SetCookie(w, s.cookie(r, signinCookie, secret, "/signin", int(signinLifetime.Seconds())))
	return s.renderPage(w, r, status, "signin", "Sign in · ML-BOM", signinData{CSRF: secret, Next: next, Message: msg, Info: msg == signInHint})
}

// signin checks the token and starts a session.
func (s *server) signin(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return badRequest("sign-in form: %v", err)
	}
	next := safeNext(r.PostForm.Get("next"))
	c, err := r.Cookie(signinCookie)
	if err != nil || !auth.Equal(c.Value, r.PostForm.Get("csrf")) {
		return s.renderSignin(w, r, http.StatusForbidden, next, "The sign-in form expired or came from another site. Try again.")
	}
	secret := strings.TrimSpace(r.PostForm.Get("token"))
	if secret == "" {
		return s.renderSignin(w, r, http.StatusBadRequest, next, "Paste an API token.")
	}
	t, err := s.db.TokenByHash(r.Context(), auth.Hash(secret))
	if errors.Is(err, store.ErrNotFound) || (err == nil && !t.Active(s.now())) {
		s.log.InfoContext(r.Context(), "sign-in refused", "reason", "unknown, revoked or expired token")
		return s.renderSignin(w, r, http.StatusUnauthorized, next, "That token is unknown, revoked or expired.")
	}
	if err != nil {
		return err
	}
	cookie := auth.NewSecret("")
	now := s.now()
	if err := s.db.CreateSession(r.Context(), auth.Hash(cookie), store.Session{
		TokenName: t.Name, CSRF: auth.NewSecret(""), CreatedAt: now, Expires: now.Add(sessionLifetime),
	}); err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "signed in", "token", t.Name, "role", t.Role)
	http.SetCookie(w, s.cookie(r, signinCookie, "", "/signin", -1))
	http.SetCookie(w, s.cookie(r, sessionCookie, cookie, "/", int(sessionLifetime.Seconds())))
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// signout ends the session (CSRF-checked by the guard).
func (s *server) signout(w http.ResponseWriter, r *http.Request) error {
	id := identityOf(r.Context())
	if id.sessionHash != "" {
		if err := s.db.DeleteSession(r.Context(), id.sessionHash); err != nil {
			return err
		}
	}
	http.SetCookie(w, s.cookie(r, sessionCookie, "", "/", -1))
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
	return nil
}

// signInHint is what a page asks of a visitor who is not signed in.
const signInHint = "Sign in to continue."

// safeNext keeps a post-sign-in destination on this site: a path, not a
// scheme-relative URL (//evil.example) or anything with a backslash.
func safeNext(next string) string {
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/"
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return next
}

func (s *server) whoami(w http.ResponseWriter, r *http.Request) error {
	if _, err := query(r); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, identityOf(r.Context()))
	return nil
}
