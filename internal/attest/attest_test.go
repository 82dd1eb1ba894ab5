package attest

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlbom/autopilot/internal/dsse"
	"github.com/mlbom/autopilot/internal/keys"
)

// demo-bom.json is the BOM `mlbom scan --local` wrote for examples/demo-app:
// two weight files (a safetensors file in the repository and a Git LFS
// pointer), models, datasets without files, prompts, frameworks.
func demoBOM(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/demo-bom.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newSigner(t testing.TB, alg string) *keys.Signer {
	t.Helper()
	k, err := keys.Generate(alg)
	if err != nil {
		t.Fatal(err)
	}
	s, err := keys.NewSigner(k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestBOMSubjects(t *testing.T) {
	subs, err := BOMSubjects(demoBOM(t))
	if err != nil {
		t.Fatal(err)
	}
	want := []Subject{
		{Name: "models/sentiment/model.safetensors", Digest: map[string]string{"sha256": "868b78ab3ffaa6d3a26edd426086bd8380f834ff0c1f4ede6c14fd5a338690cc"}},
		{Name: "models/sentiment/pytorch_model.bin", Digest: map[string]string{"sha256": "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393"}},
	}
	got, _ := json.Marshal(subs)
	exp, _ := json.Marshal(want)
	if string(got) != string(exp) {
		t.Fatalf("subjects\n got %s\nwant %s", got, exp)
	}
}

func TestBOMSubjectsDatasetsAndNested(t *testing.T) {
	doc := `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[
	 {"type":"data","bom-ref":"dataset:local/train","name":"train",
	  "hashes":[{"alg":"SHA-256","content":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}],
	  "properties":[{"name":"mlbom:asset.kind","value":"dataset"}],
	  "evidence":{"occurrences":[{"location":"data/./train.parquet"}]}},
	 {"type":"machine-learning-model","bom-ref":"m","name":"m",
	  "hashes":[{"alg":"SHA-256","content":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"}],
	  "properties":[{"name":"mlbom:asset.kind","value":"model"}],
	  "components":[{"type":"file","bom-ref":"pkg:generic/w/x.gguf?checksum=sha256:cc","name":"x.gguf",
	    "hashes":[{"alg":"SHA-256","content":"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"}],
	    "properties":[{"name":"mlbom:asset.kind","value":"weights"}]}]},
	 {"type":"file","bom-ref":"pkg:generic/../escape.bin","name":"escape",
	  "hashes":[{"alg":"SHA-256","content":"dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"}],
	  "properties":[{"name":"mlbom:asset.kind","value":"weights"}]}
	]}`
	subs, err := BOMSubjects([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range subs {
		names = append(names, s.Name+"="+s.SHA256()[:2])
	}
	// The model's own hash duplicates its weights and is not a subject; a
	// path escaping the repository is not a file location.
	if got := strings.Join(names, ","); got != "data/train.parquet=aa,w/x.gguf=cc" {
		t.Fatalf("subjects %s", got)
	}
}

func TestBOMSubjectsRejects(t *testing.T) {
	for name, doc := range map[string]string{
		"xml":      `<bom xmlns="http://cyclonedx.org/schema/bom/1.6"/>`,
		"not json": `{"bomFormat":`,
		"spdx":     `{"spdxVersion":"SPDX-2.3"}`,
		"conflict": `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[
		  {"type":"file","bom-ref":"pkg:generic/a.bin","name":"a","hashes":[{"alg":"SHA-256","content":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}],"properties":[{"name":"mlbom:asset.kind","value":"weights"}]},
		  {"type":"file","bom-ref":"b","name":"b","hashes":[{"alg":"SHA-256","content":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"}],"properties":[{"name":"mlbom:asset.kind","value":"weights"}],"evidence":{"occurrences":[{"location":"a.bin"}]}}]}`,
	} {
		if _, err := BOMSubjects([]byte(doc)); !errors.Is(err, ErrNotBOM) {
			t.Errorf("%s: err = %v, want ErrNotBOM", name, err)
		}
	}
}

func TestSignVerifyRoundTrip(t *testing.T) {
	for _, alg := range []string{keys.Ed25519, keys.ECDSAP256} {
		t.Run(alg, func(t *testing.T) {
			s := newSigner(t, alg)
			env, st, err := SignBOM(demoBOM(t), s)
			if err != nil {
				t.Fatal(err)
			}
			if len(st.Subject) != 2 {
				t.Fatalf("subjects %v", st.Subject)
			}
			v, err := VerifyBOM(env, s.Public())
			if err != nil {
				t.Fatal(err)
			}
			if v.KeyID != s.KeyID() {
				t.Errorf("key id %s, want %s", v.KeyID, s.KeyID())
			}
			var a, b any
			json.Unmarshal(v.BOM, &a)
			json.Unmarshal(demoBOM(t), &b)
			ja, _ := json.Marshal(a)
			jb, _ := json.Marshal(b)
			if string(ja) != string(jb) {
				t.Error("verified BOM differs from the signed one")
			}
			// The envelope is the DSSE JSON envelope with an in-toto v1 statement.
			var raw struct {
				PayloadType string `json:"payloadType"`
				Payload     string `json:"payload"`
			}
			json.Unmarshal(env, &raw)
			payload, _ := base64.StdEncoding.DecodeString(raw.Payload)
			if raw.PayloadType != "application/vnd.in-toto+json" ||
				!strings.HasPrefix(string(payload), `{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"models/sentiment/model.safetensors","digest":{"sha256":"868b78ab`) ||
				!strings.Contains(string(payload), `"predicateType":"https://cyclonedx.org/bom","predicate":{"$schema"`) {
				t.Errorf("unexpected envelope %s / %.200s", raw.PayloadType, payload)
			}
		})
	}
}

// resign re-signs a modified statement with s, as a signer who has the key
// but signs a statement that does not describe its BOM would.
func resign(t *testing.T, env []byte, s *keys.Signer, edit func(st map[string]any)) []byte {
	t.Helper()
	e, err := dsse.Parse(env)
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]any
	if err := json.Unmarshal(e.DecodedPayload(), &st); err != nil {
		t.Fatal(err)
	}
	edit(st)
	payload, _ := json.Marshal(st)
	ne, err := dsse.Sign(e.PayloadType, payload, s)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := ne.Marshal()
	return out
}

// editEnvelope changes the decoded payload or signature bytes and re-encodes,
// as an attacker without the key would.
func editEnvelope(t *testing.T, env []byte, payload func([]byte), sig func([]byte)) []byte {
	t.Helper()
	var m map[string]any
	json.Unmarshal(env, &m)
	p, _ := base64.StdEncoding.DecodeString(m["payload"].(string))
	if payload != nil {
		payload(p)
	}
	m["payload"] = base64.StdEncoding.EncodeToString(p)
	sigs := m["signatures"].([]any)
	s0 := sigs[0].(map[string]any)
	sb, _ := base64.StdEncoding.DecodeString(s0["sig"].(string))
	if sig != nil {
		sig(sb)
	}
	s0["sig"] = base64.StdEncoding.EncodeToString(sb)
	out, _ := json.Marshal(m)
	return out
}

// TestTamperCases: every way an attestation or the files can be wrong fails,
// each with its own error and message.
func TestTamperCases(t *testing.T) {
	for _, alg := range []string{keys.Ed25519, keys.ECDSAP256} {
		t.Run(alg, func(t *testing.T) {
			s := newSigner(t, alg)
			other := newSigner(t, alg)
			env, _, err := SignBOM(demoBOM(t), s)
			if err != nil {
				t.Fatal(err)
			}
			cases := []struct {
				name    string
				env     []byte
				key     *keys.Verifier
				wantErr error
				wantMsg string
			}{
				{"payload byte", editEnvelope(t, env, func(p []byte) {
					i := strings.Index(string(p), "demo-sentiment")
					p[i] = 'D'
				}, nil), s.Public(), ErrSignature, "was altered after signing, or another key signed it"},
				{"signature byte", editEnvelope(t, env, nil, func(sig []byte) {
					if alg == keys.Ed25519 {
						sig[63] |= 0xf0 // scalar no longer reduced
					} else {
						sig[0] ^= 0x01 // DER SEQUENCE tag
					}
				}), s.Public(), ErrSignature, "signature of key"},
				{"wrong key", env, other.Public(), ErrWrongKey, "the envelope names key"},
				{"subject digest", resign(t, env, s, func(st map[string]any) {
					subj := st["subject"].([]any)[0].(map[string]any)
					subj["digest"] = map[string]any{"sha256": strings.Repeat("0", 64)}
				}), s.Public(), ErrSubjects, "has digest 0000000000000000, the BOM says 868b78ab3ffaa6d3"},
				{"wrong predicate type", resign(t, env, s, func(st map[string]any) {
					st["predicateType"] = "https://slsa.dev/provenance/v1"
				}), s.Public(), ErrPredicateType, `"https://slsa.dev/provenance/v1", want "https://cyclonedx.org/bom"`},
				{"not an envelope", []byte(`{"bomFormat":"CycloneDX"}`), s.Public(), ErrMalformed, "payloadType missing"},
				{"statement type", resign(t, env, s, func(st map[string]any) {
					st["_type"] = "https://example.com/Other"
				}), s.Public(), ErrStatement, "_type"},
			}
			msgs := map[string]string{}
			for _, c := range cases {
				_, err := VerifyBOM(c.env, c.key)
				if !errors.Is(err, c.wantErr) || !strings.Contains(err.Error(), c.wantMsg) {
					t.Errorf("%s: err = %v, want %v mentioning %q", c.name, err, c.wantErr, c.wantMsg)
					continue
				}
				if prev, dup := msgs[err.Error()]; dup {
					t.Errorf("%s and %s fail with the same message %q", c.name, prev, err)
				}
				msgs[err.Error()] = c.name
			}
		})
	}
}

// checkout lays out the demo model directory: the safetensors file and the
// real 224-byte content, and the LFS object's place taken by content whose
// hash the test controls.
func checkout(t *testing.T) (root string, subjects []Subject) {
	t.Helper()
	root = t.TempDir()
	dir := filepath.Join(root, "models", "sentiment")
	os.MkdirAll(dir, 0o755)
	src := filepath.Join("..", "..", "examples", "demo-app", "models", "sentiment")
	for _, f := range []string{"model.safetensors", "README.md", "config.json"} {
		b, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, f), b, 0o644)
	}
	weights := []byte("\x80\x02}q\x00.") // stands in for the LFS object
	os.WriteFile(filepath.Join(dir, "pytorch_model.bin"), weights, 0o644)
	subjects = []Subject{
		{Name: "models/sentiment/model.safetensors", Digest: map[string]string{"sha256": "868b78ab3ffaa6d3a26edd426086bd8380f834ff0c1f4ede6c14fd5a338690cc"}},
		{Name: "models/sentiment/pytorch_model.bin", Digest: map[string]string{"sha256": sha(weights)}},
	}
	return root, subjects
}

func statuses(r *FileReport) string {
	var out []string
	for _, f := range r.Files {
		out = append(out, f.Status+":"+f.Name)
	}
	return strings.Join(out, " ")
}

func TestVerifyFiles(t *testing.T) {
	ctx := context.Background()
	root, subjects := checkout(t)
	model := filepath.Join(root, "models", "sentiment")
	all := "ok:models/sentiment/model.safetensors ok:models/sentiment/pytorch_model.bin"
	for name, args := range map[string][]string{
		"repository root":  {root},
		"model directory":  {model},
		"directory above":  {filepath.Dir(root)},
		"files one by one": {filepath.Join(model, "model.safetensors"), filepath.Join(model, "pytorch_model.bin")},
	} {
		t.Run(name, func(t *testing.T) {
			if name == "directory above" {
				// other tests' temp dirs live beside root; use a fresh parent
				parent := t.TempDir()
				os.Rename(root, filepath.Join(parent, "checkout"))
				defer os.Rename(filepath.Join(parent, "checkout"), root)
				args = []string{parent}
			}
			rep, err := VerifyFiles(ctx, subjects, args, FileOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := statuses(rep); got != all || rep.Err() != nil {
				t.Fatalf("got %s (%v), want %s", got, rep.Err(), all)
			}
		})
	}
	if _, err := VerifyFiles(ctx, subjects, []string{filepath.Join(root, "nope")}, FileOptions{}); err == nil {
		t.Error("a path that does not exist is not an error")
	}
}

func TestVerifyFilesProblems(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name   string
		edit   func(model string)
		want   string
		errMsg string
	}{
		{"changed file", func(m string) { os.WriteFile(filepath.Join(m, "model.safetensors"), []byte("evil"), 0o644) },
			"changed:models/sentiment/model.safetensors ok:models/sentiment/pytorch_model.bin", "changed models/sentiment/model.safetensors (sha256 "},
		{"missing file", func(m string) { os.Remove(filepath.Join(m, "pytorch_model.bin")) },
			"ok:models/sentiment/model.safetensors missing:models/sentiment/pytorch_model.bin", "missing models/sentiment/pytorch_model.bin (signed, not found at"},
		{"extra file", func(m string) {
			b, _ := os.ReadFile(filepath.Join(m, "model.safetensors"))
			os.WriteFile(filepath.Join(m, "adapter.safetensors"), b, 0o644)
			os.WriteFile(filepath.Join(m, "notes.txt"), []byte("not a model"), 0o644)
		}, "extra:models/sentiment/adapter.safetensors ok:models/sentiment/model.safetensors ok:models/sentiment/pytorch_model.bin",
			"extra models/sentiment/adapter.safetensors (a model file the signed BOM does not list)"},
		{"LFS pointer not fetched", func(m string) {
			b, _ := os.ReadFile(filepath.Join("..", "..", "examples", "demo-app", "models", "sentiment", "pytorch_model.bin"))
			os.WriteFile(filepath.Join(m, "pytorch_model.bin"), b, 0o644)
		}, "ok:models/sentiment/model.safetensors not-fetched:models/sentiment/pytorch_model.bin", "run git lfs pull"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root, subjects := checkout(t)
			if c.name == "LFS pointer not fetched" {
				subjects[1].Digest["sha256"] = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393"
			}
			model := filepath.Join(root, "models", "sentiment")
			c.edit(model)
			rep, err := VerifyFiles(ctx, subjects, []string{root}, FileOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := statuses(rep); got != c.want {
				t.Fatalf("got %s, want %s", got, c.want)
			}
			err = rep.Err()
			if !errors.Is(err, ErrFiles) || !strings.Contains(err.Error(), c.errMsg) {
				t.Fatalf("err = %v, want ErrFiles mentioning %q", err, c.errMsg)
			}
		})
	}
}

func TestVerifyFilesNotListed(t *testing.T) {
	root, subjects := checkout(t)
	p := filepath.Join(root, "models", "sentiment", "config.json")
	rep, err := VerifyFiles(context.Background(), subjects, []string{p}, FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Files) != 1 || rep.Files[0].Status != FileExtra {
		t.Fatalf("a file the BOM does not list: %s", statuses(rep))
	}
}

func sha(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
