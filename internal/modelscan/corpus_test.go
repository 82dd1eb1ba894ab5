package modelscan

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/mlbom/autopilot/internal/modelformat"
)

type corpusCase struct {
	name      string
	file      string
	data      func(t testing.TB) []byte
	malicious bool
	// want: rules that must appear (the technique was recognised as such)
	want []string
	// status, when set, must match exactly
	status Status
	format string
}

func corpus() []corpusCase {
	tz := func(pkl []byte) func(t testing.TB) []byte {
		return func(t testing.TB) []byte { return torchZip(t, pkl) }
	}
	raw := func(b []byte) func(testing.TB) []byte { return func(testing.TB) []byte { return b } }
	return []corpusCase{
		{name: "zip of several models", file: "bundle.zip", data: func(t testing.TB) []byte {
			return buildZip(t, zmember{name: "a/model.safetensors", data: safetensors(nil)}, zmember{name: "b/model.pt", data: torchZip(t, torchStateDict("w"))},
				zmember{name: "c/clf.joblib", data: gz(sklearnJoblib(nil)), method: 8}, zmember{name: "README.md", data: []byte("# models\n")})
		}, status: StatusClean, format: "zip"},
		// ---- benign: ordinary checkpoints and data files ----
		{name: "torch zip state_dict", file: "pytorch_model.bin", data: tz(torchStateDict("encoder.weight", "encoder.bias")), status: StatusClean, format: "pytorch-zip"},
		{name: "state_dict pickle", file: "model.pkl", data: raw(torchStateDict("w")), status: StatusClean, format: "pickle"},
		{name: "torch legacy format", file: "old.pt", data: raw(legacyTorch(torchStateDict("w"))), status: StatusClean, format: "pytorch-legacy"},
		{name: "torch legacy tar", file: "ancient.tar", data: func(t testing.TB) []byte {
			m := map[string][]byte{"sys_info": newPk(2).op('}').stop(), "pickle": torchStateDict("w"), "storages": newPk(2).int1(1).stop(), "tensors": newPk(2).int1(0).stop()}
			return tarOf(t, m, "sys_info", "pickle", "storages", "tensors")
		}, status: StatusClean, format: "pytorch-legacy"},
		{name: "torchscript archive", file: "scripted.pt", data: func(t testing.TB) []byte {
			data := newPk(2).global("__torch__.Net", "Net").op(')', 0x81).op('}').str("training").op(0x88, 's', 'b').stop()
			return buildZip(t,
				zmember{name: "scripted/data.pkl", data: data},
				zmember{name: "scripted/code/__torch__.py", data: []byte("class Net(Module):\n  __parameters__ = []\n  def forward(self: __torch__.Net, x: Tensor) -> Tensor:\n    return torch.relu(x)\n")},
				zmember{name: "scripted/constants.pkl", data: newPk(2).op(')').stop()},
				zmember{name: "scripted/version", data: []byte("1\n")},
			)
		}, status: StatusClean, format: "torchscript"},
		{name: "numpy npy float array", file: "x.npy", data: raw(npy("<f8", "(2, 3)", make([]byte, 48))), status: StatusClean, format: "npy"},
		{name: "numpy npz", file: "arrays.npz", data: func(t testing.TB) []byte {
			return buildZip(t, zmember{name: "a.npy", data: npy("<f4", "(3,)", make([]byte, 12)), method: 8}, zmember{name: "b.npy", data: npy("<i8", "()", make([]byte, 8))})
		}, status: StatusClean, format: "npz"},
		{name: "numpy reconstruct pickle", file: "arr.pkl", data: raw(numpyReconstruct(newPk(2)).stop()), status: StatusClean},
		{name: "numpy protocol 5 frombuffer", file: "arr5.pkl", data: raw(protocol5Frombuffer()), status: StatusClean},
		{name: "sklearn joblib", file: "clf.joblib", data: raw(sklearnJoblib(nil)), status: StatusClean},
		{name: "sklearn joblib xz", file: "clf.joblib", data: func(t testing.TB) []byte { return xzc(t, sklearnJoblib(nil)) }, status: StatusClean, format: "joblib"},
		{name: "sklearn joblib zlib", file: "clf.joblib", data: raw(zl(sklearnJoblib(nil))), status: StatusClean, format: "joblib"},
		{name: "gzip state_dict", file: "model.pkl", data: raw(gz(torchStateDict("w"))), status: StatusClean, format: "gzip"},
		{name: "safetensors", file: "model.safetensors", data: raw(safetensors(nil)), status: StatusClean, format: "safetensors"},
		{name: "gguf with chat template", file: "model.gguf", data: raw(benignGGUF(chatMLTemplate)), status: StatusClean, format: "gguf"},
		{name: "keras archive", file: "model.keras", data: func(t testing.TB) []byte { return kerasArchive(t, kerasDense) }, status: StatusClean, format: "keras"},
		{name: "keras h5", file: "model.h5", data: raw(hdf5WithConfig(kerasDense)), status: StatusClean, format: "hdf5"},
		{name: "savedmodel", file: "saved_model.pb", data: raw(savedModel("Placeholder", "MatMul", "Const", "SaveV2", "RestoreV2")), status: StatusClean, format: "savedmodel"},
		{name: "onnx", file: "model.onnx", data: raw(onnxModel("", "model.onnx.data")), status: StatusClean, format: "onnx"},

		{name: "storage _load_from_bytes", file: "s.pkl", data: func(t testing.TB) []byte {
			return newPk(2).global("torch.storage", "_load_from_bytes").op('(').bytesOp(torchZip(t, torchStateDict("w"))).op('t', 'R').stop()
		}, status: StatusClean},

		// ---- malicious ----
		{name: "os.system REDUCE", file: "m.pkl", data: raw(osSystem()), malicious: true, want: []string{"pickle.denylisted-global"}},
		{name: "protocol 0 GLOBAL+REDUCE", file: "m.pkl", data: raw(protocol0OsSystem()), malicious: true, want: []string{"pickle.denylisted-global"}},
		{name: "STACK_GLOBAL via memo", file: "m.pkl", data: raw(stackGlobalMemo()), malicious: true, want: []string{"pickle.denylisted-global"}},
		{name: "headerless protocol 4", file: "m.bin", data: raw(stackGlobalMemo()[2:]), malicious: true, want: []string{"pickle.denylisted-global"}},
		{name: "headerless truncated", file: "m.bin", data: raw(newPk(0).sstr("nt").sstr("system").op(0x93).sstr("id").op(0x85, 'R').Bytes()), malicious: true, want: []string{"pickle.denylisted-global"}},
		{name: "INST", file: "m.pkl", data: raw(instPickle()), malicious: true, want: []string{"pickle.denylisted-global"}},
		{name: "OBJ", file: "m.pkl", data: raw(objPickle()), malicious: true, want: []string{"pickle.denylisted-global"}},
		{name: "NEWOBJ_EX", file: "m.pkl", data: raw(newobjEx()), malicious: true, want: []string{"pickle.denylisted-global"}},
		{name: "EXT1 called", file: "m.pkl", data: raw(extPickle()), malicious: true, want: []string{"pickle.ext-call", "pickle.ext-code"}},
		{name: "EXT4", file: "m.pkl", data: raw(ext4Pickle()), malicious: true, want: []string{"pickle.ext-code"}},
		{name: "builtins.getattr chain", file: "m.pkl", data: raw(getattrChain()), malicious: true, want: []string{"pickle.denylisted-global"}},
		{name: "nested pickle.loads", file: "m.pkl", data: raw(nestedLoads()), malicious: true, want: []string{"pickle.denylisted-global"}},
		{name: "marshal + FunctionType", file: "m.pkl", data: raw(marshalFunction()), malicious: true, want: []string{"pickle.denylisted-global"}},
		{name: "dotted traversal from torch", file: "m.pkl", data: raw(dottedTraversal()), malicious: true, want: []string{"pickle.denylisted-global"}},
		{name: "BUILD on a global", file: "m.pkl", data: raw(buildOnGlobal()), malicious: true, want: []string{"pickle.build-on-global"}},
		{name: "broken stream after REDUCE", file: "m.pkl", data: raw(brokenAfterReduce()), malicious: true, want: []string{"pickle.denylisted-global", "pickle.broken-stream"}},
		{name: "truncated after REDUCE", file: "m.pkl", data: raw(truncatedAfterReduce()), malicious: true, want: []string{"pickle.denylisted-global", "pickle.broken-stream"}},
		{name: "second stream after STOP", file: "m.pkl", data: raw(secondStream()), malicious: true, want: []string{"pickle.denylisted-global", "pickle.multiple-streams"}},
		{name: "torch zip with os.system data.pkl", file: "model.pt", data: tz(osSystem()), malicious: true, want: []string{"pickle.denylisted-global"}},
		{name: "torch zip extra pickle member", file: "model.pt", data: func(t testing.TB) []byte {
			return buildZip(t, zmember{name: "archive/data.pkl", data: torchStateDict("w")}, zmember{name: "archive/extra/payload.pkl", data: osSystem(), method: 8})
		}, malicious: true, want: []string{"pickle.denylisted-global"}},
		{name: "pickle hidden under data/", file: "model.pt", data: func(t testing.TB) []byte {
			return buildZip(t, zmember{name: "archive/data.pkl", data: torchStateDict("w")}, zmember{name: "archive/data/x.pkl", data: osSystem()})
		}, malicious: true, want: []string{"pickle.denylisted-global"}},
		{name: "zip duplicate member", file: "model.pt", data: func(t testing.TB) []byte {
			return buildZip(t, zmember{name: "archive/data.pkl", data: torchStateDict("w")}, zmember{name: "archive/data.pkl", data: stackGlobalMemo()}, zmember{name: "archive/version", data: []byte("3\n")})
		}, malicious: true, want: []string{"zip.duplicate-member", "pickle.denylisted-global"}},
		{name: "zip local/central mismatch", file: "model.pt", data: func(t testing.TB) []byte {
			return patchLocalName(torchZip(t, torchStateDict("w")), "archive/data.pkl", "archive/data.pkX")
		}, malicious: true, want: []string{"zip.header-mismatch"}},
		{name: "zip encrypted flag", file: "model.pt", data: func(t testing.TB) []byte {
			return setFlags(torchZip(t, torchStateDict("w")), "archive/data.pkl", 1)
		}, malicious: true, want: []string{"zip.encryption-flag"}},
		{name: "zip crc mismatch", file: "model.pt", data: func(t testing.TB) []byte {
			z := torchZip(t, torchStateDict("weight"))
			i := bytes.Index(z, []byte("weight"))
			z[i] = 'W'
			return z
		}, malicious: true, want: []string{"zip.crc-mismatch"}},
		{name: "zip bomb", file: "arrays.npz", data: func(t testing.TB) []byte {
			return buildZip(t, zmember{name: "a.npy", data: npy("<f8", "(1048576,)", make([]byte, 8<<20)), method: 8})
		}, malicious: true, want: []string{"zip.bomb"}},
		{name: "extension mismatch", file: "model.safetensors", data: raw(torchStateDict("w")), malicious: true, want: []string{"format.extension-mismatch"}},
		{name: "gzip-wrapped", file: "m.pkl.gz", data: raw(gz(osSystem())), malicious: true, want: []string{"pickle.denylisted-global"}},
		{name: "bzip2-wrapped", file: "m.pkl.bz2", data: bz2OsSystem, malicious: true, want: []string{"pickle.denylisted-global"}},
		{name: "xz-wrapped", file: "m.joblib", data: func(t testing.TB) []byte { return xzc(t, osSystem()) }, malicious: true, want: []string{"pickle.denylisted-global"}},
		{name: "lzma-wrapped", file: "m.joblib", data: func(t testing.TB) []byte { return lzmac(t, osSystem()) }, malicious: true, want: []string{"pickle.denylisted-global"}},
		{name: "zstd-wrapped", file: "m.pkl", data: func(t testing.TB) []byte { return zstdc(t, osSystem()) }, malicious: true, want: []string{"pickle.denylisted-global"}},
		{name: "joblib ZF zlib", file: "m.pkl", data: raw(append([]byte("ZF0x18"+strings.Repeat(" ", 15)), zl(osSystem())...)), malicious: true, want: []string{"pickle.denylisted-global"}},
		{name: "joblib object array", file: "clf.joblib", data: raw(sklearnJoblib(osSystem())), malicious: true, want: []string{"pickle.denylisted-global"}},
		{name: "joblib array hiding opcodes", file: "clf.joblib", data: func(t testing.TB) []byte {
			raw := append([]byte("cos\nsystem\n(S'id'\ntR."), make([]byte, 40)...)
			return sklearnJoblibRaw(nil, raw[:64])
		}, malicious: true, want: []string{"pickle.hidden-in-array"}},
		{name: "npy object array", file: "x.npy", data: raw(npy("|O", "(1,)", osSystem())), malicious: true, want: []string{"pickle.denylisted-global", "npy.object-array"}},
		{name: "npz object array", file: "x.npz", data: func(t testing.TB) []byte {
			return buildZip(t, zmember{name: "a.npy", data: npy("|O", "(1,)", getattrChain()), method: 8})
		}, malicious: true, want: []string{"pickle.denylisted-global"}},
		{name: "torch legacy malicious", file: "old.pt", data: raw(legacyTorch(osSystem())), malicious: true, want: []string{"pickle.denylisted-global"}},
		{name: "torch tar malicious", file: "ancient.tar", data: func(t testing.TB) []byte {
			m := map[string][]byte{"sys_info": newPk(2).op('}').stop(), "pickle": instPickle()}
			return tarOf(t, m, "sys_info", "pickle")
		}, malicious: true, want: []string{"pickle.denylisted-global"}},
		{name: "torchscript importing os", file: "scripted.pt", data: func(t testing.TB) []byte {
			return buildZip(t,
				zmember{name: "s/data.pkl", data: newPk(2).op(')').stop()},
				zmember{name: "s/code/__torch__.py", data: []byte("import os\ndef forward(self, x):\n  os.system('id')\n  return x\n")},
			)
		}, malicious: true, want: []string{"torchscript.python-code"}},
		{name: "keras Lambda", file: "model.keras", data: func(t testing.TB) []byte { return kerasArchive(t, kerasLambda) }, malicious: true, want: []string{"keras.lambda"}},
		{name: "keras foreign module", file: "model.keras", data: func(t testing.TB) []byte { return kerasArchive(t, kerasForeign) }, malicious: true, want: []string{"keras.denylisted-module"}},
		{name: "keras h5 Lambda", file: "model.h5", data: raw(hdf5WithConfig(kerasLambda)), malicious: true, want: []string{"keras.lambda"}},
		{name: "gguf jinja gadget", file: "model.gguf", data: raw(benignGGUF(jinjaGadget)), malicious: true, want: []string{"gguf.jinja-gadget"}},
		{name: "small savedmodel PyFunc", file: "model.pb", data: raw(pbBytes(2, pbBytes(2, pbBytes(1, pbBytes(1, []byte("n")), pbBytes(2, []byte("PyFunc")))))), malicious: true, want: []string{"tf.dangerous-op"}, format: modelformat.SavedModel},
		{name: "savedmodel EagerPyFunc in library", file: "saved_model.pb", data: raw(append(pbVarint(1, 1), pbBytes(2, pbBytes(2, pbBytes(2, pbBytes(1, pbBytes(1, []byte("f")), pbBytes(3, pbBytes(1, []byte("n")), pbBytes(2, []byte("EagerPyFunc")))))))...)), malicious: true, want: []string{"tf.dangerous-op"}},
		{name: "savedmodel PyFunc", file: "saved_model.pb", data: raw(savedModel("Placeholder", "PyFunc")), malicious: true, want: []string{"tf.dangerous-op"}},
		{name: "onnx external data traversal", file: "model.onnx", data: raw(onnxModel("", "../../../etc/passwd")), malicious: true, want: []string{"onnx.external-data-traversal"}},
		{name: "storage _load_from_bytes payload", file: "s.pkl", data: func(t testing.TB) []byte {
			return newPk(2).global("torch.storage", "_load_from_bytes").op('(').bytesOp(torchZip(t, stackGlobalMemo())).op('t', 'R').stop()
		}, malicious: true, want: []string{"pickle.denylisted-global"}},
		{name: "pickle/zip polyglot", file: "model.pt", data: func(t testing.TB) []byte {
			return append(torchStateDict("w"), buildZip(t, zmember{name: "archive/data.pkl", data: osSystem()})...)
		}, malicious: true, want: []string{"format.polyglot", "pickle.denylisted-global"}},
		{name: "7z with os.system pickle", file: "model.7z", data: readFile("../../bench/modelscan/samples/generated/7z/malicious_lzma2.7z"), malicious: true, want: []string{"pickle.denylisted-global"}, format: "7z"},
		{name: "7z stored with os.system pickle", file: "model.7z", data: readFile("../../bench/modelscan/samples/generated/7z/malicious_copy.7z"), malicious: true, want: []string{"pickle.denylisted-global"}},
		{name: "picklescan 7z", file: "malicious1.7z", data: readFile("../../bench/modelscan/samples/public/mmaitre314+picklescan/tests/data/malicious1.7z"), malicious: true, want: []string{"pickle.denylisted-global"}},
		{name: "7z truncated", file: "model.7z", data: raw(append([]byte("7z\xbc\xaf\x27\x1c\x00\x04"), make([]byte, 64)...)), malicious: true, want: []string{"7z.malformed"}, status: StatusSuspicious},
	}
}

func hasRule(r Report, rule string) bool {
	for _, f := range r.Findings {
		if f.Rule == rule {
			return true
		}
	}
	return false
}

// TestCorpus scans every fixture, checks each technique is recognised, and
// computes detection rate (malicious fixtures flagged ≥ high, or reported
// unscannable where that is the honest verdict) and false-positive rate
// (benign fixtures flagged ≥ medium).
func TestCorpus(t *testing.T) {
	var mal, detected, ben, fp int
	for _, c := range corpus() {
		data := c.data(t)
		r := scanBytes(t, c.file, data)
		worst := Worst([]Report{r})
		t.Logf("%-36s %-14s %-11s worst=%-8s findings=%d", c.name, r.Format, r.Status, worst, len(r.Findings))
		if c.malicious {
			mal++
			ok := worst.AtLeast(SeverityHigh) || (c.status != "" && c.status == r.Status)
			if ok {
				detected++
			} else {
				t.Errorf("%s: not detected: status %s worst %q findings %+v", c.name, r.Status, worst, r.Findings)
			}
		} else {
			ben++
			if worst.AtLeast(SeverityMedium) {
				fp++
				t.Errorf("%s: false positive: status %s findings %+v", c.name, r.Status, r.Findings)
			}
		}
		for _, w := range c.want {
			if !hasRule(r, w) {
				t.Errorf("%s: rule %s missing; findings %+v", c.name, w, r.Findings)
			}
		}
		if c.status != "" && r.Status != c.status {
			t.Errorf("%s: status %s, want %s (findings %+v, error %q)", c.name, r.Status, c.status, r.Findings, r.Error)
		}
		if c.format != "" && r.Format != c.format {
			t.Errorf("%s: format %s, want %s", c.name, r.Format, c.format)
		}
	}
	t.Logf("detection rate: %d/%d = %.1f%%", detected, mal, 100*float64(detected)/float64(mal))
	t.Logf("false-positive rate: %d/%d = %.1f%%", fp, ben, 100*float64(fp)/float64(ben))
	if detected != mal || fp != 0 {
		t.Fatalf("detection %d/%d, false positives %d/%d", detected, mal, fp, ben)
	}
}

func readFile(path string) func(testing.TB) []byte {
	return func(t testing.TB) []byte {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
}
