package mlbom.docs_test

import data.mlbom.docs

model(score, missing, extra) := {
	"bom-ref": "m", "type": "machine-learning-model", "name": "org/m",
	"properties": array.concat(
		[
			{"name": "mlbom:asset.kind", "value": "model"},
			{"name": "mlbom:modelcard.completeness", "value": score},
			{"name": "mlbom:modelcard.missing", "value": missing},
		],
		extra,
	),
}

test_complete_card_passes if {
	doc := {"bom": {"components": [model("0.90", "environmental", [])]}}
	count(docs.warn) == 0 with input as doc
	count(docs.deny) == 0 with input as doc
}

test_low_completeness_warns if {
	doc := {"bom": {"components": [model("0.31", "intendedUse,limitations", [])]}}
	{f.policy | some f in docs.warn} == {"docs.incomplete"} with input as doc
	count(docs.deny) == 0 with input as doc
}

test_high_risk_project_with_gaps_denies if {
	doc := {"project": "credit-scoring", "bom": {"components": [model("0.70", "limitations, training_data,environmental", [])]}}
	fs := [f | some f in docs.deny] with input as doc with data.mlbom.config.docs.high_risk_projects as ["credit-scoring"]
	count(fs) == 1
	fs[0].policy == "docs.high-risk-gaps"
	contains(fs[0].message, "limitations, trainingdata")
	not contains(fs[0].message, "environmental")
}

test_high_risk_component_property if {
	doc := {"bom": {"components": [model("0.20", "intendedUse", [{"name": "mlbom:use.risk", "value": "high"}])]}}
	{f.policy | some f in docs.deny} == {"docs.high-risk-gaps"} with input as doc
	count(docs.warn) == 0 with input as doc # the deny supersedes the incompleteness warning
}

test_high_risk_without_required_gaps_passes if {
	doc := {"project": "p", "bom": {"components": [model("0.80", "environmental", [])]}}
	count(docs.deny) == 0 with input as doc with data.mlbom.config.docs.high_risk as true
}

test_threshold_from_data if {
	doc := {"bom": {"components": [model("0.31", "", [])]}}
	count(docs.warn) == 0 with input as doc with data.mlbom.config.docs.min_completeness as 0.3
}

test_fixtures if {
	{f.component | some f in docs.warn} == {"model:huggingface/meta-llarna/Llama-3.1-8B-Instruct"} with input.bom as data.testdata.risky
	count(docs.warn) == 0 with input.bom as data.testdata.clean
}
