package bomdiff

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/mlbom/autopilot/internal/printable"
)

// WriteText writes r for people: one line per added (+), removed (-) and
// changed (~) component, indented field changes as "old → new", license
// changes and hash drift called out, then the counts.
func WriteText(w io.Writer, r *Result) error {
	bw := bufio.NewWriter(w)
	title := "BOM diff"
	if r.Project != "" {
		title += " " + printable.Line(r.Project)
	}
	if r.From != 0 || r.To != 0 {
		title += fmt.Sprintf(" v%d → v%d", r.From, r.To)
	}
	fmt.Fprintln(bw, title)
	if r.Empty() {
		fmt.Fprintln(bw, "no changes")
	}
	for _, it := range r.Added {
		fmt.Fprintf(bw, "+ %s\n", label(it))
	}
	for _, it := range r.Removed {
		fmt.Fprintf(bw, "- %s\n", label(it))
	}
	for _, it := range r.Changed {
		line := "~ " + label(it)
		if it.HashDrift {
			line += "  [HASH DRIFT: content changed, version and revision did not]"
		}
		if it.LicenseChange {
			line += "  [LICENSE CHANGE]"
		}
		fmt.Fprintln(bw, line)
		for _, c := range it.Changes {
			fmt.Fprintf(bw, "    %s: %s → %s\n", printable.Line(c.Field), printable.Line(value(c.Old)), printable.Line(value(c.New)))
		}
	}
	for _, e := range r.EdgesAdded {
		fmt.Fprintf(bw, "+ edge %s → %s\n", printable.Line(e.From), printable.Line(e.To))
	}
	for _, e := range r.EdgesRemoved {
		fmt.Fprintf(bw, "- edge %s → %s\n", printable.Line(e.From), printable.Line(e.To))
	}
	fmt.Fprintf(bw, "summary: %s\n", r.Counts())
	return bw.Flush()
}

// label names a component; names come from scanned repositories, so they
// are escaped (printable.Line).
func label(it Item) string {
	s := it.Name
	if it.Kind != "" {
		s = it.Kind + " " + s
	}
	if it.BOMRef != it.Name {
		s += " (" + it.BOMRef + ")"
	}
	return printable.Line(s)
}

func value(v any) string {
	switch x := v.(type) {
	case nil:
		return "(none)"
	case string:
		if x == "" {
			return "(none)"
		}
		return x
	case []string:
		if len(x) == 0 {
			return "(none)"
		}
		return strings.Join(x, ", ")
	case []any: // after a JSON round trip
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = fmt.Sprint(p)
		}
		if len(parts) == 0 {
			return "(none)"
		}
		return strings.Join(parts, ", ")
	}
	return fmt.Sprint(v)
}
