package modelscan

import "time"

// Options bound the work done on one file. Every limit exists because the
// input is hostile: a zip bomb, a pickle with a billion memo entries or a
// multi-gigabyte tensor must cost the scanner a bounded amount.
type Options struct {
	// MaxMemberSize caps the decompressed bytes read from one archive member
	// or one compressed stream.
	MaxMemberSize int64
	// MaxTotalUncompressed caps the decompressed bytes read from all members
	// of one file together.
	MaxTotalUncompressed int64
	// MaxRatio is the largest uncompressed/compressed ratio tolerated for a
	// member bigger than 1 MiB before it is reported as a zip bomb.
	MaxRatio float64
	// TimeBudget is the per-file deadline; when it runs out the report says
	// so (status error) instead of hanging.
	TimeBudget time.Duration
	// Hash computes Report.SHA256 over the whole file. It is the dominant cost
	// on large checkpoints, so callers that already hashed (discovery) turn it off.
	Hash bool
	// MaxFindings caps the findings kept per file; the rest are counted.
	MaxFindings int
	// MaxNesting caps recursion (pickle inside bytes inside pickle, zip in zip).
	MaxNesting int
	// MaxRetainedValues caps the symbolic values the pickle decoder keeps.
	MaxRetainedValues int
	// MaxKeptBytes caps bytes/str payloads kept in memory for nested analysis
	// (pickle.loads arguments, torch.storage._load_from_bytes, ...).
	MaxKeptBytes int64
	// VerifyAllCRC also CRC-checks archive members the loader treats as raw
	// data (tensor storages). Off by default: it costs a full read of the file.
	VerifyAllCRC bool
}

// DefaultOptions are limits suited to CI use on multi-gigabyte checkpoints.
func DefaultOptions() Options {
	return Options{
		MaxMemberSize:        2 << 30,
		MaxTotalUncompressed: 4 << 30,
		MaxRatio:             1000,
		TimeBudget:           2 * time.Minute,
		Hash:                 true,
		MaxFindings:          500,
		MaxNesting:           4,
		MaxRetainedValues:    4 << 20,
		MaxKeptBytes:         32 << 20,
	}
}

// withDefaults fills zero fields so a partially filled Options is usable.
func (o Options) withDefaults() Options {
	d := DefaultOptions()
	if o.MaxMemberSize <= 0 {
		o.MaxMemberSize = d.MaxMemberSize
	}
	if o.MaxTotalUncompressed <= 0 {
		o.MaxTotalUncompressed = d.MaxTotalUncompressed
	}
	if o.MaxRatio <= 0 {
		o.MaxRatio = d.MaxRatio
	}
	if o.TimeBudget <= 0 {
		o.TimeBudget = d.TimeBudget
	}
	if o.MaxFindings <= 0 {
		o.MaxFindings = d.MaxFindings
	}
	if o.MaxNesting <= 0 {
		o.MaxNesting = d.MaxNesting
	}
	if o.MaxRetainedValues <= 0 {
		o.MaxRetainedValues = d.MaxRetainedValues
	}
	if o.MaxKeptBytes <= 0 {
		o.MaxKeptBytes = d.MaxKeptBytes
	}
	return o
}
