package modelscan

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
)

// safetensors' own loader refuses headers above 100 MB.
const safetensorsMaxHeader = 100_000_000

var safetensorsDtypes = map[string]int64{
	"BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "F8_E8M0": 1, "I16": 2, "U16": 2,
	"F16": 2, "BF16": 2, "I32": 4, "U32": 4, "F32": 4, "F64": 8, "I64": 8, "U64": 8, "C64": 8,
	"F4": 0, "F6_E2M3": 0, "F6_E3M2": 0, // sub-byte: length not checked per element
}

type stTensor struct {
	name  string
	dtype string
	shape []int64
	begin int64
	end   int64
}

func (s *scanner) scanSafetensors(member string, r io.ReaderAt, size int64) {
	bad := func(off int64, why string) {
		s.add(member, Finding{Rule: "safetensors.invalid", Severity: SeverityMedium, Offset: off, Reason: why})
	}
	if size < 8 {
		bad(0, "file shorter than the 8-byte header length")
		return
	}
	var lb [8]byte
	if _, err := r.ReadAt(lb[:], 0); err != nil {
		bad(0, err.Error())
		return
	}
	n := binary.LittleEndian.Uint64(lb[:])
	if n > safetensorsMaxHeader || int64(n) > size-8 {
		bad(0, fmt.Sprintf("header length %d exceeds the limit or the file", n))
		return
	}
	hdr := make([]byte, n)
	if _, err := r.ReadAt(hdr, 8); err != nil {
		bad(8, err.Error())
		return
	}
	tensors, meta, err := parseSafetensorsHeader(hdr)
	if err != nil {
		bad(8, "header: "+err.Error())
		return
	}
	keys := make([]string, 0, len(meta))
	for k := range meta {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v, ok := meta[k].(string)
		if !ok {
			bad(8, fmt.Sprintf("__metadata__ value %q is not a string", k))
			continue
		}
		s.checkMetadataValue(member, "__metadata__."+k, v)
	}
	dataLen := size - 8 - int64(n)
	sort.Slice(tensors, func(i, j int) bool { return tensors[i].begin < tensors[j].begin })
	next := int64(0)
	for _, t := range tensors {
		item, ok := safetensorsDtypes[t.dtype]
		if !ok {
			bad(8, fmt.Sprintf("tensor %q has unknown dtype %q", t.name, t.dtype))
			continue
		}
		if t.begin != next {
			bad(8, fmt.Sprintf("tensor %q starts at %d, expected %d (gap or overlap)", t.name, t.begin, next))
		}
		if t.end < t.begin || t.end > dataLen {
			bad(8, fmt.Sprintf("tensor %q offsets [%d,%d) outside the %d data bytes", t.name, t.begin, t.end, dataLen))
			return
		}
		if item > 0 {
			elems := shapeElems(t.shape)
			if elems < 0 || elems*item != t.end-t.begin {
				bad(8, fmt.Sprintf("tensor %q: dtype %s × shape %v does not match %d bytes", t.name, t.dtype, t.shape, t.end-t.begin))
			}
		}
		next = t.end
	}
	if member == "" {
		var t tally
		for _, tn := range tensors {
			t.add(tn.dtype, shapeElems(tn.shape))
		}
		f := s.facts()
		t.into(f)
		for _, k := range keys {
			if v, ok := meta[k].(string); ok {
				f.declared(k, v)
			}
		}
	}
	if next < dataLen {
		s.add(member, Finding{Rule: "safetensors.trailing-data", Severity: SeverityMedium, Offset: 8 + int64(n) + next,
			Reason: fmt.Sprintf("%d bytes after the last tensor are not described by the header (a place to hide a payload)", dataLen-next)})
	}
}

// parseSafetensorsHeader decodes the header strictly: one JSON object, no
// duplicate keys, tensors with exactly dtype/shape/data_offsets.
func parseSafetensorsHeader(hdr []byte) ([]stTensor, map[string]any, error) {
	trimmed := bytes.TrimRight(hdr, " ")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, nil, fmt.Errorf("not a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, nil, fmt.Errorf("not a JSON object")
	}
	seen := map[string]bool{}
	var out []stTensor
	var meta map[string]any
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		key, _ := kt.(string)
		if seen[key] {
			return nil, nil, fmt.Errorf("duplicate key %q", key)
		}
		seen[key] = true
		if key == "__metadata__" {
			if err := dec.Decode(&meta); err != nil {
				return nil, nil, fmt.Errorf("__metadata__: %w", err)
			}
			continue
		}
		var raw map[string]json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, fmt.Errorf("tensor %q: %w", key, err)
		}
		for k := range raw {
			if k != "dtype" && k != "shape" && k != "data_offsets" {
				return nil, nil, fmt.Errorf("tensor %q has unexpected field %q", key, k)
			}
		}
		t := stTensor{name: key}
		var offs []int64
		if json.Unmarshal(raw["dtype"], &t.dtype) != nil || json.Unmarshal(raw["shape"], &t.shape) != nil ||
			json.Unmarshal(raw["data_offsets"], &offs) != nil || len(offs) != 2 {
			return nil, nil, fmt.Errorf("tensor %q: dtype, shape or data_offsets malformed", key)
		}
		t.begin, t.end = offs[0], offs[1]
		if strings.TrimSpace(t.dtype) == "" {
			return nil, nil, fmt.Errorf("tensor %q: empty dtype", key)
		}
		out = append(out, t)
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, err
	}
	if dec.More() {
		return nil, nil, fmt.Errorf("data after the header object")
	}
	return out, meta, nil
}

// Code in metadata: safetensors is data only, but its __metadata__ strings
// are shown by hubs and dashboards and read by loading scripts. A value
// that is code (an import, os.system, subprocess, exec/eval, a decode-and-
// run, a shell download piped into a shell, a <script> tag) has no place
// there: suspicious, with the key named. A value that decodes to a pickle
// or zip is scanned as a nested file.
var metadataCode = regexp.MustCompile(`(?i)(^|[\s;(])import\s+[a-z_][\w.]*|\bfrom\s+[a-z_][\w.]*\s+import\b|__import__\s*\(|\bos\.(system|popen|exec\w*|spawn\w*)\s*\(|\bsubprocess\.\w+|\b(exec|eval)\s*\(|\bbase64\.b64decode\s*\(|\b(curl|wget)\b[^\n|;]*\|\s*(ba|z|da)?sh\b|\b(ba)?sh\s+-c\s|<\s*script\b|\bpowershell\b[^\n]*\s-e(nc|ncodedcommand)?\s`)

func (s *scanner) checkMetadataValue(member, key, v string) {
	if len(v) > 1<<20 {
		v = v[:1<<20]
	}
	if m := metadataCode.FindString(v); m != "" {
		s.add(member, Finding{Rule: "safetensors.code-in-metadata", Severity: SeverityMedium, Offset: 8, Global: key,
			Reason: fmt.Sprintf("metadata value %s holds code (%q); safetensors metadata is data, and scripts or pages that use it run or render it", key, strings.TrimSpace(m))})
	}
	if data, how := decodePayload(v); data != nil && completeNested(s.ctx, s.opts, data) {
		s.scanBytes(join(member, "("+how+" in "+key+")"), data, 1)
	}
}

// shapeElems is the element count of a shape, -1 when a dimension is
// negative or the product overflows.
func shapeElems(shape []int64) int64 {
	elems := int64(1)
	for _, d := range shape {
		elems = mulDim(elems, d)
	}
	return elems
}
