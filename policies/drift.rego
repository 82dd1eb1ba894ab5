# Drift between this BOM and the previous version (input.diff from bomdiff),
# and model references that can drift because nothing pins them.
package mlbom.drift

import data.mlbom.lib

conf := lib.cfg.drift

diff_items(key) := lib.list(object.get(input, ["diff", key], []))

# Same version and revision but different bytes: someone replaced the file
# under a name people trust. Never exception-eligible.
deny contains f if {
	some it in diff_items("changed")
	it.hashDrift == true
	f := lib.finding(
		"drift.hash", "critical", it["bom-ref"],
		sprintf("%s: content hash changed while its version and revision did not%s", [it.name, hash_detail(it)]),
		"Treat the artifact as tampered until proven otherwise: compare it with the publisher's copy, rescan it, and pin the revision by commit hash.",
	)
}

hash_detail(it) := sprintf(" (%v -> %v)", [ch.old, ch.new]) if {
	some ch in lib.list(object.get(it, "changes", []))
	lower(ch.field) in {"hashes", "sha256", "hash"}
} else := ""

# The first version of a project has nothing to drift from: everything in it
# is "added", and saying so for every model would only be noise.
has_previous if object.get(input, ["diff", "from"], 1) > 0

warn contains f if {
	has_previous
	some it in diff_items("added")
	object.get(it, "kind", "") in conf.watch_kinds
	f := lib.finding(
		"drift.new-model", "medium", it["bom-ref"],
		sprintf("new %s %s appeared since the previous scan", [it.kind, it.name]),
		"Confirm the addition was intended and reviewed (license, source, serialization).",
	)
}

warn contains f if {
	has_previous
	some it in diff_items("removed")
	object.get(it, "kind", "") in conf.watch_kinds
	f := lib.finding(
		"drift.removed-model", "low", it["bom-ref"],
		sprintf("%s %s disappeared since the previous scan", [it.kind, it.name]),
		"Confirm the removal was intended; if the model is still used, the scanner lost track of it.",
	)
}

warn contains f if {
	some it in diff_items("changed")
	it.licenseChange == true
	f := lib.finding(
		"drift.license-change", "medium", it["bom-ref"],
		sprintf("%s: license changed since the previous scan", [it.name]),
		"Review the new license terms; earlier approvals do not cover a different license.",
	)
}

warn contains f if {
	some c in lib.with_prop("mlbom:revision.pinned", "false")
	k := c.kind
	k in conf.pin_kinds
	f := lib.finding(
		"drift.unpinned", "medium", c.ref,
		sprintf("%s %s is referenced without a pinned revision, so its content can change under you", [k, c.display]),
		"Pin the revision to a commit hash (e.g. from_pretrained(..., revision=\"<sha>\")).",
	)
}
