// Package bomdiff compares two CycloneDX BOM versions component by component.
package bomdiff

// Change is one changed field of a component.
type Change struct {
	Field string `json:"field"`
	Old   any    `json:"old"`
	New   any    `json:"new"`
}

// Item is a component that was added, removed or changed.
type Item struct {
	BOMRef  string   `json:"bom-ref"`
	Name    string   `json:"name"`
	Kind    string   `json:"kind,omitempty"`
	Changes []Change `json:"changes,omitempty"`
	// HashDrift: the hash changed while version and revision did not (a tampering signal).
	HashDrift     bool `json:"hashDrift,omitempty"`
	LicenseChange bool `json:"licenseChange,omitempty"`
}

// Edge is a dependency edge.
type Edge struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Result is the difference between two versions.
type Result struct {
	Project      string `json:"project,omitempty"`
	From         int    `json:"from"`
	To           int    `json:"to"`
	Added        []Item `json:"added"`
	Removed      []Item `json:"removed"`
	Changed      []Item `json:"changed"`
	EdgesAdded   []Edge `json:"edgesAdded,omitempty"`
	EdgesRemoved []Edge `json:"edgesRemoved,omitempty"`
}
