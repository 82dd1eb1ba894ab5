package modelscan

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
)

const maxKerasConfig = 64 << 20

// scanKerasConfig judges a Keras model configuration (config.json in a
// .keras archive, model_config in an HDF5 file).
func (s *scanner) scanKerasConfig(member string, r io.Reader) {
	data, err := io.ReadAll(io.LimitReader(r, maxKerasConfig+1))
	if err != nil {
		s.add(member, Finding{Rule: "keras.malformed", Severity: SeverityMedium, Reason: err.Error()})
		return
	}
	if len(data) > maxKerasConfig {
		s.add(member, Finding{Rule: "keras.malformed", Severity: SeverityMedium, Reason: "model configuration larger than 64 MiB; not analysed"})
		return
	}
	s.judgeKerasJSON(member, 0, data)
}

func (s *scanner) judgeKerasJSON(member string, off int64, data []byte) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		s.add(member, Finding{Rule: "keras.malformed", Severity: SeverityMedium, Offset: off, Reason: "model configuration is not valid JSON: " + err.Error()})
		return
	}
	s.walkKeras(member, off, v, 0)
}

// Keras namespaces whose classes deserialization may import.
var kerasModules = []string{"keras", "tf_keras", "tensorflow.keras", "tensorflow.python.keras", "tensorflow"}

func (s *scanner) walkKeras(member string, off int64, v any, depth int) {
	if depth > 200 {
		return
	}
	switch t := v.(type) {
	case []any:
		for _, e := range t {
			s.walkKeras(member, off, e, depth+1)
		}
	case map[string]any:
		cls, _ := t["class_name"].(string)
		mod, _ := t["module"].(string)
		reg, _ := t["registered_name"].(string)
		cfg, _ := t["config"].(map[string]any)
		switch {
		case cls == "Lambda" || cls == "__lambda__":
			why := "Lambda layer: Keras deserializes and runs its Python function when the model is loaded (safe_mode=False or older Keras)"
			if fn, ok := cfg["function"]; ok {
				if _, isList := fn.([]any); isList {
					why += "; the function is base64 marshalled bytecode"
				}
				if m, ok := fn.(map[string]any); ok && m["class_name"] == "__lambda__" {
					why += "; the function is base64 marshalled bytecode"
				}
			}
			if _, ok := cfg["code"]; ok {
				why += "; the function is base64 marshalled bytecode"
			}
			s.add(member, Finding{Rule: "keras.lambda", Severity: SeverityCritical, Offset: off, Global: cls, Reason: why})
		case strings.Contains(cls, "enable_unsafe_deserialization") || strings.Contains(reg, "enable_unsafe_deserialization"):
			s.add(member, Finding{Rule: "keras.safe-mode-bypass", Severity: SeverityCritical, Offset: off, Global: mod + "." + cls,
				Reason: "configuration calls enable_unsafe_deserialization, switching safe_mode off during loading"})
		case mod != "" && !kerasNamespace(mod):
			sev, rule := SeverityHigh, "keras.foreign-module"
			if v, _ := judgeGlobal(mod, firstNonEmpty(cls, "x")); v == verdictDenied {
				sev, rule = SeverityCritical, "keras.denylisted-module"
			}
			s.add(member, Finding{Rule: rule, Severity: sev, Offset: off, Global: mod + "." + cls,
				Reason: "Keras imports module " + mod + " to deserialize " + cls + "; modules outside the Keras namespace run their own code"})
		case mod != "" && kerasFunctionLike(cls):
			s.add(member, Finding{Rule: "keras.function-reference", Severity: SeverityHigh, Offset: off, Global: mod + "." + cls,
				Reason: "configuration references a Keras function rather than a layer class; such references are used to reach file or network helpers during loading"})
		case strings.HasPrefix(reg, "Custom>") || (reg != "" && !strings.Contains(reg, ">") && cls != reg && mod == ""):
			s.add(member, Finding{Rule: "keras.custom-object", Severity: SeverityMedium, Offset: off, Global: reg,
				Reason: "custom registered object: loading needs user code that this scanner cannot see"})
		case cls != "" && mod == "" && reg == "" && !kerasBuiltins[cls] && isIdentPath(cls):
			// Keras 2 names classes without a module: one Keras does not
			// have is a custom object (a subclassed layer or model).
			s.add(member, Finding{Rule: "keras.custom-object", Severity: SeverityMedium, Offset: off, Global: cls,
				Reason: "class " + cls + " is not a Keras class: loading needs a custom object (user code) that the file does not carry"})
		}
		if cls == "TFOpLambda" {
			if fn, _ := cfg["function"].(string); strings.Contains(fn, "py_function") || strings.Contains(fn, "numpy_function") || strings.Contains(fn, "io.") {
				s.add(member, Finding{Rule: "keras.tfoplambda", Severity: SeverityHigh, Offset: off, Global: fn, Reason: "TFOpLambda wraps a TensorFlow op that runs Python or touches files"})
			}
		}
		for _, e := range t {
			s.walkKeras(member, off, e, depth+1)
		}
	}
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func kerasNamespace(mod string) bool {
	for _, k := range kerasModules {
		if mod == k || strings.HasPrefix(mod, k+".") {
			return true
		}
	}
	return false
}

// Class names that are functions, not layers: the 2025 safe_mode bypasses
// referenced keras utility functions (get_file, load_model, ...) from config.
func kerasFunctionLike(cls string) bool {
	switch cls {
	case "get_file", "load_model", "load_weights", "save_model", "register_keras_serializable", "deserialize_keras_object", "exec", "eval":
		return true
	}
	return false
}

// scanHDF5 looks for the Keras model_config attribute. Full HDF5 parsing is
// not done: the attribute is a JSON string stored contiguously in the file
// (object header or attribute heap; attributes are never filtered), so a
// bounded search for JSON objects that start with "class_name" finds it.
// Every such object is judged; the search reads the file once in chunks.
func (s *scanner) scanHDF5(member string, r io.ReaderAt, size int64) {
	const chunk = 4 << 20
	const overlap = 64
	needles := [][]byte{[]byte(`{"class_name"`), []byte(`{"module"`)}
	found, attempts := 0, 0
	skipUntil := int64(0) // inside an object already judged
	buf := make([]byte, chunk+overlap)
	for off := int64(0); off < size; off += chunk {
		if s.ctx.Err() != nil {
			return
		}
		n, err := r.ReadAt(buf[:min(int64(len(buf)), size-off)], off)
		if n == 0 && err != nil {
			return
		}
		b := buf[:n]
		for i := 0; i < min(n, chunk); i++ {
			j := bytes.IndexByte(b[i:min(n, chunk)], '{')
			if j < 0 {
				break
			}
			i += j
			if off+int64(i) < skipUntil {
				continue
			}
			match := false
			for _, nd := range needles {
				if bytes.HasPrefix(b[i:], nd) {
					match = true
				}
			}
			if !match {
				continue
			}
			at := off + int64(i)
			if attempts++; attempts > 256 || s.ctx.Err() != nil {
				return
			}
			end, ok := jsonObjectEnd(r, at, size)
			if !ok {
				continue
			}
			obj := make([]byte, end-at)
			if _, err := r.ReadAt(obj, at); err == nil {
				s.judgeKerasJSON(member, at, obj)
				found++
			}
			skipUntil = end
			if found >= 64 {
				return
			}
		}
	}
}

// jsonObjectEnd finds the end of the JSON object starting at off by brace
// matching (strings and escapes respected), within 64 MiB.
func jsonObjectEnd(r io.ReaderAt, off, size int64) (int64, bool) {
	depth, inStr, esc := 0, false, false
	buf := make([]byte, 64<<10)
	for pos := off; pos < size && pos-off < maxKerasConfig; {
		n, _ := r.ReadAt(buf[:min(int64(len(buf)), size-pos)], pos)
		if n == 0 {
			return 0, false
		}
		for i, c := range buf[:n] {
			switch {
			case esc:
				esc = false
			case inStr && c == '\\':
				esc = true
			case c == '"':
				inStr = !inStr
			case inStr:
			case c == '{':
				depth++
			case c == '}':
				depth--
				if depth == 0 {
					return pos + int64(i) + 1, true
				}
			case c == 0:
				return 0, false
			}
		}
		pos += int64(n)
	}
	return 0, false
}
