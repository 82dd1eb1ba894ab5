package modelscan

// Severity of a finding, from most to least severe.
type Severity string

const (
	SeverityCritical Severity = "critical"
	SeverityHigh     Severity = "high"
	SeverityMedium   Severity = "medium"
	SeverityLow      Severity = "low"
	SeverityInfo     Severity = "info"
)

// Status is the verdict on one file.
type Status string

const (
	StatusClean       Status = "clean"
	StatusSuspicious  Status = "suspicious"
	StatusMalicious   Status = "malicious"
	StatusUnscannable Status = "unscannable"
	StatusError       Status = "error"
)

// Finding is one thing found in a file.
type Finding struct {
	Rule     string   `json:"rule"` // stable id, e.g. "pickle.denylisted-global"
	Severity Severity `json:"severity"`
	File     string   `json:"file"`
	Member   string   `json:"member,omitempty"` // archive member, when inside a container
	Offset   int64    `json:"offset"`           // byte offset in the file or member
	Opcode   string   `json:"opcode,omitempty"`
	Global   string   `json:"global,omitempty"` // module.name, or the construct found
	Reason   string   `json:"reason"`
}

// Report is the result for one file.
type Report struct {
	File     string    `json:"file"`
	Format   string    `json:"format"` // detected by content
	Status   Status    `json:"status"`
	SHA256   string    `json:"sha256,omitempty"`
	Size     int64     `json:"size"`
	Findings []Finding `json:"findings"`
	Error    string    `json:"error,omitempty"`
	// Facts the file declares in its headers (tensors, dtypes, architecture...).
	Facts *Facts `json:"facts,omitempty"`
}
