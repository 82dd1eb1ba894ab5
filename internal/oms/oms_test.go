package oms

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlbom/autopilot/internal/keys"
)

func refKey(t *testing.T) []TrustedKey {
	t.Helper()
	v, err := keys.LoadPublic("testdata/signing-key-pub.pem")
	if err != nil {
		t.Fatal(err)
	}
	return []TrustedKey{{Name: "signing-key-pub.pem", Key: v}}
}

// copyDir copies a test vector so a test can change it.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	os.MkdirAll(dst, 0o755)
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(src, e.Name()))
		os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644)
	}
	return dst
}

// TestReferenceSignatures: signatures made by the reference implementation
// (model_signing 1.1.0 with a hint, 1.0.0 with an embedded key and a
// single-file model) verify with its public key.
func TestReferenceSignatures(t *testing.T) {
	ctx := context.Background()
	cases := []struct{ model, sig, name string }{
		{"testdata/v1.1.0-elliptic-key", "testdata/v1.1.0-elliptic-key/model.sig", "v1.1.0-elliptic-key"},
		{"testdata/v1.0.0-elliptic-key/signme-1", "testdata/v1.0.0-elliptic-key/model.sig", "signme-1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := Verify(ctx, c.model, c.sig, refKey(t))
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != StatusValid || res.Signer != "signing-key-pub.pem" || res.Model != c.name {
				t.Fatalf("result %+v", res)
			}
			// Without the key the files still match, but nobody vouches.
			res, err = Verify(ctx, c.model, c.sig, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != StatusUnverified || !strings.Contains(res.Problems[0], "MLBOM_TRUSTED_KEYS") ||
				res.KeyHint != "e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e" && c.name == "v1.1.0-elliptic-key" {
				t.Fatalf("without keys: %+v", res)
			}
		})
	}
}

func TestReferenceTampered(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name string
		edit func(dir string)
		want string
	}{
		{"changed file", func(d string) { os.WriteFile(filepath.Join(d, "signme-1"), []byte("other"), 0o644) }, "changed signme-1"},
		{"missing file", func(d string) { os.Remove(filepath.Join(d, "signme-2")) }, "missing signme-2"},
		{"extra file", func(d string) { os.WriteFile(filepath.Join(d, "backdoor.pkl"), []byte("x"), 0o644) }, "extra backdoor.pkl"},
		{"ignored file changes nothing", func(d string) { os.WriteFile(filepath.Join(d, "ignore-me"), []byte("x"), 0o644) }, ""},
		{"symlink", func(d string) { os.Symlink("signme-1", filepath.Join(d, "link")) }, "link is a symbolic link"},
		{"altered manifest", func(d string) {
			p := filepath.Join(d, "model.sig")
			b, _ := os.ReadFile(p)
			var m map[string]any
			json.Unmarshal(b, &m)
			env := m["dsseEnvelope"].(map[string]any)
			payload, _ := base64.StdEncoding.DecodeString(env["payload"].(string))
			payload = []byte(strings.Replace(string(payload), "bc9a717db6064a32", "bc9a717db6064a33", 1))
			env["payload"] = base64.StdEncoding.EncodeToString(payload)
			b, _ = json.Marshal(m)
			os.WriteFile(p, b, 0o644)
		}, "signature does not verify with signing-key-pub.pem"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := copyDir(t, "testdata/v1.1.0-elliptic-key")
			c.edit(dir)
			res, err := Verify(ctx, dir, filepath.Join(dir, "model.sig"), refKey(t))
			if err != nil {
				t.Fatal(err)
			}
			if c.want == "" {
				if res.Status != StatusValid {
					t.Fatalf("result %+v", res)
				}
				return
			}
			if res.Status != StatusInvalid || !strings.Contains(strings.Join(res.Problems, "; "), c.want) {
				t.Fatalf("result %+v, want invalid with %q", res, c.want)
			}
		})
	}
}

func TestSignVerifyRoundTrip(t *testing.T) {
	ctx := context.Background()
	k, _ := keys.Generate(keys.ECDSAP256)
	s, _ := keys.NewSigner(k)
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "model.safetensors"), []byte("weights"), 0o644)
	os.WriteFile(filepath.Join(dir, "sub", "config.json"), []byte("{}"), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("skip me"), 0o644)
	os.MkdirAll(filepath.Join(dir, ".git"), 0o755)
	os.WriteFile(filepath.Join(dir, ".git", "HEAD"), []byte("ref"), 0o644)
	sigPath := filepath.Join(dir, SignatureFile)
	data, err := Sign(ctx, dir, sigPath, s, []string{"notes.txt"})
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(sigPath, data, 0o644)

	// The shape the reference verifier expects.
	var b bundle
	json.Unmarshal(data, &b)
	if b.MediaType != BundleMediaType || b.VerificationMaterial.PublicKey == nil || b.VerificationMaterial.PublicKey.Hint != Hint(s.Public()) {
		t.Fatalf("bundle %s", data)
	}
	sig, res := Parse(data)
	if res != nil {
		t.Fatal(res)
	}
	var st map[string]any
	json.Unmarshal(sig.env.DecodedPayload(), &st)
	pred := st["predicate"].(map[string]any)
	ser := pred["serialization"].(map[string]any)
	if st["predicateType"] != PredicateV1 || ser["method"] != "files" || ser["hash_type"] != "sha256" || ser["allow_symlinks"] != false {
		t.Fatalf("statement %v", st)
	}
	if got, _ := json.Marshal(ser["ignore_paths"]); string(got) != `[".git",".gitattributes",".github",".gitignore","model.sig","notes.txt"]` {
		t.Errorf("ignore_paths %s", got)
	}
	if got := string(sig.env.DecodedPayload()); !strings.Contains(got, `"resources":[{"name":"model.safetensors","algorithm":"sha256","digest":"`) ||
		!strings.Contains(got, `{"name":"sub/config.json"`) || strings.Contains(got, "notes.txt\",\"algorithm") {
		t.Errorf("payload %s", got)
	}

	trusted := []TrustedKey{{Name: "ours", Key: s.Public()}}
	res2, err := Verify(ctx, dir, sigPath, trusted)
	if err != nil || res2.Status != StatusValid || res2.Files != 2 {
		t.Fatalf("verify: %+v %v", res2, err)
	}
	// Another trusted key does not vouch for it.
	k2, _ := keys.Generate(keys.ECDSAP256)
	v2, _ := keys.NewVerifier(k2.Public())
	res3, _ := Verify(ctx, dir, sigPath, []TrustedKey{{Name: "other", Key: v2}})
	if res3.Status != StatusUnverified || res3.Signer != "sha256:"+Hint(s.Public()) {
		t.Fatalf("other key: %+v", res3)
	}
	// The reference implementation only takes elliptic-curve keys.
	ek, _ := keys.Generate(keys.Ed25519)
	es, _ := keys.NewSigner(ek)
	if _, err := Sign(ctx, dir, sigPath, es, nil); err == nil || !strings.Contains(err.Error(), "elliptic-curve") {
		t.Fatalf("ed25519 signing: %v", err)
	}
}

func TestParseRejects(t *testing.T) {
	for name, doc := range map[string]string{
		"not json":      `{`,
		"other media":   `{"mediaType":"application/json","dsseEnvelope":{}}`,
		"bad envelope":  `{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","dsseEnvelope":{"payloadType":""}}`,
		"other payload": `{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","dsseEnvelope":{"payloadType":"text/plain","payload":"","signatures":[{"sig":"AA"}]}}`,
	} {
		if _, res := Parse([]byte(doc)); res == nil || res.Status != StatusInvalid {
			t.Errorf("%s: %+v", name, res)
		}
	}
	if _, res := Parse([]byte(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","messageSignature":{}}`)); res == nil || res.Status != StatusUnsupported {
		t.Errorf("message signature: %+v", res)
	}
}

// FuzzParse: signature files come from scanned repositories.
func FuzzParse(f *testing.F) {
	for _, p := range []string{"testdata/v1.1.0-elliptic-key/model.sig", "testdata/v1.0.0-elliptic-key/model.sig"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sig, res := Parse(data)
		if (sig == nil) == (res == nil) {
			t.Fatalf("Parse returned %v and %v", sig, res)
		}
	})
}
