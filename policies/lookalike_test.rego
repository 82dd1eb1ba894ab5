package mlbom.lookalike_test

import data.mlbom.lookalike

model(id) := {
	"bom-ref": sprintf("model:%s", [id]), "type": "machine-learning-model", "name": id,
	"properties": [{"name": "mlbom:asset.kind", "value": "model"}],
}

test_typosquatted_orgs_deny if {
	doc := {"bom": {"components": [
		model("meta-llarna/Llama-3.1-8B"), # rn for m
		model("mistrai/Mistral-7B"), # dropped letters
		model("metallama/Llama-3.1-8B"), # dropped separator
	]}}
	fs := {[f.policy, f.component] | some f in lookalike.deny} with input as doc
	fs == {
		["lookalike.org", "model:meta-llarna/Llama-3.1-8B"],
		["lookalike.org", "model:mistrai/Mistral-7B"],
		["lookalike.org", "model:metallama/Llama-3.1-8B"],
	}
}

test_exact_and_unrelated_orgs_pass if {
	doc := {"bom": {"components": [
		model("meta-llama/Llama-3.1-8B"),
		model("Meta-Llama/Llama-3.1-8B"), # case differs only
		model("acme-research/credit-risk"), # unrelated, unapproved: the sources policy's job
	]}}
	count(lookalike.deny) == 0 with input as doc
}

test_far_names_pass if {
	count(lookalike.deny) == 0 with input as {"bom": {"components": [model("metaverse-labs/x")]}}
}

test_root_model_lookalike_denies if {
	doc := {"bom": {"components": [model("bert-base-uncasd"), model("bert-base-uncased"), model("bert-base-cased")]}}
	fs := {[f.policy, f.component] | some f in lookalike.deny} with input as doc
	fs == {["lookalike.model", "model:bert-base-uncasd"]}
}

test_short_names_are_not_compared if {
	# "gpt2" is shorter than min_length; "gpt3" must not be flagged as its look-alike
	count(lookalike.deny) == 0 with input as {"bom": {"components": [model("gpt3")]}}
		with data.mlbom.config.lookalike.protected_models as ["gpt2"]
}

test_distance_from_data if {
	doc := {"bom": {"components": [model("meta-llarna/x")]}}
	count(lookalike.deny) == 0 with input as doc with data.mlbom.config.lookalike.max_distance as 1
}

test_fixtures if {
	fs := {[f.policy, f.component] | some f in lookalike.deny} with input.bom as data.testdata.risky
	fs == {
		["lookalike.org", "model:huggingface/meta-llarna/Llama-3.1-8B-Instruct"],
		["lookalike.model", "model:huggingface/bert-base-uncase"],
	}
	count(lookalike.deny) == 0 with input.bom as data.testdata.clean
}
