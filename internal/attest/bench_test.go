package attest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/mlbom/autopilot/internal/keys"
)

// bigBOM is a CycloneDX BOM with n components, a tenth of them weight files
// with a SHA-256 (so n/10 subjects), the rest models and libraries with
// properties, as a large monorepo scan produces.
func bigBOM(b testing.TB, n int) []byte {
	b.Helper()
	comps := make([]map[string]any, 0, n)
	for i := 0; i < n; i++ {
		c := map[string]any{
			"type": "library", "bom-ref": fmt.Sprintf("pkg:pypi/lib%d@1.%d.0", i, i%7), "name": fmt.Sprintf("lib%d", i),
			"version": fmt.Sprintf("1.%d.0", i%7), "purl": fmt.Sprintf("pkg:pypi/lib%d@1.%d.0", i, i%7),
			"properties": []map[string]string{{"name": "mlbom:asset.kind", "value": "framework"}, {"name": "mlbom:confidence", "value": "0.90"}},
		}
		if i%10 == 0 {
			sum := sha256.Sum256([]byte(fmt.Sprint(i)))
			p := fmt.Sprintf("models/m%d/model-%05d.safetensors", i/100, i)
			c = map[string]any{
				"type": "file", "bom-ref": "pkg:generic/" + p, "name": p,
				"hashes":     []map[string]string{{"alg": "SHA-256", "content": hex.EncodeToString(sum[:])}},
				"properties": []map[string]string{{"name": "mlbom:asset.kind", "value": "weights"}, {"name": "mlbom:weights.format", "value": "safetensors"}},
				"evidence":   map[string]any{"occurrences": []map[string]string{{"location": p}}},
			}
		}
		comps = append(comps, c)
	}
	doc := map[string]any{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": comps}
	data, err := json.Marshal(doc)
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkSignBOM10k / BenchmarkVerifyBOM10k: sign and verify a BOM of
// 10,000 components (1,000 file subjects), ECDSA P-256 and Ed25519.
func BenchmarkSignBOM10k(b *testing.B) {
	data := bigBOM(b, 10000)
	for _, alg := range []string{keys.ECDSAP256, keys.Ed25519} {
		b.Run(alg, func(b *testing.B) {
			s := newSigner(b, alg)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := SignBOM(data, s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerifyBOM10k(b *testing.B) {
	data := bigBOM(b, 10000)
	for _, alg := range []string{keys.ECDSAP256, keys.Ed25519} {
		b.Run(alg, func(b *testing.B) {
			s := newSigner(b, alg)
			env, _, err := SignBOM(data, s)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(env)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := VerifyBOM(env, s.Public()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
