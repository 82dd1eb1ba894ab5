package modelscan

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strings"
)

// GGUF limits: generous for real models (vocabularies of ~256k tokens,
// templates of tens of KB) and small enough to bound the work.
const (
	ggufMaxTensors = 1 << 20
	ggufMaxKV      = 1 << 16
	ggufMaxString  = 16 << 20
	ggufMaxArray   = 1 << 26
	ggufMaxDims    = 4
	ggufMaxType    = 64
)

type ggufReader struct {
	br  *bufio.Reader
	off int64
	v2  bool // version >= 2: 64-bit counts and lengths
	ctx interface{ Err() error }
}

func (g *ggufReader) u(n int) (uint64, error) {
	var b [8]byte
	if _, err := io.ReadFull(g.br, b[:n]); err != nil {
		return 0, noEOF(err)
	}
	g.off += int64(n)
	switch n {
	case 1:
		return uint64(b[0]), nil
	case 2:
		return uint64(binary.LittleEndian.Uint16(b[:])), nil
	case 4:
		return uint64(binary.LittleEndian.Uint32(b[:])), nil
	}
	return binary.LittleEndian.Uint64(b[:]), nil
}

func (g *ggufReader) count() (uint64, error) {
	if g.v2 {
		return g.u(8)
	}
	return g.u(4)
}

// str reads a GGUF string, keeping it when keep is true.
func (g *ggufReader) str(keep bool) (string, error) {
	n, err := g.count()
	if err != nil {
		return "", err
	}
	if n > ggufMaxString {
		return "", fmt.Errorf("string of %d bytes exceeds the limit", n)
	}
	if !keep {
		d, err := g.br.Discard(int(n))
		g.off += int64(d)
		return "", noEOF(err)
	}
	b := make([]byte, n)
	m, err := io.ReadFull(g.br, b)
	g.off += int64(m)
	return string(b), noEOF(err)
}

var ggufScalar = map[uint64]int{0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}

// value reads (and mostly skips) one typed value.
func (g *ggufReader) value(typ uint64, keep bool, depth int) (string, error) {
	if w, ok := ggufScalar[typ]; ok {
		v, err := g.u(w)
		if typ == 7 && err == nil && v > 1 {
			return "", fmt.Errorf("bool value %d", v)
		}
		return "", err
	}
	switch typ {
	case 8:
		return g.str(keep)
	case 9:
		if depth > 2 {
			return "", fmt.Errorf("arrays nested too deep")
		}
		et, err := g.u(4)
		if err != nil {
			return "", err
		}
		n, err := g.count()
		if err != nil {
			return "", err
		}
		if n > ggufMaxArray {
			return "", fmt.Errorf("array of %d elements exceeds the limit", n)
		}
		if w, ok := ggufScalar[et]; ok {
			d, err := g.br.Discard(int(n) * w)
			g.off += int64(d)
			return "", noEOF(err)
		}
		if et != 8 && et != 9 {
			return "", fmt.Errorf("array element type %d invalid", et)
		}
		for i := uint64(0); i < n; i++ {
			if i&0xffff == 0xffff && g.ctx.Err() != nil {
				return "", g.ctx.Err()
			}
			if _, err := g.value(et, false, depth+1); err != nil {
				return "", err
			}
		}
		return "", nil
	}
	return "", fmt.Errorf("value type %d invalid", typ)
}

func (s *scanner) scanGGUF(member string, r io.ReaderAt, size int64) {
	g := &ggufReader{br: bufio.NewReaderSize(io.NewSectionReader(r, 0, size), 64<<10), ctx: s.ctx}
	bad := func(why string) {
		s.add(member, Finding{Rule: "gguf.invalid", Severity: SeverityMedium, Offset: g.off, Reason: why})
	}
	magic, err := g.u(4)
	if err != nil || magic != 0x46554747 {
		bad("GGUF magic missing")
		return
	}
	ver, err := g.u(4)
	if err != nil || ver < 1 || ver > 3 {
		bad(fmt.Sprintf("GGUF version %d unsupported", ver))
		return
	}
	g.v2 = ver >= 2
	nt, err := g.count()
	if err != nil {
		bad(err.Error())
		return
	}
	nkv, err := g.count()
	if err != nil {
		bad(err.Error())
		return
	}
	if nt > ggufMaxTensors || nkv > ggufMaxKV {
		bad(fmt.Sprintf("tensor count %d or key-value count %d exceeds the limit", nt, nkv))
		return
	}
	alignment := uint64(32)
	for i := uint64(0); i < nkv; i++ {
		if s.ctx.Err() != nil {
			return
		}
		at := g.off
		key, err := g.str(true)
		if err != nil {
			bad(fmt.Sprintf("key %d: %v", i, err))
			return
		}
		if len(key) > 65535 || key == "" {
			bad(fmt.Sprintf("key %d has length %d", i, len(key)))
			return
		}
		typ, err := g.u(4)
		if err != nil {
			bad(err.Error())
			return
		}
		fact := ggufFactKeys[key] && member == ""
		keep := strings.HasPrefix(key, "tokenizer.chat_template") || fact
		if key == "general.file_type" && typ == 4 && member == "" {
			v, err := g.u(4)
			if err != nil {
				bad(err.Error())
				return
			}
			s.facts().Quantization = typeName(ggufFileTypes, v)
			continue
		}
		if key == "general.alignment" && typ == 4 {
			v, err := g.u(4)
			if err != nil || v == 0 || v&(v-1) != 0 {
				bad("general.alignment is not a power of two")
				return
			}
			alignment = v
			continue
		}
		val, err := g.value(typ, keep, 0)
		if err != nil {
			bad(fmt.Sprintf("key %q: %v", key, err))
			return
		}
		if keep && typ == 8 {
			if fact {
				s.facts().declared(key, val)
			} else {
				s.checkTemplate(member, key, at, val, ggufTemplateRule)
			}
		}
	}
	var maxEnd uint64
	var t tally
	defer func() {
		if member == "" {
			t.into(s.facts())
		}
	}()
	for i := uint64(0); i < nt; i++ {
		if s.ctx.Err() != nil {
			return
		}
		if _, err := g.str(false); err != nil {
			bad(fmt.Sprintf("tensor %d name: %v", i, err))
			return
		}
		nd, err := g.u(4)
		if err != nil || nd == 0 || nd > ggufMaxDims {
			bad(fmt.Sprintf("tensor %d has %d dimensions", i, nd))
			return
		}
		elems := uint64(1)
		for j := uint64(0); j < nd; j++ {
			d, err := g.count()
			if err != nil {
				bad(err.Error())
				return
			}
			if d != 0 && elems > math.MaxUint64/d {
				bad(fmt.Sprintf("tensor %d dimensions overflow", i))
				return
			}
			elems *= d
		}
		typ, err := g.u(4)
		if err != nil || typ > ggufMaxType {
			bad(fmt.Sprintf("tensor %d type %d invalid", i, typ))
			return
		}
		t.add(typeName(ggmlTypes, typ), int64(min(elems, 1<<62)))
		off, err := g.u(8)
		if err != nil {
			bad(err.Error())
			return
		}
		if off%alignment != 0 {
			bad(fmt.Sprintf("tensor %d offset %d not aligned to %d", i, off, alignment))
		}
		maxEnd = max(maxEnd, off)
	}
	dataStart := (uint64(g.off) + alignment - 1) / alignment * alignment
	if dataStart+maxEnd > uint64(size) {
		bad(fmt.Sprintf("tensor offset %d lies past the end of the file", maxEnd))
	}
}

// ggufFactKeys are the metadata strings kept for the model card.
var ggufFactKeys = map[string]bool{"general.architecture": true, "general.name": true, "general.license": true,
	"general.author": true, "general.organization": true}

// ggufTemplateRule keeps the rule id GGUF template findings have always
// had for what reaches Python internals.
func ggufTemplateRule(rule string) string {
	switch rule {
	case "template.ssti", "template.private-attribute":
		return "gguf.jinja-gadget"
	}
	return rule
}
