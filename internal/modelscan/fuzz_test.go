package modelscan

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fuzzScan runs the whole engine on data and fails on an internal error
// (a recovered panic) or a missing verdict. The time budget bounds hangs.
func fuzzScan(t *testing.T, name string, data []byte) {
	opts := DefaultOptions()
	opts.TimeBudget = 5 * time.Second
	opts.Hash = false
	opts.MaxMemberSize = 64 << 20
	opts.MaxTotalUncompressed = 128 << 20
	r := Scan(context.Background(), name, bytes.NewReader(data), int64(len(data)), opts)
	if strings.Contains(r.Error, "internal error") {
		t.Fatalf("panic on %q: %s", data, r.Error)
	}
	switch r.Status {
	case StatusClean, StatusSuspicious, StatusMalicious, StatusUnscannable, StatusError:
	default:
		t.Fatalf("status %q", r.Status)
	}
	if r.Status == StatusClean && Worst([]Report{r}).AtLeast(SeverityMedium) {
		t.Fatalf("clean with findings %+v", r.Findings)
	}
}

func FuzzPickle(f *testing.F) {
	for _, s := range [][]byte{osSystem(), protocol0OsSystem(), instPickle(), objPickle(), stackGlobalMemo(), newobjEx(),
		extPickle(), getattrChain(), nestedLoads(), marshalFunction(), brokenAfterReduce(), secondStream(),
		torchStateDict("a", "b"), sklearnJoblib(nil), sklearnJoblib(osSystem()), protocol5Frombuffer(), legacyTorch(torchStateDict("w"))} {
		f.Add(s)
	}
	for _, p := range []string{"benign/numpy_p5.pkl", "benign/builtins_p0.pkl", "benign/sklearn.joblib", "benign/state_dict_legacy.pt"} {
		if b, err := os.ReadFile(filepath.Join("testdata", "real", p)); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// decode directly (no sniffing) so every input exercises the decoder
		s := &scanner{ctx: context.Background(), opts: DefaultOptions(), rep: &reporter{max: 100}}
		ps := s.pickleScannerFor("", 0)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		ps.ctx = ctx
		ps.scanPickles(bytes.NewReader(data), kindPlain)
		fuzzScan(t, "f.pkl", data)
	})
}

func FuzzZip(f *testing.F) {
	f.Add(torchZip(f, torchStateDict("w")))
	f.Add(patchLocalName(torchZip(f, osSystem()), "archive/data.pkl", "archive/data.pkX"))
	f.Add(setFlags(torchZip(f, torchStateDict("w")), "archive/data.pkl", 1))
	f.Add(kerasArchive(f, kerasLambda))
	f.Add(buildZip(f, zmember{name: "a.npy", data: npy("|O", "(1,)", osSystem()), method: 8}))
	f.Add(buildZip(f, zmember{name: "x.pkl", data: gz(osSystem())}, zmember{name: "x.pkl", data: osSystem(), method: 8}))
	for _, p := range []string{"benign/scripted.pt", "benign/state_dict_zip.pt", "benign/arrays_compressed.npz"} {
		if b, err := os.ReadFile(filepath.Join("testdata", "real", p)); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzScan(t, "f.zip", data)
	})
}

func FuzzSafetensors(f *testing.F) {
	f.Add(safetensors(nil))
	f.Add(safetensors([]byte("junk")))
	f.Add([]byte("\x02\x00\x00\x00\x00\x00\x00\x00{}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzScan(t, "f.safetensors", data)
		s := &scanner{ctx: context.Background(), opts: DefaultOptions(), rep: &reporter{max: 100}}
		s.scanSafetensors("", bytes.NewReader(data), int64(len(data)))
	})
}

func FuzzGGUF(f *testing.F) {
	f.Add(benignGGUF(chatMLTemplate))
	f.Add(benignGGUF(jinjaGadget))
	f.Add([]byte("GGUF\x03\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s := &scanner{ctx: context.Background(), opts: DefaultOptions(), rep: &reporter{max: 100}}
		s.scanGGUF("", bytes.NewReader(data), int64(len(data)))
		fuzzScan(t, "f.gguf", data)
	})
}

func FuzzNpy(f *testing.F) {
	f.Add(npy("<f8", "(2, 3)", make([]byte, 48)))
	f.Add(npy("|O", "(1,)", osSystem()))
	f.Add(npy("[('a', '<f4'), ('b', '|O')]", "(1,)", osSystem()))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzScan(t, "f.npy", data)
	})
}

func FuzzProtobuf(f *testing.F) {
	f.Add(onnxModel("", "w.bin"), true)
	f.Add(onnxModel("com.x", "../etc/passwd"), true)
	f.Add(savedModel("Placeholder", "PyFunc"), false)
	if b, err := os.ReadFile(filepath.Join("testdata", "real", "benign", "exported.onnx")); err == nil {
		f.Add(b, true)
	}
	f.Fuzz(func(t *testing.T, data []byte, onnx bool) {
		s := &scanner{ctx: context.Background(), opts: DefaultOptions(), rep: &reporter{max: 100}}
		if onnx {
			s.scanONNX("", bytes.NewReader(data), int64(len(data)))
		} else {
			s.scanSavedModel("", bytes.NewReader(data), int64(len(data)))
		}
	})
}

// FuzzTemplate: the Jinja2 parser and analysis never panic or hang on
// hostile templates.
func FuzzTemplate(f *testing.F) {
	for _, s := range []string{chatMLTemplate, "{{ ''.__class__.__mro__[1].__subclasses__() }}", "{% set a = '__cla' ~ 'ss__' %}{{ ()|attr(a) }}",
		"{% macro f(x) %}{{ f(x) }}{% endmacro %}{{ f(1) }}", "{% for x in y if x %}{% raw %}{{{% endraw %}{% endfor %}", "{{ '{0.__class__}'.format(x) }}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		analyzeTemplate(src)
	})
}

// FuzzSevenZip: hostile 7z archives cost bounded work and never panic.
func FuzzSevenZip(f *testing.F) {
	for _, p := range []string{"generated/7z/malicious_lzma2.7z", "generated/7z/malicious_copy.7z", "generated/7z/benign_weights.7z", "public/mmaitre314+picklescan/tests/data/malicious1.7z"} {
		if b, err := os.ReadFile("../../bench/modelscan/samples/" + p); err == nil {
			f.Add(b)
		}
	}
	opts := DefaultOptions()
	opts.MaxTotalUncompressed, opts.MaxMemberSize, opts.TimeBudget = 8<<20, 4<<20, 5*time.Second
	f.Fuzz(func(t *testing.T, data []byte) {
		Scan(context.Background(), "f.7z", bytes.NewReader(data), int64(len(data)), opts)
	})
}
