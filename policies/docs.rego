# Documentation gaps: model cards too thin to judge a model by, and for
# high-risk uses, cards missing what such a use needs.
package mlbom.docs

import data.mlbom.lib

conf := lib.cfg.docs

required := {lib.norm_field(f) | some f in conf.required_fields}

high_risk(c) if conf.high_risk == true

high_risk(c) if input.project in conf.high_risk_projects

high_risk(c) if lower(lib.prop(c, "mlbom:use.risk")) == "high"

documented := [c |
	some kind in conf.kinds
	some c in lib.of_kind(kind)
]

completeness(c) := to_number(lib.prop(c, "mlbom:modelcard.completeness"))

missing(c) := {lib.norm_field(trim_space(m)) |
	some m in split(lib.prop_or(c, "mlbom:modelcard.missing", ""), ",")
	trim_space(m) != ""
}

warn contains f if {
	some c in documented
	score := completeness(c)
	score < conf.min_completeness
	not high_risk_gap(c)
	f := lib.finding(
		"docs.incomplete", "low", lib.ref(c),
		sprintf("%s: model card completeness %.2f is below %.2f", [lib.display(c), score, conf.min_completeness]),
		"Ask the publisher for a fuller model card, or document intended use, limitations and training data in the repository.",
	)
}

high_risk_gap(c) if {
	high_risk(c)
	count(missing(c) & required) > 0
}

deny contains f if {
	some c in documented
	high_risk_gap(c)
	f := lib.finding(
		"docs.high-risk-gaps", "high", lib.ref(c),
		sprintf("%s is used for a high-risk purpose but its model card lacks %s", [lib.display(c), concat(", ", sort(missing(c) & required))]),
		"Complete the model card (intended use, limitations, training data, license) before using the model for a high-risk purpose.",
	)
}
