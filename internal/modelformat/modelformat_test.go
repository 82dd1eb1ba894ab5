package modelformat

import (
	"archive/zip"
	"bytes"
	"testing"
)

func zipOf(names ...string) string {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, n := range names {
		w, _ := zw.Create(n)
		w.Write([]byte("payload of " + n))
	}
	zw.Close()
	return b.String()
}

func safetensorsBytes() string {
	hdr := `{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`
	for len(hdr)%8 != 0 {
		hdr += " "
	}
	n := len(hdr)
	return string([]byte{byte(n), 0, 0, 0, 0, 0, 0, 0}) + hdr + "\x00\x00\x80\x3f"
}

const onnxBytes = "\x08\x07\x12\x07pytorch\x1a\x032.1\x3a\x10\x0a\x05Gemm0"

func TestSniff(t *testing.T) {
	if f, ok := Sniff([]byte(safetensorsBytes()), "x"); !ok || f != "safetensors" {
		t.Errorf("safetensors: %q %v", f, ok)
	}
	if _, ok := Sniff([]byte("\x7fELF\x02\x01\x01"), "model.safetensors"); ok {
		t.Error("ELF sniffed as a model")
	}
	// Header length pointing past a sane bound is not safetensors.
	if _, ok := Sniff([]byte("\xff\xff\xff\xff\xff\xff\xff\x7f{\"a\":1}"), "m.safetensors"); ok {
		t.Error("absurd safetensors header length accepted")
	}
}

func FuzzSniff(f *testing.F) {
	f.Add([]byte(safetensorsBytes()), "m.safetensors")
	f.Add([]byte(onnxBytes), "m.onnx")
	f.Add([]byte(zipOf("archive/data.pkl")), "m.pt")
	f.Add([]byte("(dp0\nS'a'\n"), "m.pkl")
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		if format, ok := Sniff(data, name); ok && format == "" {
			t.Fatal("ok with an empty format")
		}
	})
}

func TestZipFormat(t *testing.T) {
	cases := []struct {
		names []string
		want  string
	}{
		{[]string{"archive/data.pkl", "archive/data/0"}, PyTorchZip},
		{[]string{"archive/data.pkl", "archive/code/__torch__/m.py"}, TorchScript},
		{[]string{"config.json", "metadata.json", "model.weights.h5"}, Keras},
		{[]string{"w.npy", "b.npy"}, NPZ},
		{[]string{"w.npy", "metadata.json"}, Zip},
		{[]string{"README.md", "src/main.go"}, Zip},
		{nil, Zip},
	}
	for _, c := range cases {
		if got := ZipFormat(c.names); got != c.want {
			t.Errorf("ZipFormat(%q) = %q, want %q", c.names, got, c.want)
		}
	}
}

func TestContent(t *testing.T) {
	cases := []struct {
		head, name, want string
	}{
		{"", "x", Empty},
		{"PK\x03\x04rest", "x", Zip},
		{"\x1f\x8b\x08", "x", Gzip},
		{"\xfd7zXZ\x00", "x", XZ},
		{"\x80\x02}q\x00.", "x", Pickle},
		{"\x93NUMPY\x01\x00", "x", NPY},
		{"GGUF\x03\x00", "x", GGUF},
		{"\x08\x07\x1a\x03abc", "m.onnx", ONNX},
		{"(dp0\nS'a'\n", "x", Unknown}, // protocol 0: only a decoder can tell
		{"hello world", "x", Unknown},
	}
	for _, c := range cases {
		if got := Content([]byte(c.head), -1, c.name); got != c.want {
			t.Errorf("Content(%q) = %q, want %q", c.head, got, c.want)
		}
	}
	if !MayBeOldPickle([]byte("(dp0\n")) || MayBeOldPickle([]byte("x = 1")) {
		t.Error("MayBeOldPickle")
	}
}
