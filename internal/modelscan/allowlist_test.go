package modelscan

import (
	"strings"
	"testing"
)

// TestAllowlistEntries exercises every entry of allowlist.json: the global
// (or the family's example) is judged allowed, a pickle that constructs it
// scans clean, and each entry says which library writes it and why it
// runs no code.
func TestAllowlistEntries(t *testing.T) {
	if len(allowlist.entries) < 100 {
		t.Fatalf("allowlist has %d entries", len(allowlist.entries))
	}
	for _, e := range allowlist.entries {
		name := e.Global
		if name == "" {
			name = e.Example
			if !strings.HasPrefix(name, e.Prefix) {
				t.Errorf("prefix %s: example %q is not in the family", e.Prefix, name)
				continue
			}
		}
		t.Run(name, func(t *testing.T) {
			if e.Family == "" || len(e.Why) < 8 {
				t.Errorf("entry without family or reason: %+v", e)
			}
			i := strings.LastIndexByte(name, '.')
			mod, fn := name[:i], name[i+1:]
			if v, why := judgeGlobal(mod, fn); v != verdictAllowed {
				t.Fatalf("judged %d (%s)", v, why)
			}
			r := scanBytes(t, "model.pkl", newPk(2).global(mod, fn).op(')', 'R').stop())
			if r.Status != StatusClean {
				t.Errorf("status %s: %+v", r.Status, r.Findings)
			}
		})
	}
}

// Dangerous names stay dangerous inside allowed families, and names on no
// list stay suspicious.
func TestAllowlistBoundaries(t *testing.T) {
	tests := []struct {
		mod, name string
		want      verdict
	}{
		{"sklearn.utils", "run", verdictRisky},
		{"torch.nn.modules.module", "load", verdictRisky},
		{"torch.hub", "load", verdictDenied},
		{"torch.utils.collect_env", "run", verdictDenied},
		{"numpy.f2py.crackfortran", "getlincoef", verdictDenied},
		{"pandas.io.pickle", "read_pickle", verdictDenied},
		{"xgboost.core", "_load_lib", verdictUnknown},
		{"ultralytics.nn.tasks", "DetectionModel", verdictUnknown},
		{"logging", "FileHandler", verdictDenied},
	}
	for _, tc := range tests {
		if v, why := judgeGlobal(tc.mod, tc.name); v != tc.want {
			t.Errorf("%s.%s: %d, want %d (%s)", tc.mod, tc.name, v, tc.want, why)
		}
	}
}
