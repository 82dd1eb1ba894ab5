package mlbom.drift_test

import data.mlbom.drift

item(ref, kind) := {"bom-ref": ref, "name": ref, "kind": kind}

test_hash_drift_denies if {
	changed := object.union(item("model:x", "model"), {"hashDrift": true, "changes": [{"field": "hashes", "old": "aa", "new": "bb"}]})
	some f in drift.deny with input as {"diff": {"added": [], "removed": [], "changed": [changed]}}
	f.policy == "drift.hash"
	f.severity == "critical"
	f.component == "model:x"
	contains(f.message, "aa -> bb")
	f.exception_eligible == false
}

test_change_without_hash_drift_passes if {
	changed := object.union(item("model:x", "model"), {"changes": [{"field": "version", "old": "1", "new": "2"}]})
	count(drift.deny) == 0 with input as {"diff": {"changed": [changed]}}
	count(drift.warn) == 0 with input as {"diff": {"changed": [changed]}}
}

test_added_and_removed_models_warn if {
	doc := {"diff": {
		"added": [item("model:new", "model"), item("framework:torch", "framework")],
		"removed": [item("model:old", "model")],
		"changed": null,
	}}
	fs := {[f.policy, f.component] | some f in drift.warn} with input as doc
	fs == {["drift.new-model", "model:new"], ["drift.removed-model", "model:old"]}
}

test_first_version_has_no_new_model_warnings if {
	doc := {"diff": {"from": 0, "to": 1, "added": [item("model:new", "model")], "removed": []}}
	count({f | some f in drift.warn; f.policy == "drift.new-model"}) == 0 with input as doc
}

test_later_version_warns_of_new_model if {
	doc := {"diff": {"from": 1, "to": 2, "added": [item("model:new", "model")], "removed": []}}
	{f.policy | some f in drift.warn} == {"drift.new-model"} with input as doc
}

test_license_change_warns if {
	changed := object.union(item("dataset:d", "dataset"), {"licenseChange": true})
	fs := {f.policy | some f in drift.warn} with input as {"diff": {"changed": [changed]}}
	fs == {"drift.license-change"}
}

test_no_diff_no_findings if {
	count(drift.deny) == 0 with input as {"bom": {"components": []}}
	count(drift.warn) == 0 with input as {"diff": null}
}

test_unpinned_warns if {
	c := {"bom-ref": "m", "name": "m", "properties": [
		{"name": "mlbom:asset.kind", "value": "model"},
		{"name": "mlbom:revision.pinned", "value": "false"},
	]}
	pinned := json.patch(c, [{"op": "replace", "path": "/properties/1/value", "value": "true"}])
	fs := {f.policy | some f in drift.warn} with input as {"bom": {"components": [c]}}
	fs == {"drift.unpinned"}
	count(drift.warn) == 0 with input as {"bom": {"components": [pinned]}}
}

test_fixtures if {
	fs := {f.component | some f in drift.warn} with input.bom as data.testdata.risky
	fs == {"model:huggingface/meta-llarna/Llama-3.1-8B-Instruct", "dataset:huggingface/some-lab/scraped-forum-posts"}
	count(drift.warn) == 0 with input.bom as data.testdata.clean
}
