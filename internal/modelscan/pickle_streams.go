package modelscan

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// pickleKind says how a loader reads the byte stream around the pickles.
type pickleKind int

const (
	kindPlain  pickleKind = iota // pickle.load; extra streams are reported
	kindJoblib                   // joblib: raw array bytes after NumpyArrayWrapper BUILDs
	kindLegacy                   // torch legacy: 5 pickles, then raw storages
)

// scanPickles analyses every pickle stream in r (a file, member or
// decompressed stream). It returns false when r does not start like a pickle.
func (s *pickleScanner) scanPickles(r io.Reader, kind pickleKind) {
	pr := &pickleReader{br: bufio.NewReaderSize(r, 64<<10), off: s.base}
	for stream := 1; ; stream++ {
		start := pr.off
		// joblib's inline array layout is honoured for every non-legacy
		// pickle: joblib.load is how such files are read.
		res := s.decodeStream(pr, kind != kindLegacy)
		if res.stopped || stream == 1 {
			s.end = res.end // a broken trailing stream is junk, not pickle content
		}
		s.emit(res, stream, start)
		if !res.stopped {
			return
		}
		if kind == kindLegacy && stream == 5 {
			// magic, protocol, sys_info, object, storage keys; raw storage bytes follow.
			return
		}
		nb, err := pr.br.Peek(1)
		if err != nil || len(nb) == 0 {
			return
		}
		if stream >= 1000 {
			s.rep.add(Finding{Rule: "pickle.too-many-streams", Severity: SeverityMedium, Member: s.member, Offset: pr.off, Reason: "more than 1000 pickle streams; the rest was not analysed"})
			return
		}
		if !isPickleOpcode(nb[0]) {
			s.rep.add(Finding{Rule: "pickle.trailing-data", Severity: SeverityLow, Member: s.member, Offset: pr.off, Reason: "bytes after STOP that do not start another pickle"})
			return
		}
		if kind != kindLegacy {
			s.rep.add(Finding{Rule: "pickle.multiple-streams", Severity: SeverityLow, Member: s.member, Offset: pr.off,
				Reason: fmt.Sprintf("pickle stream #%d follows STOP; loaders that call load() repeatedly execute it too", stream+1)})
		}
	}
}

// notAPickle: a headerless first stream that breaks within its first two
// opcodes, importing nothing importable and calling nothing, is some other
// kind of file whose first byte happens to be an opcode (text starting
// with "c", "(", "I"...): no loader gets past it, so it is reported once, as
// a format mismatch, not as a broken pickle.
func notAPickle(res pickleResult, stream int) bool {
	if stream != 1 || res.proto != 0 || res.broken == nil || res.ops > 2 || res.calls > 0 || len(res.findings) > 0 {
		return false
	}
	for _, g := range res.globals {
		if g.v != verdictInvalid {
			return false
		}
	}
	return true
}

// emit turns one stream's globals and anomalies into findings.
func (s *pickleScanner) emit(res pickleResult, stream int, start int64) {
	if notAPickle(res, stream) {
		s.rep.add(Finding{Rule: "format.not-a-pickle", Severity: SeverityLow, Member: s.member, Offset: res.end,
			Reason: fmt.Sprintf("starts like a pickle but breaks after %d opcodes (%v) without importing or calling anything; loaders reject it", res.ops, res.broken)})
		return
	}
	where := ""
	if stream > 1 {
		where = fmt.Sprintf(" (stream #%d)", stream)
	}
	for _, f := range res.findings {
		f.Member = s.member
		f.Reason += where
		s.rep.add(f)
	}
	for _, g := range res.globals {
		rule, sev := "", Severity("")
		switch g.v {
		case verdictAllowed:
			continue
		case verdictDenied:
			rule, sev = "pickle.denylisted-global", SeverityCritical
		case verdictRisky:
			rule, sev = "pickle.risky-global", SeverityHigh
		case verdictUnknown:
			rule, sev = "pickle.unknown-global", SeverityMedium
		case verdictInvalid:
			rule, sev = "pickle.invalid-global", SeverityLow
		}
		op, off, why := g.op, g.off, g.why
		if g.calls > 0 {
			op, off = g.callOp, g.callOff
			why += fmt.Sprintf("; imported by %s at offset %d and invoked by %s", g.op, g.off, g.callOp)
		} else {
			why += "; imported by " + g.op
		}
		s.rep.add(Finding{Rule: rule, Severity: sev, Member: s.member, Offset: off, Opcode: op,
			Global: g.module + "." + g.name, Reason: why + where})
	}
	if res.broken != nil {
		sev := SeverityMedium
		if res.ops <= 1 && stream > 1 {
			sev = SeverityLow
		}
		rule := "pickle.broken-stream"
		if strings.Contains(res.broken.Error(), "time budget") {
			rule = "scan.time-budget"
		}
		s.rep.add(Finding{Rule: rule, Severity: sev, Member: s.member, Offset: res.end,
			Reason: fmt.Sprintf("pickle stream starting at %d breaks after %d opcodes: %v; a loader executes every opcode before the break%s", start, res.ops, res.broken, where)})
	}
}

// joblibArray skips the raw array bytes joblib's NumpyPickler writes right
// after the BUILD of a NumpyArrayWrapper (or decodes the nested pickle it
// writes for object arrays), exactly as NumpyUnpickler.load_build reads them.
func (d *decoder) joblibArray(o *pCall) error {
	g, ok := o.fn.(*pGlobal)
	if !ok || g.name != "NumpyArrayWrapper" || g.v != verdictAllowed {
		return nil
	}
	st, ok := o.state.(*pDict)
	if !ok {
		return fmt.Errorf("NumpyArrayWrapper state is not a dict")
	}
	field := func(k string) pval {
		for i, key := range st.keys {
			if ks, ok := key.(pStr); ok && ks.s == k {
				return st.vals[i]
			}
		}
		return nil
	}
	dt, ok := field("dtype").(*pCall)
	if !ok {
		return fmt.Errorf("NumpyArrayWrapper without a dtype")
	}
	code := ""
	if t := asTuple(dt.args); len(t) > 0 {
		if s, ok := t[0].(pStr); ok {
			code = s.s
		}
	}
	if strings.HasPrefix(code, "O") {
		// object arrays are written as a nested pickle (protocol 2)
		sub := d.s.decodeStream(d.r, true)
		d.res.globals = append(d.res.globals, sub.globals...)
		d.res.findings = append(d.res.findings, sub.findings...)
		if sub.broken != nil {
			return fmt.Errorf("object array pickle: %w", sub.broken)
		}
		return nil
	}
	itemsize := int64(0)
	if t := asTuple(dt.state); len(t) > 5 {
		if v, ok := t[5].(pInt); ok && v.v > 0 {
			itemsize = v.v
		}
	}
	if itemsize == 0 {
		n, err := strconv.ParseInt(strings.TrimLeft(code, "<>=|bBiuUfcSamMVh?"), 10, 64)
		if err != nil || n <= 0 {
			if code == "b1" || code == "?" {
				n = 1
			} else {
				return fmt.Errorf("cannot size dtype %q", code)
			}
		}
		if strings.HasPrefix(code, "U") {
			n *= 4
		}
		itemsize = n
	}
	count := int64(1)
	for _, v := range asTuple(field("shape")) {
		n, ok := v.(pInt)
		if !ok || n.v < 0 || n.big {
			return fmt.Errorf("bad array shape")
		}
		if n.v > 0 && count > (1<<50)/n.v {
			return fmt.Errorf("array shape overflows")
		}
		count *= n.v
	}
	if itemsize > 0 && count > (1<<62)/itemsize {
		return fmt.Errorf("array size overflows")
	}
	if a := field("numpy_array_alignment_bytes"); a != nil {
		if _, none := a.(pNone); !none {
			pad, err := d.r.byte1()
			if err != nil {
				return err
			}
			if _, _, err := d.r.payload(uint64(pad), 0); err != nil {
				return err
			}
		}
	}
	// Under pickle.load (instead of joblib.load) these bytes are opcodes:
	// look for imports of dangerous callables hidden in them.
	if err := d.r.discardWith(count*itemsize, d.hiddenGlobals); err != nil {
		return fmt.Errorf("array data (%d bytes): %w", count*itemsize, err)
	}
	return nil
}

var rawGlobal = regexp.MustCompile(`c([A-Za-z_][A-Za-z0-9_.]{0,127})\n([A-Za-z_][A-Za-z0-9_.]{0,127})\n`)

// hiddenGlobals reports GLOBAL and STACK_GLOBAL byte patterns naming
// denylisted or risky callables inside raw data a joblib loader skips.
func (d *decoder) hiddenGlobals(chunk []byte, start int64) {
	report := func(at int64, mod, name, op string) {
		if d.hidden == nil {
			d.hidden = map[int64]bool{}
		}
		v, why := judgeGlobal(mod, name)
		if (v != verdictDenied && v != verdictRisky) || d.hidden[at] || len(d.hidden) > 1000 {
			return
		}
		d.hidden[at] = true
		d.finding("pickle.hidden-in-array", SeverityCritical, at, op, mod+"."+name,
			why+"; found inside joblib array data, which pickle.load (rather than joblib.load) executes as opcodes")
	}
	for _, m := range rawGlobal.FindAllSubmatchIndex(chunk, -1) {
		report(start+int64(m[0]), string(chunk[m[2]:m[3]]), string(chunk[m[4]:m[5]]), "GLOBAL")
	}
	ident := func(i int) (string, int, bool) { // SHORT_BINUNICODE at i, optional MEMOIZE
		if i+2 > len(chunk) || chunk[i] != 0x8c {
			return "", 0, false
		}
		n := int(chunk[i+1])
		if n == 0 || i+2+n > len(chunk) || !isIdentPath(string(chunk[i+2:i+2+n])) {
			return "", 0, false
		}
		j := i + 2 + n
		if j < len(chunk) && chunk[j] == 0x94 {
			j++
		}
		return string(chunk[i+2 : i+2+n]), j, true
	}
	for i := 0; i < len(chunk); i++ {
		k := bytes.IndexByte(chunk[i:], 0x8c)
		if k < 0 {
			return
		}
		i += k
		mod, j, ok := ident(i)
		if !ok {
			continue
		}
		name, j, ok := ident(j)
		if ok && j < len(chunk) && chunk[j] == 0x93 {
			report(start+int64(i), mod, name, "STACK_GLOBAL")
		}
	}
}
