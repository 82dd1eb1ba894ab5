package modelscan

import (
	"archive/tar"
	"bytes"
	"compress/bzip2"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/mlbom/autopilot/internal/modelformat"
	"github.com/ulikunitz/xz"
	"github.com/ulikunitz/xz/lzma"
)

// ---- compression wrappers ----

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func zl(b []byte) []byte {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func xzc(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	w, err := xz.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func lzmac(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	w, err := lzma.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func zstdc(t testing.TB, b []byte) []byte {
	w, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	return w.EncodeAll(b, nil)
}

// bzip2 has no writer in the standard library: a tiny pre-made stream of a
// pickle is embedded instead (bzip2 of osSystem()), checked below.
func bz2OsSystem(t testing.TB) []byte {
	// produced once with Python's bz2.compress(osSystem bytes)
	b, err := base64.StdEncoding.DecodeString(bz2OsSystemB64)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ---- pickles ----

func protocol0OsSystem() []byte { return []byte("cos\nsystem\n(S'id'\ntR.") }

func instPickle() []byte { return []byte("(S'id'\nios\nsystem\n.") }

func objPickle() []byte {
	return newPk(1).op('(').global("subprocess", "check_output").op('(').str("id").op('l').op('o').stop()
}

// stackGlobalMemo hides the module and name in the memo, fetched by BINGET.
func stackGlobalMemo() []byte {
	p := newPk(4)
	p.sstr("posix").op(0x94).sstr("system").op(0x94).op('0', '0')
	p.get(0).get(1).op(0x93).sstr("id").op(0x85).op('R')
	return p.stop()
}

func newobjEx() []byte {
	p := newPk(4)
	p.sstr("subprocess").sstr("Popen").op(0x93)
	p.sstr("id").op(0x85).op('}').op(0x92)
	return p.stop()
}

func extPickle() []byte {
	return newPk(2).op(0x82, 0x01).op('(').str("id").op('t', 'R').stop()
}

func ext4Pickle() []byte {
	return newPk(2).op(0x84, 0x10, 0x27, 0, 0).op('.').Bytes()
}

func getattrChain() []byte {
	p := newPk(2)
	p.global("builtins", "getattr").op('(')
	p.global("builtins", "__import__").op('(').str("os").op('t', 'R')
	p.str("system").op('t', 'R')
	p.op('(').str("id").op('t', 'R')
	return p.stop()
}

func nestedLoads() []byte {
	return newPk(3).global("pickle", "loads").op('(').bytesOp(osSystem()).op('t', 'R').stop()
}

func marshalFunction() []byte {
	p := newPk(3)
	p.global("types", "FunctionType").op('(')
	p.global("marshal", "loads").op('(').bytesOp([]byte("\xe3\x00\x00\x00fakecode")).op('t', 'R')
	p.op('}').op('t', 'R').op(')').op('R')
	return p.stop()
}

func brokenAfterReduce() []byte {
	b := osSystem()
	return append(b[:len(b)-1], 'h', 0x7f) // GET of a missing memo entry instead of STOP
}

func truncatedAfterReduce() []byte {
	b := osSystem()
	return b[:len(b)-1]
}

func secondStream() []byte {
	return append(torchStateDict("w"), osSystem()...)
}

func dottedTraversal() []byte {
	return newPk(4).sstr("torch.serialization").sstr("os.system").op(0x93).sstr("id").op(0x85, 'R').stop()
}

func buildOnGlobal() []byte {
	return newPk(2).global("collections", "OrderedDict").op('}').str("__init__").op('N', 's', 'b').stop()
}

func unknownGlobal() []byte {
	return newPk(2).global("mypkg.models", "Net").op(')').op(0x81).stop()
}

// numpyReconstruct pickles a float64 array the protocol-2 way numpy does:
// _reconstruct + BUILD with the raw bytes encoded by _codecs.encode.
func numpyReconstruct(p *pk) *pk {
	p.global("numpy.core.multiarray", "_reconstruct")
	p.global("numpy", "ndarray").int1(0).op(0x85).str("b").op(0x86).op('R')
	p.op('(').int1(1).int1(3).op(0x85)
	p.global("numpy", "dtype").str("f8").op(0x89, 0x88).op(0x87, 'R')
	p.op('(').int1(3).str("<").op('N', 'N', 'N').op('J', 0xff, 0xff, 0xff, 0xff).op('J', 0xff, 0xff, 0xff, 0xff).int1(0).op('t', 'b')
	p.op(0x89)
	p.global("_codecs", "encode").str(strings.Repeat("\x00", 24)).str("latin1").op(0x86, 'R')
	p.op('t', 'b')
	return p
}

// protocol5Frombuffer is numpy's protocol-5 in-band form.
func protocol5Frombuffer() []byte {
	p := newPk(5)
	p.op(0x95, 0, 0, 0, 0, 0, 0, 0, 0) // FRAME (length hint)
	p.global("numpy.core.numeric", "_frombuffer").op('(')
	p.op(0x96, 8, 0, 0, 0, 0, 0, 0, 0).Write(make([]byte, 8))
	p.op(0x98)
	p.global("numpy", "dtype").str("f8").op(0x89, 0x88).op(0x87, 'R')
	p.op('(').int1(3).str("<").op('N', 'N', 'N').op('J', 0xff, 0xff, 0xff, 0xff).op('J', 0xff, 0xff, 0xff, 0xff).int1(0).op('t', 'b')
	p.int1(1).op(0x85).str("C").op('t', 'R')
	return p.stop()
}

// sklearnJoblib is what joblib.dump writes for a fitted estimator: the
// estimator's __dict__, arrays as NumpyArrayWrapper followed by their raw
// bytes (with joblib's alignment padding), plus a numpy-reconstructed array.
func sklearnJoblib(objectArray []byte) []byte {
	return sklearnJoblibRaw(objectArray, bytes.Repeat([]byte{0x2e, 0x63, 0x80}, 8)) // 24 raw bytes that look like opcodes
}

// sklearnJoblibRaw lets the raw array bytes (a multiple of 8) be chosen.
func sklearnJoblibRaw(objectArray, raw []byte) []byte {
	p := newPk(4)
	p.sstr("sklearn.linear_model._logistic").sstr("LogisticRegression").op(0x93).op(')', 0x81)
	p.op('}').op('(')
	p.sstr("C").op('G', 0x3f, 0xf0, 0, 0, 0, 0, 0, 0)
	p.sstr("coef_")
	p.sstr("joblib.numpy_pickle").sstr("NumpyArrayWrapper").op(0x93).op(')', 0x81)
	p.op('}').op('(')
	p.sstr("subclass").sstr("numpy").sstr("ndarray").op(0x93)
	p.sstr("shape").int1(1).int1(byte(len(raw) / 8)).op(0x86)
	p.sstr("order").sstr("C")
	dt := "f8"
	if objectArray != nil {
		dt = "O8"
	}
	p.sstr("dtype").sstr("numpy").sstr("dtype").op(0x93).sstr(dt).op(0x89, 0x88).op(0x87, 'R')
	p.op('(').int1(3).sstr("<").op('N', 'N', 'N').op('J', 0xff, 0xff, 0xff, 0xff).op('J', 0xff, 0xff, 0xff, 0xff).int1(0).op('t', 'b')
	p.sstr("allow_mmap").op(0x88)
	p.sstr("numpy_array_alignment_bytes").int1(16)
	p.op('u', 'b')
	if objectArray != nil {
		p.Write(objectArray)
	} else {
		pos := p.Len() + 1
		pad := 16 - pos%16
		p.WriteByte(byte(pad))
		p.Write(bytes.Repeat([]byte{0xff}, pad))
		p.Write(raw)
	}
	p.sstr("intercept_")
	numpyReconstruct(p)
	p.sstr("_sklearn_version").sstr("1.3.0")
	p.op('u', 'b')
	return p.stop()
}

// legacyTorch is torch.save's pre-1.6 format: magic, protocol, sys_info,
// the object, storage keys, then raw storage bytes.
func legacyTorch(obj []byte) []byte {
	var b bytes.Buffer
	b.Write(append(modelformat.PyTorchLegacyMagic(), '.'))
	b.Write(newPk(2).op('M', 0xe9, 0x03).stop())
	b.Write(newPk(2).op('}', '(').str("protocol_version").op('M', 0xe9, 0x03).str("little_endian").op(0x88).op('u').stop())
	b.Write(obj)
	b.Write(newPk(2).op(']', '(').str("0").op('e').stop())
	binary.Write(&b, binary.LittleEndian, uint64(6))
	b.Write([]byte("cos\nsystem\n" + strings.Repeat("\x00", 13))) // raw floats, never unpickled
	return b.Bytes()
}

// ---- numpy ----

func npy(descr string, shape string, payload []byte) []byte {
	h := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, shape)
	total := 10 + len(h) + 1
	h += strings.Repeat(" ", (64-total%64)%64) + "\n"
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x01\x00")
	binary.Write(&b, binary.LittleEndian, uint16(len(h)))
	b.WriteString(h)
	b.Write(payload)
	return b.Bytes()
}

// ---- safetensors, GGUF ----

func safetensors(extra []byte) []byte {
	hdr := `{"__metadata__":{"format":"pt"},"bias":{"dtype":"F32","shape":[3],"data_offsets":[24,36]},"weight":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}}`
	for (8+len(hdr))%8 != 0 {
		hdr += " "
	}
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, uint64(len(hdr)))
	b.WriteString(hdr)
	b.Write(make([]byte, 36))
	b.Write(extra)
	return b.Bytes()
}

type ggufKV struct {
	key string
	typ uint32
	val any
}

func gguf(kvs ...ggufKV) []byte {
	var b bytes.Buffer
	w := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	str := func(s string) { w(uint64(len(s))); b.WriteString(s) }
	b.WriteString("GGUF")
	w(uint32(3))
	w(uint64(1))
	w(uint64(len(kvs)))
	for _, kv := range kvs {
		str(kv.key)
		w(kv.typ)
		switch v := kv.val.(type) {
		case string:
			str(v)
		case uint32:
			w(v)
		case []string:
			w(uint32(8))
			w(uint64(len(v)))
			for _, s := range v {
				str(s)
			}
		}
	}
	str("token_embd.weight")
	w(uint32(2))
	w(uint64(4))
	w(uint64(2))
	w(uint32(0)) // F32
	w(uint64(0))
	for b.Len()%32 != 0 {
		b.WriteByte(0)
	}
	b.Write(make([]byte, 32))
	return b.Bytes()
}

const chatMLTemplate = `{% for message in messages %}{% if loop.first and message['role'] != 'system' %}{{ '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' }}{% endif %}{% set ns = namespace(found=false) %}{% if message['role'] not in ['user', 'assistant', 'system'] %}{{ raise_exception('bad role') }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] | trim + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}`

const jinjaGadget = `{{ cycler.__init__.__globals__.os.popen('id').read() }}`

func benignGGUF(tmpl string) []byte {
	return gguf(
		ggufKV{"general.architecture", 8, "llama"},
		ggufKV{"general.alignment", 4, uint32(32)},
		ggufKV{"tokenizer.ggml.tokens", 9, []string{"<s>", "</s>", "hello"}},
		ggufKV{"tokenizer.chat_template", 8, tmpl},
	)
}

// ---- protobuf ----

func pbVarint(num int, v uint64) []byte {
	b := binary.AppendUvarint(nil, uint64(num<<3))
	return binary.AppendUvarint(b, v)
}

func pbBytes(num int, data ...[]byte) []byte {
	body := bytes.Join(data, nil)
	b := binary.AppendUvarint(nil, uint64(num<<3|2))
	b = binary.AppendUvarint(b, uint64(len(body)))
	return append(b, body...)
}

func savedModel(ops ...string) []byte {
	var nodes [][]byte
	for i, op := range ops {
		nodes = append(nodes, pbBytes(1, pbBytes(1, []byte(fmt.Sprintf("n%d", i))), pbBytes(2, []byte(op))))
	}
	graph := pbBytes(2, nodes...)
	// meta_info_def first, as TensorFlow writes it
	meta := pbBytes(2, pbBytes(1, pbBytes(4, []byte("serve")), pbBytes(1, []byte(strings.Repeat("x", 80)))), graph)
	return append(pbVarint(1, 1), meta...)
}

func onnxModel(domain, location string) []byte {
	node := pbBytes(1, pbBytes(1, []byte("x")), pbBytes(2, []byte("y")), pbBytes(4, []byte("Relu")), pbBytes(7, []byte(domain)))
	init := pbBytes(5, pbBytes(8, []byte("w")), pbBytes(13, pbBytes(1, []byte("location")), pbBytes(2, []byte(location))), pbVarint(14, 1))
	graph := pbBytes(7, node, init, pbBytes(2, []byte("g")))
	return bytes.Join([][]byte{pbVarint(1, 8), pbBytes(2, []byte("pytorch")), graph, pbBytes(8, pbVarint(2, 17))}, nil)
}

// ---- keras ----

func kerasArchive(t testing.TB, config string) []byte {
	return buildZip(t,
		zmember{name: "metadata.json", data: []byte(`{"keras_version": "3.3.3", "date_saved": "2024-05-01"}`)},
		zmember{name: "config.json", data: []byte(config), method: 8},
		zmember{name: "model.weights.h5", data: append([]byte("\x89HDF\r\n\x1a\n"), make([]byte, 512)...)},
	)
}

const kerasDense = `{"module": "keras", "class_name": "Sequential", "config": {"name": "sequential", "layers": [{"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 4]}, "registered_name": null}, {"module": "keras.layers", "class_name": "Dense", "config": {"units": 2, "activation": "relu"}, "registered_name": null}]}, "registered_name": null}`

var kerasLambda = `{"module": "keras", "class_name": "Sequential", "config": {"layers": [{"module": "keras.layers", "class_name": "Lambda", "config": {"name": "lambda", "function": ["` +
	base64.StdEncoding.EncodeToString([]byte("\xe3\x00\x00\x00marshalled")) + `", null, null], "function_type": "lambda"}, "registered_name": null}]}}`

const kerasForeign = `{"module": "keras", "class_name": "Sequential", "config": {"layers": [{"module": "os", "class_name": "system", "config": {"command": "id"}, "registered_name": null}]}}`

func hdf5WithConfig(cfg string) []byte {
	var b bytes.Buffer
	b.WriteString("\x89HDF\r\n\x1a\n")
	b.Write(make([]byte, 300))
	b.WriteString("model_config\x00\x00\x00")
	b.WriteString(strings.ReplaceAll(cfg, `"module": "keras", `, ""))
	b.Write(make([]byte, 300))
	return b.Bytes()
}

// ---- zips with odd headers ----

// patchLocalName rewrites the first local header's name for member (same length).
func patchLocalName(z []byte, from, to string) []byte {
	z = append([]byte(nil), z...)
	i := bytes.Index(z, []byte("PK\x03\x04"))
	for i >= 0 {
		nl := int(binary.LittleEndian.Uint16(z[i+26:]))
		if string(z[i+30:i+30+nl]) == from {
			copy(z[i+30:], to)
			return z
		}
		j := bytes.Index(z[i+4:], []byte("PK\x03\x04"))
		if j < 0 {
			break
		}
		i += 4 + j
	}
	panic("member not found")
}

// setFlags sets general purpose flags in both headers of member.
func setFlags(z []byte, member string, flags uint16) []byte {
	z = append([]byte(nil), z...)
	for _, sig := range []struct {
		s         string
		flagAt    int
		nameLenAt int
		nameAt    int
	}{{"PK\x03\x04", 6, 26, 30}, {"PK\x01\x02", 8, 28, 46}} {
		for i := 0; ; {
			j := bytes.Index(z[i:], []byte(sig.s))
			if j < 0 {
				break
			}
			i += j
			nl := int(binary.LittleEndian.Uint16(z[i+sig.nameLenAt:]))
			if string(z[i+sig.nameAt:i+sig.nameAt+nl]) == member {
				binary.LittleEndian.PutUint16(z[i+sig.flagAt:], flags)
			}
			i += 4
		}
	}
	return z
}

func tarOf(t testing.TB, members map[string][]byte, order ...string) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, n := range order {
		tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(members[n])), Typeflag: tar.TypeReg})
		tw.Write(members[n])
	}
	tw.Close()
	return buf.Bytes()
}

func deflateZeros(n int) []byte {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	w.Write(make([]byte, n))
	w.Close()
	return buf.Bytes()
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

const bz2OsSystemB64 = "QlpoOTFBWSZTWbpZWlwAAAvTwFAQAEEQQA4ijCBAACAAIiaDRk09NQoaaYAFVGMhnp3GIHqMGUPxdyRThQkLpZWlwA=="

// TestBz2Fixture guards the embedded stream: it must decompress to osSystem().
func TestBz2Fixture(t *testing.T) {
	var out bytes.Buffer
	if _, err := out.ReadFrom(bzip2.NewReader(bytes.NewReader(bz2OsSystem(t)))); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), osSystem()) {
		t.Fatalf("bz2 fixture decompresses to %q", out.Bytes())
	}
}
