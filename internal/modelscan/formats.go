package modelscan

import (
	"archive/tar"
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// scanTar reads a tar stream. PyTorch's oldest format is a tar with
// members sys_info, pickle, storages and tensors; torch.load unpickles
// sys_info and pickle whole and the first record of storages/tensors
// (the rest of those members interleaves small pickles with raw data,
// which is not followed here).
func (s *scanner) scanTar(member string, r io.Reader, depth int) {
	tr := tar.NewReader(r)
	legacy := false
	for i := 0; ; i++ {
		if s.ctx.Err() != nil {
			return
		}
		h, err := tr.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			s.add(member, Finding{Rule: "tar.malformed", Severity: SeverityMedium, Reason: err.Error()})
			return
		}
		if i > maxZipEntries {
			s.add(member, Finding{Rule: "tar.too-many-members", Severity: SeverityMedium, Reason: "more members than the limit; the rest was not analysed"})
			return
		}
		m := join(member, h.Name)
		if strings.Contains(h.Name, "..") || strings.HasPrefix(h.Name, "/") || h.Typeflag == tar.TypeSymlink || h.Typeflag == tar.TypeLink {
			s.add(m, Finding{Rule: "tar.path-traversal", Severity: SeverityMedium, Global: h.Name, Reason: "member name or link escapes the archive root if extracted"})
		}
		if h.Typeflag != tar.TypeReg && h.Typeflag != tar.TypeRegA {
			continue
		}
		switch h.Name {
		case "sys_info", "pickle", "storages", "tensors":
			if !legacy {
				legacy = true
				s.refine(member, "pytorch-tar")
			}
			kind := kindPlain
			if h.Name == "storages" || h.Name == "tensors" {
				kind = kindLegacy
			}
			ps := s.pickleScannerFor(m, depth)
			if kind == kindLegacy {
				// only the first record is a pickle on its own
				pr := &pickleReader{br: bufio.NewReader(tr)}
				s.emitOne(ps, pr)
				continue
			}
			ps.scanPickles(tr, kind)
			continue
		}
		format, br := sniffReader(tr, h.Name)
		if format == "unknown" || format == "empty" {
			continue
		}
		s.scanStream(m, br, h.Size, format, depth+1)
	}
}

func (s *scanner) emitOne(ps *pickleScanner, pr *pickleReader) {
	res := ps.decodeStream(pr, false)
	ps.emit(res, 1, 0)
}

// --- protobuf (ONNX, TensorFlow SavedModel) ---

const maxProtoFile = 512 << 20

// protoFields calls fn for each field of the message in b. For
// length-delimited fields data is the payload; for others v is the value.
func protoFields(b []byte, fn func(num int, wt int, v uint64, data []byte) error) error {
	for len(b) > 0 {
		key, n := binary.Uvarint(b)
		if n <= 0 {
			return fmt.Errorf("bad field key")
		}
		b = b[n:]
		num, wt := int(key>>3), int(key&7)
		if num == 0 {
			return fmt.Errorf("field number 0")
		}
		switch wt {
		case 0:
			v, m := binary.Uvarint(b)
			if m <= 0 {
				return fmt.Errorf("bad varint")
			}
			b = b[m:]
			if err := fn(num, wt, v, nil); err != nil {
				return err
			}
		case 1:
			if len(b) < 8 {
				return fmt.Errorf("truncated fixed64")
			}
			b = b[8:]
		case 5:
			if len(b) < 4 {
				return fmt.Errorf("truncated fixed32")
			}
			b = b[4:]
		case 2:
			l, m := binary.Uvarint(b)
			if m <= 0 || l > uint64(len(b)-m) {
				return fmt.Errorf("length-delimited field past the end")
			}
			data := b[m : m+int(l)]
			b = b[m+int(l):]
			if err := fn(num, wt, 0, data); err != nil {
				return err
			}
		default:
			return fmt.Errorf("wire type %d unsupported", wt)
		}
	}
	return nil
}

func readSmall(r io.ReaderAt, size int64) ([]byte, error) {
	if size > maxProtoFile {
		return nil, fmt.Errorf("protobuf of %d bytes exceeds the %d limit", size, int64(maxProtoFile))
	}
	b := make([]byte, size)
	if _, err := r.ReadAt(b, 0); err != nil && err != io.EOF {
		return nil, err
	}
	return b, nil
}

// TensorFlow ops that run Python or touch the filesystem.
var tfOps = map[string]Severity{
	"PyFunc": SeverityCritical, "PyFuncStateless": SeverityCritical, "EagerPyFunc": SeverityCritical,
	"WriteFile": SeverityCritical, "ReadFile": SeverityHigh, "MatchingFiles": SeverityHigh,
	"ImmutableConst": SeverityMedium, "PrintV2": SeverityMedium, "CreateSummaryFileWriter": SeverityMedium,
	"WriteScalarSummary": SeverityLow, "LoadLibrary": SeverityCritical, "DebugIdentityV2": SeverityMedium,
	"FileSystemSetConfiguration": SeverityHigh, "DeleteFile": SeverityCritical, "RecursivelyCreateDir": SeverityHigh,
	"IsDirectory": SeverityMedium, "ExperimentalSaveDataset": SeverityMedium, "SaveDataset": SeverityMedium,
}

// scanSavedModel walks SavedModel → MetaGraphDef → GraphDef → NodeDef.op
// and the function library's NodeDefs.
func (s *scanner) scanSavedModel(member string, r io.ReaderAt, size int64) {
	b, err := readSmall(r, size)
	if err != nil {
		s.markUnscannable(member, "tf-savedmodel", err.Error())
		return
	}
	seen := map[string]bool{}
	var node func(nb []byte) error
	node = func(nb []byte) error {
		return protoFields(nb, func(num, wt int, _ uint64, d []byte) error {
			if num == 2 && wt == 2 {
				op := string(d)
				if sev, ok := tfOps[op]; ok && !seen[op] {
					seen[op] = true
					s.add(member, Finding{Rule: "tf.dangerous-op", Severity: sev, Global: op,
						Reason: "graph contains op " + op + ", which runs Python or reads/writes files when the model executes"})
				}
			}
			return nil
		})
	}
	graph := func(gb []byte) error {
		return protoFields(gb, func(num, wt int, _ uint64, d []byte) error {
			switch {
			case num == 1 && wt == 2: // node
				return node(d)
			case num == 2 && wt == 2: // library
				return protoFields(d, func(num, wt int, _ uint64, fd []byte) error {
					if num == 1 && wt == 2 { // FunctionDef
						return protoFields(fd, func(num, wt int, _ uint64, nd []byte) error {
							if num == 3 && wt == 2 {
								return node(nd)
							}
							return nil
						})
					}
					return nil
				})
			}
			return nil
		})
	}
	err = protoFields(b, func(num, wt int, _ uint64, d []byte) error {
		if num == 2 && wt == 2 { // MetaGraphDef
			return protoFields(d, func(num, wt int, _ uint64, gd []byte) error {
				if num == 2 && wt == 2 {
					return graph(gd)
				}
				return nil
			})
		}
		return nil
	})
	if err != nil {
		s.add(member, Finding{Rule: "tf.malformed", Severity: SeverityMedium, Reason: "SavedModel protobuf: " + err.Error()})
	}
}

var onnxStdDomains = map[string]bool{"": true, "ai.onnx": true, "ai.onnx.ml": true, "ai.onnx.training": true,
	"ai.onnx.preview.training": true, "com.microsoft": true, "com.microsoft.nchwc": true, "ai.onnx.contrib": false}

// scanONNX walks ModelProto → GraphProto (and subgraphs in attributes) for
// custom operator domains and external-data locations.
func (s *scanner) scanONNX(member string, r io.ReaderAt, size int64) {
	b, err := readSmall(r, size)
	if err != nil {
		s.markUnscannable(member, "onnx", err.Error())
		return
	}
	domains := map[string]bool{}
	custom := func(dom, where string) {
		if !onnxStdDomains[dom] && !domains[dom] {
			domains[dom] = true
			s.add(member, Finding{Rule: "onnx.custom-domain", Severity: SeverityMedium, Global: dom,
				Reason: where + " uses custom operator domain " + dom + "; running it needs a native custom-op library"})
		}
	}
	tensor := func(tb []byte) error {
		return protoFields(tb, func(num, wt int, _ uint64, d []byte) error {
			if num != 13 || wt != 2 { // external_data
				return nil
			}
			var key, val string
			_ = protoFields(d, func(num, wt int, _ uint64, kv []byte) error {
				if num == 1 {
					key = string(kv)
				} else if num == 2 {
					val = string(kv)
				}
				return nil
			})
			if key == "location" && (strings.Contains(val, "..") || strings.HasPrefix(val, "/") || strings.HasPrefix(val, "\\") || strings.Contains(val, ":") || strings.Contains(val, "~")) {
				s.add(member, Finding{Rule: "onnx.external-data-traversal", Severity: SeverityHigh, Global: val,
					Reason: "external data location escapes the model directory; loading reads an arbitrary file"})
			}
			return nil
		})
	}
	var graph func(gb []byte, depth int) error
	graph = func(gb []byte, depth int) error {
		if depth > 32 {
			return fmt.Errorf("subgraphs nested too deep")
		}
		return protoFields(gb, func(num, wt int, _ uint64, d []byte) error {
			switch {
			case num == 1 && wt == 2: // NodeProto
				return protoFields(d, func(num, wt int, _ uint64, nd []byte) error {
					switch {
					case num == 7 && wt == 2:
						custom(string(nd), "node")
					case num == 5 && wt == 2: // AttributeProto: g (6), graphs (11), t (5), tensors (10)
						return protoFields(nd, func(num, wt int, _ uint64, ad []byte) error {
							switch {
							case (num == 6 || num == 11) && wt == 2:
								return graph(ad, depth+1)
							case (num == 5 || num == 10) && wt == 2:
								return tensor(ad)
							}
							return nil
						})
					}
					return nil
				})
			case (num == 5 || num == 15) && wt == 2: // initializer, sparse_initializer
				return tensor(d)
			}
			return nil
		})
	}
	err = protoFields(b, func(num, wt int, _ uint64, d []byte) error {
		switch {
		case num == 7 && wt == 2:
			return graph(d, 0)
		case num == 8 && wt == 2: // opset_import
			return protoFields(d, func(num, wt int, _ uint64, od []byte) error {
				if num == 1 && wt == 2 {
					custom(string(od), "opset_import")
				}
				return nil
			})
		}
		return nil
	})
	if err != nil {
		s.add(member, Finding{Rule: "onnx.malformed", Severity: SeverityMedium, Reason: "ONNX protobuf: " + err.Error()})
	}
}

// --- TorchScript code/ ---

var (
	tsCritical = regexp.MustCompile(`(?m)^\s*(import|from)\s+(os|subprocess|sys|builtins|socket|shutil|ctypes|importlib|runpy|pty)\b|\b__import__\s*\(|\bos\.(system|popen|exec\w*|spawn\w*)\b|\bsubprocess\.|\beval\s*\(|\bexec\s*\(|\bbuiltins\.|\bopen\s*\(`)
	tsCustomOp = regexp.MustCompile(`\bops\.([A-Za-z_][A-Za-z0-9_]*)\.`)
)

var tsStdNamespaces = map[string]bool{"aten": true, "prim": true, "quantized": true, "_caffe2": true, "profiler": true, "_quantized": true, "quantized_decomposed": true, "_c10d_functional": true}

// scanTorchScriptCode checks the Python-syntax sources of a TorchScript
// archive. TorchScript cannot import Python modules, so imports of os or
// subprocess mean a hand-crafted archive; custom op namespaces need a
// native library loaded by the caller.
func (s *scanner) scanTorchScriptCode(member string, r io.Reader) {
	data, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		s.add(member, Finding{Rule: "torchscript.read-error", Severity: SeverityMedium, Reason: err.Error()})
		return
	}
	if loc := tsCritical.FindIndex(data); loc != nil {
		s.add(member, Finding{Rule: "torchscript.python-code", Severity: SeverityCritical, Offset: int64(loc[0]), Global: strings.TrimSpace(string(data[loc[0]:loc[1]])),
			Reason: "TorchScript source references Python modules or code execution, which the TorchScript compiler never emits"})
	}
	seen := map[string]bool{}
	for _, m := range tsCustomOp.FindAllSubmatchIndex(data, 256) {
		ns := string(data[m[2]:m[3]])
		if tsStdNamespaces[ns] || seen[ns] {
			continue
		}
		seen[ns] = true
		s.add(member, Finding{Rule: "torchscript.custom-op", Severity: SeverityMedium, Offset: int64(m[0]), Global: "ops." + ns,
			Reason: "calls operators from namespace " + ns + ", provided by a native library outside the archive"})
	}
}
