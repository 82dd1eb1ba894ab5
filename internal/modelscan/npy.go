package modelscan

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// numpy refuses headers above 10000 bytes unless told otherwise.
const npyMaxHeader = 10000

var npyDescr = regexp.MustCompile(`['"]descr['"]\s*:\s*`)

// npyHeader is the part of a .npy header the scanner needs.
type npyHeader struct {
	descr  string
	object bool
	dataAt int64
}

func readNpyHeader(r io.Reader) (npyHeader, error) {
	var h npyHeader
	pre := make([]byte, 10)
	if _, err := io.ReadFull(r, pre); err != nil {
		return h, fmt.Errorf("npy preamble: %w", err)
	}
	if string(pre[:6]) != "\x93NUMPY" {
		return h, fmt.Errorf("npy magic missing")
	}
	var hl int64
	switch pre[6] {
	case 1:
		hl = int64(binary.LittleEndian.Uint16(pre[8:]))
		h.dataAt = 10 + hl
	case 2, 3:
		rest := make([]byte, 2)
		if _, err := io.ReadFull(r, rest); err != nil {
			return h, fmt.Errorf("npy preamble: %w", err)
		}
		hl = int64(binary.LittleEndian.Uint32(append(pre[8:10:10], rest...)))
		h.dataAt = 12 + hl
	default:
		return h, fmt.Errorf("npy version %d.%d unknown", pre[6], pre[7])
	}
	if hl > 1<<20 {
		return h, fmt.Errorf("npy header of %d bytes", hl)
	}
	buf := make([]byte, hl)
	if _, err := io.ReadFull(r, buf); err != nil {
		return h, fmt.Errorf("npy header: %w", err)
	}
	text := string(buf)
	loc := npyDescr.FindStringIndex(text)
	if loc == nil || !strings.HasPrefix(strings.TrimSpace(text), "{") {
		return h, fmt.Errorf("npy header has no descr")
	}
	rest := text[loc[1]:]
	if strings.HasPrefix(rest, "[") {
		// structured dtype: a list of fields; any 'O' field makes it an object array
		end := strings.Index(rest, "]")
		if end < 0 {
			return h, fmt.Errorf("npy descr list unterminated")
		}
		h.descr = rest[:end+1]
		h.object = regexp.MustCompile(`['"][<>|=]?O\d*['"]`).MatchString(h.descr)
	} else {
		if len(rest) < 2 {
			return h, fmt.Errorf("npy descr truncated")
		}
		q := rest[0]
		end := strings.IndexByte(rest[1:], q)
		if end < 0 {
			return h, fmt.Errorf("npy descr unterminated")
		}
		h.descr = rest[1 : 1+end]
		h.object = strings.TrimLeft(h.descr, "<>|=") == "O" || strings.HasPrefix(strings.TrimLeft(h.descr, "<>|="), "O")
	}
	if hl > npyMaxHeader {
		return h, errNpyLargeHeader
	}
	return h, nil
}

var errNpyLargeHeader = fmt.Errorf("npy header longer than numpy's default limit of %d bytes", npyMaxHeader)

// scanNpy reads a .npy header; an object array's payload is a pickle that
// numpy.load(allow_pickle=True) unpickles, so it is decoded like one.
func (s *scanner) scanNpy(member string, r io.Reader, ps *pickleScanner) {
	br := bufio.NewReader(r)
	h, err := readNpyHeader(br)
	if err == errNpyLargeHeader {
		s.add(member, Finding{Rule: "npy.header-too-large", Severity: SeverityMedium, Reason: err.Error()})
	} else if err != nil {
		s.add(member, Finding{Rule: "npy.malformed", Severity: SeverityMedium, Reason: err.Error()})
		return
	}
	if !h.object {
		return
	}
	s.add(member, Finding{Rule: "npy.object-array", Severity: SeverityLow, Offset: h.dataAt, Global: h.descr,
		Reason: "object array: numpy.load(allow_pickle=True) unpickles the payload; decoded below"})
	ps.base = h.dataAt
	ps.scanPickles(br, kindPlain)
}
