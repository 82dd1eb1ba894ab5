package mlbom.integrity_test

import data.mlbom.integrity

model(ref, status) := {
	"bom-ref": ref, "type": "machine-learning-model", "name": ref,
	"properties": [
		{"name": "mlbom:asset.kind", "value": "model"},
		{"name": "mlbom:model.signature.status", "value": status},
		{"name": "mlbom:model.signature.file", "value": "m/model.sig"},
		{"name": "mlbom:model.signature.signer", "value": "sha256:abc"},
		{"name": "mlbom:model.signature.problems", "value": "changed model.safetensors"},
	],
}

weights(ref, match) := {
	"bom-ref": ref, "type": "file", "name": ref,
	"properties": [
		{"name": "mlbom:asset.kind", "value": "weights"},
		{"name": "mlbom:weights.hub.match", "value": match},
		{"name": "mlbom:weights.hub.repo", "value": "acme/bert"},
		{"name": "mlbom:weights.hub.revision", "value": "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567"},
		{"name": "mlbom:weights.hub.sha256", "value": "42664babc93c447a"},
	],
}

test_valid_signature_passes if {
	doc := {"bom": {"components": [model("m", "valid"), weights("w", "true")]}}
	count(integrity.deny) == 0 with input as doc
	count(integrity.warn) == 0 with input as doc
}

test_invalid_signature_denies if {
	doc := {"bom": {"components": [model("m", "invalid")]}}
	fs := {[f.policy, f.component, f.severity] | some f in integrity.deny} with input as doc
	fs == {["integrity.model-signature-invalid", "m", "high"]}
	some f in integrity.deny with input as doc
	contains(f.message, "changed model.safetensors")
}

test_unverified_signature_warns if {
	doc := {"bom": {"components": [model("m", "unverified"), model("n", "unsupported")]}}
	count(integrity.deny) == 0 with input as doc
	fs := {[f.policy, f.component] | some f in integrity.warn} with input as doc
	fs == {["integrity.model-signature-unverified", "m"]}
}

test_hub_mismatch_denies if {
	doc := {"bom": {"components": [weights("w", "false")]}}
	fs := {[f.policy, f.component, f.severity] | some f in integrity.deny} with input as doc
	fs == {["integrity.hub-weights-mismatch", "w", "high"]}
}

test_hub_missing_warns if {
	doc := {"bom": {"components": [weights("w", "missing")]}}
	count(integrity.deny) == 0 with input as doc
	fs := {f.policy | some f in integrity.warn} with input as doc
	fs == {"integrity.hub-weights-missing"}
}
