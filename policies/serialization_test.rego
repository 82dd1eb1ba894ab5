package mlbom.serialization_test

import data.mlbom.serialization

weights(path, format) := {
	"bom-ref": sprintf("weights:%s", [path]), "type": "file", "name": path,
	"properties": [{"name": "mlbom:asset.kind", "value": "weights"}, {"name": "mlbom:weights.format", "value": format}],
}

test_safetensors_passes if {
	doc := {"bom": {"components": [weights("m/model.safetensors", "safetensors")]}}
	count(serialization.deny) == 0 with input as doc
	count(serialization.warn) == 0 with input as doc
}

test_pickle_alone_warns if {
	doc := {"bom": {"components": [weights("m/pytorch_model.bin", "pytorch-zip"), weights("other/model.safetensors", "safetensors")]}}
	count(serialization.deny) == 0 with input as doc
	fs := {[f.policy, f.component] | some f in serialization.warn} with input as doc
	fs == {["serialization.pickle", "weights:m/pytorch_model.bin"]}
}

test_pickle_beside_safetensors_denies if {
	doc := {"bom": {"components": [weights("m/pytorch_model.bin", "pytorch-legacy"), weights("m/model.safetensors", "safetensors")]}}
	fs := {[f.policy, f.component] | some f in serialization.deny} with input as doc
	fs == {["serialization.pickle-with-safe-alternative", "weights:m/pytorch_model.bin"]}
	count(serialization.warn) == 0 with input as doc
}

test_safe_alternative_through_dependencies if {
	doc := {"bom": {
		"components": [weights("a/pytorch_model.bin", "pickle"), weights("b/model.safetensors", "safetensors")],
		"dependencies": [{"ref": "model:x", "dependsOn": ["weights:a/pytorch_model.bin", "weights:b/model.safetensors"]}],
	}}
	fs := {f.policy | some f in serialization.deny} with input as doc
	fs == {"serialization.pickle-with-safe-alternative"}
}

test_critical_scanner_finding_denies if {
	doc := {"bom": {
		"components": [weights("m/model.safetensors", "safetensors")],
		"vulnerabilities": [
			{"id": "MLBOM-A", "ratings": [{"severity": "critical"}], "affects": [{"ref": "weights:m/model.safetensors"}]},
			{"id": "MLBOM-B", "ratings": [{"severity": "critical"}], "affects": [{"ref": "weights:m/model.safetensors"}]},
		],
	}}
	fs := [f | some f in serialization.deny] with input as doc
	count(fs) == 1 # one finding per component, naming every vulnerability
	fs[0].policy == "serialization.scanner-critical"
	fs[0].severity == "critical"
	contains(fs[0].message, "MLBOM-A, MLBOM-B")
}

test_high_scanner_finding_warns if {
	doc := {"bom": {"vulnerabilities": [{"id": "MLBOM-H", "ratings": [{"severity": "high"}], "affects": [{"ref": "w"}]}]}}
	count(serialization.deny) == 0 with input as doc
	{f.policy | some f in serialization.warn} == {"serialization.scanner-high"} with input as doc
}

test_malicious_status_without_vulnerability_denies if {
	c := json.patch(weights("x.npy", "npy"), [{"op": "add", "path": "/properties/-", "value": {"name": "mlbom:modelscan.status", "value": "malicious"}}])
	{f.policy | some f in serialization.deny} == {"serialization.scanner-critical"} with input as {"bom": {"components": [c]}}
}

test_fixtures if {
	fs := {[f.policy, f.component] | some f in serialization.deny} with input.bom as data.testdata.risky
	fs == {
		["serialization.pickle-with-safe-alternative", "weights:models/credit/pytorch_model.bin"],
		["serialization.scanner-critical", "weights:legacy/scorer.pkl"],
	}
	count(serialization.deny) == 0 with input.bom as data.testdata.clean
	count(serialization.warn) == 0 with input.bom as data.testdata.clean
}
