// Package auth defines who may do what through the HTTP API and dashboard:
// the roles, the API token format and how secrets are hashed for storage.
//
// Roles are ordered; each includes the ones before it:
//
//	viewer    read projects, BOMs, diffs, scans, findings, search, approvals
//	operator  + start scans
//	approver  + approve or reject license exceptions
//	admin     + manage tokens and schedules
//
// Tokens are 32 random bytes, shown once as "mlbom_" + base64url. The store
// keeps only their SHA-256: a token has 256 bits of entropy, so a fast hash is
// as good as a slow one against guessing, and lets every request be checked
// with one indexed lookup. Session cookies are made and stored the same way.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Roles, in increasing order of power.
const (
	Viewer   = "viewer"
	Operator = "operator"
	Approver = "approver"
	Admin    = "admin"
)

// Roles lists the roles from least to most powerful.
var Roles = []string{Viewer, Operator, Approver, Admin}

// Public is the "role" of a route anyone may use (health checks, sign-in).
const Public = "public"

// ErrRole is an unknown role name.
var ErrRole = errors.New("unknown role")

// Rank orders roles: -1 for an unknown one.
func Rank(role string) int { return slices.Index(Roles, role) }

// Allows reports whether a holder of role may use something that needs need.
func Allows(role, need string) bool {
	if need == Public {
		return true
	}
	r, n := Rank(role), Rank(need)
	return r >= 0 && n >= 0 && r >= n
}

// ParseRole checks a role name.
func ParseRole(s string) (string, error) {
	if Rank(s) < 0 {
		return "", fmt.Errorf("%w %q: want one of %s", ErrRole, s, strings.Join(Roles, ", "))
	}
	return s, nil
}

// TokenPrefix starts every token, so secret scanners and people recognise one.
const TokenPrefix = "mlbom_"

// NewSecret returns a fresh random secret with prefix (TokenPrefix for
// tokens, "" for cookies and CSRF tokens).
func NewSecret(prefix string) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err)) // the kernel failed us; nothing sensible to do
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// Hash is the stored form of a secret: hex SHA-256.
func Hash(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// Hint is the part of a token that may be shown in listings: the prefix and
// four characters, enough to tell two tokens apart and useless to guess with.
func Hint(token string) string {
	if len(token) < len(TokenPrefix)+4 {
		return ""
	}
	return token[:len(TokenPrefix)+4] + "…"
}

// Equal compares two secrets in constant time.
func Equal(a, b string) bool {
	return len(a) == len(b) && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$`)

// CheckName accepts names a person can type and a log can show unquoted:
// letters, digits and ._@+- (so an e-mail address works), up to 128.
func CheckName(name string) error {
	if !validName.MatchString(name) {
		return fmt.Errorf("token name %q: use 1 to 128 letters, digits or . _ @ + - (starting with a letter or digit)", name)
	}
	return nil
}
