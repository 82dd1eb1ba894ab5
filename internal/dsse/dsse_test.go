package dsse_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/mlbom/autopilot/internal/dsse"
	"github.com/mlbom/autopilot/internal/keys"
)

// The test vector of the DSSE protocol specification (protocol.md, "Test
// Vectors"): PAE bytes, and an ECDSA P-256 signature (raw r||s) made by the
// reference implementation.
const (
	specType    = "http://example.com/HelloWorld"
	specPAE     = "DSSEv1 29 http://example.com/HelloWorld 11 hello world"
	specX       = "46950820868899156662930047687818585632848591499744589407958293238635476079160"
	specY       = "5640078356564379163099075877009565129882514886557779369047442380624545832820"
	specEnvJSON = `{"payload": "aGVsbG8gd29ybGQ=",
 "payloadType": "http://example.com/HelloWorld",
 "signatures": [{"sig": "A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F+FnZ+O88SjtR6rDAajabZKciJTfUiHqJPcIAriEGAHTVeCUjW2JIZA=="}]}`
)

func specVerifier(t testing.TB) *keys.Verifier {
	t.Helper()
	x, _ := new(big.Int).SetString(specX, 10)
	y, _ := new(big.Int).SetString(specY, 10)
	v, err := keys.NewVerifier(&ecdsa.PublicKey{Curve: elliptic.P256(), X: x, Y: y})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestPAESpecVector(t *testing.T) {
	if got := string(dsse.PAE(specType, []byte("hello world"))); got != specPAE {
		t.Fatalf("PAE = %q, want %q", got, specPAE)
	}
	// Lengths are bytes, not runes, and an empty body is "0 ".
	if got := string(dsse.PAE("t", []byte("é"))); got != "DSSEv1 1 t 2 é" {
		t.Errorf("PAE multibyte = %q", got)
	}
	if got := string(dsse.PAE("t", nil)); got != "DSSEv1 1 t 0 " {
		t.Errorf("PAE empty = %q", got)
	}
}

func TestVerifiesSpecEnvelope(t *testing.T) {
	e, err := dsse.Parse([]byte(specEnvJSON))
	if err != nil {
		t.Fatal(err)
	}
	if string(e.DecodedPayload()) != "hello world" {
		t.Fatalf("payload %q", e.DecodedPayload())
	}
	if _, err := e.Verify(specVerifier(t)); err != nil {
		t.Fatalf("spec envelope does not verify: %v", err)
	}
	// The same envelope with a flipped payload byte must not.
	bad := strings.Replace(specEnvJSON, "aGVsbG8gd29ybGQ=", base64.StdEncoding.EncodeToString([]byte("hello worle")), 1)
	e, err = dsse.Parse([]byte(bad))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Verify(specVerifier(t)); !errors.Is(err, dsse.ErrUnsigned) {
		t.Fatalf("tampered spec envelope: %v", err)
	}
}

func TestSignVerifyRoundTrip(t *testing.T) {
	for _, alg := range []string{keys.Ed25519, keys.ECDSAP256} {
		t.Run(alg, func(t *testing.T) {
			k, _ := keys.Generate(alg)
			s, err := keys.NewSigner(k)
			if err != nil {
				t.Fatal(err)
			}
			other, _ := keys.Generate(alg)
			ov, _ := keys.NewVerifier(other.Public())
			e, err := dsse.Sign(dsse.PayloadTypeInToto, []byte(`{"_type":"x"}`), s)
			if err != nil {
				t.Fatal(err)
			}
			data, err := e.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			got, err := dsse.Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			v, err := got.Verify(ov, s.Public())
			if err != nil || v.KeyID() != s.KeyID() {
				t.Fatalf("verify: %v (by %v)", err, v)
			}
			if _, err := got.Verify(ov); !errors.Is(err, dsse.ErrUnsigned) {
				t.Fatalf("wrong key: %v", err)
			}
			// The payload type is signed: changing it breaks the signature.
			var m map[string]any
			json.Unmarshal(data, &m)
			m["payloadType"] = "application/json"
			changed, _ := json.Marshal(m)
			got, err = dsse.Parse(changed)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := got.Verify(s.Public()); !errors.Is(err, dsse.ErrUnsigned) {
				t.Fatalf("changed payloadType verified: %v", err)
			}
		})
	}
}

func TestParseBase64Variants(t *testing.T) {
	k, _ := keys.Generate(keys.ECDSAP256)
	s, _ := keys.NewSigner(k)
	payload := []byte{0xfb, 0xff, 0xfe, '{', '}'} // encodes with + and / in std, - and _ in url
	e, err := dsse.Sign("application/x-test", payload, s)
	if err != nil {
		t.Fatal(err)
	}
	sig, _ := base64.StdEncoding.DecodeString(e.Signatures[0].Sig)
	for name, enc := range map[string]*base64.Encoding{
		"std": base64.StdEncoding, "raw std": base64.RawStdEncoding,
		"url": base64.URLEncoding, "raw url": base64.RawURLEncoding,
	} {
		doc := map[string]any{
			"payloadType": "application/x-test",
			"payload":     enc.EncodeToString(payload),
			"signatures":  []any{map[string]string{"sig": enc.EncodeToString(sig)}},
		}
		data, _ := json.Marshal(doc)
		got, err := dsse.Parse(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := got.Verify(s.Public()); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
}

func TestParseRejects(t *testing.T) {
	cases := map[string]struct{ in, want string }{
		"not json":         {`{`, "not JSON"},
		"array":            {`[]`, "wrong JSON type"},
		"no type":          {`{"payload":"","signatures":[{"sig":"AA=="}]}`, "payloadType missing"},
		"no payload":       {`{"payloadType":"t","signatures":[{"sig":"AA=="}]}`, "payload missing"},
		"bad payload":      {`{"payloadType":"t","payload":"!!","signatures":[{"sig":"AA=="}]}`, "payload is not base64"},
		"no sigs":          {`{"payloadType":"t","payload":""}`, "signatures missing"},
		"empty sigs":       {`{"payloadType":"t","payload":"","signatures":[]}`, "no signatures"},
		"sig not string":   {`{"payloadType":"t","payload":"","signatures":[{"sig":1}]}`, "wrong JSON type"},
		"empty sig":        {`{"payloadType":"t","payload":"","signatures":[{"sig":""}]}`, "sig empty"},
		"bad sig":          {`{"payloadType":"t","payload":"","signatures":[{"sig":"@@"}]}`, "not base64"},
		"type not string":  {`{"payloadType":3,"payload":"","signatures":[{"sig":"AA=="}]}`, "wrong JSON type"},
		"too many sigs":    {`{"payloadType":"t","payload":"","signatures":[` + strings.Repeat(`{"sig":"AA=="},`, 64) + `{"sig":"AA=="}]}`, "more than"},
		"huge keyid":       {`{"payloadType":"t","payload":"","signatures":[{"keyid":"` + strings.Repeat("k", 2000) + `","sig":"AA=="}]}`, "keyid longer"},
		"sigs not array":   {`{"payloadType":"t","payload":"","signatures":{}}`, "wrong JSON type"},
		"null signatures":  {`{"payloadType":"t","payload":"","signatures":null}`, "signatures missing"},
		"payload is array": {`{"payloadType":"t","payload":[],"signatures":[{"sig":"AA=="}]}`, "wrong JSON type"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := dsse.Parse([]byte(c.in))
			if !errors.Is(err, dsse.ErrMalformed) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want ErrMalformed mentioning %q", err, c.want)
			}
		})
	}
}

// FuzzParse: no input panics, and whatever parses re-encodes to an envelope
// that parses to the same payload, type and signatures.
func FuzzParse(f *testing.F) {
	f.Add([]byte(specEnvJSON))
	f.Add([]byte(`{"payloadType":"t","payload":"","signatures":[{"keyid":"","sig":"AA"}]}`))
	f.Add([]byte(`{"payloadType":"t","payload":"-_-_","signatures":[{"sig":"AA=="},{"sig":"AQ"}]}`))
	f.Add([]byte(`{"payloadType":"","payload":null,"signatures":[null]}`))
	v := specVerifier(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := dsse.Parse(data)
		if err != nil {
			if !errors.Is(err, dsse.ErrMalformed) {
				t.Fatalf("error without ErrMalformed: %v", err)
			}
			return
		}
		_, _ = e.Verify(v)
		out, err := e.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		again, err := dsse.Parse(out)
		if err != nil {
			t.Fatalf("re-encoded envelope does not parse: %v\n%s", err, out)
		}
		if string(again.DecodedPayload()) != string(e.DecodedPayload()) || again.PayloadType != e.PayloadType ||
			len(again.Signatures) != len(e.Signatures) {
			t.Fatalf("round trip changed the envelope")
		}
	})
}
