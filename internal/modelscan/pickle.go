package modelscan

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// The pickle decoder walks opcodes of protocols 0-5 and simulates the
// unpickler's stack and memo symbolically: strings, numbers and containers
// are tracked so that STACK_GLOBAL, memo GETs and call arguments resolve;
// every call (REDUCE, NEWOBJ, OBJ, INST, BUILD) is recorded against the
// callable it would invoke. Nothing is imported or executed.

// Symbolic values on the simulated stack.
type (
	pMark    struct{}
	pNone    struct{}
	pUnknown struct{}
	pBool    bool
	pInt     struct {
		v   int64
		big bool
	}
	pFloat float64
	pStr   struct {
		s    string
		full bool // s holds the whole string
	}
	pBytes struct {
		b    []byte // kept when small enough
		n    int64
		full bool
	}
	pTuple []pval
	pList  struct{ items []pval }
	pDict  struct{ keys, vals []pval }
	pSet   struct{ n int }
	pPers  struct{ pid pval }
	pExt   struct{ code int64 }
	// pGlobal is a callable or class imported by GLOBAL, STACK_GLOBAL, INST or EXT.
	pGlobal struct {
		module, name string
		off          int64
		op           string
		callOp       string
		callOff      int64
		calls        int
		v            verdict
		why          string
	}
	// pCall is the result of invoking fn.
	pCall struct {
		fn    pval
		args  pval
		op    string
		off   int64
		state pval
	}
)

type pval any

var errStop = errors.New("STOP")

// pickleResult is what one stream taught us.
type pickleResult struct {
	end      int64 // offset just past STOP, or of the break
	stopped  bool  // reached STOP
	ops      int
	proto    int
	globals  []*pGlobal
	findings []Finding
	broken   error
	calls    int
}

// pickleScanner scans every pickle stream in r. base is added to offsets.
type pickleScanner struct {
	ctx    context.Context
	opts   Options
	rep    *reporter
	member string
	depth  int
	base   int64 // offset of the stream in the file or member
	end    int64 // offset just past the last stream decoded
	// nested is called for byte payloads handed to loaders
	// (pickle.loads, torch.storage._load_from_bytes).
	nested func(name string, data []byte)
	// tensors, when set, counts the tensors the pickle rebuilds (model card facts)
	tensors *tally
}

type pickleReader struct {
	br  *bufio.Reader
	off int64
	tmp [8]byte
}

func (r *pickleReader) byte1() (byte, error) {
	b, err := r.br.ReadByte()
	if err != nil {
		return 0, noEOF(err)
	}
	r.off++
	return b, nil
}

func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

func (r *pickleReader) full(n int) ([]byte, error) {
	buf := make([]byte, n)
	m, err := io.ReadFull(r.br, buf)
	r.off += int64(m)
	if err != nil {
		return nil, noEOF(err)
	}
	return buf, nil
}

func (r *pickleReader) uint(n int) (uint64, error) {
	b := r.tmp[:n]
	m, err := io.ReadFull(r.br, b)
	r.off += int64(m)
	if err != nil {
		return 0, noEOF(err)
	}
	var v uint64
	for i := n - 1; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v, nil
}

// payload reads n bytes, keeping at most keep of them in memory.
func (r *pickleReader) payload(n uint64, keep int64) ([]byte, bool, error) {
	if n > math.MaxInt64/2 {
		return nil, false, fmt.Errorf("length %d out of range", n)
	}
	if int64(n) <= keep {
		b, err := r.full(int(n))
		return b, true, err
	}
	head, err := r.full(int(min(int64(n), 256)))
	if err != nil {
		return nil, false, err
	}
	rest := int64(n) - int64(len(head))
	m, err := io.CopyN(io.Discard, r.br, rest)
	r.off += m
	if err != nil {
		return nil, false, noEOF(err)
	}
	return head, false, nil
}

// discardWith skips n bytes, showing them to visit in chunks that overlap
// by 512 bytes (so patterns across chunk borders are seen); start is the
// offset of chunk[0].
func (r *pickleReader) discardWith(n int64, visit func(chunk []byte, start int64)) error {
	const overlap = 512
	buf := make([]byte, 64<<10)
	keep := 0
	for n > 0 {
		want := min(int64(len(buf)-keep), n)
		m, err := io.ReadFull(r.br, buf[keep:keep+int(want)])
		r.off += int64(m)
		n -= int64(m)
		total := keep + m
		visit(buf[:total], r.off-int64(total))
		if err != nil {
			return noEOF(err)
		}
		keep = min(overlap, total)
		copy(buf, buf[total-keep:total])
	}
	return nil
}

const maxLine = 1 << 20

func (r *pickleReader) line() (string, error) {
	var sb strings.Builder
	for {
		frag, err := r.br.ReadSlice('\n')
		r.off += int64(len(frag))
		sb.Write(frag)
		if err == nil {
			s := sb.String()
			return strings.TrimSuffix(s[:len(s)-1], "\r"), nil
		}
		if err != bufio.ErrBufferFull {
			return "", noEOF(err)
		}
		if sb.Len() > maxLine {
			return "", fmt.Errorf("line longer than %d bytes", maxLine)
		}
	}
}

// isPickleOpcode reports whether b can start a pickle stream.
func isPickleOpcode(b byte) bool {
	_, ok := opNames[b]
	return ok && b != opStop
}

type decoder struct {
	s        *pickleScanner
	r        *pickleReader
	stack    []pval
	marks    [][]pval // saved stacks (MARK pushes the current stack)
	memo     map[int64]pval
	judged   map[string]judged
	hidden   map[int64]bool // offsets of hidden globals already reported
	retained int
	kept     int64
	res      pickleResult
	// joblib: raw array bytes follow the BUILD of a NumpyArrayWrapper.
	joblib bool
	// pending payloads found in strings and bytes, scanned at the end
	// of the stream (after loader calls have scanned theirs).
	pending []dataPayload
}

func (d *decoder) retain() bool {
	d.retained++
	return d.retained <= d.s.opts.MaxRetainedValues
}

func (d *decoder) push(v pval) {
	if len(d.stack) >= 1<<20 {
		panic(decodeFailure{limitErr("stack deeper than 1M entries")})
	}
	d.stack = append(d.stack, v)
}

type limitErr string

func (e limitErr) Error() string { return string(e) }

var (
	errUnderflow = errors.New("stack underflow")
	errNoMark    = errors.New("mark not found")
)

// decodeFailure is how stack helpers abort a stream; any other panic is a
// bug and is not swallowed.
type decodeFailure struct{ err error }

func (d *decoder) pop() pval {
	if len(d.stack) == 0 {
		panic(decodeFailure{errUnderflow})
	}
	v := d.stack[len(d.stack)-1]
	d.stack = d.stack[:len(d.stack)-1]
	return v
}

func (d *decoder) top() pval {
	if len(d.stack) == 0 {
		panic(decodeFailure{errUnderflow})
	}
	return d.stack[len(d.stack)-1]
}

// popMark returns the items pushed since the last MARK and restores the stack.
func (d *decoder) popMark() []pval {
	if len(d.marks) == 0 {
		panic(decodeFailure{errNoMark})
	}
	items := d.stack
	d.stack = d.marks[len(d.marks)-1]
	d.marks = d.marks[:len(d.marks)-1]
	return items
}

func (d *decoder) keepBytes(n uint64) int64 {
	left := d.s.opts.MaxKeptBytes - d.kept
	if left < 0 {
		return 0
	}
	return left
}

func (d *decoder) str(n uint64) (pStr, error) {
	b, full, err := d.r.payload(n, min(d.keepBytes(n), 1<<16))
	if err != nil {
		return pStr{}, err
	}
	if full {
		d.kept += int64(len(b))
	}
	return pStr{s: string(b), full: full}, nil
}

func (d *decoder) bytesVal(n uint64) (pBytes, error) {
	b, full, err := d.r.payload(n, d.keepBytes(n))
	if err != nil {
		return pBytes{}, err
	}
	if full {
		d.kept += int64(len(b))
	}
	return pBytes{b: b, n: int64(n), full: full}, nil
}

// decodeStream decodes one pickle stream starting at r's current offset.
func (s *pickleScanner) decodeStream(r *pickleReader, joblib bool) (res pickleResult) {
	d := &decoder{s: s, r: r, memo: map[int64]pval{}, judged: map[string]judged{}, joblib: joblib}
	defer func() {
		if p := recover(); p != nil {
			f, ok := p.(decodeFailure)
			if !ok {
				panic(p)
			}
			d.res.broken = f.err
		}
		d.res.end = r.off
		d.scanPending()
		res = d.res
	}()
	for {
		if d.res.ops&1023 == 0 {
			if err := s.ctx.Err(); err != nil {
				d.res.broken = fmt.Errorf("time budget: %w", err)
				return
			}
		}
		opOff := r.off
		op, err := r.byte1()
		if err != nil {
			d.res.broken = err
			return
		}
		d.res.ops++
		if err := d.step(op, opOff); err != nil {
			if err == errStop {
				d.res.stopped = true
				return
			}
			d.res.broken = fmt.Errorf("%s at offset %d: %w", opName(op), opOff, err)
			return
		}
	}
}

func opName(op byte) string {
	if n, ok := opNames[op]; ok {
		return n
	}
	return fmt.Sprintf("0x%02x", op)
}

type judged struct {
	v   verdict
	why string
}

func (d *decoder) global(module, name string, off int64, op string) *pGlobal {
	g := &pGlobal{module: module, name: name, off: off, op: op}
	key := module + "\x00" + name
	j, ok := d.judged[key]
	if !ok {
		j.v, j.why = judgeGlobal(module, name)
		if len(d.judged) < 1<<16 {
			d.judged[key] = j
		}
	}
	g.v, g.why = j.v, j.why
	d.res.globals = append(d.res.globals, g)
	return g
}

func (d *decoder) finding(rule string, sev Severity, off int64, op, construct, why string) {
	d.res.findings = append(d.res.findings, Finding{Rule: rule, Severity: sev, Offset: off, Opcode: op, Global: construct, Reason: why})
}

// call records that fn is invoked by op with args.
func (d *decoder) call(fn, args pval, op string, off int64) pval {
	d.res.calls++
	if g, ok := fn.(*pGlobal); ok {
		g.calls++
		if g.callOp == "" {
			g.callOp, g.callOff = op, off
		}
		d.inspectCall(g, args, off)
		if d.s.tensors != nil && g.v == verdictAllowed {
			d.countTensor(g, args)
		}
	} else if _, ok := fn.(pExt); ok {
		d.finding("pickle.ext-call", SeverityCritical, off, op, "EXT", "invokes a callable resolved through the copyreg extension registry, which is empty in a stock interpreter; the target cannot be vetted")
	}
	return &pCall{fn: fn, args: args, op: op, off: off}
}

// inspectCall looks inside arguments of calls that load nested payloads.
func (d *decoder) inspectCall(g *pGlobal, args pval, off int64) {
	full := normalizeModule(g.module) + "." + g.name
	switch full {
	case "pickle.loads", "pickle._loads", "dill.loads", "torch.storage._load_from_bytes", "marshal.loads", "cloudpickle.loads":
	default:
		return
	}
	t, ok := args.(pTuple)
	if !ok || len(t) == 0 {
		return
	}
	b, ok := t[0].(pBytes)
	if !ok || d.s.nested == nil {
		return
	}
	if !b.full {
		d.finding("pickle.nested-too-large", SeverityMedium, off, "REDUCE", full, "nested payload is larger than the in-memory limit and was not analysed")
		return
	}
	d.s.nested(fmt.Sprintf("%s@%d", full, off), b.b)
}

func asTuple(v pval) pTuple {
	if t, ok := v.(pTuple); ok {
		return t
	}
	return nil
}

// step executes one opcode symbolically. Opcodes are handled by family:
// stack and framing, numbers and constants, strings and bytes,
// containers, the memo, imports, and calls (which is where code runs).
func (d *decoder) step(op byte, off int64) error {
	switch op {
	case opMark, opStop, opPop, opPopMark, opDup, opProto, opFrame:
		return d.stackOp(op)
	case opInt, opLong, opBinInt, opBinInt1, opBinInt2, opLong1, opLong4, opFloat, opBinFloat, opNone, opNewTrue, opNewFalse:
		return d.numberOp(op)
	case opString, opUnicode, opBinString, opBinUnicode, opShortBinString, opShortBinUnicode, opBinUnicode8,
		opBinBytes, opShortBinBytes, opBinBytes8, opByteArray8, opNextBuffer, opReadonlyBuffer:
		return d.stringOp(op, off)
	case opEmptyTuple, opTuple, opTuple1, opTuple2, opTuple3, opEmptyList, opList, opAppend, opAppends,
		opEmptyDict, opDict, opSetItem, opSetItems, opEmptySet, opAddItems, opFrozenSet:
		return d.containerOp(op)
	case opPut, opBinPut, opLongBinPut, opMemoize, opGet, opBinGet, opLongBinGet:
		return d.memoOp(op)
	case opGlobal, opInst, opStackGlobal, opExt1, opExt2, opExt4:
		return d.importOp(op, off)
	case opReduce, opNewObj, opNewObjEx, opObj, opBuild, opPersID, opBinPersID:
		return d.callOp(op, off)
	}
	return fmt.Errorf("invalid opcode 0x%02x", op)
}

// stackOp: marks, STOP, POP, DUP and the framing opcodes.
func (d *decoder) stackOp(op byte) error {
	switch op {
	case opMark:
		d.marks = append(d.marks, d.stack)
		d.stack = make([]pval, 0, 4)
		if len(d.marks) > 1<<18 {
			return limitErr("more than 256K nested marks")
		}
	case opStop:
		return errStop
	case opPop:
		if len(d.stack) == 0 && len(d.marks) > 0 {
			d.popMark() // POP at a mark discards it
		} else {
			d.pop()
		}
	case opPopMark:
		d.popMark()
	case opDup:
		d.push(d.top())
	case opProto:
		v, err := d.r.uint(argWidth[op])
		if err != nil {
			return err
		}
		if v > 5 {
			return fmt.Errorf("unsupported protocol %d", v)
		}
		d.res.proto = int(v)
	case opFrame: // a length hint; opcodes continue sequentially
		n, err := d.r.uint(argWidth[op])
		if err != nil {
			return err
		}
		if n > 1<<40 {
			return fmt.Errorf("frame length %d out of range", n)
		}
	}
	return nil
}

// numberOp: integers, floats, booleans and None.
func (d *decoder) numberOp(op byte) error {
	r := d.r
	switch op {
	case opFloat:
		l, err := r.line()
		if err != nil {
			return err
		}
		f, _ := strconv.ParseFloat(strings.TrimSpace(l), 64)
		d.push(pFloat(f))
	case opInt:
		l, err := r.line()
		if err != nil {
			return err
		}
		switch l {
		case "01":
			d.push(pBool(true))
		case "00":
			d.push(pBool(false))
		default:
			v, err := strconv.ParseInt(strings.TrimSpace(l), 0, 64)
			d.push(pInt{v: v, big: err != nil})
		}
	case opLong:
		l, err := r.line()
		if err != nil {
			return err
		}
		v, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(l), "L"), 0, 64)
		d.push(pInt{v: v, big: err != nil})
	case opBinInt:
		v, err := r.uint(argWidth[op])
		if err != nil {
			return err
		}
		d.push(pInt{v: int64(int32(uint32(v)))})
	case opBinInt1, opBinInt2:
		v, err := r.uint(argWidth[op])
		if err != nil {
			return err
		}
		d.push(pInt{v: int64(v)})
	case opLong1, opLong4:
		n, err := r.uint(argWidth[op])
		if err != nil {
			return err
		}
		if int32(uint32(n)) < 0 {
			return fmt.Errorf("negative LONG4 length")
		}
		b, _, err := r.payload(n, 16)
		if err != nil {
			return err
		}
		v := int64(0)
		if len(b) <= 8 && len(b) > 0 {
			for i := len(b) - 1; i >= 0; i-- {
				v = v<<8 | int64(b[i])
			}
			if b[len(b)-1]&0x80 != 0 && len(b) < 8 {
				v -= 1 << (8 * len(b))
			}
		}
		d.push(pInt{v: v, big: n > 8})
	case opBinFloat:
		v, err := r.full(8)
		if err != nil {
			return err
		}
		var u uint64
		for _, c := range v {
			u = u<<8 | uint64(c)
		}
		d.push(pFloat(math.Float64frombits(u)))
	case opNone:
		d.push(pNone{})
	case opNewTrue:
		d.push(pBool(true))
	case opNewFalse:
		d.push(pBool(false))
	}
	return nil
}

// stringOp: text and binary strings, bytes and out-of-band buffers.
func (d *decoder) stringOp(op byte, off int64) error {
	r := d.r
	switch op {
	case opString:
		l, err := r.line()
		if err != nil {
			return err
		}
		s, err := unquotePy(l)
		if err != nil {
			return err
		}
		d.pushStr(pStr{s: s, full: true}, off)
	case opUnicode:
		l, err := r.line()
		if err != nil {
			return err
		}
		d.pushStr(pStr{s: rawUnicodeEscape(l), full: true}, off)
	case opBinString, opBinUnicode, opShortBinString, opShortBinUnicode, opBinUnicode8:
		n, err := r.uint(argWidth[op])
		if err != nil {
			return err
		}
		if op == opBinString && int32(uint32(n)) < 0 {
			return fmt.Errorf("negative BINSTRING length")
		}
		s, err := d.str(n)
		if err != nil {
			return err
		}
		d.pushStr(s, off)
	case opBinBytes, opShortBinBytes, opBinBytes8, opByteArray8:
		n, err := r.uint(argWidth[op])
		if err != nil {
			return err
		}
		b, err := d.bytesVal(n)
		if err != nil {
			return err
		}
		d.pushBytes(b, off)
	case opNextBuffer: // out-of-band buffer supplied by the caller
		d.push(pBytes{})
	case opReadonlyBuffer:
		d.top()
	}
	return nil
}

// containerOp: tuples, lists, dicts and sets.
func (d *decoder) containerOp(op byte) error {
	switch op {
	case opEmptyTuple:
		d.push(pTuple{})
	case opTuple:
		items := d.popMark()
		d.push(d.tuple(items))
	case opTuple1, opTuple2, opTuple3:
		n := int(op - opTuple1 + 1)
		if len(d.stack) < n {
			return errUnderflow
		}
		items := append([]pval(nil), d.stack[len(d.stack)-n:]...)
		d.stack = d.stack[:len(d.stack)-n]
		d.push(pTuple(items))
	case opEmptyList:
		d.push(&pList{})
	case opList:
		items := d.popMark()
		l := &pList{}
		d.extend(l, items)
		d.push(l)
	case opAppend:
		v := d.pop()
		if l, ok := d.top().(*pList); ok {
			d.extend(l, []pval{v})
		}
	case opAppends:
		items := d.popMark()
		if l, ok := d.top().(*pList); ok {
			d.extend(l, items)
		}
	case opEmptyDict:
		d.push(&pDict{})
	case opDict:
		items := d.popMark()
		dct := &pDict{}
		d.setItems(dct, items)
		d.push(dct)
	case opSetItem:
		v := d.pop()
		k := d.pop()
		if dct, ok := d.top().(*pDict); ok {
			d.setItems(dct, []pval{k, v})
		}
	case opSetItems:
		items := d.popMark()
		if dct, ok := d.top().(*pDict); ok {
			d.setItems(dct, items)
		}
	case opEmptySet:
		d.push(&pSet{})
	case opAddItems:
		items := d.popMark()
		if st, ok := d.top().(*pSet); ok {
			st.n += len(items)
		}
	case opFrozenSet:
		items := d.popMark()
		d.push(&pSet{n: len(items)})
	}
	return nil
}

// memoOp: PUT and GET in their text, binary and implicit forms.
func (d *decoder) memoOp(op byte) error {
	r := d.r
	switch op {
	case opPut, opGet:
		l, err := r.line()
		if err != nil {
			return err
		}
		idx, err := strconv.ParseInt(l, 10, 64)
		if err != nil {
			return fmt.Errorf("bad %s index %q", opName(op), l)
		}
		if op == opPut {
			return d.memoPut(idx)
		}
		return d.memoGet(idx)
	case opBinPut, opLongBinPut:
		v, err := r.uint(argWidth[op])
		if err != nil {
			return err
		}
		return d.memoPut(int64(v))
	case opMemoize:
		return d.memoPut(int64(len(d.memo)))
	case opBinGet, opLongBinGet:
		v, err := r.uint(argWidth[op])
		if err != nil {
			return err
		}
		return d.memoGet(int64(v))
	}
	return nil
}

// importOp: GLOBAL, INST, STACK_GLOBAL and the extension-registry codes.
// Each import is judged against the allow and deny lists.
func (d *decoder) importOp(op byte, off int64) error {
	r := d.r
	switch op {
	case opGlobal, opInst:
		mod, err := r.line()
		if err != nil {
			return err
		}
		name, err := r.line()
		if err != nil {
			return err
		}
		g := d.global(mod, name, off, opName(op))
		if op == opGlobal {
			d.push(g)
			return nil
		}
		items := d.popMark()
		d.push(d.call(g, d.tuple(items), "INST", off))
	case opStackGlobal:
		name := d.pop()
		mod := d.pop()
		ms, ok1 := mod.(pStr)
		ns, ok2 := name.(pStr)
		if !ok1 || !ok2 {
			d.finding("pickle.unresolved-global", SeverityHigh, off, "STACK_GLOBAL", "", "module or name of STACK_GLOBAL is not a plain string on the stack; the imported callable cannot be determined")
			d.push(pUnknown{})
			return nil
		}
		d.push(d.global(ms.s, ns.s, off, "STACK_GLOBAL"))
	case opExt1, opExt2, opExt4:
		code, err := r.uint(argWidth[op])
		if err != nil {
			return err
		}
		d.finding("pickle.ext-code", SeverityHigh, off, opName(op), fmt.Sprintf("extension code %d", code), "resolves a global through the copyreg extension registry; the target depends on the loading process and cannot be vetted")
		d.push(pExt{code: int64(code)})
	}
	return nil
}

// callOp: everything that invokes a callable (REDUCE, NEWOBJ, NEWOBJ_EX,
// OBJ), sets state (BUILD) or asks the loader for an object (PERSID).
func (d *decoder) callOp(op byte, off int64) error {
	switch op {
	case opObj:
		items := d.popMark()
		if len(items) == 0 {
			return errUnderflow
		}
		d.push(d.call(items[0], d.tuple(items[1:]), "OBJ", off))
	case opReduce:
		args := d.pop()
		fn := d.pop()
		d.push(d.call(fn, args, "REDUCE", off))
	case opNewObj:
		args := d.pop()
		cls := d.pop()
		d.push(d.call(cls, args, "NEWOBJ", off))
	case opNewObjEx:
		d.pop() // keyword arguments
		args := d.pop()
		cls := d.pop()
		d.push(d.call(cls, args, "NEWOBJ_EX", off))
	case opBuild:
		state := d.pop()
		switch o := d.top().(type) {
		case *pGlobal:
			d.finding("pickle.build-on-global", SeverityCritical, off, "BUILD", o.module+"."+o.name, "BUILD sets attributes on an imported module-level object, which can rewrite code the loader runs later")
		case *pCall:
			o.state = state
			if d.joblib {
				return d.joblibArray(o)
			}
		}
	case opPersID:
		l, err := d.r.line()
		if err != nil {
			return err
		}
		d.push(&pCall{fn: pPers{pid: pStr{s: l, full: true}}, op: "PERSID", off: off})
	case opBinPersID:
		pid := d.pop()
		d.push(&pCall{fn: pPers{pid: pid}, op: "BINPERSID", off: off})
	}
	return nil
}

func (d *decoder) tuple(items []pval) pTuple {
	if len(items) > 64 {
		// keep a prefix: arguments that matter are short tuples
		items = items[:64]
	}
	return pTuple(append([]pval(nil), items...))
}

func (d *decoder) extend(l *pList, items []pval) {
	for _, it := range items {
		if !d.retain() {
			return
		}
		l.items = append(l.items, it)
	}
}

func (d *decoder) setItems(dct *pDict, items []pval) {
	for i := 0; i+1 < len(items); i += 2 {
		if !d.retain() {
			return
		}
		dct.keys = append(dct.keys, items[i])
		dct.vals = append(dct.vals, items[i+1])
	}
}

func (d *decoder) memoPut(idx int64) error {
	if idx < 0 {
		return fmt.Errorf("negative memo index")
	}
	if _, ok := d.memo[idx]; !ok && len(d.memo) >= 1<<20 {
		return limitErr("more than 1M memo entries")
	}
	d.memo[idx] = d.top()
	return nil
}

func (d *decoder) memoGet(idx int64) error {
	v, ok := d.memo[idx]
	if !ok {
		return fmt.Errorf("memo key %d missing", idx)
	}
	d.push(v)
	return nil
}

// unquotePy decodes a protocol-0 STRING argument ('...' or "..." with escapes).
func unquotePy(l string) (string, error) {
	l = strings.TrimRight(l, " ")
	if len(l) < 2 || (l[0] != '\'' && l[0] != '"') || l[len(l)-1] != l[0] {
		return "", fmt.Errorf("STRING argument not quoted")
	}
	body := l[1 : len(l)-1]
	if !strings.Contains(body, "\\") {
		return body, nil
	}
	var sb strings.Builder
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' || i+1 >= len(body) {
			sb.WriteByte(c)
			continue
		}
		i++
		switch body[i] {
		case 'n':
			sb.WriteByte('\n')
		case 't':
			sb.WriteByte('\t')
		case 'r':
			sb.WriteByte('\r')
		case '\\', '\'', '"':
			sb.WriteByte(body[i])
		case 'x':
			if i+2 < len(body) {
				if v, err := strconv.ParseUint(body[i+1:i+3], 16, 8); err == nil {
					sb.WriteByte(byte(v))
					i += 2
					continue
				}
			}
			sb.WriteString("\\x")
		default:
			if body[i] >= '0' && body[i] <= '7' {
				j := i
				for j < len(body) && j < i+3 && body[j] >= '0' && body[j] <= '7' {
					j++
				}
				v, _ := strconv.ParseUint(body[i:j], 8, 8)
				sb.WriteByte(byte(v))
				i = j - 1
				continue
			}
			sb.WriteByte('\\')
			sb.WriteByte(body[i])
		}
	}
	return sb.String(), nil
}

// rawUnicodeEscape decodes \uXXXX and \UXXXXXXXX as protocol 0 UNICODE does.
func rawUnicodeEscape(l string) string {
	if !strings.Contains(l, "\\u") && !strings.Contains(l, "\\U") {
		return l
	}
	var sb strings.Builder
	for i := 0; i < len(l); i++ {
		if l[i] == '\\' && i+1 < len(l) && (l[i+1] == 'u' || l[i+1] == 'U') {
			w := 4
			if l[i+1] == 'U' {
				w = 8
			}
			if i+2+w <= len(l) {
				if v, err := strconv.ParseUint(l[i+2:i+2+w], 16, 32); err == nil {
					sb.WriteRune(rune(v))
					i += 1 + w
					continue
				}
			}
		}
		sb.WriteByte(l[i])
	}
	return sb.String()
}

// pushStr and pushBytes push a string or bytes value; values that hold
// another pickle (raw, base64 or hex) are scanned as payloads in data.
func (d *decoder) pushStr(s pStr, off int64) {
	if s.full {
		d.dataPayload(s.s, off)
	}
	d.push(s)
}

func (d *decoder) pushBytes(b pBytes, off int64) {
	if b.full {
		d.dataPayload(string(b.b), off)
	}
	d.push(b)
}

// countTensor tallies a tensor torch.save wrote as
// _rebuild_tensor_v2(storage, offset, size, stride, ...), the storage being
// a persistent id ('storage', <dtype>Storage, key, location, numel).
func (d *decoder) countTensor(g *pGlobal, args pval) {
	if g.module != "torch._utils" || !strings.HasPrefix(g.name, "_rebuild_tensor") {
		return
	}
	t := asTuple(args)
	if len(t) < 3 {
		return
	}
	dtype := "unknown"
	if c, ok := t[0].(*pCall); ok {
		if p, ok := c.fn.(pPers); ok {
			if pid := asTuple(p.pid); len(pid) > 1 {
				if st, ok := pid[1].(*pGlobal); ok {
					dtype = torchStorageDType(st.name)
				}
			}
		}
	}
	elems := int64(1)
	for _, v := range asTuple(t[2]) {
		n, ok := v.(pInt)
		if !ok || n.big || n.v < 0 {
			elems = -1
			break
		}
		elems = mulDim(elems, n.v)
	}
	d.s.tensors.add(dtype, elems)
}

// torchStorageDType maps a storage class (FloatStorage) or dtype name to a dtype.
func torchStorageDType(name string) string {
	switch strings.TrimSuffix(name, "Storage") {
	case "Float", "float32", "float":
		return "float32"
	case "Half", "float16", "half":
		return "float16"
	case "BFloat16", "bfloat16":
		return "bfloat16"
	case "Double", "float64", "double":
		return "float64"
	case "Long", "int64", "long":
		return "int64"
	case "Int", "int32", "int":
		return "int32"
	case "Short", "int16":
		return "int16"
	case "Char", "int8":
		return "int8"
	case "Byte", "uint8":
		return "uint8"
	case "Bool", "bool":
		return "bool"
	case "ComplexFloat":
		return "complex64"
	case "ComplexDouble":
		return "complex128"
	case "QInt8":
		return "qint8"
	case "QUInt8":
		return "quint8"
	case "QInt32":
		return "qint32"
	}
	return strings.ToLower(strings.TrimSuffix(name, "Storage"))
}
