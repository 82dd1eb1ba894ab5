package modelscan

import (
	"fmt"
	"sort"
	"strings"
)

// Facts are what a model file says about itself, read from its headers
// (never from tensor data): for the BOM's model card.
type Facts struct {
	Tensors      int64        `json:"tensors,omitempty"`
	Parameters   int64        `json:"parameters,omitempty"`
	DTypes       []string     `json:"dtypes,omitempty"`       // sorted
	Quantization string       `json:"quantization,omitempty"` // GGUF file type, or the quantized dtype holding most parameters
	Architecture string       `json:"architecture,omitempty"` // GGUF general.architecture, config architectures
	Name         string       `json:"name,omitempty"`
	License      string       `json:"license,omitempty"` // as the file declares it
	Author       string       `json:"author,omitempty"`
	Opsets       []string     `json:"opsets,omitempty"` // ONNX: "domain version"
	Inputs       []TensorSpec `json:"inputs,omitempty"`
	Outputs      []TensorSpec `json:"outputs,omitempty"`
}

// TensorSpec is a named graph input or output.
type TensorSpec struct {
	Name  string   `json:"name"`
	DType string   `json:"dtype,omitempty"`
	Shape []string `json:"shape,omitempty"` // dimension sizes or symbolic names
}

func (t TensorSpec) String() string {
	s := t.Name
	if t.DType != "" || len(t.Shape) > 0 {
		s += ": " + t.DType + "[" + strings.Join(t.Shape, ",") + "]"
	}
	return s
}

// tally accumulates tensors by dtype while a header is read.
type tally struct {
	tensors int64
	params  int64
	byType  map[string]int64
}

func (t *tally) add(dtype string, elems int64) {
	if t.byType == nil {
		t.byType = map[string]int64{}
	}
	t.tensors++
	if elems > 0 && t.params <= 1<<62-elems {
		t.params += elems
	}
	t.byType[dtype] += max(elems, 0)
}

// into copies the tally into f; the dominant dtype stands for the
// quantization when the format has no name for it.
func (t *tally) into(f *Facts) {
	if t.tensors == 0 {
		return
	}
	f.Tensors, f.Parameters = t.tensors, t.params
	f.DTypes = f.DTypes[:0]
	top, topN := "", int64(-1)
	for d, n := range t.byType {
		f.DTypes = append(f.DTypes, d)
		if n > topN || n == topN && d < top {
			top, topN = d, n
		}
	}
	sort.Strings(f.DTypes)
	if f.Quantization == "" && quantized(top) {
		f.Quantization = top
	}
}

// quantized reports whether a dtype is a quantized (or sub-16-bit float)
// storage type, which the model card names as the quantization.
func quantized(dtype string) bool {
	d := strings.ToLower(dtype)
	switch {
	case strings.HasPrefix(d, "q"), strings.HasPrefix(d, "iq"), strings.HasPrefix(d, "tq"), strings.HasPrefix(d, "mxfp"),
		strings.HasPrefix(d, "f8"), strings.HasPrefix(d, "float8"), strings.HasPrefix(d, "f4"), strings.HasPrefix(d, "float4"), strings.HasPrefix(d, "f6"),
		d == "i8", d == "u8", d == "int8", d == "uint8", d == "int4", d == "uint4":
		return true
	}
	return false
}

func (s *scanner) facts() *Facts {
	if s.fact == nil {
		s.fact = &Facts{}
	}
	return s.fact
}

// ggmlTypes names GGUF tensor types (ggml_type).
var ggmlTypes = map[uint64]string{0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 6: "Q5_0", 7: "Q5_1", 8: "Q8_0", 9: "Q8_1",
	10: "Q2_K", 11: "Q3_K", 12: "Q4_K", 13: "Q5_K", 14: "Q6_K", 15: "Q8_K", 16: "IQ2_XXS", 17: "IQ2_XS", 18: "IQ3_XXS",
	19: "IQ1_S", 20: "IQ4_NL", 21: "IQ3_S", 22: "IQ2_S", 23: "IQ4_XS", 24: "I8", 25: "I16", 26: "I32", 27: "I64",
	28: "F64", 29: "IQ1_M", 30: "BF16", 34: "TQ1_0", 35: "TQ2_0", 39: "MXFP4"}

// ggufFileTypes names general.file_type (llama_ftype).
var ggufFileTypes = map[uint64]string{0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1",
	10: "Q2_K", 11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S", 17: "Q5_K_M",
	18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S", 22: "IQ3_XS", 23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL",
	26: "IQ3_S", 27: "IQ3_M", 28: "IQ2_S", 29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16", 36: "TQ1_0", 37: "TQ2_0", 38: "MXFP4_MOE"}

// onnxTypes names TensorProto.DataType.
var onnxTypes = map[uint64]string{1: "float32", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 6: "int32", 7: "int64",
	8: "string", 9: "bool", 10: "float16", 11: "float64", 12: "uint32", 13: "uint64", 14: "complex64", 15: "complex128",
	16: "bfloat16", 17: "float8e4m3fn", 18: "float8e4m3fnuz", 19: "float8e5m2", 20: "float8e5m2fnuz", 21: "uint4", 22: "int4", 23: "float4e2m1"}

func typeName(m map[uint64]string, v uint64) string {
	if n, ok := m[v]; ok {
		return n
	}
	return fmt.Sprintf("type%d", v)
}

// declared picks license/author/name-like keys from free-form metadata.
func (f *Facts) declared(key, val string) {
	k := strings.ToLower(key)
	val = strings.TrimSpace(val)
	if val == "" || len(val) > 256 {
		return
	}
	switch {
	case f.License == "" && (k == "license" || k == "licence" || k == "general.license" || k == "license_name"):
		f.License = val
	case f.Author == "" && (k == "author" || k == "authors" || k == "general.author" || k == "organization" || k == "general.organization"):
		f.Author = val
	case f.Name == "" && (k == "name" || k == "model_name" || k == "general.name"):
		f.Name = val
	case f.Architecture == "" && (k == "architecture" || k == "general.architecture" || k == "model_type"):
		f.Architecture = val
	}
}

func (f *Facts) empty() bool {
	return f.Tensors == 0 && f.Architecture == "" && f.Name == "" && f.License == "" && f.Author == "" &&
		len(f.Opsets) == 0 && len(f.Inputs) == 0 && len(f.Outputs) == 0 && f.Quantization == ""
}
