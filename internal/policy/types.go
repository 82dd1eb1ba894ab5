// Package policy evaluates the Rego policies in policies/ (and a user's own
// directory) with the embedded OPA engine. Queries are prepared once and
// reused; the result is a Decision document.
package policy

// Verdicts, in increasing order of severity.
const (
	VerdictPass = "pass"
	VerdictWarn = "warn"
	VerdictDeny = "deny"
)

// Finding is one policy violation.
type Finding struct {
	// ID is the stable identity of the finding: a hash of project, policy and
	// component, so the same violation in a later scan has the same ID.
	ID          string `json:"id"`
	Policy      string `json:"policy"`              // e.g. "license.deny"
	Severity    string `json:"severity"`            // critical, high, medium, low, info
	Component   string `json:"component,omitempty"` // bom-ref
	Message     string `json:"message"`
	Remediation string `json:"remediation,omitempty"`
	// Effect is what the finding does to the verdict: deny or warn.
	Effect string `json:"effect"`
	// ExceptionEligible findings (licenses) can be waived by a human approval.
	ExceptionEligible bool   `json:"exceptionEligible,omitempty"`
	License           string `json:"license,omitempty"`
	// LicenseReason says why the license is unknown ("not looked up",
	// "Hub unreachable", "nothing declared", ...), for a component without one.
	LicenseReason string `json:"licenseReason,omitempty"`
	Waived        bool   `json:"waived,omitempty"` // an approval covers it
}

// Decision is the result of evaluating every policy over one scan.
type Decision struct {
	Verdict  string    `json:"verdict"`
	Findings []Finding `json:"findings"`
}

// Approval, as policies see it (input.approvals).
type Approval struct {
	Component string `json:"component"`
	License   string `json:"license"`
	Decision  string `json:"decision"`
	Approver  string `json:"approver"`
	Expires   string `json:"expires,omitempty"`
}

// Input is the document policies evaluate (input.*).
type Input struct {
	Project string `json:"project"`
	// BOM is the CycloneDX JSON document, decoded into generic values.
	BOM any `json:"bom"`
	// Diff is the bomdiff result against the previous version, or nil.
	Diff      any        `json:"diff,omitempty"`
	Approvals []Approval `json:"approvals,omitempty"`
	// Runtime observations (tracer), when there are any:
	// {"observations": [{"type": "file"|"connect", ...}]}.
	Runtime any `json:"runtime,omitempty"`
	// Kubernetes objects: the manifests found in the repository, or objects
	// given directly (see internal/discover/kubernetes).
	Kubernetes []any `json:"kubernetes,omitempty"`
}
