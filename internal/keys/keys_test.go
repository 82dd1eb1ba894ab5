package keys

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	for _, alg := range []string{Ed25519, ECDSAP256} {
		t.Run(alg, func(t *testing.T) {
			dir := t.TempDir()
			prefix := filepath.Join(dir, "k")
			priv, err := Generate(alg)
			if err != nil {
				t.Fatal(err)
			}
			if err := WritePair(prefix, priv); err != nil {
				t.Fatal(err)
			}
			st, err := os.Stat(prefix)
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Perm() != 0o600 {
				t.Errorf("private key mode %v, want 0600", st.Mode().Perm())
			}
			if err := WritePair(prefix, priv); err == nil {
				t.Error("WritePair overwrote an existing private key")
			}
			s, err := LoadPrivate(prefix)
			if err != nil {
				t.Fatal(err)
			}
			v, err := LoadPublic(prefix + ".pub")
			if err != nil {
				t.Fatal(err)
			}
			if s.Algorithm() != alg || v.Algorithm() != alg {
				t.Errorf("algorithms %s/%s, want %s", s.Algorithm(), v.Algorithm(), alg)
			}
			if s.KeyID() != v.KeyID() || len(v.KeyID()) != 64 {
				t.Errorf("key ids %q/%q", s.KeyID(), v.KeyID())
			}
			msg := []byte("DSSEv1 4 type 5 hello")
			sig, err := s.Sign(msg)
			if err != nil {
				t.Fatal(err)
			}
			if err := v.Verify(msg, sig); err != nil {
				t.Fatalf("own signature: %v", err)
			}
			msg[len(msg)-1] ^= 1
			if err := v.Verify(msg, sig); !errors.Is(err, ErrSignature) {
				t.Errorf("changed message verified: %v", err)
			}
			other, _ := Generate(alg)
			ov, _ := NewVerifier(other.Public())
			msg[len(msg)-1] ^= 1
			if err := ov.Verify(msg, sig); !errors.Is(err, ErrSignature) {
				t.Errorf("wrong key verified: %v", err)
			}
		})
	}
}

func TestBadKeyFiles(t *testing.T) {
	dir := t.TempDir()
	priv, _ := Generate(ECDSAP256)
	prefix := filepath.Join(dir, "k")
	if err := WritePair(prefix, priv); err != nil {
		t.Fatal(err)
	}
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o600)
		return p
	}
	cases := []struct {
		name, path, want string
		public           bool
	}{
		{"private as public", prefix, "this is a private key", true},
		{"public as private", prefix + ".pub", "no PEM private key", false},
		{"not PEM", write("junk", "hello"), "no PEM public key", true},
		{"encrypted", write("enc", "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n"), "encrypted", false},
		{"missing", filepath.Join(dir, "nope"), "no such file", true},
		{"huge", write("huge", strings.Repeat("A", maxKeyFile+10)), "not a key file", false},
		{"garbage DER", write("der", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"), "parse public key", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var err error
			if c.public {
				_, err = LoadPublic(c.path)
			} else {
				_, err = LoadPrivate(c.path)
			}
			if !errors.Is(err, ErrKey) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want ErrKey mentioning %q", err, c.want)
			}
		})
	}
}

func TestRejectsUnsupportedCurve(t *testing.T) {
	k, err := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewSigner(k); !errors.Is(err, ErrKey) {
		t.Fatalf("P-224 accepted: %v", err)
	}
}

// opensslPath finds the openssl binary, skipping (or failing, when
// MLBOM_REQUIRE_OPENSSL is set) when there is none.
func opensslPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv("MLBOM_REQUIRE_OPENSSL") != "" {
			t.Fatal("openssl not found and MLBOM_REQUIRE_OPENSSL is set")
		}
		t.Skip("openssl not installed: cannot check that OpenSSL reads our keys")
	}
	return p
}

func openssl(t *testing.T, bin string, args ...string) []byte {
	t.Helper()
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// TestOpenSSLInterop: OpenSSL reads the key files keygen writes, verifies our
// signatures, and we verify OpenSSL's — for both key types.
func TestOpenSSLInterop(t *testing.T) {
	bin := opensslPath(t)
	for _, alg := range []string{Ed25519, ECDSAP256} {
		t.Run(alg, func(t *testing.T) {
			dir := t.TempDir()
			prefix := filepath.Join(dir, "k")
			priv, _ := Generate(alg)
			if err := WritePair(prefix, priv); err != nil {
				t.Fatal(err)
			}
			text := openssl(t, bin, "pkey", "-in", prefix, "-noout", "-text")
			want := map[string]string{Ed25519: "ED25519 Private-Key", ECDSAP256: "NIST CURVE: P-256"}[alg]
			if !bytes.Contains(text, []byte(want)) {
				t.Errorf("openssl pkey -text does not say %q:\n%s", want, text)
			}
			// OpenSSL derives the same public key from our private key.
			pub := openssl(t, bin, "pkey", "-in", prefix, "-pubout")
			ours, _ := os.ReadFile(prefix + ".pub")
			if !bytes.Equal(pub, ours) {
				t.Errorf("openssl -pubout:\n%s\nours:\n%s", pub, ours)
			}
			openssl(t, bin, "pkey", "-pubin", "-in", prefix+".pub", "-noout")
			der := openssl(t, bin, "pkey", "-pubin", "-in", prefix+".pub", "-outform", "DER")
			v, _ := LoadPublic(prefix + ".pub")
			if sum := sha256hex(der); sum != v.KeyID() {
				t.Errorf("KeyID %s, sha256 of openssl's DER %s", v.KeyID(), sum)
			}

			msg := filepath.Join(dir, "msg")
			os.WriteFile(msg, []byte("DSSEv1 29 http://example.com/HelloWorld 11 hello world"), 0o644)
			sigFile := filepath.Join(dir, "sig")
			s, _ := LoadPrivate(prefix)
			data, _ := os.ReadFile(msg)
			sig, err := s.Sign(data)
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(sigFile, sig, 0o644)
			opensslSig := filepath.Join(dir, "osig")
			if alg == Ed25519 {
				openssl(t, bin, "pkeyutl", "-verify", "-pubin", "-inkey", prefix+".pub", "-rawin", "-in", msg, "-sigfile", sigFile)
				openssl(t, bin, "pkeyutl", "-sign", "-inkey", prefix, "-rawin", "-in", msg, "-out", opensslSig)
			} else {
				openssl(t, bin, "dgst", "-sha256", "-verify", prefix+".pub", "-signature", sigFile, msg)
				openssl(t, bin, "dgst", "-sha256", "-sign", prefix, "-out", opensslSig, msg)
			}
			osig, _ := os.ReadFile(opensslSig)
			if err := v.Verify(data, osig); err != nil {
				t.Errorf("OpenSSL's signature does not verify: %v", err)
			}
		})
	}
}

// TestReadsOpenSSLKeys: keys generated by OpenSSL (PKCS #8 and SEC 1) load.
func TestReadsOpenSSLKeys(t *testing.T) {
	bin := opensslPath(t)
	dir := t.TempDir()
	cases := map[string][]string{
		"ed25519 pkcs8":  {"genpkey", "-algorithm", "ed25519"},
		"p256 pkcs8":     {"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"},
		"p256 sec1":      {"ecparam", "-name", "prime256v1", "-genkey"},
		"p384 pkcs8 alg": {"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(name, " ", "_"))
			openssl(t, bin, append(args, "-out", p)...)
			s, err := LoadPrivate(p)
			if err != nil {
				t.Fatal(err)
			}
			sig, err := s.Sign([]byte("x"))
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Public().Verify([]byte("x"), sig); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func sha256hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
