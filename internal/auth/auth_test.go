package auth

import (
	"errors"
	"strings"
	"testing"
)

func TestAllows(t *testing.T) {
	tests := []struct {
		role, need string
		want       bool
	}{
		{Viewer, Viewer, true},
		{Viewer, Operator, false},
		{Operator, Viewer, true},
		{Operator, Approver, false},
		{Approver, Operator, true},
		{Approver, Admin, false},
		{Admin, Approver, true},
		{Admin, Admin, true},
		{"", Viewer, false},
		{"root", Viewer, false},
		{Admin, "superuser", false}, // an unknown requirement is nobody's
		{"", Public, true},
	}
	for _, tc := range tests {
		if got := Allows(tc.role, tc.need); got != tc.want {
			t.Errorf("Allows(%q, %q) = %v, want %v", tc.role, tc.need, got, tc.want)
		}
	}
}

func TestSecrets(t *testing.T) {
	a, b := NewSecret(TokenPrefix), NewSecret(TokenPrefix)
	if a == b || !strings.HasPrefix(a, TokenPrefix) || len(a) != len(TokenPrefix)+43 {
		t.Fatalf("tokens %q %q", a, b)
	}
	if Hash(a) == Hash(b) || len(Hash(a)) != 64 || Hash(a) != Hash(a) {
		t.Error("hashes are not distinct, stable 64-hex-digit strings")
	}
	if strings.Contains(Hash(a), a[len(TokenPrefix):]) {
		t.Error("hash contains the secret")
	}
	if h := Hint(a); !strings.HasPrefix(h, a[:10]) || len(h) > 14 {
		t.Errorf("Hint = %q", h)
	}
	if !Equal(a, a) || Equal(a, b) || Equal(a, a[:10]) {
		t.Error("Equal")
	}
}

func TestNamesAndRoles(t *testing.T) {
	for _, ok := range []string{"dana", "dana.lee@example.com", "ci-bot_2", "A"} {
		if err := CheckName(ok); err != nil {
			t.Errorf("CheckName(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "-dash", "has space", "<script>", strings.Repeat("x", 129), "naïve"} {
		if err := CheckName(bad); err == nil {
			t.Errorf("CheckName(%q) accepted", bad)
		}
	}
	if _, err := ParseRole("owner"); !errors.Is(err, ErrRole) {
		t.Errorf("ParseRole(owner) = %v", err)
	}
	if r, err := ParseRole(Approver); err != nil || r != Approver {
		t.Errorf("ParseRole(approver) = %q %v", r, err)
	}
}
