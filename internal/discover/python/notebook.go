package python

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mlbom/autopilot/internal/discover/detect"
	"github.com/mlbom/autopilot/internal/discover/tree"
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
	root, err := tree.ParseJSON(data)
	if err != nil {
		return nil, fmt.Errorf("notebook JSON: %w", err)
	}
	if root.Kind != tree.Dict {
		return nil, errors.New("notebook is not a JSON object")
	}
	cells := root.Get("cells")
	if cells == nil {
		if ws := root.Get("worksheets"); ws != nil && ws.Kind == tree.List && len(ws.Vals) > 0 {
			cells = ws.Vals[0].Get("cells")
		}
	}
	if cells == nil || cells.Kind != tree.List {
		return nil, errors.New("notebook has no cells list")
	}
	var out []nbCell
	for _, c := range cells.Vals {
		if c.Kind != tree.Dict {
			continue
		}
		cell := nbCell{kind: c.Str("cell_type")}
		src := c.Get("source")
		if src == nil {
			src = c.Get("input") // nbformat 3
		}
		switch {
		case src == nil:
		case src.Kind == tree.String:
			for _, l := range strings.Split(src.Text, "\n") {
				cell.lines = append(cell.lines, l)
				cell.at = append(cell.at, src.Line)
			}
		case src.Kind == tree.List:
			// Entries normally end with "\n"; one entry may also hold
			// several lines.
			// The unfinished line grows in a Builder: a source list of
			// many entries without newlines stays linear.
			var pending strings.Builder
			pendingAt := 0
			for _, e := range src.Vals {
				if e.Kind != tree.String {
					continue
				}
				if pending.Len() == 0 {
					pendingAt = e.Line
				}
				text := e.Text
				for {
					nl := strings.IndexByte(text, '\n')
					if nl < 0 {
						break
					}
					pending.WriteString(text[:nl])
					cell.lines = append(cell.lines, pending.String())
					cell.at = append(cell.at, pendingAt)
					pending.Reset()
					pendingAt = e.Line
					text = text[nl+1:]
				}
				pending.WriteString(text)
			}
			if pending.Len() > 0 {
				cell.lines = append(cell.lines, pending.String())
				cell.at = append(cell.at, pendingAt)
			}
		}
		out = append(out, cell)
	}
	return out, nil
}

// Notebook reads Jupyter notebooks: code cells as one Python module, shell
// escapes and magics (!pip install, %env) as shell lines.
type Notebook struct {
	// Shell analyses one shell line of a cell (shell.Line); nil ignores them.
	Shell func(f *detect.File, out *detect.Report, line string, at int, det string)
}

func (Notebook) Name() string { return "notebook" }

func (Notebook) Wants(f *detect.File) bool { return f.Ext == ".ipynb" }

func (n Notebook) Detect(ctx context.Context, f *detect.File, out *detect.Report) {
	cells, err := parseNotebook(f.Data)
	if err != nil {
		out.Warn("%s: %v", f.Path, err)
		out.Skip(f.Path, "malformed notebook: "+err.Error())
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
				if n.Shell != nil {
					n.Shell(f, out, strings.TrimLeft(t, "!%"), c.at[i], "notebook.shell")
				}
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
	pf := newPyFile(ctx, f, out, []byte(src.String()), lineMap)
	pf.module = "" // notebooks are not importable
	pf.analyse()
}
