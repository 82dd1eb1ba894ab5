package modelscan

import (
	"context"
	"reflect"
	"testing"
)

func TestFacts(t *testing.T) {
	tests := []struct {
		file string
		want Facts
	}{
		{"testdata/real/benign/state_dict_zip.pt", Facts{Tensors: 4, Parameters: 23, DTypes: []string{"float32"}}},
		{"testdata/real/benign/state_dict_legacy.pt", Facts{Tensors: 4, Parameters: 23, DTypes: []string{"float32"}}},
		{"testdata/real/benign/external_data.onnx", Facts{Tensors: 1, Parameters: 4, DTypes: []string{"float32"}, Opsets: []string{"ai.onnx 17"},
			Inputs: []TensorSpec{{Name: "x", DType: "float32", Shape: []string{"2", "2"}}}, Outputs: []TensorSpec{{Name: "y", DType: "float32", Shape: []string{"2", "2"}}}}},
		{"../../bench/modelscan/samples/generated/gguf/tiny-model.gguf", Facts{Tensors: 1, Parameters: 8, DTypes: []string{"F16"}, Quantization: "F16",
			Architecture: "llama", Name: "tiny", License: "mit"}},
		{"../../bench/modelscan/samples/generated/safetensors/meta_benign.safetensors", Facts{Tensors: 1, Parameters: 2, DTypes: []string{"F32"},
			License: "apache-2.0", Author: "Example Lab"}},
		{"../../bench/modelscan/samples/generated/gguf/ggml-vocab-tiny.gguf", Facts{Architecture: "llama", Name: "tiny"}},
	}
	for _, tc := range tests {
		r := ScanPath(context.Background(), tc.file, DefaultOptions())
		if r.Facts == nil || !reflect.DeepEqual(*r.Facts, tc.want) {
			t.Errorf("%s: facts %+v, want %+v", tc.file, r.Facts, tc.want)
		}
		if r.Status != StatusClean {
			t.Errorf("%s: %s %+v", tc.file, r.Status, r.Findings)
		}
	}
	// a quantized safetensors names its quantization
	r := scanBytes(t, "q.safetensors", safetensors(nil))
	if r.Facts == nil || r.Facts.Tensors == 0 {
		t.Fatalf("safetensors facts: %+v", r.Facts)
	}
	// nested payloads do not contribute: facts are the file's own
	r = scanBytes(t, "s.pkl", newPk(2).global("torch.storage", "_load_from_bytes").op('(').bytesOp(torchZip(t, torchStateDict("w"))).op('t', 'R').stop())
	if r.Facts != nil && r.Facts.Tensors != 0 {
		t.Fatalf("nested tensors counted: %+v", r.Facts)
	}
}
