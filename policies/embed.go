// Package policies carries the built-in Rego policies and their data
// (allow/deny lists, thresholds) inside the binary. Tests (*_test.rego) are
// embedded too, so the Go tester runs exactly what `opa test policies/` runs;
// the engine skips them when it loads policies for evaluation.
package policies

import "embed"

// FS holds *.rego and data.json at its root.
//
//go:embed *.rego data.json
var FS embed.FS
