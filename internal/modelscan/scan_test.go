package modelscan

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestJudgeGlobal(t *testing.T) {
	tests := []struct {
		mod, name string
		want      verdict
	}{
		{"torch._utils", "_rebuild_tensor_v2", verdictAllowed},
		{"torch", "FloatStorage", verdictAllowed},
		{"torch", "bfloat16", verdictAllowed},
		{"torch", "uint4", verdictAllowed},
		{"torch.cuda", "HalfStorage", verdictAllowed},
		{"torch", "FloatTensor", verdictAllowed},
		{"torch.serialization", "_get_layout", verdictAllowed},
		{"torch", "integer_exec", verdictUnknown},
		{"torch", "from_file", verdictDenied},
		{"numpy", "memmap", verdictDenied},
		{"collections", "OrderedDict", verdictAllowed},
		{"numpy.core.multiarray", "_reconstruct", verdictAllowed},
		{"numpy._core.multiarray", "_reconstruct", verdictAllowed},
		{"_codecs", "encode", verdictAllowed},
		{"__builtin__", "set", verdictAllowed},
		{"copy_reg", "_reconstructor", verdictAllowed},
		{"os", "system", verdictDenied},
		{"posix", "system", verdictDenied},
		{"nt", "system", verdictDenied},
		{"subprocess", "Popen", verdictDenied},
		{"builtins", "eval", verdictDenied},
		{"__builtin__", "getattr", verdictDenied},
		{"runpy", "run_path", verdictDenied},
		{"pip._internal", "main", verdictDenied},
		{"importlib", "import_module", verdictDenied},
		{"pkgutil", "resolve_name", verdictDenied},
		{"types", "FunctionType", verdictDenied},
		{"marshal", "loads", verdictDenied},
		{"asyncio.subprocess", "create_subprocess_shell", verdictDenied},
		{"webbrowser", "open", verdictDenied},
		{"socket", "create_connection", verdictDenied},
		{"shutil", "rmtree", verdictDenied},
		{"sys", "modules", verdictDenied},
		{"code", "interact", verdictDenied},
		{"pty", "spawn", verdictDenied},
		{"ctypes", "CDLL", verdictDenied},
		{"_pickle", "loads", verdictDenied},
		{"cPickle", "loads", verdictDenied},
		{"torch", "load", verdictDenied},
		{"numpy", "load", verdictDenied},
		{"operator", "attrgetter", verdictDenied},
		{"functools", "partial", verdictDenied},
		{"numpy.testing._private.utils", "runstring", verdictDenied},
		{"torch.serialization", "os.system", verdictDenied},
		{"collections", "OrderedDict.fromkeys", verdictRisky},
		{"mypkg", "Net", verdictUnknown},
		{"__main__", "Model", verdictUnknown},
		{"mypkg", "run_command", verdictUnknown},
		{"mypkg.tools", "exec_cmd", verdictRisky},
		{"evil", "system", verdictRisky},
		{"sklearn.linear_model._logistic", "LogisticRegression", verdictAllowed},
		{"bad module", "x", verdictInvalid},
		{"os\x00", "system", verdictInvalid},
	}
	for _, tc := range tests {
		if got, why := judgeGlobal(tc.mod, tc.name); got != tc.want {
			t.Errorf("judgeGlobal(%q, %q) = %d (%s), want %d", tc.mod, tc.name, got, why, tc.want)
		}
	}
}

func TestFindingCarriesOffsetOpcodeGlobal(t *testing.T) {
	r := scanBytes(t, "evil.pkl", osSystem())
	if r.Status != StatusMalicious || len(r.Findings) != 1 {
		t.Fatalf("status %s findings %+v", r.Status, r.Findings)
	}
	f := r.Findings[0]
	// \x80\x02 (2) + "cos\nsystem\n" (11) + "(" + X len "id" (7) + "t" = REDUCE at 22
	if f.Offset != 22 || f.Opcode != "REDUCE" || f.Global != "os.system" || f.File != "evil.pkl" {
		t.Fatalf("finding %+v", f)
	}
	if !strings.Contains(f.Reason, "GLOBAL at offset 2") {
		t.Fatalf("reason %q does not name the import site", f.Reason)
	}
}

func TestStackGlobalResolvedThroughMemo(t *testing.T) {
	r := scanBytes(t, "m.pkl", stackGlobalMemo())
	if len(r.Findings) == 0 || r.Findings[0].Global != "posix.system" || r.Findings[0].Opcode != "REDUCE" {
		t.Fatalf("findings %+v", r.Findings)
	}
}

func TestNestedPayloadIsScanned(t *testing.T) {
	r := scanBytes(t, "m.pkl", nestedLoads())
	var inner bool
	for _, f := range r.Findings {
		if f.Global == "os.system" && strings.HasPrefix(f.Member, "pickle.loads@") {
			inner = true
		}
	}
	if !inner {
		t.Fatalf("nested os.system not reported inside the payload: %+v", r.Findings)
	}
}

// TestEveryOpcode decodes a benign pickle using every opcode of protocols
// 0-5 (EXT codes aside, which are always flagged) and expects no finding.
func TestEveryOpcode(t *testing.T) {
	type seg struct {
		names []string
		b     []byte
	}
	u32 := func(n int) []byte { return binary.LittleEndian.AppendUint32(nil, uint32(n)) }
	u64 := func(n int) []byte { return binary.LittleEndian.AppendUint64(nil, uint64(n)) }
	cat := func(parts ...any) []byte {
		var b []byte
		for _, p := range parts {
			switch v := p.(type) {
			case string:
				b = append(b, v...)
			case []byte:
				b = append(b, v...)
			case byte:
				b = append(b, v)
			case rune:
				b = append(b, byte(v))
			case int:
				b = append(b, byte(v))
			}
		}
		return b
	}
	segs := []seg{
		{[]string{"PROTO"}, []byte{0x80, 5}},
		{[]string{"FRAME"}, cat(0x95, u64(0))},
		{[]string{"EMPTY_LIST", "MEMOIZE", "MARK"}, []byte{']', 0x94, '('}},
		{[]string{"FLOAT"}, []byte("F1.5\n")},
		{[]string{"INT"}, []byte("I42\nI01\n")},
		{[]string{"BININT"}, cat('J', u32(-5))},
		{[]string{"BININT1"}, []byte{'K', 7}},
		{[]string{"LONG"}, []byte("L123456789012345678901234567890L\n")},
		{[]string{"BININT2"}, []byte{'M', 1, 2}},
		{[]string{"NONE"}, []byte{'N'}},
		{[]string{"STRING"}, []byte("S'a\\n\\x41'\n")},
		{[]string{"BINSTRING"}, cat('T', u32(2), "ab")},
		{[]string{"SHORT_BINSTRING"}, cat('U', 2, "ab")},
		{[]string{"UNICODE"}, []byte("Vabc\\u00e9\n")},
		{[]string{"BINUNICODE"}, cat('X', u32(3), "abc")},
		{[]string{"NEWTRUE", "NEWFALSE"}, []byte{0x88, 0x89}},
		{[]string{"LONG1"}, []byte{0x8a, 2, 0xff, 0x7f}},
		{[]string{"LONG4"}, cat(0x8b, u32(1), 5)},
		{[]string{"BINBYTES"}, cat('B', u32(1), "z")},
		{[]string{"SHORT_BINBYTES"}, cat('C', 1, "z")},
		{[]string{"SHORT_BINUNICODE"}, cat(0x8c, 1, "z")},
		{[]string{"BINUNICODE8"}, cat(0x8d, u64(1), "z")},
		{[]string{"BINBYTES8"}, cat(0x8e, u64(1), "z")},
		{[]string{"BYTEARRAY8", "READONLY_BUFFER"}, cat(0x96, u64(1), "z", 0x98)},
		{[]string{"NEXT_BUFFER"}, []byte{0x97}},
		{[]string{"BINFLOAT"}, cat('G', u64(0))},
		{[]string{"EMPTY_TUPLE", "TUPLE1", "TUPLE2", "TUPLE3"}, []byte{')', 'N', 0x85, 'N', 'N', 0x86, 'N', 'N', 'N', 0x87}},
		{[]string{"TUPLE"}, []byte{'(', 'N', 't'}},
		{[]string{"EMPTY_DICT", "SETITEM"}, []byte{'}', 'N', 'N', 's'}},
		{[]string{"DICT", "SETITEMS"}, []byte{'(', 'K', 1, 'K', 2, 'd', '(', 'K', 3, 'K', 4, 'u'}},
		{[]string{"EMPTY_SET", "ADDITEMS", "FROZENSET"}, []byte{0x8f, '(', 'K', 1, 0x90, '(', 'K', 1, 0x91}},
		{[]string{"LIST", "APPEND"}, []byte{'(', 'K', 1, 'l', 'K', 2, 'a'}},
		{[]string{"PUT", "BINPUT", "LONG_BINPUT"}, cat("p7\n", 'q', 8, 'r', u32(9))},
		{[]string{"GET", "BINGET", "LONG_BINGET", "POP"}, cat("g7\n", '0', 'h', 8, '0', 'j', u32(9), '0')},
		{[]string{"DUP", "POP_MARK"}, []byte{'2', '0', '(', 'N', 'N', '1'}},
		{[]string{"GLOBAL", "REDUCE"}, cat("ccollections\nOrderedDict\n", ')', 'R')},
		{[]string{"STACK_GLOBAL", "NEWOBJ"}, cat(0x8c, 8, "builtins", 0x8c, 3, "set", 0x93, ')', 0x81)},
		{[]string{"NEWOBJ_EX"}, cat(0x8c, 11, "collections", 0x8c, 11, "OrderedDict", 0x93, ')', '}', 0x92)},
		{[]string{"INST"}, cat('(', "icollections\nOrderedDict\n")},
		{[]string{"OBJ", "BUILD"}, cat('(', "ccollections\nOrderedDict\n", 'o', '}', 'b')},
		{[]string{"PERSID", "BINPERSID"}, cat("P0\n", 'K', 1, 'Q')},
		{[]string{"APPENDS", "STOP"}, []byte{'e', '.'}},
	}
	var data []byte
	covered := map[string]bool{}
	for _, s := range segs {
		data = append(data, s.b...)
		for _, n := range s.names {
			covered[n] = true
		}
	}
	for _, n := range opNames {
		if !covered[n] && !strings.HasPrefix(n, "EXT") {
			t.Errorf("opcode %s not exercised", n)
		}
	}
	r := scanBytes(t, "all.pkl", data)
	if r.Status != StatusClean || len(r.Findings) != 0 {
		t.Fatalf("status %s findings %+v", r.Status, r.Findings)
	}
	// the same bytes truncated anywhere must be flagged, never clean
	for cut := 3; cut < len(data)-1; cut += 7 {
		r := scanBytes(t, "cut.pkl", data[:cut])
		if !hasRule(r, "pickle.broken-stream") {
			t.Fatalf("truncated at %d: %+v", cut, r.Findings)
		}
	}
}

func TestTimeBudget(t *testing.T) {
	p := newPk(2).op(']', '(')
	for i := 0; i < 200000; i++ {
		p.op('N')
	}
	data := p.op('e').stop()
	opts := DefaultOptions()
	opts.TimeBudget = time.Nanosecond
	r := Scan(context.Background(), "big.pkl", bytes.NewReader(data), int64(len(data)), opts)
	if r.Status != StatusError || !strings.Contains(r.Error, "time budget") {
		t.Fatalf("status %s error %q", r.Status, r.Error)
	}
}

func TestZipMemberLimit(t *testing.T) {
	big := newPk(3).bytesOp(make([]byte, 4<<20)).stop()
	z := buildZip(t, zmember{name: "archive/data.pkl", data: big, method: 8})
	opts := DefaultOptions()
	opts.MaxMemberSize = 1 << 20
	r := Scan(context.Background(), "m.pt", bytes.NewReader(z), int64(len(z)), opts)
	if !hasRule(r, "zip.bomb") || r.Status == StatusClean {
		t.Fatalf("status %s findings %+v", r.Status, r.Findings)
	}
}

func TestCompressedBombLimit(t *testing.T) {
	data := gz(newPk(3).bytesOp(make([]byte, 4<<20)).stop())
	opts := DefaultOptions()
	opts.MaxMemberSize = 1 << 20
	r := Scan(context.Background(), "m.pkl.gz", bytes.NewReader(data), int64(len(data)), opts)
	if !hasRule(r, "compress.bomb") {
		t.Fatalf("findings %+v", r.Findings)
	}
}

func TestZipOverlapAndDeclaredBomb(t *testing.T) {
	z := torchZip(t, torchStateDict("w"))
	// point the second central entry at the first member's local header
	cd := bytes.Index(z, []byte("PK\x01\x02"))
	next := cd + 4 + bytes.Index(z[cd+4:], []byte("PK\x01\x02"))
	copy(z[next+42:], z[cd+42:cd+46])
	r := scanBytes(t, "m.pt", z)
	if !hasRule(r, "zip.overlapping-members") && !hasRule(r, "zip.header-mismatch") {
		t.Fatalf("findings %+v", r.Findings)
	}
}

func TestScanPathAndHash(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "model.safetensors")
	data := safetensors(nil)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	r := ScanPath(context.Background(), p, DefaultOptions())
	sum := sha256.Sum256(data)
	if r.File != p || r.SHA256 != hex.EncodeToString(sum[:]) || r.Size != int64(len(data)) || r.Status != StatusClean {
		t.Fatalf("report %+v", r)
	}
	opts := DefaultOptions()
	opts.Hash = false
	if r := ScanPath(context.Background(), p, opts); r.SHA256 != "" {
		t.Fatalf("hash computed with Hash off")
	}
	if r := ScanPath(context.Background(), filepath.Join(dir, "missing"), opts); r.Status != StatusError || r.Error == "" {
		t.Fatalf("missing file: %+v", r)
	}
}

func TestExtensionMismatch(t *testing.T) {
	tests := []struct {
		file string
		data []byte
		want Severity
	}{
		{"x.safetensors", torchStateDict("w"), SeverityHigh},
		{"x.gguf", osSystem(), SeverityCritical},
		{"x.npy", torchStateDict("w"), SeverityHigh},
		{"x.pt", safetensors(nil), SeverityLow},
		{"x.safetensors", safetensors(nil), ""},
		{"x.unknownext", torchStateDict("w"), ""},
	}
	for _, tc := range tests {
		if got := Worst([]Report{scanBytes(t, tc.file, tc.data)}); got != tc.want {
			t.Errorf("%s: worst %q, want %q", tc.file, got, tc.want)
		}
	}
}

func TestSafetensorsChecks(t *testing.T) {
	mk := func(hdr string, data int) []byte {
		var b bytes.Buffer
		binary.Write(&b, binary.LittleEndian, uint64(len(hdr)))
		b.WriteString(hdr)
		b.Write(make([]byte, data))
		return b.Bytes()
	}
	tests := []struct {
		name string
		data []byte
		rule string
	}{
		{"clean", safetensors(nil), ""},
		{"trailing data", safetensors(osSystem()), "safetensors.trailing-data"},
		{"overlap", mk(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}`, 12), "safetensors.invalid"},
		{"gap", mk(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, 8), "safetensors.invalid"},
		{"dtype x shape", mk(`{"a":{"dtype":"F64","shape":[2],"data_offsets":[0,8]}}`, 8), "safetensors.invalid"},
		{"out of bounds", mk(`{"a":{"dtype":"U8","shape":[100],"data_offsets":[0,100]}}`, 8), "safetensors.invalid"},
		{"unknown dtype", mk(`{"a":{"dtype":"PY","shape":[1],"data_offsets":[0,1]}}`, 1), "safetensors.invalid"},
		{"duplicate key", mk(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}`, 1), "safetensors.invalid"},
		{"metadata not string", mk(`{"__metadata__":{"x":{"y":1}},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}`, 1), "safetensors.invalid"},
		{"extra field", mk(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"code":"x"}}`, 1), "safetensors.invalid"},
		{"header too long", append(binary.LittleEndian.AppendUint64(nil, 1<<40), '{', '}'), ""},
	}
	for _, tc := range tests {
		r := scanBytes(t, "m.safetensors", tc.data)
		if tc.rule == "" {
			if tc.name == "clean" && len(r.Findings) != 0 {
				t.Errorf("%s: %+v", tc.name, r.Findings)
			}
			continue
		}
		if !hasRule(r, tc.rule) {
			t.Errorf("%s: want %s, got %+v", tc.name, tc.rule, r.Findings)
		}
	}
}

func TestGGUFChecks(t *testing.T) {
	good := benignGGUF(chatMLTemplate)
	patch := func(off int, v uint64, w int) []byte {
		b := append([]byte(nil), good...)
		if w == 4 {
			binary.LittleEndian.PutUint32(b[off:], uint32(v))
		} else {
			binary.LittleEndian.PutUint64(b[off:], v)
		}
		return b
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"version", patch(4, 9, 4)},
		{"tensor count", patch(8, 1<<40, 8)},
		{"kv count", patch(16, 1<<30, 8)},
		{"key length", patch(24, 1<<50, 8)},
		{"truncated", good[:60]},
	}
	for _, tc := range tests {
		if r := scanBytes(t, "m.gguf", tc.data); !hasRule(r, "gguf.invalid") {
			t.Errorf("%s: %+v", tc.name, r.Findings)
		}
	}
}

func TestJinjaTemplates(t *testing.T) {
	tests := []struct {
		tmpl string
		want Severity
	}{
		{chatMLTemplate, ""},
		{"{{ bos_token }}{% for m in messages %}{% if m['role'] == 'user' %}{{ '[INST] ' + m['content'] + ' [/INST]' }}{% else %}{{ m['content'] + eos_token }}{% endif %}{% endfor %}", ""},
		{"{{ ''.__class__.__mro__[1].__subclasses__() }}", SeverityCritical},
		{"{{ self.__init__.__globals__.__builtins__ }}", SeverityCritical},
		{"{{ lipsum.__globals__['os'].popen('id').read() }}", SeverityCritical},
		{"{{ x|attr('\\x5f\\x5fclass\\x5f\\x5f') }}", SeverityCritical}, // the escapes resolve to a dunder
		{"{% import 'evil' as e %}", SeverityMedium},
		{"{{ joiner }}", SeverityMedium},
	}
	for _, tc := range tests {
		r := scanBytes(t, "m.gguf", benignGGUF(tc.tmpl))
		if got := Worst([]Report{r}); got != tc.want {
			t.Errorf("%q: worst %q want %q (%+v)", tc.tmpl, got, tc.want, r.Findings)
		}
	}
}

func TestKerasConfigs(t *testing.T) {
	tests := []struct {
		name, cfg, rule string
	}{
		{"safe mode bypass", `{"class_name":"Sequential","config":{"layers":[{"module":"keras.config","class_name":"enable_unsafe_deserialization","config":{}}]}}`, "keras.safe-mode-bypass"},
		{"foreign module", `{"class_name":"Sequential","config":{"layers":[{"module":"mylib.layers","class_name":"Fancy","config":{}}]}}`, "keras.foreign-module"},
		{"function reference", `{"class_name":"Sequential","config":{"layers":[{"module":"keras.utils","class_name":"get_file","config":{"origin":"http://x"}}]}}`, "keras.function-reference"},
		{"keras3 lambda", `{"class_name":"Lambda","config":{"function":{"class_name":"__lambda__","config":{"code":"4wAAAA=="}}}}`, "keras.lambda"},
		{"keras2 custom class", `{"class_name":"Functional","config":{"layers":[{"class_name":"InputLayer","config":{}},{"class_name":"MyResidualBlock","config":{}}]}}`, "keras.custom-object"},
		{"registered custom object", `{"class_name":"Sequential","config":{"layers":[{"module":null,"class_name":"Swish","config":{},"registered_name":"Custom>Swish"}]}}`, "keras.custom-object"},
	}
	for _, tc := range tests {
		if r := scanBytes(t, "m.keras", kerasArchive(t, tc.cfg)); !hasRule(r, tc.rule) || (r.Status != StatusSuspicious && r.Status != StatusMalicious) {
			t.Errorf("%s: %s %+v", tc.name, r.Status, r.Findings)
		}
	}
}

func TestONNXCustomDomain(t *testing.T) {
	r := scanBytes(t, "m.onnx", onnxModel("com.evil.ops", "w.bin"))
	if !hasRule(r, "onnx.custom-domain") || r.Status != StatusSuspicious {
		t.Fatalf("%+v", r)
	}
}

func TestUnscannableFormats(t *testing.T) {
	for _, tc := range []struct{ name, magic string }{{"rar", "Rar!\x1a\x07\x00"}, {"lz4", "\x04\x22\x4d\x18"}, {"unknown", "\x00\x01\x02\x03random"}} {
		r := scanBytes(t, "m.bin", append([]byte(tc.magic), make([]byte, 32)...))
		if r.Status != StatusUnscannable || Worst([]Report{r}) != SeverityMedium {
			t.Errorf("%s: status %s worst %q", tc.name, r.Status, Worst([]Report{r}))
		}
	}
}

func TestWorstFailOnExitCode(t *testing.T) {
	clean := Report{Status: StatusClean}
	med := Report{Status: StatusSuspicious, Findings: []Finding{{Severity: SeverityMedium}}}
	crit := Report{Status: StatusMalicious, Findings: []Finding{{Severity: SeverityLow}, {Severity: SeverityCritical}}}
	errored := Report{Status: StatusError}
	tests := []struct {
		reports   []Report
		threshold Severity
		worst     Severity
		fail      bool
		code      int
	}{
		{nil, SeverityHigh, "", false, 0},
		{[]Report{clean}, SeverityInfo, "", false, 0},
		{[]Report{clean, med}, SeverityHigh, SeverityMedium, false, 0},
		{[]Report{clean, med}, SeverityMedium, SeverityMedium, true, 1},
		{[]Report{med, crit}, SeverityCritical, SeverityCritical, true, 1},
		{[]Report{errored}, SeverityHigh, SeverityMedium, false, 2},
	}
	for i, tc := range tests {
		if w := Worst(tc.reports); w != tc.worst {
			t.Errorf("%d: worst %q want %q", i, w, tc.worst)
		}
		if f := FailOn(tc.reports, tc.threshold); f != tc.fail {
			t.Errorf("%d: failOn %v want %v", i, f, tc.fail)
		}
		if c := ExitCode(tc.reports, tc.threshold); c != tc.code {
			t.Errorf("%d: exit %d want %d", i, c, tc.code)
		}
	}
	if _, err := ParseSeverity("bogus"); err == nil {
		t.Error("ParseSeverity accepted bogus")
	}
	if s, err := ParseSeverity(" HIGH "); err != nil || s != SeverityHigh {
		t.Errorf("ParseSeverity: %q %v", s, err)
	}
}

func TestWriteJSON(t *testing.T) {
	reports := []Report{scanBytes(t, "a.pkl", osSystem()), scanBytes(t, "b.safetensors", safetensors(nil))}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, reports); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(&buf)
	var lines []map[string]any
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, m)
	}
	if len(lines) != 2 || lines[0]["path"] != "a.pkl" || lines[0]["verdict"] != "malicious" || lines[0]["format"] != "pickle" ||
		lines[1]["verdict"] != "clean" || lines[1]["findings"] == nil {
		t.Fatalf("lines %v", lines)
	}
	if fs := lines[0]["findings"].([]any); len(fs) != 1 || fs[0].(map[string]any)["global"] != "os.system" {
		t.Fatalf("findings %v", fs)
	}
}

func TestWriteSARIF(t *testing.T) {
	reports := []Report{
		scanBytes(t, "dir/evil model.pkl", osSystem()),
		scanBytes(t, "m.onnx", onnxModel("com.evil", "w.bin")),
		scanBytes(t, "x.7z", []byte("7z\xbc\xaf\x27\x1c\x00\x04")),
	}
	var buf bytes.Buffer
	if err := WriteSARIF(&buf, reports, "1.2.3"); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Schema  string `json:"$schema"`
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name, Version string
					Rules         []struct {
						ID                   string `json:"id"`
						DefaultConfiguration struct{ Level string }
					}
				}
			}
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Level     string
				Message   struct{ Text string }
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           *struct{ ByteOffset int64 }
					}
				}
			}
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || !strings.Contains(log.Schema, "sarif-schema-2.1.0") || len(log.Runs) != 1 {
		t.Fatalf("header %+v", log)
	}
	run := log.Runs[0]
	if run.Tool.Driver.Version != "1.2.3" || len(run.Tool.Driver.Rules) == 0 {
		t.Fatalf("driver %+v", run.Tool.Driver)
	}
	levels := map[string]string{}
	for _, res := range run.Results {
		if run.Tool.Driver.Rules[res.RuleIndex].ID != res.RuleID {
			t.Errorf("ruleIndex %d does not point at %s", res.RuleIndex, res.RuleID)
		}
		levels[res.RuleID] = res.Level
		if len(res.Locations) != 1 || res.Locations[0].PhysicalLocation.ArtifactLocation.URI == "" {
			t.Errorf("result without location: %+v", res)
		}
	}
	if levels["pickle.denylisted-global"] != "error" || levels["onnx.custom-domain"] != "warning" || levels["format.unscannable"] != "note" {
		t.Fatalf("levels %v", levels)
	}
	first := run.Results[0].Locations[0].PhysicalLocation
	if first.ArtifactLocation.URI != "dir/evil%20model.pkl" || first.Region == nil || first.Region.ByteOffset != 22 {
		t.Fatalf("location %+v", first)
	}
}
