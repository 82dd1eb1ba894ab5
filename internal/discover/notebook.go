package discover

import (
	"errors"
	"fmt"
	"strings"
)

// Notebooks: only code cells are analysed, never markdown or stored outputs
// (a printed model id in an output is not a use of that model).
//
// Line numbers: a finding in a notebook carries the notebook's path and the
// line of the .ipynb JSON file on which the source line's string sits. That
// is what an editor opening the file shows and what a reviewer can click;
// cell/line pairs would need a notebook-aware viewer. A cell whose source is
// one string (rather than the usual list of lines) maps all its lines to
// that string's line.

type nbCell struct {
	kind  string   // code, markdown, raw
	lines []string // source lines, each without its trailing newline
	at    []int    // JSON line of each source line
}

// parseNotebook reads the cells of an nbformat 4 (or 3, with worksheets)
// notebook.
func parseNotebook(data []byte) ([]nbCell, error) {
	root, err := parseJSONTree(data)
	if err != nil {
		return nil, fmt.Errorf("notebook JSON: %w", err)
	}
	if root.kind != nDict {
		return nil, errors.New("notebook is not a JSON object")
	}
	cells := root.get("cells")
	if cells == nil {
		if ws := root.get("worksheets"); ws != nil && ws.kind == nList && len(ws.vals) > 0 {
			cells = ws.vals[0].get("cells")
		}
	}
	if cells == nil || cells.kind != nList {
		return nil, errors.New("notebook has no cells list")
	}
	var out []nbCell
	for _, c := range cells.vals {
		if c.kind != nDict {
			continue
		}
		cell := nbCell{kind: c.str("cell_type")}
		src := c.get("source")
		if src == nil {
			src = c.get("input") // nbformat 3
		}
		switch {
		case src == nil:
		case src.kind == nStr:
			for _, l := range strings.Split(src.s, "\n") {
				cell.lines = append(cell.lines, l)
				cell.at = append(cell.at, src.line)
			}
		case src.kind == nList:
			// Entries normally end with "\n"; one entry may also hold
			// several lines.
			pending := ""
			pendingAt := 0
			for _, e := range src.vals {
				if e.kind != nStr {
					continue
				}
				if pending == "" {
					pendingAt = e.line
				}
				parts := strings.Split(pending+e.s, "\n")
				for _, l := range parts[:len(parts)-1] {
					cell.lines = append(cell.lines, l)
					cell.at = append(cell.at, pendingAt)
					pendingAt = e.line
				}
				pending = parts[len(parts)-1]
			}
			if pending != "" {
				cell.lines = append(cell.lines, pending)
				cell.at = append(cell.at, pendingAt)
			}
		}
		out = append(out, cell)
	}
	return out, nil
}

type notebookDetector struct{}

func (notebookDetector) name() string       { return "notebook" }
func (notebookDetector) wants(f *file) bool { return f.ext == ".ipynb" }

func (notebookDetector) detect(f *file, out *sink) {
	cells, err := parseNotebook(f.data)
	if err != nil {
		out.warn("%s: %v", f.path, err)
		out.skips = append(out.skips, Skip{f.path, "malformed notebook: " + err.Error()})
		return
	}
	var src strings.Builder
	lineMap := []int{0}
	for _, c := range cells {
		if c.kind != "code" {
			continue
		}
		for i, l := range c.lines {
			t := strings.TrimSpace(l)
			if strings.HasPrefix(t, "!") || strings.HasPrefix(t, "%") {
				// Shell escapes and magics: analysed as shell, blank for Python.
				shellLine(f, out, strings.TrimLeft(t, "!%"), c.at[i], "notebook.shell")
				l = ""
			}
			src.WriteString(l)
			src.WriteByte('\n')
			lineMap = append(lineMap, c.at[i])
		}
		// Cells are separate blocks: a blank line keeps an unterminated
		// bracket in one cell from swallowing the next.
		src.WriteByte('\n')
		lineMap = append(lineMap, 0)
	}
	pf := newPyFile(f, out, []byte(src.String()), lineMap)
	pf.module = "" // notebooks are not importable
	pf.analyse()
}
