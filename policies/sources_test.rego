package mlbom.sources_test

import data.mlbom.sources

model(group, name, extra) := object.union(
	{
		"bom-ref": sprintf("model:%s/%s", [group, name]), "type": "machine-learning-model", "group": group, "name": name,
		"properties": [{"name": "mlbom:asset.kind", "value": "model"}, {"name": "mlbom:provider", "value": "huggingface"}],
	},
	extra,
)

service(provider) := {
	"bom-ref": sprintf("service:%s", [provider]), "name": provider,
	"properties": [{"name": "mlbom:asset.kind", "value": "service"}, {"name": "mlbom:provider", "value": provider}],
}

test_approved_org_passes if {
	count(sources.deny) == 0 with input as {"bom": {"components": [model("mistralai", "Mistral-7B-v0.3", {})]}}
}

test_org_match_is_case_insensitive if {
	count(sources.deny) == 0 with input as {"bom": {"components": [model("Meta-Llama", "Llama-3.1-8B", {})]}}
}

test_unapproved_org_denies if {
	doc := {"bom": {"components": [model("random-user", "llama-uncensored", {})]}}
	fs := {[f.policy, f.component] | some f in sources.deny} with input as doc
	fs == {["sources.unapproved-org", "model:random-user/llama-uncensored"]}
}

test_hub_id_without_group if {
	c := {"bom-ref": "m", "type": "machine-learning-model", "name": "random-user/x", "properties": [{"name": "mlbom:asset.kind", "value": "model"}]}
	some f in sources.deny with input as {"bom": {"components": [c]}}
	f.policy == "sources.unapproved-org"
}

test_local_files_have_no_org if {
	c := {"bom-ref": "w", "name": "models/bert/model.safetensors", "properties": [{"name": "mlbom:asset.kind", "value": "weights"}, {"name": "mlbom:provider", "value": "local"}]}
	count(sources.deny) == 0 with input as {"bom": {"components": [c]}}
}

test_unapproved_host_denies if {
	c := model("mistralai", "Mistral-7B-v0.3", {"externalReferences": [
		{"type": "distribution", "url": "https://huggingface.co/mistralai/Mistral-7B-v0.3"},
		{"type": "distribution", "url": "http://203.0.113.7:8080/mistral.tar"},
		{"type": "website", "url": "https://blog.example.com"},
	]})
	fs := [f | some f in sources.deny] with input as {"bom": {"components": [c]}}
	count(fs) == 1
	fs[0].policy == "sources.unapproved-host"
	contains(fs[0].message, "203.0.113.7")
	not contains(fs[0].message, "blog.example.com")
}

test_approved_host_subdomain_passes if {
	c := model("mistralai", "x", {"externalReferences": [{"type": "distribution", "url": "https://cdn-lfs.huggingface.co/repos/x"}]})
	count(sources.deny) == 0 with input as {"bom": {"components": [c]}}
}

test_unapproved_provider_denies if {
	doc := {"bom": {"components": [], "services": [service("openai"), service("deepseek")]}}
	fs := {[f.policy, f.component] | some f in sources.deny} with input as doc
	fs == {["sources.unapproved-provider", "service:deepseek"]}
}

test_provider_allowlist_from_data if {
	doc := {"bom": {"services": [service("deepseek")]}}
	count(sources.deny) == 0 with input as doc with data.mlbom.config.sources.allowed_providers as ["deepseek"]
}

test_clean_fixture if {
	count(sources.deny) == 0 with input.bom as data.testdata.clean
}

test_risky_fixture if {
	fs := {f.policy | some f in sources.deny} with input.bom as data.testdata.risky
	fs == {"sources.unapproved-org", "sources.unapproved-host", "sources.unapproved-provider"}
}
