# Integrity of model files: OpenSSF model signatures found in the repository
# (verified by the scan against the files and the trusted keys,
# MLBOM_TRUSTED_KEYS), and weight files of a Hub model pinned to a revision
# compared with the Hub's LFS hashes for that revision.
package mlbom.integrity

import data.mlbom.lib

prop(c, name) := object.get(c.props, name, "")

deny contains f if {
	some c in lib.components
	prop(c, "mlbom:model.signature.status") == "invalid"
	f := lib.finding(
		"integrity.model-signature-invalid", "high", c.ref,
		sprintf("the model signature of %s (%s) does not match: %s", [c.display, prop(c, "mlbom:model.signature.file"), prop(c, "mlbom:model.signature.problems")]),
		"Do not use these files: restore the signed ones (or have the model re-signed by its publisher after review).",
	)
}

warn contains f if {
	some c in lib.components
	prop(c, "mlbom:model.signature.status") == "unverified"
	f := lib.finding(
		"integrity.model-signature-unverified", "low", c.ref,
		sprintf("%s is signed (%s) by a key that is not trusted here (%s): the files match what was signed, but not who signed it", [c.display, prop(c, "mlbom:model.signature.file"), prop(c, "mlbom:model.signature.signer")]),
		"Add the publisher's public key to MLBOM_TRUSTED_KEYS if you trust it.",
	)
}

deny contains f if {
	some c in lib.components
	prop(c, "mlbom:weights.hub.match") == "false"
	f := lib.finding(
		"integrity.hub-weights-mismatch", "high", c.ref,
		sprintf("%s is not the file %s published at revision %s (sha256 on the Hub %s)", [c.display, prop(c, "mlbom:weights.hub.repo"), prop(c, "mlbom:weights.hub.revision"), prop(c, "mlbom:weights.hub.sha256")]),
		"Replace the file with the one from the Hub at the pinned revision, or find out who changed it.",
	)
}

warn contains f if {
	some c in lib.components
	prop(c, "mlbom:weights.hub.match") == "missing"
	f := lib.finding(
		"integrity.hub-weights-missing", "medium", c.ref,
		sprintf("%s belongs to %s at revision %s, which has no such file", [c.display, prop(c, "mlbom:weights.hub.repo"), prop(c, "mlbom:weights.hub.revision")]),
		"Check that the file comes from that repository and revision; pin the revision it does come from.",
	)
}
