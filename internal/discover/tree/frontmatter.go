package tree

import "bytes"

// SplitFrontMatter returns the YAML between the leading "---" lines, the
// line it starts on, and the body after it.
func SplitFrontMatter(data []byte) (fm []byte, fmLine int, body []byte, bodyLine int, ok bool) {
	d := bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !bytes.HasPrefix(d, []byte("---\n")) && !bytes.HasPrefix(d, []byte("---\r\n")) {
		return nil, 0, d, 1, false
	}
	nl := bytes.IndexByte(d, '\n')
	rest := d[nl+1:]
	line := 2
	off := 0
	for off <= len(rest) {
		end := bytes.IndexByte(rest[off:], '\n')
		var l []byte
		if end < 0 {
			l = rest[off:]
		} else {
			l = rest[off : off+end]
		}
		t := string(bytes.TrimRight(l, "\r \t"))
		if t == "---" || t == "..." {
			b := []byte{}
			if end >= 0 {
				b = rest[off+end+1:]
			}
			return rest[:off], 2, b, line + 1, true
		}
		if end < 0 {
			break
		}
		off += end + 1
		line++
	}
	// Unterminated: treat it all as front matter.
	return rest, 2, nil, line, true
}

// ShortErr cuts a parser error to a length fit for a warning.
func ShortErr(err error) string {
	s := err.Error()
	if len(s) > 160 {
		s = s[:160]
	}
	return s
}
