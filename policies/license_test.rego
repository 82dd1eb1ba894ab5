package mlbom.license_test

import data.mlbom.license

comp(ref, kind, licenses) := {
	"bom-ref": ref, "type": "machine-learning-model", "name": ref, "licenses": licenses,
	"properties": [{"name": "mlbom:asset.kind", "value": kind}],
}

id(l) := [{"license": {"id": l}}]

policies(findings) := {[f.policy, f.component, f.license] | some f in findings}

test_allowed_license_passes if {
	count(license.deny) == 0 with input as {"bom": {"components": [comp("m", "model", id("Apache-2.0"))]}}
	count(license.warn) == 0 with input as {"bom": {"components": [comp("m", "model", id("Apache-2.0"))]}}
}

test_categories if {
	doc := {"bom": {"components": [
		comp("nc", "model", id("CC-BY-NC-4.0")),
		comp("gpl", "dataset", id("GPL-3.0-only")),
		comp("agpl", "model", id("AGPL-3.0-or-later")),
		comp("llama", "model", [{"license": {"name": "LicenseRef-llama3.1"}}]),
		comp("rail", "model", [{"license": {"name": "creativeml-openrail-m"}}]),
		comp("gemma", "model", [{"license": {"name": "gemma"}}]),
		comp("noassert", "model", id("NOASSERTION")),
		comp("none", "dataset", []),
	]}}
	got := policies(license.deny) with input as doc
	got == {
		["license.non-commercial", "nc", "CC-BY-NC-4.0"],
		["license.copyleft", "gpl", "GPL-3.0-only"],
		["license.copyleft", "agpl", "AGPL-3.0-or-later"],
		["license.use-restricted", "llama", "LicenseRef-llama3.1"],
		["license.use-restricted", "rail", "creativeml-openrail-m"],
		["license.use-restricted", "gemma", "gemma"],
		["license.unknown", "noassert", "NOASSERTION"],
		["license.unknown", "none", "NOASSERTION"],
	}
}

test_findings_are_exception_eligible if {
	some f in license.deny with input as {"bom": {"components": [comp("nc", "model", id("CC-BY-NC-SA-4.0"))]}}
	f.exception_eligible == true
	f.severity == "high"
	f.component == "nc"
	f.license == "CC-BY-NC-SA-4.0"
	f.remediation != ""
}

test_unlisted_license_warns if {
	doc := {"bom": {"components": [comp("m", "model", id("Artistic-2.0"))]}}
	count(license.deny) == 0 with input as doc
	policies(license.warn) == {["license.unlisted", "m", "Artistic-2.0"]} with input as doc
}

test_disjunction_with_allowed_alternative_passes if {
	doc := {"bom": {"components": [comp("m", "model", [{"expression": "Apache-2.0 OR GPL-3.0-only"}])]}}
	count(license.deny) == 0 with input as doc
}

test_conjunction_with_copyleft_denies if {
	doc := {"bom": {"components": [comp("m", "model", [{"expression": "Apache-2.0 AND GPL-3.0-only"}])]}}
	policies(license.deny) == {["license.copyleft", "m", "GPL-3.0-only"]} with input as doc
}

test_kinds_outside_config_are_ignored if {
	doc := {"bom": {"components": [comp("lib", "framework", id("GPL-3.0-only")), comp("p", "prompt", [])]}}
	count(license.deny) == 0 with input as doc
}

test_lists_come_from_data if {
	doc := {"bom": {"components": [comp("m", "model", id("CC-BY-NC-4.0"))]}}
	count(license.deny) == 0 with input as doc with data.mlbom.config.license.allow as ["CC-BY-NC-4.0"]
}

test_risky_fixture if {
	got := {f.policy | some f in license.deny} with input.bom as data.testdata.risky
	got == {"license.non-commercial", "license.copyleft", "license.use-restricted", "license.unknown"}
}

test_clean_fixture if {
	count(license.deny) == 0 with input.bom as data.testdata.clean
	count(license.warn) == 0 with input.bom as data.testdata.clean
}

unlicensed_model(ref, reason) := {
	"bom-ref": ref, "type": "machine-learning-model", "name": ref,
	"properties": [
		{"name": "mlbom:asset.kind", "value": "model"},
		{"name": "mlbom:license.reason", "value": reason},
		{"name": "mlbom:license.source", "value": "unknown"},
	],
}

reasons_doc := {"bom": {"components": [
	unlicensed_model("offline", "not looked up"),
	unlicensed_model("empty", "nothing declared"),
	unlicensed_model("down", "Hub unreachable"),
]}}

test_unknown_license_says_why if {
	got := {[f.component, f.license_reason, f.message] | some f in license.deny} with input as reasons_doc
	got == {
		["offline", "not looked up", "offline (NOASSERTION): license not looked up (it may be declared where it is published; Hub look-ups were off or stopped)"],
		["empty", "nothing declared", "empty (NOASSERTION): no license declared"],
		["down", "Hub unreachable", "down (NOASSERTION): license unknown: the Hugging Face Hub was unreachable"],
	}
}

test_unknown_reasons_default_exception_eligible if {
	fs := license.deny with input as reasons_doc
	count(fs) == 3
	every f in fs {
		f.exception_eligible == true
		f.policy == "license.unknown"
	}
}

test_unknown_reason_without_property_is_nothing_declared if {
	some f in license.deny with input as {"bom": {"components": [comp("old", "model", [])]}}
	f.license_reason == "nothing declared"
	f.message == "old (NOASSERTION): no license declared"
}

test_data_decides_per_reason if {
	overrides := {
		"not looked up": {"effect": "warn", "severity": "low", "exception_eligible": false},
		"nothing declared": {"effect": "deny"},
		"Hub unreachable": {"effect": "ignore"},
	}
	denied := {f.component | some f in license.deny} with input as reasons_doc
		with data.mlbom.config.license.unknown_reasons as overrides
	denied == {"empty"}
	some w in license.warn with input as reasons_doc with data.mlbom.config.license.unknown_reasons as overrides
	w.component == "offline"
	w.severity == "low"
	w.exception_eligible == false
}

test_unnamed_reason_falls_back_to_the_category if {
	some f in license.deny with input as {"bom": {"components": [unlicensed_model("m", "registry offline")]}}
	f.message == "m (NOASSERTION): no license: registry offline"
	f.severity == "medium"
	f.exception_eligible == true
}

test_other_license_findings_carry_no_reason if {
	some f in license.deny with input as {"bom": {"components": [comp("nc", "model", id("CC-BY-NC-4.0"))]}}
	f.license_reason == ""
}

licensed(ref, kind, spdx, location) := {
	"bom-ref": ref, "name": ref, "licenses": [{"license": {"id": spdx}}],
	"properties": [
		{"name": "mlbom:asset.kind", "value": kind},
		{"name": "mlbom:license.location", "value": location},
		{"name": "mlbom:license.source", "value": "file"},
	],
}

test_weights_under_their_models_card_are_judged_with_the_model if {
	doc := {"bom": {"components": [
		licensed("m", "model", "CC-BY-NC-4.0", "model/README.md:2"),
		licensed("w1", "weights", "CC-BY-NC-4.0", "model/README.md"),
		licensed("w2", "weights", "CC-BY-NC-4.0", "model/README.md"),
		# another card's weights, and weights the repository's license covers, stand alone
		licensed("w3", "weights", "CC-BY-NC-4.0", "other/README.md"),
		{
			"bom-ref": "w4", "name": "w4", "licenses": [{"license": {"id": "GPL-3.0-only"}}],
			"properties": [
				{"name": "mlbom:asset.kind", "value": "weights"},
				{"name": "mlbom:license.location", "value": "LICENSE"},
				{"name": "mlbom:license.source", "value": "repository"},
			],
		},
	]}}
	{f.component | some f in license.deny} == {"m", "w3", "w4"} with input as doc
}
