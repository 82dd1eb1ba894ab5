package modelscan

import (
	"archive/tar"
	"bufio"
	"errors"
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

// The protobuf walkers read field headers in place through a small window
// and skip payloads they do not need (tensor bytes), so a multi-gigabyte
// model costs a few reads per graph node, not its size in memory.

type window struct {
	r    io.ReaderAt
	size int64
	buf  []byte
	at   int64 // offset of buf[0]
	ctx  interface{ Err() error }
	n    int // reads, for the cancellation check
}

func (w *window) byteAt(off int64) (byte, error) {
	if off < w.at || off >= w.at+int64(len(w.buf)) {
		if off < 0 || off >= w.size {
			return 0, fmt.Errorf("read past the end")
		}
		if w.n++; w.n&1023 == 0 && w.ctx.Err() != nil {
			return 0, w.ctx.Err()
		}
		w.buf = w.buf[:cap(w.buf)]
		n, err := w.r.ReadAt(w.buf[:min(int64(len(w.buf)), w.size-off)], off)
		if n == 0 {
			return 0, fmt.Errorf("read at %d: %v", off, err)
		}
		w.buf, w.at = w.buf[:n], off
	}
	return w.buf[off-w.at], nil
}

func (w *window) varint(off int64) (uint64, int64, error) {
	var v uint64
	for i := int64(0); i < 10; i++ {
		c, err := w.byteAt(off + i)
		if err != nil {
			return 0, 0, err
		}
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			return v, i + 1, nil
		}
	}
	return 0, 0, fmt.Errorf("varint too long")
}

// pmsg is a protobuf message (or payload) located in the file.
type pmsg struct {
	w        *window
	off, end int64
}

// str reads the payload as a string, up to 4 KiB.
func (m pmsg) str() string {
	n := min(m.end-m.off, 4096)
	b := make([]byte, n)
	if _, err := m.w.r.ReadAt(b, m.off); err != nil && err != io.EOF {
		return ""
	}
	return string(b)
}

// protoFields calls fn for each field of m. For length-delimited fields
// sub is the payload; for varints v is the value.
func protoFields(m pmsg, fn func(num int, wt int, v uint64, sub pmsg) error) error {
	for off := m.off; off < m.end; {
		key, n, err := m.w.varint(off)
		if err != nil {
			return err
		}
		off += n
		num, wt := int(key>>3), int(key&7)
		if num == 0 {
			return fmt.Errorf("field number 0")
		}
		switch wt {
		case 0:
			v, n, err := m.w.varint(off)
			if err != nil {
				return err
			}
			off += n
			if err := fn(num, wt, v, pmsg{}); err != nil {
				return err
			}
		case 1:
			off += 8
		case 5:
			off += 4
		case 2:
			l, n, err := m.w.varint(off)
			if err != nil {
				return err
			}
			off += n
			if l > uint64(m.end-off) {
				return fmt.Errorf("length-delimited field past the end")
			}
			sub := pmsg{w: m.w, off: off, end: off + int64(l)}
			off += int64(l)
			if err := fn(num, wt, 0, sub); err != nil {
				return err
			}
		default:
			return fmt.Errorf("wire type %d unsupported", wt)
		}
		if off > m.end {
			return fmt.Errorf("field past the end")
		}
	}
	return nil
}

func (s *scanner) protoRoot(r io.ReaderAt, size int64) pmsg {
	w := &window{r: r, size: size, buf: make([]byte, 0, 64<<10), at: -1, ctx: s.ctx}
	return pmsg{w: w, off: 0, end: size}
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
	seen := map[string]bool{}
	err := savedModelNodes(s.protoRoot(r, size), false, func(nb pmsg) error {
		return protoFields(nb, func(num, wt int, _ uint64, d pmsg) error {
			if num == 2 && wt == 2 {
				op := d.str()
				if sev, ok := tfOps[op]; ok && !seen[op] {
					seen[op] = true
					s.add(member, Finding{Rule: "tf.dangerous-op", Severity: sev, Global: op,
						Reason: "graph contains op " + op + ", which runs Python or reads/writes files when the model executes"})
				}
			}
			return nil
		})
	})
	if err != nil {
		s.add(member, Finding{Rule: "tf.malformed", Severity: SeverityMedium, Reason: "SavedModel protobuf: " + err.Error()})
	}
}

// errNotSavedModel stops a strict walk at a field a SavedModel does not have.
var errNotSavedModel = errors.New("not a SavedModel field")

// savedModelNodes calls node for every NodeDef of a SavedModel: meta_graphs
// (2) → graph_def (2) → node (1), and the function library's
// FunctionDef.node_def (2 → 1 → 3). strict stops at the first top-level
// field a SavedModel does not have (for telling formats apart).
func savedModelNodes(root pmsg, strict bool, node func(pmsg) error) error {
	graph := func(gb pmsg) error {
		return protoFields(gb, func(num, wt int, _ uint64, d pmsg) error {
			switch {
			case num == 1 && wt == 2: // node
				return node(d)
			case num == 2 && wt == 2: // library
				return protoFields(d, func(num, wt int, _ uint64, fd pmsg) error {
					if num == 1 && wt == 2 { // FunctionDef
						return protoFields(fd, func(num, wt int, _ uint64, nd pmsg) error {
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
	return protoFields(root, func(num, wt int, _ uint64, d pmsg) error {
		switch {
		case num == 2 && wt == 2: // MetaGraphDef
			return protoFields(d, func(num, wt int, _ uint64, gd pmsg) error {
				if num == 2 && wt == 2 {
					return graph(gd)
				}
				return nil
			})
		case strict && !(num == 1 && wt == 0):
			return errNotSavedModel
		}
		return nil
	})
}

var onnxStdDomains = map[string]bool{"": true, "ai.onnx": true, "ai.onnx.ml": true, "ai.onnx.training": true,
	"ai.onnx.preview.training": true, "com.microsoft": true, "com.microsoft.nchwc": true, "ai.onnx.contrib": false}

// scanONNX walks ModelProto → GraphProto (and subgraphs in attributes) for
// custom operator domains and external-data locations.
func (s *scanner) scanONNX(member string, r io.ReaderAt, size int64) {
	root := s.protoRoot(r, size)
	domains := map[string]bool{}
	custom := func(dom, where string) {
		if !onnxStdDomains[dom] && !domains[dom] {
			domains[dom] = true
			s.add(member, Finding{Rule: "onnx.custom-domain", Severity: SeverityMedium, Global: dom,
				Reason: where + " uses custom operator domain " + dom + "; running it needs a native custom-op library"})
		}
	}
	tensor := func(tb pmsg) error {
		return protoFields(tb, func(num, wt int, _ uint64, d pmsg) error {
			if num != 13 || wt != 2 { // external_data
				return nil
			}
			var key, val string
			_ = protoFields(d, func(num, wt int, _ uint64, kv pmsg) error {
				if num == 1 {
					key = kv.str()
				} else if num == 2 {
					val = kv.str()
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
	var graph func(gb pmsg, depth int) error
	graph = func(gb pmsg, depth int) error {
		if depth > 32 {
			return fmt.Errorf("subgraphs nested too deep")
		}
		return protoFields(gb, func(num, wt int, _ uint64, d pmsg) error {
			switch {
			case num == 1 && wt == 2: // NodeProto
				return protoFields(d, func(num, wt int, _ uint64, nd pmsg) error {
					switch {
					case num == 7 && wt == 2:
						custom(nd.str(), "node")
					case num == 5 && wt == 2: // AttributeProto: g (6), graphs (11), t (5), tensors (10)
						return protoFields(nd, func(num, wt int, _ uint64, ad pmsg) error {
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
	err := protoFields(root, func(num, wt int, _ uint64, d pmsg) error {
		switch {
		case num == 7 && wt == 2:
			if member == "" {
				s.onnxGraphFacts(d)
			}
			return graph(d, 0)
		case num == 8 && wt == 2: // opset_import
			domain, version := "", uint64(0)
			err := protoFields(d, func(num, wt int, v uint64, od pmsg) error {
				if num == 1 && wt == 2 {
					domain = od.str()
					custom(domain, "opset_import")
				} else if num == 2 && wt == 0 {
					version = v
				}
				return nil
			})
			if member == "" && version > 0 {
				if domain == "" {
					domain = "ai.onnx"
				}
				f := s.facts()
				f.Opsets = append(f.Opsets, fmt.Sprintf("%s %d", domain, version))
			}
			return err
		case num == 14 && wt == 2 && member == "": // metadata_props
			var k, v string
			_ = protoFields(d, func(num, wt int, _ uint64, kv pmsg) error {
				if num == 1 && wt == 2 {
					k = kv.str()
				} else if num == 2 && wt == 2 {
					v = kv.str()
				}
				return nil
			})
			s.facts().declared(k, v)
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

// looksLikeSavedModel walks the start of a protobuf as a SavedModel:
// meta_graphs (2) → graph_def (2) → node (1) with a name (1) and an op (2)
// that are text. The magic-byte sniffer tells SavedModel from ONNX by the
// first fields, which a minimal SavedModel (no schema version) or a small
// one does not settle; the structure does. ONNX's field 2 is the producer
// name, text that does not parse down to nodes.
func (s *scanner) looksLikeSavedModel(r io.ReaderAt, size int64) bool {
	isText := func(m pmsg) bool {
		t := m.str()
		if t == "" {
			return false
		}
		for _, c := range t {
			if c < 0x20 || c == 0x7f || c == 0xfffd {
				return false
			}
		}
		return true
	}
	errFound := errors.New("found")
	err := savedModelNodes(s.protoRoot(r, min(size, 512<<20)), true, func(nb pmsg) error {
		var name, op bool
		err := protoFields(nb, func(num, wt int, _ uint64, d pmsg) error {
			switch {
			case num == 1 && wt == 2:
				name = isText(d)
			case num == 2 && wt == 2:
				op = isText(d)
			}
			return nil
		})
		if err == nil && name && op {
			return errFound
		}
		return nil
	})
	return err == errFound
}

// onnxGraphFacts reads the main graph's inputs, outputs and initializer
// shapes and types (not their data) for the model card.
func (s *scanner) onnxGraphFacts(gb pmsg) {
	var t tally
	inits := map[string]bool{}
	var ins, outs []TensorSpec
	_ = protoFields(gb, func(num, wt int, _ uint64, d pmsg) error {
		switch {
		case num == 5 && wt == 2: // initializer TensorProto: dims (1), data_type (2), name (8)
			elems, dtype, name := int64(1), uint64(0), ""
			_ = protoFields(d, func(num, wt int, v uint64, sub pmsg) error {
				switch {
				case num == 1 && wt == 0:
					elems = mulDim(elems, int64(v))
				case num == 1 && wt == 2: // packed dims
					for off := sub.off; off < sub.end; {
						x, n, err := sub.w.varint(off)
						if err != nil {
							return err
						}
						elems = mulDim(elems, int64(x))
						off += n
					}
				case num == 2 && wt == 0:
					dtype = v
				case num == 8 && wt == 2:
					name = sub.str()
				}
				return nil
			})
			inits[name] = true
			t.add(typeName(onnxTypes, dtype), elems)
		case (num == 11 || num == 12) && wt == 2 && len(ins)+len(outs) < 256:
			spec := onnxValueInfo(d)
			if num == 11 {
				ins = append(ins, spec)
			} else {
				outs = append(outs, spec)
			}
		}
		return nil
	})
	f := s.facts()
	t.into(f)
	for _, in := range ins {
		if !inits[in.Name] { // old exporters list initializers as inputs too
			f.Inputs = append(f.Inputs, in)
		}
	}
	f.Outputs = outs
}

func mulDim(acc, d int64) int64 {
	if acc < 0 || d < 0 || d > 0 && acc > (1<<62)/d {
		return -1
	}
	return acc * d
}

// onnxValueInfo reads ValueInfoProto: name (1), type (2) → tensor_type (1)
// → elem_type (1), shape (2) → dim (1) → dim_value (1) | dim_param (2).
func onnxValueInfo(d pmsg) TensorSpec {
	var spec TensorSpec
	_ = protoFields(d, func(num, wt int, _ uint64, sub pmsg) error {
		switch {
		case num == 1 && wt == 2:
			spec.Name = sub.str()
		case num == 2 && wt == 2:
			return protoFields(sub, func(num, wt int, _ uint64, tt pmsg) error {
				if num != 1 || wt != 2 {
					return nil
				}
				return protoFields(tt, func(num, wt int, v uint64, x pmsg) error {
					switch {
					case num == 1 && wt == 0:
						spec.DType = typeName(onnxTypes, v)
					case num == 2 && wt == 2:
						return protoFields(x, func(num, wt int, _ uint64, dim pmsg) error {
							if num != 1 || wt != 2 || len(spec.Shape) >= 16 {
								return nil
							}
							size := "?"
							_ = protoFields(dim, func(num, wt int, v uint64, p pmsg) error {
								if num == 1 && wt == 0 {
									size = fmt.Sprint(v)
								} else if num == 2 && wt == 2 {
									size = p.str()
								}
								return nil
							})
							spec.Shape = append(spec.Shape, size)
							return nil
						})
					}
					return nil
				})
			})
		}
		return nil
	})
	return spec
}
