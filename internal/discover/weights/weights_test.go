package weights

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlbom/autopilot/internal/discover/detect/detecttest"
)

// TestFiles runs Files alone over the cases of the discovery table that
// hold files it wants.
func TestFiles(t *testing.T) {
	detecttest.Check(t, Files{Hash: true}, []detecttest.Case{
		{Name: "safetensors without extension", Binary: true, Files: map[string]string{"blob": safetensorsBytes()},
			Want: []string{
				"weights blob blob:0 weights.magic",
			}},
		{Name: "pytorch zip", Binary: true, Files: map[string]string{"m.pt": zipOf("archive/data.pkl", "archive/data/0", "archive/version")},
			Want: []string{
				"weights m.pt m.pt:0 weights.magic",
			}},
		{Name: "pytorch legacy", Binary: true, Files: map[string]string{"old.bin": "\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.\x80\x02M\xe9\x03."},
			Want: []string{
				"weights old.bin old.bin:0 weights.magic",
			}},
		{Name: "pickle protocol 4", Binary: true, Files: map[string]string{"clf.pkl": "\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00}\x94."},
			Want: []string{
				"weights clf.pkl clf.pkl:0 weights.magic",
			}},
		{Name: "pickle protocol 0", Binary: true, Files: map[string]string{"old.pkl": "(dp0\nS'a'\np1\nI1\ns."},
			Want: []string{
				"weights old.pkl old.pkl:0 weights.magic",
			}},
		{Name: "joblib", Binary: true, Files: map[string]string{"model.joblib": "\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00\x8c\x06joblib\x94."},
			Want: []string{
				"weights model.joblib model.joblib:0 weights.magic",
			}},
		{Name: "gguf", Binary: true, Files: map[string]string{"llm.gguf": "GGUF\x03\x00\x00\x00\x00\x00"},
			Want: []string{
				"weights llm.gguf llm.gguf:0 weights.magic",
			}},
		{Name: "onnx", Binary: true, Files: map[string]string{"m.onnx": onnxBytes},
			Want: []string{
				"weights m.onnx m.onnx:0 weights.magic",
			}},
		{Name: "keras zip", Binary: true, Files: map[string]string{"m.keras": zipOf("metadata.json", "config.json", "model.weights.h5")},
			Want: []string{
				"weights m.keras m.keras:0 weights.magic",
			}},
		{Name: "hdf5", Binary: true, Files: map[string]string{"m.h5": "\x89HDF\r\n\x1a\n\x00\x00\x00\x00"},
			Want: []string{
				"weights m.h5 m.h5:0 weights.magic",
			}},
		{Name: "savedmodel", Binary: true, Files: map[string]string{"sm/saved_model.pb": "\x08\x01\x12\x04abcd", "sm/variables/variables.index": "\x00\x01\x02index"},
			Want: []string{
				"weights sm/saved_model.pb sm/saved_model.pb:0 weights.magic",
			}},
		{Name: "savedmodel needs variables/", Binary: true, Files: map[string]string{"x/saved_model.pb": "\x08\x01\x12\x04abcd"},
			Want: nil},
		{Name: "tflite", Binary: true, Files: map[string]string{"m.tflite": "\x1c\x00\x00\x00TFL3\x00\x00\x00\x00"},
			Want: []string{
				"weights m.tflite m.tflite:0 weights.magic",
			}},
		{Name: "coreml mlmodel", Binary: true, Files: map[string]string{"m.mlmodel": "\x08\x04\x12\x05\x0a\x03abc"},
			Want: []string{
				"weights m.mlmodel m.mlmodel:0 weights.magic",
			}},
		{Name: "openvino xml and bin", Binary: true, Files: map[string]string{"ir/model.xml": "<?xml version=\"1.0\"?>\n<net name=\"m\" version=\"11\">\n</net>\n", "ir/model.bin": "\x11\x22\x33\x44"},
			Want: []string{
				"weights ir/model.bin ir/model.bin:0 weights.openvino_bin",
				"weights ir/model.xml ir/model.xml:0 weights.magic",
			}},
		{Name: "npy", Binary: true, Files: map[string]string{"a.npy": "\x93NUMPY\x01\x00v\x00{'descr': '<f4'"},
			Want: []string{
				"weights a.npy a.npy:0 weights.magic",
			}},
		{Name: "npz", Binary: true, Files: map[string]string{"a.npz": zipOf("w.npy", "b.npy")},
			Want: []string{
				"weights a.npz a.npz:0 weights.magic",
			}},
		{Name: "lfs pointer to safetensors", Binary: true, Files: map[string]string{"m.safetensors": lfsPtr},
			Want: []string{
				"weights m.safetensors m.safetensors:0 weights.lfs_pointer",
			}},
		{Name: "lfs pointer to parquet is a dataset", Binary: true, Files: map[string]string{"d/train.parquet": lfsPtr},
			Want: []string{
				"dataset d/train.parquet d/train.parquet:0 dataset.lfs_pointer",
			}},
		{Name: "lfs pointer with bad oid", Binary: true, Files: map[string]string{"m.bin": strings.Replace(lfsPtr, "4d7a", "XXXX", 1)},
			Want: nil},
		{Name: "trap: ELF named model.bin", Binary: true, Files: map[string]string{"model.bin": "\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00"},
			Want: nil},
		{Name: "trap: token ids in a .bin", Binary: true, Files: map[string]string{"tokens.bin": "\x01\x00\x02\x00\x03\x00\x04\x00\xff\xfe"},
			Want: nil},
		{Name: "trap: text named .pt", Binary: true, Files: map[string]string{"notes.pt": "just some notes\n"},
			Want: nil},
		{Name: "trap: plain zip named .pt", Binary: true, Files: map[string]string{"m.pt": zipOf("readme.txt")},
			Want: nil},
	})
}

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

const (
	lfsPtr    = "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 1234\n"
	mitText   = "Permission is hereby granted, free of charge, to any person obtaining a copy ... The above copyright notice and this permission notice shall be included in all copies"
	onnxBytes = "\x08\x07\x12\x07pytorch\x1a\x032.1\x3a\x10\x0a\x05Gemm0"
)

func BenchmarkHashSHA256(b *testing.B) {
	const size = 256 << 20
	dir := b.TempDir()
	f, err := os.Create(filepath.Join(dir, "w.bin"))
	if err != nil {
		b.Fatal(err)
	}
	chunk := make([]byte, 1<<20)
	for i := range chunk {
		chunk[i] = byte(i * 7)
	}
	for i := 0; i < size/len(chunk); i++ {
		f.Write(chunk)
	}
	f.Close()
	fsys := os.DirFS(dir)
	b.Run("256MiB", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			if _, n, err := HashFile(context.Background(), fsys, "w.bin"); err != nil || n != size {
				b.Fatal(n, err)
			}
		}
	})
}
