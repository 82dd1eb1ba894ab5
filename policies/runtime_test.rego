package mlbom.runtime_test

import data.mlbom.runtime

bom := {"components": [
	{
		"bom-ref": "weights:models/bert/model.safetensors", "type": "file", "name": "models/bert/model.safetensors",
		"hashes": [{"alg": "SHA-256", "content": "AA11"}],
		"properties": [{"name": "mlbom:asset.kind", "value": "weights"}],
	},
	{
		"bom-ref": "weights:w2", "type": "file", "name": "w2",
		"evidence": {"occurrences": [{"location": "legacy/scorer.pkl"}]},
		"properties": [{"name": "mlbom:asset.kind", "value": "weights"}],
	},
]}

obs(list) := {"bom": bom, "runtime": {"observations": list}}

test_known_model_files_pass if {
	doc := obs([
		{"type": "file", "path": "/srv/app/models/bert/model.safetensors", "process": "python"},
		{"type": "file", "path": "/tmp/renamed.bin", "sha256": "aa11"},
		{"type": "file", "path": "/srv/app/legacy/scorer.pkl"},
		{"type": "file", "path": "/etc/passwd"},
	])
	count(runtime.deny) == 0 with input as doc
}

test_unknown_model_file_denies if {
	doc := obs([{"type": "file", "path": "/home/u/.cache/huggingface/hub/x/model.safetensors", "process": "python", "pid": 42}])
	some f in runtime.deny with input as doc
	f.policy == "runtime.unknown-model"
	f.component == "runtime:file:/home/u/.cache/huggingface/hub/x/model.safetensors"
	contains(f.message, "python")
}

test_suffix_match_needs_a_path_boundary if {
	# "xmodels/bert/model.safetensors" is not the BOM's models/bert/model.safetensors
	count(runtime.deny) == 1 with input as obs([{"type": "file", "path": "/srv/xmodels/bert/model.safetensors"}])
}

test_unapproved_endpoint_denies if {
	doc := obs([{"type": "connect", "host": "api.deepseek.com", "port": 443, "process": "node"}])
	{[f.policy, f.component] | some f in runtime.deny} == {["runtime.unapproved-endpoint", "runtime:connect:api.deepseek.com"]} with input as doc
}

test_approved_undeclared_endpoint_warns if {
	doc := obs([{"type": "connect", "host": "API.OpenAI.com", "port": 443}])
	count(runtime.deny) == 0 with input as doc
	{f.policy | some f in runtime.warn} == {"runtime.undeclared-endpoint"} with input as doc
}

test_declared_endpoint_passes if {
	b := object.union(bom, {"services": [{"bom-ref": "s", "name": "gpt-4o", "properties": [{"name": "mlbom:provider", "value": "openai"}]}]})
	doc := {"bom": b, "runtime": {"observations": [{"type": "connect", "host": "api.openai.com"}]}}
	count(runtime.warn) == 0 with input as doc
	count(runtime.deny) == 0 with input as doc
}

test_non_ai_hosts_are_ignored if {
	doc := obs([{"type": "connect", "host": "pypi.org"}])
	count(runtime.deny) == 0 with input as doc
	count(runtime.warn) == 0 with input as doc
}

test_known_path_with_other_hash_is_unverified if {
	doc := obs([{"type": "file", "path": "/srv/app/models/bert/model.safetensors", "sha256": "BB22", "process": "python"}])
	{[f.policy, f.component] | some f in runtime.deny} == {["runtime.unverified-model", "runtime:file:/srv/app/models/bert/model.safetensors"]} with input as doc
}

test_known_path_with_reviewed_hash_passes if {
	doc := obs([{"type": "file", "path": "/srv/app/models/bert/model.safetensors", "sha256": "aa11"}])
	count(runtime.deny) == 0 with input as doc
}
